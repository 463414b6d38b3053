import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../analysis/ambient-mode';
import type { Manifest } from '../analysis/manifest';
import { labelsHold, namespaceOf, objectKey, podLabels } from '../analysis/manifest';
import { GATEWAY_NAME_LABEL } from '../resolve/ingress';
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
 * retiring pods keep theirs until they are retired (an entry without rules: kept, nothing added).
 */
export function transitionAllowances(
  from: readonly Manifest[],
  to: readonly Manifest[],
  rerouted: readonly Manifest[],
): Map<string, any[]> {
  const byKey = (kind: string) => [
    ...new Map([...from, ...to].filter((m) => m.kind === kind).map((m) => [objectKey(m), m])).values(),
  ];
  const policies = byKey('AuthorizationPolicy');
  const t: Transition = {
    from,
    to,
    deployments: byKey('Deployment'),
    policies,
    trust: trustDomainOf(policies),
    inTarget: new Set(to.map(objectKey)),
    extra: new Map(),
  };
  for (const svc of rerouted) {
    if (!svc.spec?.selector) continue;
    const waypoint: string | undefined = svc.metadata.labels?.[USE_WAYPOINT_LABEL];
    if (waypoint !== undefined) admitBehindWaypoint(t, svc, waypoint);
    else {
      const callers = callersOf(t, svc);
      const ports = targetPorts(svc);
      for (const policy of podPolicies(t, svc)) admit(t, policy, callers, ports);
    }
  }
  return t.extra;
}

/** Both stages of a transition, what it reads of them, and the allowances found so far (`extra`, by policy key). */
interface Transition {
  readonly from: readonly Manifest[];
  readonly to: readonly Manifest[];
  readonly deployments: readonly Manifest[];
  readonly policies: readonly Manifest[];
  readonly trust: string;
  readonly inTarget: ReadonlySet<string>;
  readonly extra: Map<string, any[]>;
}

/**
 * A Service that joins its waypoint (or moves behind it) in the switch: the waypoint's policies
 * for it (targetRefs to the Service) and of its pods (the HBONE termination layer) admit the
 * callers that dial it in either stage, on its ports, until the break. Only callers some stage's
 * policies admit to the Service (its waypoint's policy, or its pods'): a caller idle in both
 * stages stays denied, as the target denies it.
 */
function admitBehindWaypoint(t: Transition, svc: Manifest, waypoint: string): void {
  const ns = namespaceOf(svc);
  const ports = [...new Set((svc.spec?.ports ?? []).map((p: any) => String(p.port)))] as string[];
  const admittedTo = new Set([t.from, t.to].flatMap((state) => admittedToService(state, svc.metadata.name, ns)));
  const used = callersOf(t, svc).filter((c) => admittedTo.has(c));
  for (const policy of t.policies.filter(
    (p) =>
      namespaceOf(p) === ns &&
      p.spec?.action === 'ALLOW' &&
      t.inTarget.has(objectKey(p)) &&
      ((p.spec?.targetRefs ?? []).some((r: any) => r.kind === 'Service' && r.name === svc.metadata.name) ||
        (p.spec?.selector?.matchLabels && labelsHold(p.spec.selector.matchLabels, { [GATEWAY_NAME_LABEL]: waypoint }))),
  )) {
    admit(t, policy, used, ports);
  }
  // Behind the waypoint, the Service's pods see the waypoint as the caller: pods it newly selects
  // that admit only other callers (a version no route sent a call to in the target, pay 2.1.2 of
  // seed 17001 app 54) admit the waypoint too while a caller still dials the Service.
  if (used.length === 0) return;
  const hop = principal(t.trust, svc.metadata.labels?.[USE_WAYPOINT_NAMESPACE_LABEL] ?? ns, waypoint);
  const podPorts = targetPorts(svc);
  for (const policy of podPolicies(t, svc)) admit(t, policy, [hop], podPorts);
}

/** The principals of the Deployments that dial `svc` in either stage, sorted. */
function callersOf(t: Transition, svc: Manifest): string[] {
  const ns = namespaceOf(svc);
  const dials = (state: readonly Manifest[]) => (d: Manifest) =>
    callsOf(state, d).some((c) => c.service === svc.metadata.name && c.namespace === ns);
  const dialling = [t.from, t.to].flatMap((state) => state.filter((m) => m.kind === 'Deployment').filter(dials(state)));
  return [
    ...new Set(
      dialling.map((d) => principal(t.trust, namespaceOf(d), d.spec?.template?.spec?.serviceAccountName ?? 'default')),
    ),
  ].sort();
}

/** Adds to `policy` a rule per caller it does not admit yet; a retiring policy is kept (recorded) even without one. */
function admit(t: Transition, policy: Manifest, callers: readonly string[], ports: readonly string[]): void {
  const key = objectKey(policy);
  const rules = t.extra.get(key) ?? [];
  const admitted = new Set(
    [...t.from, ...t.to]
      .filter((m) => objectKey(m) === key)
      .flatMap((m) => (m.spec?.rules ?? []).flatMap((r: any) => r.from?.[0]?.source?.principals ?? [])),
  );
  for (const caller of callers.filter((x) => !admitted.has(x))) {
    if (!rules.some((r) => r.from[0].source.principals[0] === caller))
      rules.push({ from: [{ source: { principals: [caller] } }], to: [{ operation: { ports } }] });
  }
  // A retiring version's policy stays until its pods are gone even when it admits every caller
  // already (a TCP lane Service, without a waypoint, was dialled directly): deleted in the break
  // step, it would leave ztunnel applying allow-nothing to pods the Service still selects.
  if (rules.length > 0 || !t.inTarget.has(key)) t.extra.set(key, rules);
}

/** The ALLOW policies (of either stage, transition-only ones included) at the pods `svc` selects. */
function podPolicies(t: Transition, svc: Manifest): Manifest[] {
  const ns = namespaceOf(svc);
  const selector: Record<string, string> = svc.spec.selector;
  const pods = t.deployments.filter((d) => namespaceOf(d) === ns && labelsHold(selector, podLabels(d)));
  return t.policies.filter(
    (p) =>
      namespaceOf(p) === ns &&
      p.spec?.action === 'ALLOW' &&
      p.spec?.selector?.matchLabels &&
      pods.some((pod) => labelsHold(p.spec.selector.matchLabels, podLabels(pod))),
  );
}

/** The ports `svc`'s pods listen on for it (its target ports), as AuthorizationPolicy port strings. */
function targetPorts(svc: Manifest): string[] {
  return [...new Set((svc.spec?.ports ?? []).map((p: any) => String(p.targetPort ?? p.port)))] as string[];
}

/**
 * Policies for the transition only: a pod that a moved Service (leaving its waypoint, widening its
 * selector, or moving behind its waypoint onto another version) now selects, and that no ALLOW
 * policy selects in either stage (a version at weight 0, which routing never sent a call to),
 * would answer the Service's callers (or its waypoint) with the namespace's allow-nothing. It gets
 * a policy of its own, without rules here ({@link transitionAllowances} gives it the callers), made with the allowances and deleted in the break step, or in the clean
 * step when its pods are retired. None where the namespace has no AuthorizationPolicy.
 */
export function transitionOnlyPolicies(
  from: readonly Manifest[],
  to: readonly Manifest[],
  rerouted: readonly Manifest[],
): Manifest[] {
  const all = [...from, ...to];
  const policies = all.filter((m) => m.kind === 'AuthorizationPolicy');
  const deployments = [...new Map(all.filter((m) => m.kind === 'Deployment').map((m) => [objectKey(m), m])).values()];
  const out = new Map<string, Manifest>();
  for (const svc of rerouted) {
    const selector: Record<string, string> | undefined = svc.spec?.selector;
    const ns = namespaceOf(svc);
    // Behind a waypoint too: the pods then admit the waypoint (transitionAllowances), not the callers.
    if (!selector || !policies.some((p) => namespaceOf(p) === ns)) continue;
    for (const d of deployments.filter((x) => namespaceOf(x) === ns && labelsHold(selector, podLabels(x)))) {
      const labels = podLabels(d);
      if (
        policies.some(
          (p) =>
            namespaceOf(p) === ns &&
            p.spec?.action === 'ALLOW' &&
            p.spec?.selector?.matchLabels &&
            labelsHold(p.spec.selector.matchLabels, labels),
        )
      )
        continue;
      const own =
        labels.app !== undefined && labels.version !== undefined
          ? { app: labels.app, version: labels.version }
          : { ...labels };
      const policy: Manifest = {
        apiVersion: policies.find((p) => namespaceOf(p) === ns)!.apiVersion,
        kind: 'AuthorizationPolicy',
        metadata: { name: d.metadata.name, namespace: ns, labels: own },
        spec: { selector: { matchLabels: own }, action: 'ALLOW', rules: [] },
      };
      if (!all.some((m) => objectKey(m) === objectKey(policy))) out.set(objectKey(policy), policy);
    }
  }
  return [...out.values()];
}

/**
 * New Services that also select pods the target retires: a lane Service of a single version is
 * `{app}` only (seed 30003 app 220, ambient 02 → 01: `auth-lane-main` made while auth 1.0, v3 and
 * v4.1 still run). From the make step until those pods are retired, its callers reach them too, so
 * the transition admits them there as it does for a Service that widens its selector.
 */
export function servicesOntoRetiringPods(
  from: readonly Manifest[],
  to: readonly Manifest[],
  added: readonly Manifest[],
): Manifest[] {
  const inTarget = new Set(to.map(objectKey));
  const retiring = from.filter((m) => m.kind === 'Deployment' && !inTarget.has(objectKey(m)));
  return added.filter(
    (svc) =>
      svc.kind === 'Service' &&
      svc.spec?.selector &&
      retiring.some((d) => namespaceOf(d) === namespaceOf(svc) && labelsHold(svc.spec.selector, podLabels(d))),
  );
}

/** `policy` with the transition's extra rules after its own. */
export function withAllowances(policy: Manifest, extra: ReadonlyMap<string, readonly any[]>): Manifest {
  const rules = extra.get(objectKey(policy));
  return rules ? { ...policy, spec: { ...policy.spec, rules: [...(policy.spec?.rules ?? []), ...rules] } } : policy;
}

/** The principals that `state`'s ALLOW policies admit to Service `name`: by targetRefs to it, or at the pods it selects there. */
function admittedToService(state: readonly Manifest[], name: string, ns: string): string[] {
  const svc = state.find((m) => m.kind === 'Service' && m.metadata.name === name && namespaceOf(m) === ns);
  const pods = state.filter(
    (m) =>
      m.kind === 'Deployment' &&
      namespaceOf(m) === ns &&
      svc?.spec?.selector &&
      labelsHold(svc.spec.selector, podLabels(m)),
  );
  return state
    .filter(
      (p) =>
        p.kind === 'AuthorizationPolicy' &&
        namespaceOf(p) === ns &&
        p.spec?.action === 'ALLOW' &&
        ((p.spec?.targetRefs ?? []).some((t: any) => t.kind === 'Service' && t.name === name) ||
          (p.spec?.selector?.matchLabels && pods.some((d) => labelsHold(p.spec.selector.matchLabels, podLabels(d))))),
    )
    .flatMap((p) => (p.spec?.rules ?? []).flatMap((r: any) => r.from?.[0]?.source?.principals ?? []));
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
