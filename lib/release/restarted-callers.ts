import { jsonEqual } from '../analysis/json-equal';
import type * as Explain from '../analysis/explain';
import type { InferredCall } from '../analysis/explain-types';
import { inferCalls } from '../analysis/inferred-calls';
import { CallTargetError } from '../analysis/target-error';
import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';

/**
 * What a transition does to the callers it restarts. A Deployment whose pod template changes
 * rolls its pods one at a time (RollingUpdate, maxUnavailable 0): the old pods serve until the new
 * ones are ready, and the new ones serve as soon as they are. So the new pods' calls to a host the
 * old pods never called (an environment value that now names another Service: a lane Service
 * replaced by the callee's own Service when it becomes service-routed, or back) are live from the
 * moment the Deployment is applied: that host's Service, waypoint, routes and policies must
 * already be the target's.
 */

/** Whether the Deployment's pods keep serving while a new template rolls out (a rolling update that keeps every old pod until its replacement is ready). */
export function keepsServingWhileRolling(d: Manifest): boolean {
  const strategy = d.spec?.strategy;
  if (strategy?.type === 'Recreate') return false;
  const replicas = Number(d.spec?.replicas ?? 1);
  const raw = strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  // Kubernetes rounds a percentage of maxUnavailable down.
  const unavailable =
    typeof raw === 'string' && raw.endsWith('%')
      ? Math.floor((replicas * Number(raw.slice(0, -1))) / 100)
      : Number(raw);
  return unavailable < replicas;
}

const callKey = (c: InferredCall) => `${c.service}.${c.namespace}:${c.port}`;

/** The calls `workload`'s pods make, as explain infers them from its environment (none when they cannot be inferred). */
export function callsOf(manifests: readonly Manifest[], workload: Manifest): InferredCall[] {
  try {
    return inferCalls(manifests, workload.metadata.name);
  } catch {
    return [];
  }
}

/** The calls `after`'s pods make (in `afterState`) that `before`'s pods (in `beforeState`) did not make. */
export function newCalls(
  beforeState: readonly Manifest[],
  before: Manifest,
  afterState: readonly Manifest[],
  after: Manifest,
): InferredCall[] {
  const old = new Set(callsOf(beforeState, before).map(callKey));
  return callsOf(afterState, after).filter((c) => !old.has(callKey(c)));
}

/**
 * Where a call from `workload`'s pods goes in `state` (with `workload` in place of its namesake):
 * the Deployments (without those in `retiring`, unless only they serve a hop), weights and
 * authorization of the first hop, as one comparable string; or why it fails.
 */
export function callRouting(
  state: readonly Manifest[],
  workload: Manifest,
  call: InferredCall,
  clusterDomain: string,
  retiring: ReadonlySet<string> = new Set(),
): CallRouting {
  const objects = withWorkload(state, workload);
  try {
    // The first hop only: where the calls of the workloads it reaches go is not compared.
    const { hops } = explain().explainCallHops(
      objects,
      workload.metadata.name,
      `${call.service}.${call.namespace}`,
      call.port,
      { clusterDomain },
      {},
      false,
    );
    // Pods the plan retires may still be behind a Service that selects the target's pods (a plain
    // selector): calls reaching them while they drain go where the target's objects send them.
    const kept = (names: readonly string[]) =>
      names.some((n) => !retiring.has(n)) ? names.filter((n) => !retiring.has(n)) : names;
    const shown = hops.map((h) => `${kept(h.deployments).join('+') || h.answer || 'no pods'} ${h.weight}%`);
    return {
      destinations: shown.sort().join(', ') || 'nowhere',
      denied: hops.some((h) => h.weight > 0 && h.authorization?.allowed === false),
    };
  } catch (err) {
    if (err instanceof CallTargetError)
      return { destinations: `no Service ${call.service}.${call.namespace}:${call.port}`, denied: false };
    throw err;
  }
}

/**
 * The explain module, loaded on first use: its simulator and routing modules took 21-34 ms to load
 * in a `plan` process that routes no call (only Deployments restarted with new calls, or a step
 * that changes a Service or AuthorizationPolicy while callers run, are explained).
 */
function explain(): typeof Explain {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as the comment above says
  return require('../analysis/explain') as typeof Explain;
}

/** Per state, its objects by key and, per workload put in place of its namesake, the objects that result. */
interface Substitutions {
  readonly byKey: Map<string, Manifest | undefined>;
  readonly lists: Map<Manifest, readonly Manifest[]>;
}
const substituted = new WeakMap<readonly Manifest[], Substitutions>();

/**
 * `state` with `workload` in place of its namesake: `state` itself when the namesake is that very
 * object, so that every call routed in one state shares one index of it (ManifestIndex.of, the
 * simulator's caches); else a new list, once per state and workload. Measured reason: a list per
 * call was an index of the whole stage per call, quadratic in a large release's synth.
 */
function withWorkload(state: readonly Manifest[], workload: Manifest): readonly Manifest[] {
  let known = substituted.get(state);
  if (!known) {
    // A key that two objects share maps to neither: substituting removes both.
    const byKey = new Map<string, Manifest | undefined>();
    for (const m of state) byKey.set(objectKey(m), byKey.has(objectKey(m)) ? undefined : m);
    substituted.set(state, (known = { byKey, lists: new Map() }));
  }
  let objects = known.lists.get(workload);
  if (!objects) {
    const key = objectKey(workload);
    objects = known.byKey.get(key) === workload ? state : [...state.filter((m) => objectKey(m) !== key), workload];
    known.lists.set(workload, objects);
  }
  return objects;
}

/** Where a call goes, and whether authorization denies it. */
export interface CallRouting {
  readonly destinations: string;
  readonly denied: boolean;
}

/**
 * Whether a call routed as `actual` at some moment is as the target routes it: the same
 * destinations, and allowed whenever the target allows it (a caller idle in the target may be
 * denied there: it receives no traffic by then).
 */
export function routedAsTarget(actual: CallRouting, target: CallRouting): boolean {
  return actual.destinations === target.destinations && (target.denied || !actual.denied);
}

/** Whether `m`'s pod template differs from `before`'s. */
export function templateChanged(before: Manifest | undefined, m: Manifest): boolean {
  return before !== undefined && !jsonEqual(before.spec?.template, m.spec?.template);
}
