import { IST0101, IST0112, IST0140 } from './catalogue';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { resourceNameOfHost } from './hosts';

/** A destination of a VirtualService with the path of its field (Istio's AnnotatedDestination, virtualservice/util.go). */
export interface RouteDestination {
  readonly field: string;
  readonly destination: any;
  /** `route` for tcp/tls/http routes, `mirror` for http mirrors. */
  readonly role: 'route' | 'mirror';
}

/** Route destinations in Istio's order (tcp, tls, http), then http mirrors. */
export function routeDestinations(vs: Manifest): RouteDestination[] {
  const out: RouteDestination[] = [];
  for (const proto of ['tcp', 'tls', 'http'] as const) {
    (vs.spec?.[proto] ?? []).forEach((r: any, i: number) =>
      (r?.route ?? []).forEach((d: any, j: number) => {
        out.push({
          field: `spec.${proto}[${i}].route[${j}].destination`,
          destination: d?.destination ?? {},
          role: 'route',
        });
      }),
    );
  }
  (vs.spec?.http ?? []).forEach((r: any, i: number) => {
    if (r?.mirror) out.push({ field: `spec.http[${i}].mirror`, destination: r.mirror, role: 'mirror' });
    (r?.mirrors ?? []).forEach((m: any, j: number) =>
      out.push({
        field: `spec.http[${i}].mirrors[${j}].destination`,
        destination: m?.destination ?? {},
        role: 'mirror',
      }),
    );
  });
  return out;
}

/**
 * IST0101 (host, host:port), IST0112 and IST0140, as Istio's virtualservice.DestinationHostAnalyzer
 * (virtualservice/destinationhosts.go): every destination names a host a Service or ServiceEntry
 * visible to the VirtualService declares, and a port of it when it has several.
 */
export function destinationHosts(ctx: AnalysisContext): void {
  const virtualServices = ctx.ofKind('VirtualService');
  for (const vs of virtualServices) {
    const ns = namespaceOf(vs);
    const exportTo: string[] = vs.spec?.exportTo ?? [];
    for (const d of routeDestinations(vs)) {
      const host = String(d.destination.host ?? '');
      const entry = ctx.hosts.lookup(ns, exportTo, host);
      const reftype = d.role === 'mirror' ? 'mirror host' : 'host';
      if (!entry) {
        ctx.report(IST0101.messages.host, vs, `${d.field}.host`, { reftype, host, namespace: ns });
        continue;
      }
      const port = d.destination.port?.number;
      if (port === undefined) {
        if (entry.ports.length > 1) {
          ctx.report(IST0112.messages.portRequired, vs, `${d.field}.port`, {
            host,
            ports: entry.ports.map((p) => p.number).join(' '),
          });
        }
      } else if (!entry.ports.some((p) => p.number === port)) {
        ctx.report(IST0101.messages.hostPort, vs, `${d.field}.port`, {
          host,
          port,
          ports: entry.ports.map((p) => p.number).join(', ') || 'none',
        });
      }
    }
  }
  ingressRouteRulesNotAffected(ctx, virtualServices);
}

/**
 * IST0140 (destinationhosts.go analyzeSubset): a gateway-bound route to a host without subset,
 * while some VirtualService routes that same host (written identically) to subsets: the subset
 * routing does not apply to the gateway's requests.
 */
function ingressRouteRulesNotAffected(ctx: AnalysisContext, virtualServices: readonly Manifest[]): void {
  const subsetHosts = virtualServices
    .map((other) => ({
      other,
      hosts: (other.spec?.http ?? [])
        .flatMap((r: any) => (r?.route ?? []).map((d: any) => d?.destination ?? {}))
        .filter((d: any) => d.subset && (other.spec?.hosts ?? []).includes(d.host))
        .map((d: any) => d.host as string),
    }))
    .filter((x) => x.hosts.length > 0);
  for (const vs of virtualServices) {
    if ((vs.spec?.gateways ?? []).length === 0) continue;
    (vs.spec?.http ?? []).forEach((r: any, i: number) =>
      (r?.route ?? []).forEach((d: any, j: number) => {
        if (d?.destination?.subset) return;
        for (const { other, hosts } of subsetHosts) {
          if (hosts.includes(d?.destination?.host)) {
            ctx.report(IST0140.messages.bypassed, vs, `spec.http[${i}].route[${j}].destination`, {
              virtualService: `${namespaceOf(other)}/${other.metadata.name}`,
              gatewayVirtualService: `${namespaceOf(vs)}/${vs.metadata.name}`,
            });
          }
        }
      }),
    );
  }
}

/**
 * IST0101 (host+subset), as Istio's virtualservice.DestinationRuleAnalyzer
 * (virtualservice/destinationrules.go): a destination subset is defined by some DestinationRule
 * for that host (short names resolved in each object's namespace).
 */
export function destinationSubsets(ctx: AnalysisContext): void {
  const defined = new Set<string>();
  for (const dr of ctx.ofKind('DestinationRule')) {
    const host = resourceNameOfHost(namespaceOf(dr), String(dr.spec?.host ?? ''), ctx.clusterDomain);
    for (const s of dr.spec?.subsets ?? []) defined.add(`${host}+${s?.name}`);
  }
  for (const vs of ctx.ofKind('VirtualService')) {
    for (const d of routeDestinations(vs)) {
      const subset = d.destination.subset;
      if (!subset) continue;
      const host = String(d.destination.host ?? '');
      if (!defined.has(`${resourceNameOfHost(namespaceOf(vs), host, ctx.clusterDomain)}+${subset}`)) {
        const reftype = d.role === 'mirror' ? 'mirror+subset' : 'host+subset';
        ctx.report(IST0101.messages.subset, vs, `${d.field}.subset`, { reftype, host, subset: String(subset) });
      }
    }
  }
}
