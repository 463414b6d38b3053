import { isIP } from './net';
import { re2Pattern } from './re2';

/** Istio's DNS-1123 label (pkg/config/labels): letters of either case, digits, inner dashes, at most 63. */
const LABEL = re2Pattern('^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$');
/** A label, or one with a leading `*` or `*-`, or `*` alone. */
const WILDCARD_LABEL = re2Pattern('^(\\*|(\\*|\\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$');

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && LABEL.test(s);
}

function preconditions(name: string): string | undefined {
  if (name.length > 255) return `domain name "${name}" too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/** ValidateDNS1123Labels: each label valid (the last may be empty: `istio.io.`), the top-level one not all digits. */
export function dns1123LabelsProblem(domain: string): string | undefined {
  const parts = domain.split('.');
  const top = parts[parts.length - 1];
  if (/^[-+]?\d+$/.test(top))
    return `domain name "${domain}" invalid (top level domain "${top}" cannot be all-numeric)`;
  for (const [i, label] of parts.entries()) {
    if (i === parts.length - 1 && label === '') return undefined;
    if (!isDns1123Label(label)) return `domain name "${domain}" invalid (label "${label}" invalid)`;
  }
  return undefined;
}

/** agent.ValidateFQDN. */
export function fqdnProblem(fqdn: string): string | undefined {
  return preconditions(fqdn) ?? dns1123LabelsProblem(fqdn);
}

/** agent.ValidateWildcardDomain: a wildcard only in the first label. */
export function wildcardDomainProblem(domain: string): string | undefined {
  const pre = preconditions(domain);
  if (pre) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!(first.length <= 63 && WILDCARD_LABEL.test(first)))
    return `domain name "${domain}" invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : dns1123LabelsProblem(domain.slice(dot + 1));
}

/** agent.ValidatePartialWildCard: `*` alone or a leading `*.` only. */
export function partialWildcardProblem(host: string): string | undefined {
  return host.includes('*') && host.length !== 1 && !host.startsWith('*.')
    ? `partial wildcard "${host}" not allowed`
    : undefined;
}

/** The host part of a Sidecar egress or Gateway server host (validateSidecarOrGatewayHostnamePart). */
function hostnamePartProblems(hostname: string, isGateway: boolean): string[] {
  const out: string[] = [];
  if (hostname !== '*' && !hostname.includes('.')) out.push('short names (non FQDN) are not allowed');
  const wild = wildcardDomainProblem(hostname);
  if (wild && (!isGateway || !isIP(hostname))) out.push(wild);
  const partial = partialWildcardProblem(hostname);
  if (partial) out.push(partial);
  return out;
}

/** agent.ValidateNamespaceSlashWildcardHostname: `namespace/dnsName` hosts of Sidecars and Gateways. */
export function namespaceSlashHostProblems(hostname: string, isGateway: boolean): string[] {
  const slash = hostname.indexOf('/');
  if (slash < 0) return isGateway ? hostnamePartProblems(hostname, true) : ['host must be of form namespace/dnsName'];
  const ns = hostname.slice(0, slash);
  const name = hostname.slice(slash + 1);
  const out: string[] = [];
  if (ns === '' || name === '') out.push('config namespace and dnsName in host entry cannot be empty');
  const allowed = isGateway ? ['*', '.'] : ['*', '.', '~'];
  if (!allowed.includes(ns) && !isDns1123Label(ns))
    out.push(`invalid namespace value "${ns}" in ${isGateway ? 'gateway' : 'sidecar'}`);
  return [...out, ...hostnamePartProblems(name, isGateway)];
}

/** ValidatePortName: a DNS-1123 label. */
export function portNameProblem(name: string): string | undefined {
  return isDns1123Label(name) ? undefined : `invalid port name: ${name}`;
}

/** The protocols Istio knows (protocol.Parse, case-insensitive); empty means sniffed. */
const PROTOCOLS = [
  'grpc',
  'grpc-web',
  'http',
  'http_proxy',
  'http2',
  'https',
  'tcp',
  'tls',
  'udp',
  'mongo',
  'redis',
  'mysql',
  'hbone',
  'doublehbone',
];

export function protocolProblem(protocol: unknown): string | undefined {
  const p = String(protocol ?? '');
  return p === '' || PROTOCOLS.includes(p.toLowerCase()) ? undefined : `unsupported protocol: ${p}`;
}

export function isTlsProtocol(protocol: unknown): boolean {
  return ['https', 'tls'].includes(String(protocol ?? '').toLowerCase());
}

export function isHttpProtocol(protocol: unknown): boolean {
  return ['http', 'http2', 'grpc', 'grpc-web', 'http_proxy'].includes(String(protocol ?? '').toLowerCase());
}

/** ValidateUnixAddress: an absolute file path, or an abstract socket `@name`. */
export function unixAddressProblem(addr: string): string | undefined {
  if (addr.length === 0) return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  return !addr.startsWith('/') || addr.endsWith('/') ? `${addr} is not an absolute path to a file` : undefined;
}

export const UNIX_PREFIX = 'unix://';
