import { isIP } from './net';
import {
  isDns1123Label,
  isHttpProtocol,
  isTlsProtocol,
  namespaceSlashHostProblems,
  protocolProblem,
  UNIX_PREFIX,
  unixAddressProblem,
} from './names';
import type { WebhookCheck } from './report';
import { list, present } from './report';

const GATEWAY_SEMANTICS = 'internal.istio.io/gateway-semantics';

/** Istio's ValidateGateway and validateServer (pkg/config/validation/validation.go). */
export function gateway(c: WebhookCheck): void {
  const semantics = c.metadata.annotations?.[GATEWAY_SEMANTICS] === 'gateway';
  if (!isDns1123Label(String(c.metadata.name ?? '')) && !semantics)
    c.report('metadata.name', `invalid gateway name: "${c.metadata.name}"`);
  const servers = list(c.spec.servers);
  if (servers.length === 0) c.report('spec.servers', 'gateway must have at least one server');
  const names = new Set<string>();
  servers.forEach((s, i) => {
    const at = `spec.servers[${i}]`;
    if (!present(s)) return c.report(at, 'server may not be nil');
    server(c, s, at);
    if (present(s.port)) {
      const name = String(s.port.name ?? '');
      if (names.has(name)) c.report(`${at}.port.name`, `port names in servers must be unique: duplicate name ${name}`);
      names.add(name);
    }
  });
}

function server(c: WebhookCheck, s: any, at: string): void {
  const hosts = list(s.hosts);
  if (hosts.length === 0) c.report(`${at}.hosts`, 'server config must contain at least one host');
  hosts.forEach((h, i) => {
    for (const p of namespaceSlashHostProblems(String(h), true)) c.report(`${at}.hosts[${i}]`, p);
  });
  const bind = String(s.bind ?? '');
  const portOk = serverPort(c, s.port, bind, `${at}.port`);
  if (bind.startsWith(UNIX_PREFIX)) {
    const p = unixAddressProblem(bind.slice(UNIX_PREFIX.length));
    if (p) c.report(`${at}.bind`, p);
    if (s.port && s.port.number) c.report(`${at}.bind`, 'port number must be 0 for unix domain socket');
  } else if (bind !== '' && !isIP(bind)) c.report(`${at}.bind`, `${bind} is not a valid IP`);
  if (present(s.tls)) serverTls(c, s.tls, `${at}.tls`);
  if (!portOk) return;
  const protocol = s.port.protocol;
  if (isTlsProtocol(protocol) && !present(s.tls))
    c.report(`${at}.tls`, 'server must have TLS settings for HTTPS/TLS protocols');
  else if (!isTlsProtocol(protocol) && present(s.tls)) {
    if (!isHttpProtocol(protocol)) c.report(`${at}.tls`, 'server cannot have TLS settings for non HTTPS/TLS ports');
    else if (!s.tls.httpsRedirect || s.tls.caCertificates || s.tls.privateKey || s.tls.serverCertificate) {
      c.report(`${at}.tls`, 'server cannot have TLS settings for plain text HTTP ports');
    }
  }
}

/** validateServerPort; whether the port passed. */
function serverPort(c: WebhookCheck, port: any, bind: string, at: string): boolean {
  if (!present(port)) {
    c.report(at, 'port is required');
    return false;
  }
  const before = c.count();
  if (protocolProblem(port.protocol) || !port.protocol)
    c.report(
      `${at}.protocol`,
      `invalid protocol "${port.protocol ?? ''}", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP`,
    );
  const n = port.number ?? 0;
  if ((n > 0 || !bind.startsWith(UNIX_PREFIX)) && !(n >= 1 && n <= 65535))
    c.report(`${at}.number`, `port number ${n} must be in the range 1..65535`);
  if ((port.targetPort ?? 0) > 0) c.report(`${at}.targetPort`, 'targetPort has no impact on Gateways');
  if (!port.name) c.report(`${at}.name`, 'port name must be set');
  return c.count() === before;
}

/** validateTLSOptions: the errors (its warnings are not rejections). */
export function serverTls(c: WebhookCheck, tls: any, at: string): void {
  const mode = tls.mode ?? 'PASSTHROUGH';
  const credentialNames = list(tls.credentialNames).length > 0;
  const tlsCertificates = list(tls.tlsCertificates);
  if (mode === 'ISTIO_MUTUAL') {
    const fields: [unknown, string][] = [
      [tls.serverCertificate, 'server certificate'],
      [tls.privateKey, 'private key'],
      [tls.caCertificates, 'CA bundle'],
      [tlsCertificates.length > 0, 'tlsCertificates'],
      [tls.credentialName, 'credentialName'],
      [credentialNames, 'credentialNames'],
    ];
    for (const [v, what] of fields) if (v) c.report(at, `ISTIO_MUTUAL TLS cannot have associated ${what}`);
    return;
  }
  const sources = [
    tls.serverCertificate && tls.privateKey,
    tls.credentialName,
    credentialNames,
    tlsCertificates.length > 0,
  ].filter(Boolean).length;
  if (sources > 1)
    c.report(
      at,
      'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified',
    );
  const terminating = ['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL'].includes(mode);
  if (terminating && (tls.credentialName || credentialNames)) return;
  if (terminating) {
    const prefix = mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
    if (mode !== 'SIMPLE' && !tls.caCertificates) c.report(at, `${prefix} requires a client CA bundle`);
    const certs =
      tlsCertificates.length > 0
        ? tlsCertificates
        : [{ serverCertificate: tls.serverCertificate, privateKey: tls.privateKey }];
    for (const cert of certs) {
      if (!cert?.serverCertificate) c.report(at, `${prefix} requires a server certificate`);
      if (!cert?.privateKey) c.report(at, `${prefix} requires a private key`);
    }
  }
  if (tls.caCrl) {
    if (tls.credentialName)
      c.report(at, 'CRL is not supported with credentialName. CRL has to be specified in the credential');
    if (mode === 'SIMPLE') c.report(at, 'CRL is not supported with SIMPLE TLS');
  }
}
