import { Manifest, namespaceOf, objectKey } from '../analysis/manifest';
import { ManifestIndex } from '../analysis/manifest-index';
import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import { StepKind, TransitionPlan } from './plan';

/** A moment of a transition at which some traffic could fail. */
export interface TransitionProblem {
  readonly step: number;
  readonly kind: StepKind;
  /** `Kind namespace/name` of the VirtualService whose route fails. */
  readonly origin: string;
  readonly message: string;
}

/**
 * Replays a plan against the `from` objects and reports every moment at which a VirtualService
 * (old or new: sidecars receive configuration at different times) routes to a subset, port or
 * pods that do not exist yet or any more. Within a step, objects may land in any order, so a
 * subset or port counts only if it exists both before and after the step, and pods only if
 * they were ready before the step and still run after it.
 */
export function checkTransition(from: readonly Manifest[], plan: TransitionPlan, clusterDomain = DEFAULT_CLUSTER_DOMAIN): TransitionProblem[] {
  let state = new Map(from.map((m) => [objectKey(m), m]));
  // Every running workload serves at the start. An Argo Rollout keeps its stable ReplicaSet
  // serving while the controller canaries a new template, so only Deployments stop being ready.
  let ready = new Set(ManifestIndex.of(from, clusterDomain).workloads.map(objectKey));
  let before = ManifestIndex.of([...state.values()], clusterDomain);
  const problems: TransitionProblem[] = [];
  plan.steps.forEach((step, i) => {
    const next = new Map(state);
    for (const m of step.remove) next.delete(objectKey(m));
    const applied = new Map(step.apply.map((m) => [objectKey(m), m]));
    for (const [k, m] of applied) next.set(k, m);
    // A Deployment whose pod template changes rolls its pods: it is not ready until waited for.
    const rolled = (k: string) => {
      const m = applied.get(k);
      return m !== undefined && m.kind === 'Deployment' && JSON.stringify(state.get(k)?.spec?.template) !== JSON.stringify(m.spec?.template);
    };
    const nextReady = new Set([...ready].filter((k) => next.has(k) && !rolled(k)));
    const after = ManifestIndex.of([...next.values()], clusterDomain);
    const virtualServices = new Map<string, Manifest>();
    for (const s of [before, after]) for (const m of s.ofKind('VirtualService')) virtualServices.set(`${objectKey(m)}#${JSON.stringify(m.spec)}`, m);
    for (const vs of virtualServices.values()) {
      for (const message of danglingRoutes(vs, before, after, nextReady)) problems.push({ step: i + 1, kind: step.kind, origin: objectKey(vs), message });
    }
    for (const m of step.waitFor) nextReady.add(objectKey(m));
    state = next;
    before = after;
    ready = nextReady;
  });
  return problems;
}

/** The routes of `vs` that send traffic (weight > 0) to something missing before or after the step. */
function danglingRoutes(vs: Manifest, before: ManifestIndex, after: ManifestIndex, ready: Set<string>): string[] {
  const ns = namespaceOf(vs);
  const out: string[] = [];
  const routes = (['http', 'tcp', 'tls'] as const).flatMap((proto) => (vs.spec?.[proto] ?? []).map((r: any, i: number) => ({ ...r, name: r.name ?? `${proto}[${i}]` })));
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
        const subset = [before.subsets(services[0]!), after.subsets(services[1]!)].map((s) => s?.get(d.destination.subset));
        if (subset.some((x) => !x) || JSON.stringify(subset[0]) !== JSON.stringify(subset[1])) {
          out.push(`${where}: subset '${d.destination.subset}' is not defined throughout the step`);
          continue;
        }
        labels = subset[0]!;
      }
      if (!after.podsBehind(services[1]!, labels).some((w) => ready.has(objectKey(w)))) out.push(`${where}: no ready pods throughout the step`);
    }
  }
  return out;
}
