import { IST0146, IST0147, IST0171, IST0175, IST0176 } from './catalogue';
import type { Manifest } from '../manifest';
import { labelSelectorHolds, namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { annotations, list } from './context';

/**
 * Rules that read what a cluster writes back (status conditions, installed CRDs, injection
 * webhooks): they only speak when the manifests carry that state, e.g. `kubectl get -o yaml`.
 */

const GATEWAY_API = 'gateway.networking.k8s.io/';
/** Condition types reported when False, by kind (conditions/conditions.go negativeConditionsToReport). */
const NEGATIVE_CONDITIONS: readonly {
  readonly matches: (m: Manifest) => boolean;
  readonly types: readonly string[];
}[] = [
  { matches: (m) => m.kind === 'Service' && m.apiVersion === 'v1', types: ['istio.io/WaypointBound'] },
  {
    matches: (m) =>
      ['ServiceEntry', 'WorkloadEntry'].includes(m.kind) && m.apiVersion.startsWith('networking.istio.io/'),
    types: ['istio.io/WaypointBound'],
  },
  {
    matches: (m) => m.kind === 'AuthorizationPolicy' && m.apiVersion.startsWith('security.istio.io/'),
    types: ['ZtunnelAccepted', 'WaypointAccepted'],
  },
  {
    matches: (m) => ['Gateway', 'HTTPRoute', 'GRPCRoute'].includes(m.kind) && m.apiVersion.startsWith(GATEWAY_API),
    types: ['Accepted', 'Programmed', 'ResolvedRefs'],
  },
];

/**
 * IST0171, as Istio's conditions.ConditionAnalyzer (conditions/conditions.go): a negative status
 * condition Istio writes (waypoint binding, ztunnel/waypoint acceptance, Gateway API
 * acceptance), or an AuthorizationPolicy only partially valid for its waypoint.
 */
export function negativeConditions(ctx: AnalysisContext): void {
  for (const m of ctx.objects) {
    const rule = NEGATIVE_CONDITIONS.find((r) => r.matches(m));
    if (!rule) continue;
    const status = (m as any).status ?? {};
    const conditions: any[] = ['HTTPRoute', 'GRPCRoute'].includes(m.kind)
      ? list(status.parents).flatMap((p: any) => list(p?.conditions))
      : list(status.conditions);
    for (const c of conditions) {
      const partial =
        m.kind === 'AuthorizationPolicy' && c?.type === 'WaypointAccepted' && c?.reason === 'PartiallyInvalid';
      if ((rule.types.includes(c?.type) && c?.status === 'False') || partial) {
        ctx.report(IST0171.messages.negative, m, 'status.conditions', {
          type: String(c.type),
          reason: String(c.reason ?? ''),
          message: String(c.message ?? ''),
        });
      }
    }
  }
}

/** pkg/config/schema/gatewayapi/minimumversions.go MinimumCRDVersions. */
const MINIMUM_CRD_VERSIONS: Readonly<Record<string, string>> = {
  'grpcroutes.gateway.networking.k8s.io': '1.1.0',
  'backendtlspolicies.gateway.networking.k8s.io': '1.4.0',
  'tlsroutes.gateway.networking.k8s.io': '1.5.0',
};

/**
 * IST0176, as Istio's k8sgateway.CRDVersionAnalyzer (k8sgateway/crdversion.go): a Gateway API CRD
 * whose `gateway.networking.k8s.io/bundle-version` (pre-release ignored) is below Istio's minimum.
 */
export function gatewayApiCrdVersions(ctx: AnalysisContext): void {
  for (const crd of ctx.ofKind('CustomResourceDefinition')) {
    const minimum = MINIMUM_CRD_VERSIONS[crd.metadata.name];
    const installed = annotations(crd)['gateway.networking.k8s.io/bundle-version'];
    const parsed = installed !== undefined ? /^v?(\d+)\.(\d+)\.(\d+)/.exec(installed) : null;
    if (!minimum || !parsed) continue;
    const [major, minor, patch] = parsed.slice(1).map(Number);
    const [wantMajor, wantMinor, wantPatch] = minimum.split('.').map(Number);
    const below = major !== wantMajor ? major < wantMajor : minor !== wantMinor ? minor < wantMinor : patch < wantPatch;
    if (below) {
      ctx.report(IST0176.messages.belowMinimum, crd, 'metadata.annotations', {
        crd: crd.metadata.name,
        installed: installed.replace(/^v/, ''),
        minimum,
      });
    }
  }
}

/**
 * IST0147 and IST0146, as Istio's injection.ImageAutoAnalyzer (injection/image-auto.go): an
 * `istio-proxy` container with `image: auto` needs the injector; a Pod with it is always broken,
 * a Deployment when no Istio webhook (`*istio.io`) selects its namespace and pod labels.
 */
export function imageAuto(ctx: AnalysisContext): void {
  const webhooks = ctx
    .ofKind('MutatingWebhookConfiguration')
    .flatMap((c) => list((c as any).webhooks))
    .filter((w: any) => String(w?.name ?? '').endsWith('istio.io'));
  const auto = (spec: any) => list(spec?.containers).some((c: any) => c?.name === 'istio-proxy' && c?.image === 'auto');
  for (const pod of ctx.ofKind('Pod')) {
    if (auto(pod.spec)) ctx.report(IST0147.messages.notInjected, pod, 'spec.containers', { pod: pod.metadata.name });
  }
  for (const d of ctx.ofKind('Deployment')) {
    if (!auto(d.spec?.template?.spec)) continue;
    const nsLabels = ctx.namespace(namespaceOf(d))?.metadata.labels;
    const podLabels = d.spec?.template?.metadata?.labels ?? {};
    if (
      !webhooks.some(
        (w: any) =>
          labelSelectorHolds(w.namespaceSelector, nsLabels) && labelSelectorHolds(w.objectSelector, podLabels),
      )
    ) {
      ctx.report(IST0146.messages.notInjected, d, 'spec.template.spec.containers', { deployment: d.metadata.name });
    }
  }
}

/**
 * IST0175, as Istio's authn.BlockedCIDRsAnalyzer (authn/blockedcidrs.go): with
 * RequestAuthentications present, an istiod Deployment (`app: istiod`) whose containers set no
 * BLOCKED_CIDRS_IN_JWKS_URIS lets JWKS URIs reach any network.
 */
export function blockedCidrs(ctx: AnalysisContext): void {
  const authn = ctx.ofKind('RequestAuthentication').map((r) => `${namespaceOf(r)}/${r.metadata.name}`);
  if (authn.length === 0) return;
  const shown = authn.length <= 5 ? authn.join(', ') : `${authn.slice(0, 5).join(', ')}, and ${authn.length - 5} more`;
  for (const d of ctx.ofKind('Deployment')) {
    if (d.metadata.labels?.app !== 'istiod') continue;
    const configured = list(d.spec?.template?.spec?.containers).some((c: any) =>
      list(c?.env).some((e: any) => e?.name === 'BLOCKED_CIDRS_IN_JWKS_URIS' && e?.value),
    );
    if (!configured) {
      ctx.report(IST0175.messages.unrestricted, d, 'spec.template.spec.containers', {
        count: authn.length,
        requestAuthentications: shown,
      });
    }
  }
}
