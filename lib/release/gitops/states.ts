import type { Manifest } from '../../analysis/manifest';
import { objectKey } from '../../analysis/manifest';
import { isGatewayApi } from '../../analysis/routing/gateway-api-match';
import { DEFAULT_CLUSTER_DOMAIN } from '../../model/defaults';
import type { PlanStep, StepKind, TransitionPlan } from '../plan';
import type { TransitionProblem } from '../transition-check';
import { checkTransition } from '../transition-check';

/**
 * One complete desired state of a transition: what a GitOps engine syncs as a whole (with prune).
 * The first is the `from` stage, the last the `to` stage (plus what the plan keeps: volume claims
 * and namespaces are never pruned), and in between the state after each step of the
 * make-before-break plan that changes objects.
 */
export interface DesiredState {
  /** Directory-safe name: `00-<from>`, `01-make`, `02-switch`, …, `NN-<to>`. */
  readonly name: string;
  /** The plan step that produced it, or `from`/`to` for the stages themselves. */
  readonly kind: StepKind | 'from';
  readonly title: string;
  readonly objects: readonly Manifest[];
  /** Whether reaching this state from the previous one deletes objects (prune). */
  readonly prunes: boolean;
  /** Whether it changes what routes traffic (Istio Gateways and VirtualServices, Gateway API routes, Service selectors): proxies must receive it before the next state. */
  readonly movesTraffic: boolean;
}

/** A problem of one consecutive pair of states, found by the transition check. */
export interface StateProblem extends TransitionProblem {
  /** `<state>` → `<state>`. */
  readonly between: string;
}

const ROUTING_KINDS = ['VirtualService', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
const movesTraffic = (m: Manifest) =>
  ROUTING_KINDS.includes(m.kind) && (m.apiVersion.startsWith('networking.istio.io/') || isGatewayApi(m, m.kind));

/**
 * The series of complete states a GitOps engine runs for `plan`: each state is the previous one
 * with the step's objects applied (replaced in place, new ones appended) and its removals
 * deleted. A `wait` step adds no state: an engine syncs a state only once the one before is
 * healthy (Argo CD waits for every resource's health, Flux for `wait`/`healthChecks`).
 */
export function transitionStates(plan: TransitionPlan, from: readonly Manifest[]): DesiredState[] {
  const states: DesiredState[] = [
    {
      name: `00-${plan.from}`,
      kind: 'from',
      title: `Stage ${plan.from} as it runs`,
      objects: [...from],
      prunes: false,
      movesTraffic: false,
    },
  ];
  const changing = plan.steps.filter((s) => s.apply.length + s.remove.length > 0);
  changing.forEach((step, i) => {
    const last = i === changing.length - 1;
    const number = String(states.length).padStart(2, '0');
    states.push({
      name: last ? `${number}-${plan.to}` : `${number}-${step.kind}`,
      kind: step.kind,
      title: last ? `Stage ${plan.to} (${step.kind}: ${step.title})` : `${step.kind}: ${step.title}`,
      objects: applyStep(states[states.length - 1].objects, step),
      prunes: step.remove.length > 0,
      movesTraffic: step.kind === 'switch' || step.apply.some(movesTraffic) || step.remove.some(movesTraffic),
    });
  });
  return states;
}

/** `objects` after `step`: removals deleted, applied objects replacing theirs in place, new ones appended. */
function applyStep(objects: readonly Manifest[], step: PlanStep): Manifest[] {
  const gone = new Set(step.remove.map(objectKey));
  const applied = new Map(step.apply.map((m) => [objectKey(m), m]));
  const out = objects.filter((m) => !gone.has(objectKey(m))).map((m) => applied.get(objectKey(m)) ?? m);
  const present = new Set(out.map(objectKey));
  for (const m of step.apply) if (!present.has(objectKey(m))) out.push(m);
  return out;
}

/**
 * The move from one complete state to the next as the engine makes it, one step: what is new
 * or different is applied, what is gone is pruned, in any order. Deployments it applies are
 * waited for (the engine's health check) before the next state.
 */
export function syncStep(
  before: readonly Manifest[],
  after: readonly Manifest[],
  kind: StepKind,
  title: string,
): TransitionPlan {
  const was = new Map(before.map((m) => [objectKey(m), JSON.stringify(m)]));
  const keys = new Set(after.map(objectKey));
  const apply = after.filter((m) => was.get(objectKey(m)) !== JSON.stringify(m));
  const remove = before.filter((m) => !keys.has(objectKey(m)));
  const waitFor = apply.filter((m) => m.kind === 'Deployment' || isGatewayApi(m, 'Gateway'));
  return {
    added: [],
    changed: [],
    removed: [],
    from: 'before',
    to: 'after',
    warnings: [],
    steps: [{ kind, title, apply, waitFor, remove }],
  };
}

/**
 * Every consecutive pair of states replayed by the transition check as one sync (objects land
 * in any order, pods of applied Deployments not ready until the sync is healthy): empty when no
 * moment of the series drops traffic. The earlier state is taken as synced and healthy.
 */
export function checkStates(states: readonly DesiredState[], clusterDomain = DEFAULT_CLUSTER_DOMAIN): StateProblem[] {
  const out: StateProblem[] = [];
  for (let i = 1; i < states.length; i++) {
    const step = syncStep(
      states[i - 1].objects,
      states[i].objects,
      states[i].kind === 'from' ? 'make' : (states[i].kind as StepKind),
      states[i].title,
    );
    for (const p of checkTransition(states[i - 1].objects, step, clusterDomain))
      out.push({ ...p, between: `${states[i - 1].name} → ${states[i].name}` });
  }
  return out;
}
