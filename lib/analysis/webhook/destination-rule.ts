import { durationNanos, durationProblem } from './durations';
import { localityLbSetting } from './locality';
import { isIP } from './net';
import { fqdnProblem, isDns1123Label, wildcardDomainProblem } from './names';
import { workloadSelector } from './policy-selection';
import { exportToProblems } from './export-to';
import type { WebhookCheck } from './report';
import { list, present } from './report';

/** Istio's ValidateDestinationRule (pkg/config/validation/validation.go). */
export function destinationRule(c: WebhookCheck): void {
  const { spec } = c;
  const host = wildcardDomainProblem(String(spec.host ?? ''));
  if (host) c.report('spec.host', host);
  trafficPolicy(c, spec.trafficPolicy, 'spec.trafficPolicy');
  const names = new Set<string>();
  list(spec.subsets).forEach((s, i) => {
    const at = `spec.subsets[${i}]`;
    if (!present(s)) return c.report(at, 'subset may not be null');
    if (names.has(s.name)) c.report(`${at}.name`, `duplicate subset names: ${s.name}`);
    names.add(s.name);
    const bad = subsetNameProblem(String(s.name ?? ''));
    if (bad) c.report(`${at}.name`, bad);
    trafficPolicy(c, s.trafficPolicy, `${at}.trafficPolicy`);
  });
  for (const p of exportToProblems(
    c.metadata.namespace ?? '',
    list(spec.exportTo),
    false,
    present(spec.workloadSelector),
  ))
    c.report('spec.exportTo', p);
  workloadSelector(c, spec.workloadSelector, 'spec.workloadSelector');
}

export function subsetNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'subset name cannot be empty';
  return isDns1123Label(name) ? undefined : `subset name is invalid: ${name}`;
}

const POLICY_FIELDS = [
  'outlierDetection',
  'connectionPool',
  'loadBalancer',
  'tls',
  'portLevelSettings',
  'tunnel',
  'proxyProtocol',
  'retryBudget',
];

export function trafficPolicy(c: WebhookCheck, policy: any, at: string): void {
  if (!present(policy)) return;
  if (POLICY_FIELDS.every((f) => !present(policy[f])))
    return c.report(at, 'traffic policy must have at least one field');
  if (present(policy.tunnel) && present(policy.proxyProtocol))
    return c.report(at, 'tunnel and proxyProtocol must not be set together');
  outlierDetection(c, policy.outlierDetection, `${at}.outlierDetection`);
  connectionPool(c, policy.connectionPool, `${at}.connectionPool`);
  loadBalancer(c, policy.loadBalancer, `${at}.loadBalancer`);
  clientTls(c, policy.tls, `${at}.tls`);
  list(policy.portLevelSettings).forEach((p, i) => {
    const pat = `${at}.portLevelSettings[${i}]`;
    if (!present(p)) return c.report(pat, 'traffic policy may not be null');
    if (!present(p.port)) c.report(`${pat}.port`, 'portTrafficPolicy must have valid port');
    if (['outlierDetection', 'connectionPool', 'loadBalancer', 'tls'].every((f) => !present(p[f])))
      return c.report(pat, 'port traffic policy must have at least one field');
    outlierDetection(c, p.outlierDetection, `${pat}.outlierDetection`);
    connectionPool(c, p.connectionPool, `${pat}.connectionPool`);
    loadBalancer(c, p.loadBalancer, `${pat}.loadBalancer`);
    clientTls(c, p.tls, `${pat}.tls`);
  });
  tunnel(c, policy.tunnel, `${at}.tunnel`);
  const version = policy.proxyProtocol?.version;
  if (present(policy.proxyProtocol) && version !== undefined && !['V1', 'V2', 0, 1].includes(version))
    c.report(`${at}.proxyProtocol.version`, `proxy protocol version is invalid: ${version}`);
}

function tunnel(c: WebhookCheck, t: any, at: string): void {
  if (!present(t)) return;
  if (t.protocol && t.protocol !== 'CONNECT' && t.protocol !== 'POST')
    c.report(`${at}.protocol`, 'tunnel protocol must be "CONNECT" or "POST"');
  const target = String(t.targetHost ?? '');
  const fqdn = fqdnProblem(target);
  if (fqdn && !isIP(target))
    c.report(
      `${at}.targetHost`,
      `tunnel target host must be valid FQDN or IP address: ${fqdn}; ${target} is not a valid IP`,
    );
  const port = t.targetPort ?? 0;
  if (!(port >= 1 && port <= 65535))
    c.report(`${at}.targetPort`, `tunnel target port is invalid: port number ${port} must be in the range 1..65535`);
}

function duration(c: WebhookCheck, d: unknown, at: string): void {
  const p = durationProblem(d);
  if (p) c.report(at, p);
}

export function outlierDetection(c: WebhookCheck, o: any, at: string): void {
  if (!present(o)) return;
  if (present(o.baseEjectionTime)) duration(c, o.baseEjectionTime, `${at}.baseEjectionTime`);
  if (!o.splitExternalLocalOriginErrors && (o.consecutiveLocalOriginFailures ?? 0) > 0) {
    c.report(
      `${at}.consecutiveLocalOriginFailures`,
      'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false',
    );
  }
  if (present(o.interval)) duration(c, o.interval, `${at}.interval`);
  for (const f of ['maxEjectionPercent', 'minHealthPercent']) {
    const v = o[f] ?? 0;
    if (v < 0 || v > 100) c.report(`${at}.${f}`, `percentage ${v} is not in range 0..100`);
  }
}

const NON_NEGATIVE_HTTP: [string, string][] = [
  ['http1MaxPendingRequests', 'http1 max pending requests'],
  ['http2MaxRequests', 'http2 max requests'],
  ['maxRequestsPerConnection', 'max requests per connection'],
  ['maxRetries', 'max retries'],
  ['maxConcurrentStreams', 'max concurrent streams'],
];

export function connectionPool(c: WebhookCheck, pool: any, at: string): void {
  if (!present(pool)) return;
  if (!present(pool.http) && !present(pool.tcp)) return c.report(at, 'connection pool must have at least one field');
  const http = pool.http;
  if (present(http)) {
    for (const [f, what] of NON_NEGATIVE_HTTP)
      if ((http[f] ?? 0) < 0) c.report(`${at}.http.${f}`, `${what} must be non-negative`);
    if (present(http.idleTimeout)) duration(c, http.idleTimeout, `${at}.http.idleTimeout`);
    if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol)
      c.report(`${at}.http`, 'use client protocol must not be true when H2UpgradePolicy is UPGRADE');
  }
  const tcp = pool.tcp;
  if (present(tcp)) {
    if ((tcp.maxConnections ?? 0) < 0) c.report(`${at}.tcp.maxConnections`, 'max connections must be non-negative');
    for (const f of ['connectTimeout', 'maxConnectionDuration'])
      if (present(tcp[f])) duration(c, tcp[f], `${at}.tcp.${f}`);
    // An idle timeout of 0 turns it off.
    if (present(tcp.idleTimeout) && Math.trunc((durationNanos(tcp.idleTimeout) ?? 1e6) / 1e6) !== 0)
      duration(c, tcp.idleTimeout, `${at}.tcp.idleTimeout`);
    for (const f of ['time', 'interval'])
      if (present(tcp.tcpKeepalive?.[f])) duration(c, tcp.tcpKeepalive[f], `${at}.tcp.tcpKeepalive.${f}`);
  }
}

/** Envoy's prime test (source/common/common/utility.cc), as Istio copies it. */
function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  for (let f = 3; f <= Math.floor(Math.sqrt(x)); f += 2) if (x % f === 0) return false;
  return true;
}

export function loadBalancer(c: WebhookCheck, lb: any, at: string): void {
  if (!present(lb)) return;
  const hash = lb.consistentHash;
  if (present(hash)) {
    const cookie = hash.httpCookie;
    if (present(cookie) && !cookie.name)
      c.report(`${at}.consistentHash.httpCookie.name`, 'name required for HttpCookie');
    const seen = new Set<string>();
    for (const a of list(cookie?.attributes)) {
      if (!a?.name) {
        c.report(`${at}.consistentHash.httpCookie.attributes`, 'cookie attribute name cannot be empty');
        continue;
      }
      if (seen.has(a.name))
        c.report(`${at}.consistentHash.httpCookie.attributes`, `duplicate cookie attribute name: ${a.name}`);
      seen.add(a.name);
    }
    if ((hash.minimumRingSize ?? 0) !== 0 && (present(hash.maglev) || present(hash.ringHash)))
      c.report(`${at}.consistentHash`, 'only one of MinimumRingSize or Maglev/Ringhash can be specified');
    if (present(hash.maglev)) {
      const size = Number(hash.maglev.tableSize ?? 0);
      if (size === 0) c.report(`${at}.consistentHash.maglev.tableSize`, 'tableSize must be set for maglev');
      if (size >= 5000011)
        c.report(`${at}.consistentHash.maglev.tableSize`, 'tableSize must be less than 5000011 for maglev');
      if (!isPrime(size))
        c.report(`${at}.consistentHash.maglev.tableSize`, 'tableSize must be a prime number for maglev');
    }
  }
  localityLbSetting(c, lb.localityLbSetting, `${at}.localityLbSetting`);
  const warm = lb.warmup;
  if (present(warm)) {
    if (!present(warm.duration)) c.report(`${at}.warmup.duration`, 'duration is required');
    else duration(c, warm.duration, `${at}.warmup.duration`);
    if ((warm.minimumPercent ?? 0) > 100)
      c.report(`${at}.warmup.minimumPercent`, 'minimumPercent value should be less than or equal to 100');
    if (present(warm.aggression) && warm.aggression < 1)
      c.report(`${at}.warmup.aggression`, 'aggression should be greater than or equal to 1');
  }
}

/** agent.ValidateTLS (client side). */
export function clientTls(c: WebhookCheck, tls: any, at: string): void {
  if (!present(tls)) return;
  const mode = tls.mode ?? 'DISABLE';
  if (tls.insecureSkipVerify === true) {
    if (mode === 'SIMPLE' && (tls.caCertificates || tls.credentialName || present(tls.subjectAltNames))) {
      c.report(
        at,
        'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true',
      );
    }
    if (mode === 'MUTUAL' && (tls.caCertificates || present(tls.subjectAltNames)))
      c.report(at, 'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true');
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && tls.credentialName) {
    if (tls.clientCertificate || tls.caCertificates || tls.privateKey || tls.caCrl)
      c.report(at, 'cannot specify client certificates or CA certificate or CA CRL If credentialName is set');
    return;
  }
  if (mode === 'MUTUAL') {
    if (!tls.clientCertificate) c.report(`${at}.clientCertificate`, 'client certificate required for mutual tls');
    if (!tls.privateKey) c.report(`${at}.privateKey`, 'private key required for mutual tls');
  }
}
