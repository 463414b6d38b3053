import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import type { StageDiff } from './diff';
import { isApiRoute, isKind } from './plan-kinds';
import type { TransitionParts } from './plan-parts';
import { transitionParts } from './plan-parts';

export { union } from './stage-union';
export type { FormatPlanOptions, PlanFiles } from './plan-format';
export { formatPlan } from './plan-format';

/** The phases of a transition, in the order they run ("make before break"). */
export type StepKind = 'make' | 'wait' | 'switch' | 'restart' | 'break' | 'retire' | 'clean';

/** One step of a transition plan. */
export interface PlanStep {
  readonly kind: StepKind;
  /** What the step does and why it is safe at this point. */
  readonly title: string;
  /** Objects to apply (written to one file per step). */
  readonly apply: readonly Manifest[];
  /** Deployments to wait for (`kubectl rollout status`), and Gateway API Gateways (`kubectl wait --for=condition=Programmed`). */
  readonly waitFor: readonly Manifest[];
  /** Objects to delete. */
  readonly remove: readonly Manifest[];
}

/** How to move a cluster from one stage to another without dropping requests. */
export interface TransitionPlan extends StageDiff {
  readonly from: string;
  readonly to: string;
  readonly steps: readonly PlanStep[];
  /** Things the plan deliberately does not do (deleting data), for the operator to decide. */
  readonly warnings: readonly string[];
}

/**
 * Plans the move from stage `from` to stage `to` as Istio's "make before break":
 * 1. make: new Deployments, claims, Service ports and DestinationRule subsets (union of old and new),
 *    policies widened to allow both stages, mTLS relaxed if the target relaxes it;
 * 2. wait: every new or changed Deployment rolled out;
 * 3. switch: Gateways and VirtualServices of the target (routes move to the new subsets); Gateway API
 *    routes (HTTPRoutes) and the selectors and waypoints of Services whose selection changes
 *    (ambient mode: a Service moves its traffic to other pods), once what they send to is ready;
 * 4. break: DestinationRules, Services and policies exactly as the target (unused subsets, ports
 *    and allowances dropped), mTLS tightened if the target tightens it, objects gone from the target deleted;
 * 5. retire: Deployments the target no longer runs are deleted, last.
 * Volume claims and namespaces are never deleted (they hold data): they are reported as warnings.
 */
export function planTransition(
  fromName: string,
  from: readonly Manifest[],
  toName: string,
  to: readonly Manifest[],
): TransitionPlan {
  const parts = transitionParts(from, to);
  const diff = parts.diff;
  const steps = planSteps(parts);
  const kept = diff.removed.filter((m) => isKind(m, 'PersistentVolumeClaim') || isKind(m, 'Namespace'));
  return {
    ...diff,
    from: fromName,
    to: toName,
    steps: steps.filter((s) => s.apply.length + s.waitFor.length + s.remove.length > 0),
    warnings: kept.map(
      (m) =>
        `${objectKey(m)} is not in ${toName} but is kept: it may hold data. Delete it yourself once it is no longer needed.`,
    ),
  };
}

/** The steps in order, before the empty ones are dropped. */
function planSteps(p: TransitionParts): PlanStep[] {
  return [...makeSteps(p), ...switchSteps(p), ...breakSteps(p)];
}

/** Make and wait: what the target needs, ready before any traffic moves. */
function makeSteps(p: TransitionParts): PlanStep[] {
  return [
    {
      kind: 'make',
      title:
        'Add what the target needs before traffic moves (workloads, claims, Service ports, subsets, widened policies, relaxed mTLS); no route uses it yet',
      apply: p.make,
      waitFor: [],
      remove: p.relaxRemovals,
    },
    {
      kind: 'wait',
      title: `Wait until every new or changed Deployment is rolled out and ready${p.programmedGateways.length > 0 ? ', and every new Gateway API Gateway (ingress or waypoint) is programmed' : ''}`,
      apply: [],
      waitFor: [...p.rollouts, ...p.programmedGateways],
      remove: [],
    },
  ];
}

/** The early switch, the restarts, then the switch of the rest of the traffic. */
function switchSteps(p: TransitionParts): PlanStep[] {
  return [
    {
      kind: 'switch',
      title:
        'Switch the routing of the hosts that restarted callers will call (their Services, waypoints and routes), before any pod calls them',
      apply: p.earlyApply,
      waitFor: [],
      remove: p.earlyRemove,
    },
    {
      kind: 'restart',
      title:
        'Restart the callers whose environment names those hosts, and wait until they are rolled out (their old pods serve until then)',
      apply: p.restart,
      waitFor: p.restart,
      remove: [],
    },
    {
      kind: 'switch',
      title: [...p.switchApply, ...p.switchRemove].some((m) => isApiRoute(m) || isKind(m, 'Service'))
        ? 'Switch traffic: apply the target Gateways, VirtualServices, HTTPRoutes and the selectors and waypoints of Services that move traffic; remove routes the target no longer has'
        : 'Switch traffic: apply the target Gateways and VirtualServices',
      apply: p.switchApply,
      waitFor: [],
      remove: p.switchRemove,
    },
  ];
}

/** Break, retire and clean: what no route uses any more, then the old Deployments, then what only their pods read. */
function breakSteps(p: TransitionParts): PlanStep[] {
  return [
    {
      kind: 'break',
      title: 'Drop subsets, ports and allowances no route uses any more; tighten mTLS',
      apply: p.breakApply,
      waitFor: [],
      remove: p.breakRemove,
    },
    {
      kind: 'retire',
      title: 'Retire the Deployments that no longer receive traffic',
      apply: [],
      waitFor: [],
      remove: p.retire,
    },
    {
      kind: 'clean',
      title:
        'Delete what only the retired pods read (ServiceAccounts, Secrets, ExternalSecrets, ConfigMaps), after their last reader',
      apply: [],
      waitFor: [],
      remove: p.clean,
    },
  ];
}
