import { connectionPool } from './destination-rule';
import { serverTls } from './gateway';
import { isIP } from './net';
import {
  fqdnProblem,
  isTlsProtocol,
  namespaceSlashHostProblems,
  portNameProblem,
  protocolProblem,
  UNIX_PREFIX,
  unixAddressProblem,
} from './names';
import { workloadSelector } from './policy-selection';
import type { WebhookCheck } from './report';
import { list, present } from './report';
import { destinationProblems } from './virtual-service';

const LOOPBACK_OR_ANY = ['127.0.0.1', '0.0.0.0', '::1', '::'];

/** Istio's ValidateSidecar (pkg/config/validation/validation.go). */
export function sidecar(c: WebhookCheck): void {
  const { spec } = c;
  workloadSelector(c, spec.workloadSelector, 'spec.workloadSelector', 'labels');
  if (
    list(spec.egress).length === 0 &&
    list(spec.ingress).length === 0 &&
    !present(spec.outboundTrafficPolicy) &&
    !present(spec.inboundConnectionPool)
  ) {
    return c.report('spec', 'sidecar: empty configuration provided');
  }
  const ports = new Set<number>();
  list(spec.ingress).forEach((ing, i) => ingress(c, ing, `spec.ingress[${i}]`, ports));
  connectionPool(c, spec.inboundConnectionPool, 'spec.inboundConnectionPool');
  const egressPorts = new Set<number>();
  const sockets = new Set<string>();
  const egress = list(spec.egress);
  let catchAll = false;
  egress.forEach((e, i) => {
    const at = `spec.egress[${i}]`;
    if (!present(e)) return c.report(at, 'egress listener may not be null');
    if (!present(e.port)) {
      if (catchAll) return c.report(at, 'sidecar: egress can have only one listener with empty port');
      if (i === egress.length - 1) catchAll = true;
      else c.report(at, 'sidecar: the egress listener with empty port should be the last listener in the list');
    } else {
      egressPort(c, e, at);
      const n = e.port.number ?? 0;
      const bind = String(e.bind ?? '');
      if (n === 0) {
        if (sockets.has(bind))
          c.report(`${at}.bind`, 'sidecar: unix domain socket values for listeners must be unique');
        sockets.add(bind);
      } else {
        if (egressPorts.has(n)) c.report(`${at}.port`, 'sidecar: ports on IP bound listeners must be unique');
        egressPorts.add(n);
      }
    }
    const hosts = list(e.hosts);
    if (hosts.length === 0) c.report(`${at}.hosts`, 'sidecar: egress listener must contain at least one host');
    hosts.forEach((h, j) => {
      for (const p of namespaceSlashHostProblems(String(h), false)) c.report(`${at}.hosts[${j}]`, p);
    });
  });
  outboundTrafficPolicy(c, spec.outboundTrafficPolicy, 'spec.outboundTrafficPolicy');
}

function portChecks(c: WebhookCheck, port: any, at: string, numbered: boolean): void {
  if (port.name) {
    const p = portNameProblem(String(port.name));
    if (p) c.report(`${at}.name`, p);
  }
  const proto = protocolProblem(port.protocol);
  if (proto) c.report(`${at}.protocol`, proto);
  const n = port.number ?? 0;
  if (numbered && !(n >= 1 && n <= 65535)) c.report(`${at}.number`, `port number ${n} must be in the range 1..65535`);
}

function ingress(c: WebhookCheck, ing: any, at: string, ports: Set<number>): void {
  if (!present(ing)) return c.report(at, 'sidecar: ingress may not be null');
  if (!present(ing.port)) return c.report(`${at}.port`, 'sidecar: port is required for ingress listeners');
  if ((ing.port.targetPort ?? 0) > 0) c.report(`${at}.port.targetPort`, 'targetPort has no impact on Sidecars');
  portChecks(c, ing.port, `${at}.port`, true);
  if (ing.bind && !isIP(String(ing.bind))) c.report(`${at}.bind`, `${ing.bind} is not a valid IP`);
  const n = ing.port.number ?? 0;
  if (ports.has(n)) c.report(`${at}.port`, 'sidecar: ports on IP bound listeners must be unique');
  ports.add(n);
  if (ing.defaultEndpoint) defaultEndpoint(c, String(ing.defaultEndpoint), `${at}.defaultEndpoint`);
  const tls = ing.tls;
  if (present(tls)) {
    if (list(tls.subjectAltNames).length > 0)
      c.report(`${at}.tls`, 'sidecar: subjectAltNames is not supported in ingress tls');
    if (tls.httpsRedirect) c.report(`${at}.tls`, 'sidecar: httpsRedirect is not supported');
    if (tls.credentialName) c.report(`${at}.tls`, 'sidecar: credentialName is not currently supported');
    if (list(tls.credentialNames).length > 0)
      c.report(`${at}.tls`, 'sidecar: credentialNames is not currently supported');
    if (list(tls.tlsCertificates).length > 0)
      c.report(`${at}.tls`, 'sidecar: tls_certificates is not currently supported');
    if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH')
      c.report(`${at}.tls.mode`, `configuration is invalid: cannot set mode to ${tls.mode} in sidecar ingress tls`);
    if (!isTlsProtocol(ing.port.protocol))
      c.report(`${at}.tls`, 'server cannot have TLS settings for non HTTPS/TLS ports');
    serverTls(c, tls, `${at}.tls`);
  }
  connectionPool(c, ing.connectionPool, `${at}.connectionPool`);
}

/** `127.0.0.1:port`, `0.0.0.0:port`, `[::1]:port`, `[::]:port`, `:port` or `unix://path`. */
function defaultEndpoint(c: WebhookCheck, endpoint: string, at: string): void {
  if (endpoint.startsWith(UNIX_PREFIX)) {
    const p = unixAddressProblem(endpoint.slice(UNIX_PREFIX.length));
    if (p) c.report(at, p);
    return;
  }
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:]*)$/.exec(endpoint);
  if (!m) return c.report(at, `address ${endpoint}: missing port in address`);
  const host = m[1] ?? m[2] ?? '';
  if (host !== '' && !LOOPBACK_OR_ANY.includes(host))
    c.report(
      at,
      'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset',
    );
  const port = m[3];
  if (!/^[-+]?\d+$/.test(port)) c.report(at, `sidecar: defaultEndpoint port (${port}) is not a number`);
  else if (!(Number(port) >= 1 && Number(port) <= 65535))
    c.report(at, `port number ${Number(port)} must be in the range 1..65535`);
}

function egressPort(c: WebhookCheck, e: any, at: string): void {
  const port = e.port;
  if ((port.targetPort ?? 0) > 0) c.report(`${at}.port.targetPort`, 'targetPort has no impact on Sidecars');
  const bind = String(e.bind ?? '');
  const socket = (port.number ?? 0) === 0;
  portChecks(c, port, `${at}.port`, !socket);
  if (socket) {
    if (!bind.startsWith(UNIX_PREFIX))
      c.report(`${at}.bind`, 'sidecar: ports with 0 value must have a unix domain socket bind address');
    else {
      const p = unixAddressProblem(bind.slice(UNIX_PREFIX.length));
      if (p) c.report(`${at}.bind`, p);
    }
    if (e.captureMode && e.captureMode !== 'DEFAULT' && e.captureMode !== 'NONE')
      c.report(`${at}.captureMode`, 'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners');
  } else if (bind !== '' && !isIP(bind)) c.report(`${at}.bind`, `${bind} is not a valid IP`);
}

function outboundTrafficPolicy(c: WebhookCheck, tp: any, at: string): void {
  if (!present(tp) || !present(tp.egressProxy)) return;
  if ((tp.mode ?? 'REGISTRY_ONLY') !== 'ALLOW_ANY')
    return c.report(
      `${at}.egressProxy`,
      'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode',
    );
  const fqdn = fqdnProblem(String(tp.egressProxy.host ?? ''));
  if (fqdn) c.report(`${at}.egressProxy.host`, fqdn);
  if (!present(tp.egressProxy.port))
    return c.report(`${at}.egressProxy.port`, 'sidecar: egress_proxy port must be non-nil');
  for (const p of destinationProblems(tp.egressProxy)) c.report(`${at}.egressProxy`, p);
}
