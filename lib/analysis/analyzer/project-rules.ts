import { VM0001, VM0002, VM0003, VM0004, VM0008 } from './catalogue';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import { ManifestIndex } from '../manifest-index';
import type { AnalysisContext } from './context';
import { istioProtocol } from './workloads';
import { routingAgreesWithAuthorization } from './routing-authorization';

/** Ports of server-first protocols: the server speaks first, so Istio must not wait to sniff them. */
const SERVER_FIRST_PORTS: Readonly<Record<number, string>> = {
  3306: 'MySQL',
  6379: 'Redis',
  25: 'SMTP',
  27017: 'MongoDB',
};

/**
 * The project's own rules (VM codes): mistakes `istioctl analyze` does not report but that break
 * a release (lane pinning on gateways, weights, mTLS consistency, server-first ports, routes to no
 * pods, routing and authorization agreeing). They read the objects given, without Istio's
 * default resources.
 */
export function projectRules(ctx: AnalysisContext): void {
  const index = ManifestIndex.of(ctx.input, ctx.clusterDomain);
  const strict = ctx.ofKind('PeerAuthentication').some((m) => !m.spec?.selector && m.spec?.mtls?.mode === 'STRICT');
  for (const vs of ctx.ofKind('VirtualService')) routeRules(ctx, index, vs);
  for (const dr of ctx.ofKind('DestinationRule')) {
    const mode = dr.spec?.trafficPolicy?.tls?.mode;
    if (strict && mode !== undefined && mode !== 'ISTIO_MUTUAL') {
      ctx.report(VM0003.messages.contradicts, dr, 'spec.trafficPolicy.tls.mode', { mode: String(mode) });
    }
  }
  for (const svc of ctx.input.filter((m) => m.kind === 'Service')) {
    (svc.spec?.ports ?? []).forEach((p: any, i: number) => {
      const serverFirst = SERVER_FIRST_PORTS[p.port];
      if (serverFirst && strict && istioProtocol(p) !== 'TCP') {
        ctx.report(VM0004.messages.notTcp, svc, `spec.ports[${i}]`, { port: p.port, protocol: serverFirst });
      }
    });
  }
  routingAgreesWithAuthorization(ctx, index);
}

function routeRules(ctx: AnalysisContext, index: ManifestIndex, vs: Manifest): void {
  const gateways: string[] = vs.spec?.gateways ?? ['mesh'];
  const meshBound = gateways.includes('mesh');
  for (const proto of ['http', 'tcp', 'tls'] as const) {
    (vs.spec?.[proto] ?? []).forEach((r: any, i: number) => {
      const field = `spec.${proto}[${i}]`;
      (r?.match ?? []).forEach((m: any, j: number) => {
        if (m?.sourceLabels !== undefined && !meshBound) {
          ctx.report(VM0001.messages.gatewayOnly, vs, `${field}.match[${j}].sourceLabels`, {
            gateways: gateways.join(', '),
          });
        }
      });
      const route: any[] = r?.route ?? [];
      weightRules(ctx, vs, field, route);
      route.forEach((d, k) =>
        destinationHasPods(ctx, index, vs, d?.destination ?? {}, `${field}.route[${k}].destination`),
      );
    });
  }
}

/**
 * VM0002 (a warning): Istio takes route weights as relative shares, so weights 1 and 3 are valid
 * (25 % and 75 %); a total other than 100 is legal but rarely what the author meant to read.
 * A total of 0 over several destinations is the webhook's own error, reported by validate.
 */
function weightRules(ctx: AnalysisContext, vs: Manifest, field: string, route: any[]): void {
  if (route.length > 1) {
    const total = route.reduce((sum, d) => sum + (d?.weight ?? 0), 0);
    if (total === 100 || total === 0) return;
    const shares = route.map((d) => `${Math.round(((d?.weight ?? 0) * 1000) / total) / 10} %`).join(', ');
    ctx.report(VM0002.messages.sum, vs, `${field}.route`, { total, shares });
  } else if (route.length === 1 && route[0]?.weight !== undefined && route[0].weight !== 100 && route[0].weight !== 0) {
    ctx.report(VM0002.messages.single, vs, `${field}.route[0].weight`, { weight: route[0].weight });
  }
}

/** VM0008: the Service a destination names (narrowed by its subset, when defined) selects no workload's pods. */
function destinationHasPods(ctx: AnalysisContext, index: ManifestIndex, vs: Manifest, d: any, at: string): void {
  const svc = index.serviceForHost(String(d.host ?? ''), namespaceOf(vs));
  // A Service of another API (a Knative Service) is no Kubernetes Service: IST0101 reports it.
  if (!svc || String(svc.apiVersion ?? 'v1') !== 'v1') return;
  const labels = d.subset !== undefined ? index.subsets(svc)?.get(d.subset) : {};
  if (labels === undefined) return;
  if (index.podsBehind(svc, labels).length === 0) {
    if (d.subset !== undefined)
      ctx.report(VM0008.messages.subset, vs, `${at}.subset`, { subset: String(d.subset), service: svc.metadata.name });
    else ctx.report(VM0008.messages.service, vs, `${at}.host`, { service: svc.metadata.name });
  }
}
