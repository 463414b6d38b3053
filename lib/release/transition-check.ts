import { sameJson } from '../analysis/content-hash';
import { jsonEqual } from '../analysis/json-equal';
import type { Manifest } from '../analysis/manifest';
import { namespaceOf, objectKey } from '../analysis/manifest';
import { ManifestIndex } from '../analysis/manifest-index';
import { namespaceLabelsOf, waypointOf } from '../analysis/ambient-mode';
import { isGatewayApi } from '../analysis/routing/gateway-api-match';
import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import type { StepKind, TransitionPlan } from './plan';
import { planTransition } from './plan';
import { keepsServingWhileRolling, templateChanged } from './restarted-callers';
import { checkRestartedCallers } from './transition-check-callers';

/** A moment of a transition at which some traffic could fail. */
export interface TransitionProblem {
  readonly step: number;
  readonly kind: StepKind;
  /** `Kind namespace/name` of the VirtualService or HTTPRoute whose route fails, or of the Service that loses its pods or waypoint. */
  readonly origin: string;
  readonly message: string;
}

/** A stage as the neighbour check reads it: its name, its objects and the cluster domain it was made for. */
export interface CheckedStage {
  readonly name: string;
  readonly objects: readonly Manifest[];
  readonly clusterDomain?: string;
}

/** One direction of the move between two neighbouring stages: its plan, and the check of it. */
export interface NeighbourTransition {
  readonly from: CheckedStage;
  readonly to: CheckedStage;
  readonly plan: TransitionPlan;
  readonly problems: TransitionProblem[];
}

/** The plans between neighbouring stages `a` and `b`, forward then back, each replayed by checkTransition. */
export function checkNeighbours(a: CheckedStage, b: CheckedStage): NeighbourTransition[] {
  return [
    [a, b],
    [b, a],
  ].map(([from, to]) => {
    const plan = planTransition(from.name, from.objects, to.name, to.objects);
    return { from, to, plan, problems: checkTransition(from.objects, plan, from.clusterDomain) };
  });
}

/**
 * Replays a plan against the `from` objects and reports every moment at which a VirtualService
 * (old or new: sidecars receive configuration at different times) routes to a subset, port or
 * pods that do not exist yet or any more. Within a step, objects may land in any order, so a
 * subset or port counts only if it exists both before and after the step, and pods only if
 * they were ready before the step and still run after it.
 * Gateway API and ambient mode alike: an HTTPRoute (old or new) whose backendRef Service, port or
 * ready pods, or whose parent Gateway (programmed), is missing at some moment of the step; a
 * Service that serves before the step and, by its old or new selector, selects no serving pods;
 * a Service whose old or new `istio.io/use-waypoint` names a waypoint not programmed throughout.
 */
export function checkTransition(
  from: readonly Manifest[],
  plan: TransitionPlan,
  clusterDomain = DEFAULT_CLUSTER_DOMAIN,
): TransitionProblem[] {
  return [...checkRoutes(from, plan, clusterDomain), ...checkRestartedCallers(from, plan, clusterDomain)].sort(
    (a, b) => a.step - b.step,
  );
}

function checkRoutes(from: readonly Manifest[], plan: TransitionPlan, clusterDomain: string): TransitionProblem[] {
  let state = new Map(from.map((m) => [objectKey(m), m]));
  // Every running workload serves at the start. An Argo Rollout keeps its stable ReplicaSet
  // serving while the controller canaries a new template, so only Deployments stop being ready.
  const start = ManifestIndex.of(from, clusterDomain);
  let ready = new Set([...start.workloads, ...from.filter(isApiGateway)].map(objectKey));
  // The state is `from` itself unless two objects share a key (the later one stands): one index, not two.
  let before = state.size === from.length ? start : ManifestIndex.of([...state.values()], clusterDomain);
  const problems: TransitionProblem[] = [];
  plan.steps.forEach((step, i) => {
    const next = new Map(state);
    for (const m of step.remove) next.delete(objectKey(m));
    const applied = new Map(step.apply.map((m) => [objectKey(m), m]));
    for (const [k, m] of applied) next.set(k, m);
    // A Deployment whose pod template changes rolls its pods. A rolling update keeps the old pods
    // serving until the new ones are ready; a Recreate update stops them first: not ready until waited for.
    const rolled = (k: string) => {
      const m = applied.get(k);
      return (
        m !== undefined && m.kind === 'Deployment' && templateChanged(state.get(k), m) && !keepsServingWhileRolling(m)
      );
    };
    const nextReady = new Set([...ready].filter((k) => next.has(k) && !rolled(k)));
    // A step that changes no object (a wait) leaves the index as it was: not built again.
    const after =
      step.apply.length + step.remove.length === 0 ? before : ManifestIndex.of([...next.values()], clusterDomain);
    for (const vs of oldAndNew(before.ofKind('VirtualService'), after.ofKind('VirtualService'))) {
      for (const message of danglingRoutes(vs, before, after, nextReady))
        problems.push({ step: i + 1, kind: step.kind, origin: objectKey(vs), message });
    }
    for (const r of oldAndNew(before.objects.filter(isApiRoute), after.objects.filter(isApiRoute))) {
      for (const message of danglingBackends(r, before, after, nextReady))
        problems.push({ step: i + 1, kind: step.kind, origin: objectKey(r), message });
    }
    // Pods that keep serving through the step: ready before it and still there (a rolling update keeps the old pods until the new are ready).
    const serving = new Set([...ready].filter((k) => next.has(k)));
    for (const message of servicesLosingPods(before, after, ready, serving, nextReady))
      problems.push({ step: i + 1, kind: step.kind, ...message });
    for (const m of step.waitFor) nextReady.add(objectKey(m));
    state = next;
    before = after;
    ready = nextReady;
  });
  return problems;
}

/**
 * The routes of both sides of a step, once each: a route of `after` is added unless `before` has
 * it with the same spec (by key and spec, compared without writing JSON texts of every route).
 */
function oldAndNew(before: readonly Manifest[], after: readonly Manifest[]): Manifest[] {
  const out: Manifest[] = [];
  const byKey = new Map<string, Manifest[]>();
  for (const m of [...before, ...after]) {
    const key = objectKey(m);
    const same = byKey.get(key);
    if (same?.some((x) => x === m || sameJson(x.spec, m.spec))) continue;
    if (same) same.push(m);
    else byKey.set(key, [m]);
    out.push(m);
  }
  return out;
}

const isApiRoute = (m: Manifest) => isGatewayApi(m, 'HTTPRoute');
const isApiGateway = (m: Manifest) => isGatewayApi(m, 'Gateway');

/** Whether Gateway `key` (`Gateway ns/name`) exists before and after the step and is programmed (ready) by its end. */
function programmedThroughout(key: string, before: ManifestIndex, after: ManifestIndex, ready: Set<string>): boolean {
  return apiGatewayKeys(before).has(key) && apiGatewayKeys(after).has(key) && ready.has(key);
}

const gatewayKeys = new WeakMap<ManifestIndex, Set<string>>();

/** The keys of an index's Gateway API Gateways, collected once (a scan per route and Service was quadratic). */
function apiGatewayKeys(index: ManifestIndex): Set<string> {
  let keys = gatewayKeys.get(index);
  if (!keys) gatewayKeys.set(index, (keys = new Set(index.objects.filter(isApiGateway).map(objectKey))));
  return keys;
}

/**
 * The rules of HTTPRoute `r` that send traffic (weight > 0) to a Service, port or pods missing
 * before or after the step, and its parent Gateways that are not programmed throughout.
 */
function danglingBackends(r: Manifest, before: ManifestIndex, after: ManifestIndex, ready: Set<string>): string[] {
  const ns = namespaceOf(r);
  const out: string[] = [];
  for (const p of r.spec?.parentRefs ?? []) {
    if ((p.group ?? 'gateway.networking.k8s.io') !== 'gateway.networking.k8s.io' || (p.kind ?? 'Gateway') !== 'Gateway')
      continue;
    const key = `Gateway ${p.namespace ?? ns}/${p.name}`;
    if (!programmedThroughout(key, before, after, ready))
      out.push(`HTTPRoute ${ns}/${r.metadata.name} parent ${key}: not programmed throughout the step`);
  }
  (r.spec?.rules ?? []).forEach((rule: any, i: number) => {
    for (const b of rule.backendRefs ?? []) {
      if ((b.weight ?? 1) === 0 || (b.group ?? '') !== '' || (b.kind ?? 'Service') !== 'Service') continue;
      const svcNs = b.namespace ?? ns;
      const where = `HTTPRoute ${ns}/${r.metadata.name} rule ${rule.name ?? i} → ${b.name}:${b.port}`;
      const services = [before.service(b.name, svcNs), after.service(b.name, svcNs)];
      if (services.some((s) => !s)) {
        out.push(`${where}: Service '${b.name}' does not exist throughout the step`);
        continue;
      }
      if (services.some((s) => !(s!.spec?.ports ?? []).some((x: any) => x.port === b.port)))
        out.push(`${where}: port ${b.port} is not on the Service throughout the step`);
      // The Service may change within the step: both its selectors must find pods ready throughout.
      if (services.some((s) => !after.podsBehind(s!, {}).some((w) => ready.has(objectKey(w)))))
        out.push(`${where}: no ready pods throughout the step`);
    }
  });
  return out;
}

/**
 * Services on both sides of the step that served before it (ready pods behind them) and, by their
 * old or new selector, select no pod serving throughout it; and Services whose old or new waypoint
 * (`istio.io/use-waypoint` on the Service, else on its namespace) is not a Gateway programmed throughout the step.
 */
function servicesLosingPods(
  before: ManifestIndex,
  after: ManifestIndex,
  ready: Set<string>,
  serving: Set<string>,
  nextReady: Set<string>,
): { origin: string; message: string }[] {
  const out: { origin: string; message: string }[] = [];
  for (const old of before.services) {
    const svc = after.service(old.metadata.name, namespaceOf(old));
    if (!svc) continue;
    const origin = objectKey(svc);
    const served = before.podsBehind(old, {}).some((w) => ready.has(objectKey(w)));
    if (served && [old, svc].some((s) => !after.podsBehind(s, {}).some((w) => serving.has(objectKey(w))))) {
      out.push({
        origin,
        message: `Service ${namespaceOf(svc)}/${svc.metadata.name}: its selector (${JSON.stringify(old.spec?.selector)} or ${JSON.stringify(svc.spec?.selector)}) selects no ready pods throughout the step`,
      });
    }
    for (const [s, side] of [
      [old, before],
      [svc, after],
    ] as const) {
      const waypoint = waypointOf(namespaceLabelsOf(side), s);
      if (waypoint === undefined) continue;
      const key = `Gateway ${waypoint}`;
      if (!programmedThroughout(key, before, after, nextReady)) {
        out.push({
          origin,
          message: `Service ${namespaceOf(svc)}/${svc.metadata.name}: its waypoint ${key} is not programmed throughout the step`,
        });
        break;
      }
    }
  }
  return out;
}

/** The routes of `vs` that send traffic (weight > 0) to something missing before or after the step. */
function danglingRoutes(vs: Manifest, before: ManifestIndex, after: ManifestIndex, ready: Set<string>): string[] {
  const ns = namespaceOf(vs);
  const out: string[] = [];
  const routes = (['http', 'tcp', 'tls'] as const).flatMap((proto) =>
    (vs.spec?.[proto] ?? []).map((r: any, i: number) => ({ ...r, name: r.name ?? `${proto}[${i}]` })),
  );
  for (const r of routes) {
    for (const d of r.route ?? []) {
      if (d.weight === 0) continue;
      const host: string = d.destination.host;
      const services = [before.serviceForHost(host, ns), after.serviceForHost(host, ns)];
      const svcName = services[1]?.metadata.name ?? services[0]?.metadata.name ?? host.split('.')[0];
      const where = `VirtualService ${ns}/${vs.metadata.name} route ${r.name} → ${svcName}${d.destination.subset ? `/${d.destination.subset}` : ''}`;
      if (services.some((s) => !s)) {
        out.push(`${where}: Service '${svcName}' does not exist throughout the step`);
        continue;
      }
      const port = d.destination.port?.number;
      if (port !== undefined && services.some((s) => !(s!.spec?.ports ?? []).some((p: any) => p.port === port))) {
        out.push(`${where}: port ${port} is not on the Service throughout the step`);
      }
      let labels: Record<string, string> = {};
      if (d.destination.subset !== undefined) {
        const subset = [before.subsets(services[0]!), after.subsets(services[1]!)].map((s) =>
          s?.get(d.destination.subset),
        );
        if (subset.some((x) => !x) || !jsonEqual(subset[0], subset[1])) {
          out.push(`${where}: subset '${d.destination.subset}' is not defined throughout the step`);
          continue;
        }
        labels = subset[0]!;
      }
      if (!after.podsBehind(services[1]!, labels).some((w) => ready.has(objectKey(w))))
        out.push(`${where}: no ready pods throughout the step`);
    }
  }
  return out;
}
