// What each step of a transition plan applies, waits for and removes (plan.ts writes the steps from them).
import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../analysis/ambient-mode';
import { jsonEqual } from '../analysis/json-equal';
import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import type { StageDiff } from './diff';
import { diffStages } from './diff';
import type { RestartOrder } from './restart-order';
import { restartAfterRouting } from './restart-order';
import {
  servicesOntoRetiringPods,
  transitionAllowances,
  transitionOnlyPolicies,
  withAllowances,
} from './transition-allowances';
import { union } from './stage-union';
import { isApiGateway, isApiRoute, isKind } from './plan-kinds';

const ISTIO = 'networking.istio.io/';
/** The Service labels that choose its waypoint (ambient mode). */
const WAYPOINT_LABELS = [USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL];

/** What decides where a Service's traffic goes in ambient mode: its selector and its waypoint. */
function serviceRouting(m: Manifest | undefined): string {
  return JSON.stringify([m?.spec?.selector ?? null, ...WAYPOINT_LABELS.map((l) => m?.metadata?.labels?.[l] ?? null)]);
}

/** `m` with the selector and waypoint labels of `before`: a Service that keeps sending where it did. */
function withRoutingOf(m: Manifest, before: Manifest): Manifest {
  const labels: Record<string, string> = { ...(m.metadata.labels ?? {}) };
  for (const l of WAYPOINT_LABELS) {
    if (before.metadata.labels?.[l] !== undefined) labels[l] = before.metadata.labels[l];
    else delete labels[l];
  }
  const spec = { ...m.spec };
  if (before.spec?.selector !== undefined) spec.selector = before.spec.selector;
  else delete spec.selector;
  return {
    ...m,
    metadata: { ...m.metadata, ...(Object.keys(labels).length > 0 || m.metadata.labels ? { labels } : {}) },
    spec,
  };
}
/** `m` without the labels that choose a waypoint. */
function withoutWaypoint(m: Manifest): Manifest {
  const labels = Object.fromEntries(
    Object.entries(m.metadata.labels ?? {}).filter(([k]) => !WAYPOINT_LABELS.includes(k)),
  );
  return { ...m, metadata: { ...m.metadata, labels } };
}

/** Kinds a pod reads while it runs: removed only once no running pod reads them. */
const READ_BY_PODS = ['ServiceAccount', 'Secret', 'ExternalSecret', 'ConfigMap'];

/** Objects that move traffic: Istio Gateways and VirtualServices, Gateway API routes. */
const routing = (m: Manifest) =>
  (m.apiVersion.startsWith(ISTIO) && (isKind(m, 'VirtualService') || isKind(m, 'Gateway'))) || isApiRoute(m);
const tightening = (m: Manifest) => isKind(m, 'PeerAuthentication') && m.spec?.mtls?.mode === 'STRICT';
const narrowing = (m: Manifest) =>
  ['Service', 'DestinationRule', 'AuthorizationPolicy', 'NetworkPolicy'].includes(m.kind) || tightening(m);
// What a running pod reads (its identity, its credentials, its configuration) goes only after
// its last reader: a Secret that ESO garbage-collects with its ExternalSecret, or a deleted
// ServiceAccount, would break the retiring pods while they still drain.
const readByPods = (m: Manifest) => READ_BY_PODS.includes(m.kind);

/** What each step of a transition applies, waits for and removes, before the steps are written. */
export interface TransitionParts {
  readonly diff: StageDiff;
  readonly make: Manifest[];
  readonly relaxRemovals: Manifest[];
  readonly rollouts: Manifest[];
  readonly programmedGateways: Manifest[];
  readonly earlyApply: Manifest[];
  readonly earlyRemove: Manifest[];
  readonly restart: readonly Manifest[];
  readonly switchApply: Manifest[];
  readonly switchRemove: Manifest[];
  readonly breakApply: Manifest[];
  readonly breakRemove: Manifest[];
  readonly retire: Manifest[];
  readonly clean: Manifest[];
}

/** The objects of a transition and the questions its steps ask of them, worked out once for every step. */
interface TransitionContext {
  readonly to: readonly Manifest[];
  readonly diff: StageDiff;
  /** The `from` objects by key. */
  readonly previous: ReadonlyMap<string, Manifest>;
  readonly addedOrChanged: Manifest[];
  /** `objs` in the order of the target stage. */
  readonly ordered: (objs: Manifest[]) => Manifest[];
  readonly widen: (m: Manifest) => Manifest;
  readonly reroutes: (m: Manifest) => boolean;
  readonly restart: RestartOrder;
  readonly restarted: (m: Manifest) => boolean;
  readonly transitional: Manifest[];
  readonly allowances: ReturnType<typeof transitionAllowances>;
  readonly admitsForTransition: (m: Manifest) => boolean;
  readonly keptUntilRetired: (m: Manifest) => boolean;
}

export function transitionParts(from: readonly Manifest[], to: readonly Manifest[]): TransitionParts {
  const c = transitionContext(from, to);
  return {
    diff: c.diff,
    make: makeApply(c),
    relaxRemovals: c.diff.removed.filter((m) => isKind(m, 'PeerAuthentication')),
    rollouts: c.ordered(c.addedOrChanged.filter((m) => isKind(m, 'Deployment') && !c.restarted(m))),
    // A new Gateway API Gateway (an ingress gateway, a waypoint) gets its proxy Deployment from Istio: programmed before anything routes through it.
    programmedGateways: c.ordered(c.diff.added.filter(isApiGateway)),
    ...switchParts(c),
    ...breakParts(c),
  };
}

function transitionContext(from: readonly Manifest[], to: readonly Manifest[]): TransitionContext {
  const diff = diffStages(from, to);
  const previous = new Map(from.map((m) => [objectKey(m), m]));
  const addedOrChanged = [...diff.added, ...diff.changed.map((c) => c.after)];
  const ordered = (objs: Manifest[]) => {
    const chosen = new Set(objs);
    return to.filter((m) => chosen.has(m));
  };
  const reroutes = rerouter(diff, previous);
  // Serving callers restarted with calls to other hosts go after those hosts' routing (restart-order.ts).
  const restart = restartAfterRouting(
    from,
    to,
    diff.changed.map((c) => c.after).filter((m) => isKind(m, 'Deployment')),
  );
  // Pods a moved Service newly sends its callers to admit them until the break (transition-allowances.ts).
  // Pods such a Service newly reaches that no policy selects get one for the transition only.
  // So do pods a new Service selects until they are retired.
  const moved = [...addedOrChanged.filter(reroutes), ...servicesOntoRetiringPods(from, to, diff.added)];
  const transitional = transitionOnlyPolicies(from, to, moved);
  const allowances = transitionAllowances([...from, ...transitional], to, moved);
  return {
    to,
    diff,
    previous,
    addedOrChanged,
    ordered,
    widen: widener(previous),
    reroutes,
    restart,
    restarted: (m) => restart.deployments.includes(m),
    transitional,
    allowances,
    admitsForTransition: (m) => (allowances.get(objectKey(m))?.length ?? 0) > 0,
    // A retiring version's policy at pods a moved Service selects: deleted after the pods (clean step).
    keptUntilRetired: (m) => allowances.has(objectKey(m)),
  };
}

/** Each object widened once (the steps ask for the same widening several times; nothing edits it). */
function widener(previous: ReadonlyMap<string, Manifest>): (m: Manifest) => Manifest {
  const widened = new Map<Manifest, Manifest>();
  return (m) => {
    let w = widened.get(m);
    if (w === undefined) {
      const old = previous.get(objectKey(m));
      widened.set(m, (w = old !== undefined ? union(old, m) : m));
    }
    return w;
  };
}

/**
 * Whether a Service moves traffic. A Service whose selector or waypoint changes: until the switch it keeps its old ones.
 * A new Service that uses a waypoint this plan creates is made without it, and joins it at the switch, once it is programmed.
 */
function rerouter(diff: StageDiff, previous: ReadonlyMap<string, Manifest>): (m: Manifest) => boolean {
  const addedGateways = new Set(diff.added.filter(isApiGateway).map(objectKey));
  const joinsNewWaypoint = (m: Manifest) =>
    isKind(m, 'Service') &&
    !previous.has(objectKey(m)) &&
    addedGateways.has(
      `Gateway ${m.metadata.labels?.[USE_WAYPOINT_NAMESPACE_LABEL] ?? m.metadata.namespace}/${m.metadata.labels?.[USE_WAYPOINT_LABEL]}`,
    );
  return (m) =>
    isKind(m, 'Service') &&
    ((previous.has(objectKey(m)) && serviceRouting(previous.get(objectKey(m))) !== serviceRouting(m)) ||
      joinsNewWaypoint(m));
}

/** How the make step applies `m`: widened, and a Service that moves traffic still routed as before. */
function makeForm(c: TransitionContext, m: Manifest): Manifest {
  return c.reroutes(m) ? withRoutingOf(c.widen(m), c.previous.get(objectKey(m)) ?? withoutWaypoint(m)) : c.widen(m);
}

/** The make step's objects: what the target adds or changes, widened, and every policy that admits the transition's callers. */
function makeApply(c: TransitionContext): Manifest[] {
  const { previous, widen, admitsForTransition } = c;
  const unchangedByWidening = (m: Manifest) =>
    previous.has(objectKey(m)) && jsonEqual(widen(m), previous.get(objectKey(m)));
  const madeOnce = c
    .ordered(
      c.addedOrChanged.filter(
        (m) =>
          !routing(m) &&
          !tightening(m) &&
          !unchangedByWidening(m) &&
          !c.restarted(m) &&
          !(c.reroutes(m) && jsonEqual(makeForm(c, m), previous.get(objectKey(m)))),
      ),
    )
    .map((m) => makeForm(c, m));
  const made = new Set(madeOnce.map(objectKey));
  // Chosen before widening (widening keeps the key): widening every object of the target was a tenth of a large plan.
  const admittingOnly = [
    ...c.to.filter((m) => !made.has(objectKey(m)) && admitsForTransition(m)).map(widen),
    ...c.diff.removed.filter(admitsForTransition),
  ];
  return [...madeOnce, ...admittingOnly, ...c.transitional.filter(admitsForTransition)].map((m) =>
    withAllowances(m, c.allowances),
  );
}

/** The switch and restart steps: the routing of the hosts the restarted callers newly call moves first; the rest once they run. */
function switchParts(
  c: TransitionContext,
): Pick<TransitionParts, 'earlyApply' | 'earlyRemove' | 'restart' | 'switchApply' | 'switchRemove'> {
  const switchAll = c
    .ordered(c.addedOrChanged.filter((m) => routing(m) || c.reroutes(m)))
    .map((m) => (c.reroutes(m) ? c.widen(m) : m));
  const removedRoutes = c.diff.removed.filter((m) => isKind(m, 'VirtualService') || isApiRoute(m));
  const early = (m: Manifest) => c.restart.routesHost(m);
  return {
    earlyApply: switchAll.filter(early),
    earlyRemove: removedRoutes.filter(early),
    restart: c.restart.deployments,
    switchApply: switchAll.filter((m) => !early(m)),
    switchRemove: removedRoutes.filter((m) => !early(m)),
  };
}

/** The break, retire and clean steps: the target exactly, then the retired Deployments, then what only their pods read. */
function breakParts(c: TransitionContext): Pick<TransitionParts, 'breakApply' | 'breakRemove' | 'retire' | 'clean'> {
  const { diff, widen, admitsForTransition, keptUntilRetired } = c;
  const targetDeployments = new Set(c.to.filter((m) => isKind(m, 'Deployment')).map((m) => m.metadata.name));
  const transitionalMade = c.transitional.filter(admitsForTransition);
  const outlivesItsPods = (m: Manifest) => !targetDeployments.has(m.metadata.name);
  const breakApply = c
    .ordered([...c.addedOrChanged.filter(narrowing), ...c.to.filter(admitsForTransition)])
    .filter((m) => !jsonEqual(widen(m), m) || tightening(m) || admitsForTransition(m));
  // A retiring version's policy at pods a moved Service selects stays until those pods are gone.
  const breakRemove = diff.removed
    .filter(
      (m) =>
        !['VirtualService', 'PeerAuthentication', 'Deployment', 'PersistentVolumeClaim', 'Namespace'].includes(
          m.kind,
        ) &&
        !isApiRoute(m) &&
        !readByPods(m) &&
        !keptUntilRetired(m),
    )
    .concat(transitionalMade.filter((m) => !outlivesItsPods(m)));
  const retire = diff.removed.filter((m) => isKind(m, 'Deployment'));
  const clean = diff.removed
    .filter((m) => readByPods(m) || keptUntilRetired(m))
    .concat(transitionalMade.filter(outlivesItsPods));
  return { breakApply, breakRemove, retire, clean };
}
