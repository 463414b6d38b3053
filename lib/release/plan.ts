import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../analysis/ambient-mode';
import { jsonEqual } from '../analysis/json-equal';
import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import { isGatewayApi } from '../analysis/routing/gateway-api-match';
import type { StageDiff } from './diff';
import { diffStages, formatChange } from './diff';
import { restartAfterRouting } from './restart-order';
import { transitionAllowances, transitionOnlyPolicies, withAllowances } from './transition-allowances';
import { union } from './stage-union';

export { union } from './stage-union';

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

const ISTIO = 'networking.istio.io/';
/** Gateway API route kinds: like VirtualServices, they move traffic (switch) and are removed before what they route to. */
const API_ROUTES = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
const isApiRoute = (m: Manifest) => API_ROUTES.some((kind) => isGatewayApi(m, kind));
const isApiGateway = (m: Manifest) => isGatewayApi(m, 'Gateway');
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
const isKind = (m: Manifest, kind: string) => m.kind === kind;

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

/** What each step of a transition applies, waits for and removes, before the steps are written. */
interface TransitionParts {
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

function transitionParts(from: readonly Manifest[], to: readonly Manifest[]): TransitionParts {
  const diff = diffStages(from, to);
  const previous = new Map(from.map((m) => [objectKey(m), m]));
  const addedOrChanged = [...diff.added, ...diff.changed.map((c) => c.after)];
  const ordered = (objs: Manifest[]) => {
    const chosen = new Set(objs);
    return to.filter((m) => chosen.has(m));
  };
  // Each object widened once (the predicates below ask for the same widening several times; nothing edits it).
  const widened = new Map<Manifest, Manifest>();
  const widen = (m: Manifest) => {
    let w = widened.get(m);
    if (w === undefined) {
      const old = previous.get(objectKey(m));
      widened.set(m, (w = old !== undefined ? union(old, m) : m));
    }
    return w;
  };

  const routing = (m: Manifest) =>
    (m.apiVersion.startsWith(ISTIO) && (isKind(m, 'VirtualService') || isKind(m, 'Gateway'))) || isApiRoute(m);
  // A Service whose selector or waypoint changes moves traffic: until the switch it keeps its old ones.
  // A new Service that uses a waypoint this plan creates is made without it, and joins it at the switch, once it is programmed.
  const addedGateways = new Set(diff.added.filter(isApiGateway).map(objectKey));
  const joinsNewWaypoint = (m: Manifest) =>
    isKind(m, 'Service') &&
    !previous.has(objectKey(m)) &&
    addedGateways.has(
      `Gateway ${m.metadata.labels?.[USE_WAYPOINT_NAMESPACE_LABEL] ?? m.metadata.namespace}/${m.metadata.labels?.[USE_WAYPOINT_LABEL]}`,
    );
  const reroutes = (m: Manifest) =>
    isKind(m, 'Service') &&
    ((previous.has(objectKey(m)) && serviceRouting(previous.get(objectKey(m))) !== serviceRouting(m)) ||
      joinsNewWaypoint(m));
  const routedBefore = (m: Manifest) => previous.get(objectKey(m)) ?? withoutWaypoint(m);
  const tightening = (m: Manifest) => isKind(m, 'PeerAuthentication') && m.spec?.mtls?.mode === 'STRICT';
  const narrowing = (m: Manifest) =>
    ['Service', 'DestinationRule', 'AuthorizationPolicy', 'NetworkPolicy'].includes(m.kind) || tightening(m);

  const unchangedByWidening = (m: Manifest) =>
    previous.has(objectKey(m)) && jsonEqual(widen(m), previous.get(objectKey(m)));
  const makeForm = (m: Manifest) => (reroutes(m) ? withRoutingOf(widen(m), routedBefore(m)) : widen(m));
  // Serving callers restarted with calls to other hosts go after those hosts' routing (restart-order.ts).
  const restart = restartAfterRouting(
    from,
    to,
    diff.changed.map((c) => c.after).filter((m) => isKind(m, 'Deployment')),
  );
  const restarted = (m: Manifest) => restart.deployments.includes(m);
  // Pods a moved Service newly sends its callers to admit them until the break (transition-allowances.ts).
  // Pods such a Service newly reaches that no policy selects get one for the transition only.
  const transitional = transitionOnlyPolicies(from, to, addedOrChanged.filter(reroutes));
  const allowances = transitionAllowances([...from, ...transitional], to, addedOrChanged.filter(reroutes));
  const admitsForTransition = (m: Manifest) => (allowances.get(objectKey(m))?.length ?? 0) > 0;
  // A retiring version's policy at pods a moved Service selects: deleted after the pods (clean step).
  const keptUntilRetired = (m: Manifest) => allowances.has(objectKey(m));
  const madeOnce = ordered(
    addedOrChanged.filter(
      (m) =>
        !routing(m) &&
        !tightening(m) &&
        !unchangedByWidening(m) &&
        !restarted(m) &&
        !(reroutes(m) && jsonEqual(makeForm(m), previous.get(objectKey(m)))),
    ),
  ).map(makeForm);
  const made = new Set(madeOnce.map(objectKey));
  // Chosen before widening (widening keeps the key): widening every object of the target was a tenth of a large plan.
  const admittingOnly = [
    ...to.filter((m) => !made.has(objectKey(m)) && admitsForTransition(m)).map(widen),
    ...diff.removed.filter(admitsForTransition),
  ];
  const make = [...madeOnce, ...admittingOnly, ...transitional.filter(admitsForTransition)].map((m) =>
    withAllowances(m, allowances),
  );
  const targetDeployments = new Set(to.filter((m) => isKind(m, 'Deployment')).map((m) => m.metadata.name));
  const transitionalMade = transitional.filter(admitsForTransition);
  const outlivesItsPods = (m: Manifest) => !targetDeployments.has(m.metadata.name);
  const rollouts = ordered(addedOrChanged.filter((m) => isKind(m, 'Deployment') && !restarted(m)));
  // A new Gateway API Gateway (an ingress gateway, a waypoint) gets its proxy Deployment from Istio: programmed before anything routes through it.
  const programmedGateways = ordered(diff.added.filter(isApiGateway));
  const relaxRemovals = diff.removed.filter((m) => isKind(m, 'PeerAuthentication'));
  const switchAll = ordered(addedOrChanged.filter((m) => routing(m) || reroutes(m))).map((m) =>
    reroutes(m) ? widen(m) : m,
  );
  const removedRoutes = diff.removed.filter((m) => isKind(m, 'VirtualService') || isApiRoute(m));
  // The routing of the hosts the restarted callers newly call moves first; the rest once they run.
  const early = (m: Manifest) => restart.routesHost(m);
  const switchApply = switchAll.filter((m) => !early(m));
  const switchRemove = removedRoutes.filter((m) => !early(m));
  const breakApply = ordered([...addedOrChanged.filter(narrowing), ...to.filter(admitsForTransition)]).filter(
    (m) => !jsonEqual(widen(m), m) || tightening(m) || admitsForTransition(m),
  );
  // What a running pod reads (its identity, its credentials, its configuration) goes only after
  // its last reader: a Secret that ESO garbage-collects with its ExternalSecret, or a deleted
  // ServiceAccount, would break the retiring pods while they still drain.
  const readByPods = (m: Manifest) => READ_BY_PODS.includes(m.kind);
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

  return {
    diff,
    make,
    relaxRemovals,
    rollouts,
    programmedGateways,
    earlyApply: switchAll.filter(early),
    earlyRemove: removedRoutes.filter(early),
    restart: restart.deployments,
    switchApply,
    switchRemove,
    breakApply,
    breakRemove,
    retire,
    clean,
  };
}

function planSteps(p: TransitionParts): PlanStep[] {
  const {
    make,
    relaxRemovals,
    rollouts,
    programmedGateways,
    switchApply,
    switchRemove,
    breakApply,
    breakRemove,
    retire,
    clean,
  } = p;
  return [
    {
      kind: 'make',
      title:
        'Add what the target needs before traffic moves (workloads, claims, Service ports, subsets, widened policies, relaxed mTLS); no route uses it yet',
      apply: make,
      waitFor: [],
      remove: relaxRemovals,
    },
    {
      kind: 'wait',
      title: `Wait until every new or changed Deployment is rolled out and ready${programmedGateways.length > 0 ? ', and every new Gateway API Gateway (ingress or waypoint) is programmed' : ''}`,
      apply: [],
      waitFor: [...rollouts, ...programmedGateways],
      remove: [],
    },
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
      title: [...switchApply, ...switchRemove].some((m) => isApiRoute(m) || isKind(m, 'Service'))
        ? 'Switch traffic: apply the target Gateways, VirtualServices, HTTPRoutes and the selectors and waypoints of Services that move traffic; remove routes the target no longer has'
        : 'Switch traffic: apply the target Gateways and VirtualServices',
      apply: switchApply,
      waitFor: [],
      remove: switchRemove,
    },
    {
      kind: 'break',
      title: 'Drop subsets, ports and allowances no route uses any more; tighten mTLS',
      apply: breakApply,
      waitFor: [],
      remove: breakRemove,
    },
    {
      kind: 'retire',
      title: 'Retire the Deployments that no longer receive traffic',
      apply: [],
      waitFor: [],
      remove: retire,
    },
    {
      kind: 'clean',
      title:
        'Delete what only the retired pods read (ServiceAccounts, Secrets, ExternalSecrets, ConfigMaps), after their last reader',
      apply: [],
      waitFor: [],
      remove: clean,
    },
  ];
}

/** Where the plan's files live, for the printed commands. */
export interface PlanFiles {
  /** The file written for each step's `apply` (undefined for steps without one). */
  readonly files: readonly (string | undefined)[];
  /** The target stage file, for the final prune. */
  readonly stageFile: string;
}

const resource = (m: Manifest) =>
  `${m.kind.toLowerCase()}${m.apiVersion.includes('/') && !m.apiVersion.startsWith('apps/') ? `.${m.apiVersion.split('/')[0]}` : ''}/${m.metadata.name}`;

/** How {@link formatPlan} prints. */
export interface FormatPlanOptions {
  /**
   * Shorten for a terminal: at most 12 changes per object and values of at most 100 characters,
   * with a note saying how to see all. @default false (every change, every value whole)
   */
  readonly shorten?: boolean;
}

/** How many changes of one object a shortened plan lists. */
const SHORT_CHANGES = 12;

/** The plan as text: the diff, then numbered steps with the kubectl commands that run them. */
export function formatPlan(plan: TransitionPlan, where: PlanFiles, options: FormatPlanOptions = {}): string {
  const lines = [`plan ${plan.from} → ${plan.to}`, ''];
  lines.push(`added (${plan.added.length}):`, ...plan.added.map((m) => `  + ${objectKey(m)}`));
  lines.push(`changed (${plan.changed.length}):`);
  let shortened = false;
  for (const c of plan.changed) {
    lines.push(`  ~ ${objectKey(c.after)}`);
    const shown = options.shorten ? c.changes.slice(0, SHORT_CHANGES) : c.changes;
    for (const ch of shown) {
      const full = formatChange(ch, { full: true });
      const line = options.shorten ? formatChange(ch) : full;
      shortened ||= line !== full;
      lines.push(`      ${line}`);
    }
    if (c.changes.length > shown.length) {
      shortened = true;
      lines.push(`      … ${c.changes.length - shown.length} more`);
    }
  }
  if (shortened)
    lines.push(
      '  (shortened for the terminal: values cut at 100 characters, at most 12 changes per object; pipe the output, e.g. | less, to see every change whole)',
    );
  lines.push(`removed (${plan.removed.length}):`, ...plan.removed.map((m) => `  - ${objectKey(m)}`));
  lines.push('', 'steps (make before break):');
  plan.steps.forEach((step, i) => {
    lines.push(`${i + 1}. [${step.kind}] ${step.title}`);
    const file = where.files[i];
    if (file) lines.push(`   kubectl apply -f ${file}    # ${step.apply.map(objectKey).join(', ')}`);
    for (const d of step.waitFor) {
      lines.push(
        isApiGateway(d)
          ? `   kubectl -n ${d.metadata.namespace} wait --for=condition=Programmed ${resource(d)} --timeout=10m`
          : `   kubectl -n ${d.metadata.namespace} rollout status deployment/${d.metadata.name} --timeout=10m`,
      );
    }
    const byNs = new Map<string, Manifest[]>();
    const deletions = step.kind === 'retire' ? [] : step.remove;
    for (const m of deletions)
      byNs.set(m.metadata.namespace ?? '', [...(byNs.get(m.metadata.namespace ?? '') ?? []), m]);
    for (const [ns, objs] of byNs)
      lines.push(`   kubectl${ns ? ` -n ${ns}` : ''} delete ${objs.map(resource).join(' ')}`);
    if (step.kind === 'switch') {
      lines.push(
        [...step.apply, ...step.remove].some((m) => isApiRoute(m) || isKind(m, 'Service'))
          ? '   sleep 30    # let every proxy (sidecars, gateways, waypoints, ztunnels) receive the new routes before anything is taken away'
          : '   sleep 30    # let every sidecar receive the new routes before anything is taken away',
      );
    }
    if (step.kind === 'retire') {
      const partOf = step.remove[0]?.metadata.labels?.['app.kubernetes.io/part-of'];
      if (
        partOf !== undefined &&
        step.remove.every((m) => m.metadata.labels?.['app.kubernetes.io/part-of'] === partOf)
      ) {
        lines.push(
          `   kubectl apply -f ${where.stageFile} --prune -l app.kubernetes.io/part-of=${partOf} --prune-allowlist=apps/v1/Deployment` +
            `    # deletes ${step.remove.map((m) => m.metadata.name).join(', ')}`,
        );
      } else {
        lines.push(`   kubectl -n ${step.remove[0].metadata.namespace} delete ${step.remove.map(resource).join(' ')}`);
      }
    }
  });
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
