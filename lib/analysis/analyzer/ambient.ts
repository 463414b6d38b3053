import { VM0017, VM0018, VM0019, VM0020 } from './catalogue';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { list } from './context';
import {
  gatewayApiObjects,
  namespaceInAmbient,
  parentRefs,
  podInAmbient,
  serviceNamed,
  waypointOf,
} from './gateway-api-objects';
import { hostToFqdn, serviceNameOfFqdn } from './hosts';
import { at, listAt } from '../manifest-kinds';

/**
 * The project's ambient-mode rules (VM0017..VM0020). Istio 1.30's own analyzers cover only a
 * Sidecar in ambient mode (IST0167) and negative status conditions (IST0171), so these are
 * project codes, each following what istiod does with the configuration.
 */
export function ambientRules(ctx: AnalysisContext): void {
  for (const vs of ctx.input.filter(
    (m) => m.kind === 'VirtualService' && String(m.apiVersion).startsWith('networking.istio.io/'),
  ))
    waypointVirtualService(ctx, vs);
  for (const ap of ctx.input.filter(
    (m) => m.kind === 'AuthorizationPolicy' && String(m.apiVersion).startsWith('security.istio.io/'),
  )) {
    ztunnelPolicy(ctx, ap);
    waypointPolicy(ctx, ap);
  }
  for (const route of gatewayApiObjects(ctx, 'HTTPRoute')) {
    for (const p of parentRefs(route).filter((x) => x.kind === 'Service')) {
      const svc = serviceNamed(ctx, p.namespace, p.name);
      if (svc && ambientService(ctx, svc) && !waypointOf(ctx, svc)) {
        // gateway/conversion.go referenceAllowed → WaypointErrorMsgMissingLabel (condition ResolvedWaypoints).
        ctx.report(VM0020.messages.route, route, `spec.parentRefs[${p.index}]`, {
          service: `${p.namespace}/${p.name}`,
        });
      }
    }
  }
}

/** A Service in ambient mode: its namespace is, or a pod it selects is (label or redirection annotation). */
function ambientService(ctx: AnalysisContext, svc: Manifest): boolean {
  const ns = namespaceOf(svc);
  const selector = svc.spec?.selector;
  return (
    namespaceInAmbient(ctx, ns) ||
    (selector !== undefined &&
      Object.keys(selector).length > 0 &&
      ctx.podsSelected(selector, ns).some((p) => podInAmbient(ctx, ns, p.labels, p.annotations)))
  );
}

/** The Services of the input a mesh VirtualService's hosts name. */
function servicesOf(ctx: AnalysisContext, vs: Manifest): Manifest[] {
  return listAt(vs.spec, 'hosts').flatMap((h) => {
    const full = serviceNameOfFqdn(hostToFqdn(namespaceOf(vs), String(h), ctx.clusterDomain), ctx.clusterDomain);
    const svc = full && serviceNamed(ctx, full.namespace, full.name);
    return svc ? [svc] : [];
  });
}

/**
 * VM0017 and VM0018: a mesh VirtualService for a Service that uses a waypoint. The waypoint drops
 * every match with sourceLabels (networking/core/listener_waypoint.go waypointInboundRoute,
 * istio/istio#51565), and VirtualService with ambient is Alpha (istio.io docs
 * ambient/usage/l7-features: "Usage of VirtualService with the ambient data plane mode is
 * considered Alpha").
 */
function waypointVirtualService(ctx: AnalysisContext, vs: Manifest): void {
  const gateways = list(vs.spec?.gateways);
  if (gateways.length > 0 && !gateways.includes('mesh')) return;
  // A waypoint takes VirtualServices of the Service's namespace or its own (listener_waypoint.go getVirtualServiceForWaypoint).
  const waypointed = servicesOf(ctx, vs)
    .map((svc) => ({ svc, waypoint: waypointOf(ctx, svc) }))
    .filter(
      (x) => x.waypoint !== undefined && [namespaceOf(x.svc), x.waypoint.split('/')[0]].includes(namespaceOf(vs)),
    );
  if (waypointed.length === 0) return;
  const named = waypointed
    .map((x) => `${namespaceOf(x.svc)}/${x.svc.metadata.name} (waypoint ${x.waypoint})`)
    .join(', ');
  ctx.report(VM0018.messages.alpha, vs, 'spec.hosts', { services: named });
  listAt(vs.spec, 'http').forEach((r, i) => {
    listAt(r, 'match').forEach((m, j) => {
      if (at(m, 'sourceLabels') === undefined) return;
      ctx.report(VM0017.messages.dropped, vs, `spec.http[${i}].match[${j}].sourceLabels`, { services: named });
    });
  });
}

/** ztunnel's L4 `when` keys (serviceregistry/ambient/authorization.go l4WhenAttributes). */
const L4_WHEN = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);
const L7_OPERATION = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
const L7_SOURCE = ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'];

/** The HTTP attributes ztunnel cannot enforce in a policy's rules (httpOperations, httpSources, when keys). */
function l7Attributes(ap: Manifest): string[] {
  const found = new Set<string>();
  for (const rule of list(ap.spec?.rules)) {
    for (const to of list(rule?.to))
      for (const k of L7_OPERATION) if (list(to?.operation?.[k]).length > 0) found.add(k);
    for (const from of list(rule?.from))
      for (const k of L7_SOURCE) if (list(from?.source?.[k]).length > 0) found.add(k);
    for (const when of list(rule?.when)) if (!L4_WHEN.has(when?.key)) found.add(String(when?.key));
  }
  return [...found].sort();
}

/**
 * VM0019: a policy without targetRefs is enforced by ztunnel for ambient workloads
 * (serviceregistry/ambient/authorization.go convertAuthorizationPolicy); ztunnel drops the ALLOW
 * rules with HTTP attributes and enforces DENY rules without them, both more restrictive than
 * written. Istio reports it only as ZtunnelAccepted=True with reason UnsupportedValue.
 */
function ztunnelPolicy(ctx: AnalysisContext, ap: Manifest): void {
  if (list(ap.spec?.targetRefs).length > 0 || ap.spec?.targetRef !== undefined) return;
  const action = ap.spec?.action ?? 'ALLOW';
  if (action !== 'ALLOW' && action !== 'DENY') return;
  const found = l7Attributes(ap);
  if (found.length === 0) return;
  const ns = namespaceOf(ap);
  const selector = ap.spec?.selector?.matchLabels;
  const ambient =
    selector !== undefined
      ? ctx.podsSelected(selector, ns).some((p) => podInAmbient(ctx, ns, p.labels, p.annotations))
      : namespaceInAmbient(ctx, ns);
  if (!ambient) return;
  ctx.report(action === 'ALLOW' ? VM0019.messages.allow : VM0019.messages.deny, ap, 'spec.rules', {
    attributes: found.join(', '),
    instead: selector !== undefined ? 'selector' : 'a namespace-wide policy',
  });
}

/**
 * VM0020: a policy with targetRefs to a Service that uses no waypoint is enforced nowhere
 * (serviceregistry/ambient/policies.go WaypointPolicyStatusCollection: WaypointAccepted=False,
 * reason AncestorNotBound).
 */
function waypointPolicy(ctx: AnalysisContext, ap: Manifest): void {
  listAt(ap.spec, 'targetRefs').forEach((t, i) => {
    if (at(t, 'kind') !== 'Service' || (at(t, 'group') ?? '') !== '') return;
    const ns = String(at(t, 'namespace') ?? namespaceOf(ap));
    const svc = serviceNamed(ctx, ns, String(at(t, 'name') ?? ''));
    if (!svc || waypointOf(ctx, svc)) return;
    ctx.report(VM0020.messages.policy, ap, `spec.targetRefs[${i}]`, { service: `${ns}/${String(at(t, 'name'))}` });
  });
}
