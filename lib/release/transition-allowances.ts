import { USE_WAYPOINT_LABEL } from '../analysis/ambient-mode';
import { labelsHold, Manifest, namespaceOf, objectKey, podLabels } from '../analysis/manifest';
import { callsOf } from './restarted-callers';
import { principal } from '../model/names';

/**
 * Who must be admitted while a transition moves a Service's traffic. A Service that leaves its
 * waypoint or widens its selector in the switch (ambient mode: `cart-lane-main` going from
 * `{app, version: v2.1}` behind the waypoint to a plain `{app: cart}`) sends its callers, old pods
 * and new, straight to every pod it now selects, the retiring version's among them, until those
 * are gone. Those pods' AuthorizationPolicies admitted only the waypoint (or other callers): for
 * the length of the transition each admits, in addition, the callers that dial the Service in
 * either stage, on the Service's target ports. The target policies return in the break step; the
 * retiring pods keep theirs until they are retired.
 */
export function transitionAllowances(from: readonly Manifest[], to: readonly Manifest[], rerouted: readonly Manifest[]): Map<string, any[]> {
  const extra = new Map<string, any[]>();
  const deployments = [...new Map([...from, ...to].filter((m) => m.kind === 'Deployment').map((m) => [objectKey(m), m])).values()];
  const policies = [...new Map([...from, ...to].filter((m) => m.kind === 'AuthorizationPolicy').map((m) => [objectKey(m), m])).values()];
  const trust = trustDomainOf(policies);
  for (const svc of rerouted) {
    const selector: Record<string, string> | undefined = svc.spec?.selector;
    if (!selector || svc.metadata.labels?.[USE_WAYPOINT_LABEL] !== undefined) continue;
    const ns = namespaceOf(svc);
    const dials = (state: readonly Manifest[]) => (d: Manifest) => callsOf(state, d).some((c) => c.service === svc.metadata.name && c.namespace === ns);
    const callers = [...new Set([...from.filter((m) => m.kind === 'Deployment').filter(dials(from)), ...to.filter((m) => m.kind === 'Deployment').filter(dials(to))]
      .map((d) => principal(trust, namespaceOf(d), d.spec?.template?.spec?.serviceAccountName ?? 'default')))].sort();
    const ports = [...new Set((svc.spec?.ports ?? []).map((p: any) => String(p.targetPort ?? p.port)))] as string[];
    for (const pod of deployments.filter((d) => namespaceOf(d) === ns && labelsHold(selector, podLabels(d)))) {
      for (const policy of policies.filter((p) => namespaceOf(p) === ns && p.spec?.action === 'ALLOW' && p.spec?.selector?.matchLabels
        && labelsHold(p.spec.selector.matchLabels, podLabels(pod)))) {
        const rules = extra.get(objectKey(policy)) ?? [];
        const admitted = new Set([...from, ...to].filter((m) => objectKey(m) === objectKey(policy)).flatMap((m) => (m.spec?.rules ?? []).flatMap((r: any) => r.from?.[0]?.source?.principals ?? [])));
        for (const principal of callers.filter((x) => !admitted.has(x))) {
          if (!rules.some((r) => r.from[0].source.principals[0] === principal)) rules.push({ from: [{ source: { principals: [principal] } }], to: [{ operation: { ports } }] });
        }
        if (rules.length > 0) extra.set(objectKey(policy), rules);
      }
    }
  }
  return extra;
}

/** `policy` with the transition's extra rules after its own. */
export function withAllowances(policy: Manifest, extra: ReadonlyMap<string, readonly any[]>): Manifest {
  const rules = extra.get(objectKey(policy));
  return rules ? { ...policy, spec: { ...policy.spec, rules: [...(policy.spec?.rules ?? []), ...rules] } } : policy;
}

/** The trust domain of the stage's principals (`<trust>/ns/<ns>/sa/<sa>`). */
function trustDomainOf(policies: readonly Manifest[]): string {
  for (const p of policies) {
    for (const r of p.spec?.rules ?? []) {
      const principal: string | undefined = r.from?.[0]?.source?.principals?.[0];
      if (principal?.includes('/ns/')) return principal.split('/ns/')[0];
    }
  }
  return 'cluster.local';
}
