import { hostNamesMatch } from '../analyzer/hosts';
import { subsetNameProblem } from './destination-rule';
import { exportToProblems } from './export-to';
import { httpRoute, isJwtClaimRoute } from './http-route';
import { badIps, isIP } from './net';
import { labelProblems } from './labels';
import { fqdnProblem, isDns1123Label, wildcardDomainProblem } from './names';
import type { WebhookCheck } from './report';
import { list, present } from './report';

/** Istio's ValidateVirtualService (pkg/config/validation/validation.go). */
export function virtualService(c: WebhookCheck): void {
  const { spec } = c;
  const hosts = list(spec.hosts).map(String);
  const gateways = list(spec.gateways).map(String);
  if (hosts.length === 0) {
    if (gateways.length > 0) c.report('spec.gateways', 'delegate virtual service must have no gateways specified');
    if (list(spec.tls).length > 0) c.report('spec.tls', 'delegate virtual service must have no tls route specified');
    if (list(spec.tcp).length > 0) c.report('spec.tcp', 'delegate virtual service must have no tcp route specified');
  }
  gatewayNames(c, gateways, 'spec.gateways');
  const toGateway = gateways.length > 0 && !gateways.includes('mesh');
  if (!toGateway) jwtClaimRoutes(c, gateways);
  let allValid = true;
  hosts.forEach((h, i) => {
    const problem = toGateway ? gatewayBoundHostProblem(h, sniRouted(spec)) : wildcardDomainProblem(h);
    if (problem) {
      if (!isIP(h)) {
        c.report(`spec.hosts[${i}]`, problem);
        allValid = false;
      }
    } else if (!toGateway && h === '*') {
      c.report(`spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
      allValid = false;
    }
  });
  if (allValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++)
        if (hostNamesMatch(hosts[i], hosts[j]))
          c.report('spec.hosts', `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);
    }
  }
  if ([spec.http, spec.tcp, spec.tls].every((r) => list(r).length === 0))
    c.report('spec', 'http, tcp or tls must be provided in virtual service');
  list(spec.http).forEach((r, i) =>
    present(r)
      ? httpRoute(c, r, `spec.http[${i}]`, hosts.length === 0)
      : c.report(`spec.http[${i}]`, 'http route may not be null'),
  );
  for (const proto of ['tls', 'tcp'] as const) {
    list(spec[proto]).forEach((r, i) => {
      const at = `spec.${proto}[${i}]`;
      if (proto === 'tls' && list(r?.match).length === 0)
        c.report(`${at}.match`, 'TLS route must have at least one match condition');
      list(r?.match).forEach((m, j) => l4Match(c, spec, m, proto, `${at}.match[${j}]`));
      if (list(r?.route).length === 0) c.report(`${at}.route`, `${proto.toUpperCase()} route is required`);
      routeDestinations(c, list(r?.route), `${at}.route`);
    });
  }
  for (const p of exportToProblems(c.metadata.namespace ?? '', list(spec.exportTo), false, false))
    c.report('spec.exportTo', p);
}

/** validateTLSMatch and validateTCPMatch. */
function l4Match(c: WebhookCheck, spec: any, m: any, proto: 'tls' | 'tcp', at: string): void {
  if (!present(m)) return c.report(at, `${proto.toUpperCase()} match may not be null`);
  if (proto === 'tls') {
    const sni = list(m.sniHosts).map(String);
    if (sni.length === 0) c.report(`${at}.sniHosts`, 'TLS match must have at least one SNI host');
    sni.forEach((h, k) => {
      const p = sniHostProblem(h, spec);
      if (p) c.report(`${at}.sniHosts[${k}]`, p);
    });
  }
  for (const s of list(m.destinationSubnets).map(String))
    for (const p of badIps([s])) c.report(`${at}.destinationSubnets`, p);
  if (m.port !== undefined && m.port !== 0 && !(m.port >= 1 && m.port <= 65535))
    c.report(`${at}.port`, `port number ${m.port} must be in the range 1..65535`);
  for (const p of labelProblems(m.sourceLabels)) c.report(`${at}.sourceLabels`, p);
  gatewayNames(c, list(m.gateways).map(String), `${at}.gateways`);
}

/** validateSniHost: a valid (wildcard) domain that is a subset of one of the VirtualService's hosts. */
function sniHostProblem(sni: string, spec: any): string | undefined {
  const gateways = list(spec.gateways).map(String);
  const problem = !gateways.includes('mesh') ? gatewayBoundHostProblem(sni, true) : wildcardDomainProblem(sni);
  if (problem) return isIP(sni) ? undefined : problem;
  const hosts = list(spec.hosts).map(String);
  if (hosts.some((h) => hostSubsetOf(sni, h))) return undefined;
  return `SNI host "${sni}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`;
}

/** host.Name.SubsetOf: every name `a` matches, `b` matches too. */
function hostSubsetOf(a: string, b: string): boolean {
  if (b === '*') return true;
  if (b.startsWith('*')) return a.startsWith('*') ? a.slice(1).endsWith(b.slice(1)) : a.endsWith(b.slice(1));
  return !a.startsWith('*') && a === b;
}

/** JWT claim routing needs the gateway's JWT filter: a mesh-bound VirtualService may not use it. */
function jwtClaimRoutes(c: WebhookCheck, gateways: string[]): void {
  list(c.spec.http).forEach((r, i) =>
    list(r?.match).forEach((m, j) => {
      for (const f of ['headers', 'withoutHeaders']) {
        for (const key of Object.keys(m?.[f] ?? {})) {
          if (isJwtClaimRoute(key))
            c.report(
              `spec.http[${i}].match[${j}].${f}`,
              `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${gateways.join(' ')}]`,
            );
        }
      }
    }),
  );
}

function sniRouted(spec: any): boolean {
  return list(spec.tls).some((t) => list(t?.match).some((m) => list(m?.sniHosts).length > 0));
}

/** ValidateWildcardDomainForVirtualServiceBoundToGateway: SNI routes may name Istio's generated `outbound_.<port>_._.<host>`. */
function gatewayBoundHostProblem(host: string, sni: boolean): string | undefined {
  if (sni && host.startsWith('outbound_')) {
    const parts = host.split('_');
    if (
      parts.length < 4 ||
      parts[0] !== 'outbound' ||
      !/[0-9]/.test(parts[1]) ||
      !/[a-zA-Z]/.test(parts.slice(3).join('_'))
    )
      return `domain name "${host}" invalid`;
    return undefined;
  }
  return wildcardDomainProblem(host);
}

/** validateGatewayNames: `name` (a legacy FQDN allowed) or `namespace/name`, both DNS labels. */
export function gatewayNames(c: WebhookCheck, names: string[], at: string): void {
  for (const name of names) {
    const slash = name.indexOf('/');
    if (slash < 0) {
      const p = fqdnProblem(name);
      if (p) c.report(at, p);
      return;
    }
    const ns = name.slice(0, slash);
    const gw = name.slice(slash + 1);
    if (ns === '' || gw === '') c.report(at, 'config namespace and gateway name cannot be empty');
    if (!isDns1123Label(ns)) c.report(at, `invalid value for namespace: "${ns}"`);
    if (!isDns1123Label(gw)) c.report(at, `invalid value for gateway name: "${gw}"`);
  }
}

/** validateDestination. */
export function destinationProblems(d: any): string[] {
  if (!present(d)) return [];
  const out: string[] = [];
  const host = String(d.host ?? '');
  if (host === '*') out.push(`invalid destination host ${host}`);
  else {
    const p = wildcardDomainProblem(host);
    if (p) out.push(p);
  }
  if (d.subset !== undefined && d.subset !== '') {
    const p = subsetNameProblem(String(d.subset));
    if (p) out.push(p);
  }
  if (present(d.port)) {
    const n = d.port.number ?? 0;
    if (!(n >= 1 && n <= 65535)) out.push(`port number ${n} must be in the range 1..65535`);
  }
  return out;
}

/** validateRouteDestinations / validateHTTPRouteDestinations: each with a destination and a weight ≥ 0, not all 0. */
export function routeDestinations(c: WebhookCheck, route: any[], at: string): void {
  let total = 0;
  route.forEach((d, i) => {
    if (!present(d)) return c.report(`${at}[${i}]`, 'weight may not be nil');
    if (!present(d.destination)) c.report(`${at}[${i}]`, 'destination is required');
    for (const p of destinationProblems(d.destination)) c.report(`${at}[${i}].destination`, p);
    const w = d.weight ?? 0;
    if (w < 0) c.report(`${at}[${i}].weight`, `weight ${w} < 0`);
    total += w;
  });
  if (route.length > 1 && total === 0) c.report(at, 'total destination weight = 0');
}
