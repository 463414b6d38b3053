import { hostNamesMatch } from '../analyzer/hosts';
import { subsetNameProblem } from './destination-rule';
import { exportToProblems } from './export-to';
import { httpRoute } from './http-route';
import { isIP } from './net';
import { fqdnProblem, isDns1123Label, wildcardDomainProblem } from './names';
import { list, present, WebhookCheck } from './report';

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
  let allValid = true;
  hosts.forEach((h, i) => {
    const problem = toGateway ? gatewayBoundHostProblem(h, sniRouted(spec)) : wildcardDomainProblem(h);
    if (problem) {
      if (!isIP(h)) { c.report(`spec.hosts[${i}]`, problem); allValid = false; }
    } else if (!toGateway && h === '*') {
      c.report(`spec.hosts[${i}]`, 'wildcard host * is not allowed for virtual services bound to the mesh gateway');
      allValid = false;
    }
  });
  if (allValid) {
    for (let i = 0; i < hosts.length; i++) {
      for (let j = i + 1; j < hosts.length; j++) if (hostNamesMatch(hosts[i], hosts[j])) c.report('spec.hosts', `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);
    }
  }
  if ([spec.http, spec.tcp, spec.tls].every((r) => list(r).length === 0)) c.report('spec', 'http, tcp or tls must be provided in virtual service');
  list(spec.http).forEach((r, i) => (present(r) ? httpRoute(c, r, `spec.http[${i}]`, hosts.length === 0) : c.report(`spec.http[${i}]`, 'http route may not be null')));
  for (const proto of ['tls', 'tcp'] as const) {
    list(spec[proto]).forEach((r, i) => {
      const at = `spec.${proto}[${i}]`;
      list(r?.match).forEach((m, j) => {
        if (proto === 'tls' && list(m?.sniHosts).length === 0) c.report(`${at}.match[${j}].sniHosts`, 'TLS match must have at least one SNI host');
        for (const [k, s] of list(m?.sniHosts).entries()) { const p = wildcardDomainProblem(String(s)); if (p && !isIP(String(s))) c.report(`${at}.match[${j}].sniHosts[${k}]`, p); }
        if (m?.port !== undefined && m.port !== 0 && !(m.port >= 1 && m.port <= 65535)) c.report(`${at}.match[${j}].port`, `port number ${m.port} must be in the range 1..65535`);
        gatewayNames(c, list(m?.gateways).map(String), `${at}.match[${j}].gateways`);
      });
      if (list(r?.route).length === 0) c.report(`${at}.route`, `${proto.toUpperCase()} route is required`);
      routeDestinations(c, list(r?.route), `${at}.route`);
    });
  }
  for (const p of exportToProblems(c.metadata.namespace ?? '', list(spec.exportTo), false, false)) c.report('spec.exportTo', p);
}

function sniRouted(spec: any): boolean {
  return list(spec.tls).some((t) => list(t?.match).some((m) => list(m?.sniHosts).length > 0));
}

/** ValidateWildcardDomainForVirtualServiceBoundToGateway: SNI routes may name Istio's generated `outbound_.<port>_._.<host>`. */
function gatewayBoundHostProblem(host: string, sni: boolean): string | undefined {
  if (sni && host.startsWith('outbound_')) {
    const parts = host.split('_');
    if (parts.length < 4 || parts[0] !== 'outbound' || !/[0-9]/.test(parts[1]) || !/[a-zA-Z]/.test(parts.slice(3).join('_'))) return `domain name "${host}" invalid`;
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
  else { const p = wildcardDomainProblem(host); if (p) out.push(p); }
  if (d.subset !== undefined && d.subset !== '') { const p = subsetNameProblem(String(d.subset)); if (p) out.push(p); }
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
