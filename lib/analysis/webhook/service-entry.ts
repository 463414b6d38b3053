import { exportToProblems } from './export-to';
import { labelProblems } from './labels';
import { badIps, isIP } from './net';
import {
  fqdnProblem,
  isHttpProtocol,
  isTlsProtocol,
  portNameProblem,
  protocolProblem,
  wildcardDomainProblem,
} from './names';
import { workloadSelector } from './policy-selection';
import type { WebhookCheck } from './report';
import { list, present } from './report';
import { workloadEntryRules } from './workload-entry';

const USE_WAYPOINT = 'istio.io/use-waypoint';
const DYNAMIC_DNS_PROTOCOLS = ['http', 'tls', 'grpc', 'http2'];

/** Istio's ValidateServiceEntry (pkg/config/validation/validation.go). */
export function serviceEntry(c: WebhookCheck): void {
  const { spec } = c;
  workloadSelector(c, spec.workloadSelector, 'spec.workloadSelector', 'labels');
  if (present(spec.workloadSelector) && present(spec.endpoints))
    c.report('spec', 'only one of WorkloadSelector or Endpoints is allowed in Service Entry');
  const hosts = list(spec.hosts).map(String);
  if (hosts.length === 0) c.report('spec.hosts', 'service entry must have at least one host');
  hosts.forEach((h, i) => {
    const p = h === '*' ? `invalid host ${h}` : wildcardDomainProblem(h);
    if (p) c.report(`spec.hosts[${i}]`, p);
  });
  const addresses = list(spec.addresses).map(String);
  for (const a of addresses) for (const p of badIps([a])) c.report('spec.addresses', p);
  const resolution = spec.resolution ?? 'NONE';
  if (addresses.some((a) => a.includes('/')) && resolution !== 'NONE' && resolution !== 'STATIC')
    c.report('spec.addresses', 'CIDR addresses are allowed only for NONE/STATIC resolution types');
  const portNames = ports(c, list(spec.ports));
  resolutionRules(c, resolution, hosts, addresses, portNames);
  if (resolution !== 'NONE' && hosts.length > 1) {
    const plain = list(spec.ports).find((p) => present(p) && !isHttpProtocol(p.protocol) && !isTlsProtocol(p.protocol));
    if (plain) c.report('spec.ports', 'multiple hosts provided with non-HTTP, non-TLS ports');
  }
  for (const p of exportToProblems(c.metadata.namespace ?? '', list(spec.exportTo), true, false))
    c.report('spec.exportTo', p);
}

/** The ports: unique names and numbers, valid names, protocols and numbers; returns the names. */
function ports(c: WebhookCheck, entries: any[]): Set<string> {
  const names = new Set<string>();
  const numbers = new Set<number>();
  entries.forEach((port, i) => {
    const at = `spec.ports[${i}]`;
    if (!present(port)) return c.report(at, 'service entry port may not be null');
    const name = String(port.name ?? '');
    if (names.has(name)) c.report(`${at}.name`, `service entry port name "${name}" already defined`);
    names.add(name);
    if (numbers.has(port.number)) c.report(`${at}.number`, `service entry port ${port.number} already defined`);
    numbers.add(port.number);
    const target = port.targetPort ?? 0;
    if (target !== 0 && !(target >= 1 && target <= 65535))
      c.report(`${at}.targetPort`, `port number ${target} must be in the range 1..65535`);
    const problems = [portNameProblem(name), protocolProblem(port.protocol)];
    const n = port.number ?? 0;
    if (!(n >= 1 && n <= 65535)) problems.push(`port number ${n} must be in the range 1..65535`);
    for (const p of problems) if (p) c.report(at, p);
  });
  return names;
}

/** The rules of each resolution type (NONE, STATIC, DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS): endpoints, hosts, ports. */
function resolutionRules(
  c: WebhookCheck,
  resolution: string,
  hosts: string[],
  addresses: string[],
  portNames: Set<string>,
): void {
  const { spec } = c;
  const endpoints = list(spec.endpoints);
  const eachEndpoint = (rule: (e: any, at: string) => void) =>
    endpoints.forEach((e, i) =>
      present(e) ? rule(e, `spec.endpoints[${i}]`) : c.report(`spec.endpoints[${i}]`, 'endpoint cannot be nil'),
    );
  if (resolution === 'NONE') {
    if (endpoints.length > 0) c.report('spec.endpoints', 'no endpoints should be provided for resolution type none');
  } else if (resolution === 'STATIC') {
    eachEndpoint((e, at) => workloadEntryRules(c, e, at, portNames, false));
  } else if (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') {
    if (endpoints.length === 0) {
      const bad = hosts.map((h) => fqdnProblem(h)).find((p) => p !== undefined);
      if (bad)
        c.report(
          'spec.hosts',
          `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}, ${bad}`,
        );
    }
    if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1)
      c.report('spec.endpoints', `there must only be 0 or 1 endpoint for resolution mode ${resolution}`);
    eachEndpoint((e, at) => dnsEndpoint(c, e, at, portNames));
  } else if (resolution === 'DYNAMIC_DNS') {
    dynamicDnsRules(c, resolution, hosts, addresses, endpoints.length);
  } else c.report('spec.resolution', `unsupported resolution type ${resolution}`);
}

/** DYNAMIC_DNS: wildcard hosts, no addresses or endpoints, HTTP-family or TLS ports, no waypoint if MESH_INTERNAL. */
function dynamicDnsRules(
  c: WebhookCheck,
  resolution: string,
  hosts: string[],
  addresses: string[],
  endpointCount: number,
): void {
  const { spec } = c;
  if (hosts.some((h) => !h.startsWith('*')))
    c.report('spec.hosts', `host must be wildcarded for resolution mode ${resolution}`);
  if (addresses.length > 0)
    c.report(
      'spec.addresses',
      `addresses cannot be set for resolution type ${resolution}. HTTP route domains will only be generatedfrom the hosts field values`,
    );
  if (endpointCount > 0)
    c.report(
      'spec.endpoints',
      `endpoints cannot be set for resolution type ${resolution}. Destination IP address determined from hostsfield values`,
    );
  if (
    list(spec.ports).some((p) => present(p) && !DYNAMIC_DNS_PROTOCOLS.includes(String(p.protocol ?? '').toLowerCase()))
  ) {
    c.report('spec.ports', `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${resolution}`);
  }
  const location = spec.location ?? 'MESH_EXTERNAL';
  const waypoint = c.metadata.labels?.[USE_WAYPOINT];
  if (location === 'MESH_INTERNAL' && waypoint && waypoint.toLowerCase() !== 'none')
    c.report(
      'spec.location',
      `location MESH_INTERNAL with resolution type ${resolution} is not supported when using waypoints`,
    );
}

/** A DNS endpoint: an IP or an FQDN, labels well formed, ports declared by the ServiceEntry. */
function dnsEndpoint(c: WebhookCheck, e: any, at: string, portNames: Set<string>): void {
  const addr = String(e.address ?? '');
  if (!isIP(addr) && fqdnProblem(addr))
    c.report(`${at}.address`, `endpoint address "${addr}" is not a valid FQDN or an IP address`);
  for (const p of labelProblems(e.labels)) c.report(`${at}.labels`, p);
  for (const [name, port] of Object.entries(e.ports ?? {})) {
    if (!portNames.has(name))
      c.report(`${at}.ports.${name}`, `endpoint port ${port} is not defined by the service entry`);
    const p = portNameProblem(name);
    if (p) c.report(`${at}.ports.${name}`, p);
    if (!(typeof port === 'number' && port >= 1 && port <= 65535))
      c.report(`${at}.ports.${name}`, `port number ${port} must be in the range 1..65535`);
  }
}
