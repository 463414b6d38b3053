// The caller-side checks of checkTransition (./transition-check.ts): Deployments restarted with new calls,
// and running pods whose calls a step turns from allowed into denied.
import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import type { TransitionPlan } from './plan';
import type { CallRouting } from './restarted-callers';
import { callRouting, callsOf, newCalls, routedAsTarget, templateChanged } from './restarted-callers';
import type { TransitionProblem } from './transition-check';

/** The objects after each step: `[from, after step 1, ...]`. */
function statesOf(from: readonly Manifest[], plan: TransitionPlan): Manifest[][] {
  const states = [[...from]];
  let state = new Map(from.map((m) => [objectKey(m), m]));
  for (const step of plan.steps) {
    state = new Map(state);
    for (const m of step.remove) state.delete(objectKey(m));
    for (const m of step.apply) state.set(objectKey(m), m);
    states.push([...state.values()]);
  }
  return states;
}

/**
 * Deployments that serve before a step and are restarted in it with calls their old pods did not
 * make: from that step on, while the new template runs, each new call must go where it goes once
 * the plan is done (its Service, waypoint, routes and policies the target's), at every moment.
 */
export function checkRestartedCallers(
  from: readonly Manifest[],
  plan: TransitionPlan,
  clusterDomain: string,
): TransitionProblem[] {
  const states = statesOf(from, plan);
  const final = states[states.length - 1];
  // Each state's objects by key, built on first use (a scan per Deployment was quadratic in objects).
  const byKey = states.map(() => undefined as Map<string, Manifest> | undefined);
  const lookup = (j: number, key: string) => (byKey[j] ??= new Map(states[j].map((m) => [objectKey(m), m]))).get(key);
  const finalKeys = new Set(final.map(objectKey));
  const retiring = new Set(
    from.filter((m) => m.kind === 'Deployment' && !finalKeys.has(objectKey(m))).map((m) => m.metadata.name),
  );
  const problems: TransitionProblem[] = [...checkRunningCallers(states, plan, clusterDomain)];
  plan.steps.forEach((step, i) => {
    const before = states[i];
    for (const d of step.apply.filter((m) => m.kind === 'Deployment')) {
      const old = lookup(i, objectKey(d));
      if (!old || !templateChanged(old, d)) continue;
      for (const call of newCalls(before, old, states[i + 1], d)) {
        const expected = callRouting(final, d, call, clusterDomain, retiring);
        // The new pods may start before or after the step's other objects land, and run on through the later steps.
        for (let j = i; j < states.length; j++) {
          const current = lookup(j, objectKey(d));
          if (j > i && (!current || templateChanged(current, d))) break;
          const actual = callRouting(states[j], d, call, clusterDomain, retiring);
          if (routedAsTarget(actual, expected)) continue;
          const shown = (r: CallRouting) => `${r.destinations}${r.denied ? ' (denied)' : ''}`;
          problems.push({
            step: i + 1,
            kind: step.kind,
            origin: objectKey(d),
            message: `${objectKey(d)} restarts with calls to ${call.service}:${call.port} (env ${call.env}), which go to ${shown(actual)} ${j === i ? 'before the step' : `after step ${j}`} instead of ${shown(expected)}: restart it only once that host's Service, waypoint, routes and policies are the target's`,
          });
          break;
        }
      }
    }
  });
  return problems;
}

/**
 * Pods that serve through a step without being restarted in it (the old pods of every Deployment
 * before the break: until the switch has moved traffic they may receive requests) and whose call
 * the step turns from allowed into denied: a Service moved onto pods whose policies do not admit them.
 */
function checkRunningCallers(
  states: readonly Manifest[][],
  plan: TransitionPlan,
  clusterDomain: string,
): TransitionProblem[] {
  const problems: TransitionProblem[] = [];
  const breakAt = plan.steps.findIndex((s) => s.kind === 'break');
  plan.steps.forEach((step, i) => {
    if (breakAt !== -1 && i >= breakAt) return;
    if (
      !step.apply.some((m) => m.kind === 'Service' || m.kind === 'AuthorizationPolicy') &&
      !step.remove.some((m) => m.kind === 'AuthorizationPolicy')
    )
      return;
    const [before, after] = [states[i], states[i + 1]];
    const afterByKey = new Map(after.map((m) => [objectKey(m), m]));
    for (const d of before.filter((m) => m.kind === 'Deployment')) {
      const now = afterByKey.get(objectKey(d));
      if (!now || templateChanged(d, now)) continue;
      for (const call of callsOf(before, d)) {
        // After first: most calls stay allowed, and then the routing before the step is not needed
        // (measured: half of a 300-service synth's transition check was these explains).
        if (!callRouting(after, d, call, clusterDomain).denied || callRouting(before, d, call, clusterDomain).denied)
          continue;
        problems.push({
          step: i + 1,
          kind: step.kind,
          origin: objectKey(d),
          message: `${objectKey(d)}'s running pods call ${call.service}:${call.port} (env ${call.env}), allowed before the step and denied after it: admit them where the Service sends them until they no longer serve`,
        });
      }
    }
  });
  return problems;
}
