import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import type { StageDiff } from './diff';
import { formatChange } from './diff';
import { isApiGateway, isApiRoute, isKind } from './plan-kinds';
import type { TransitionParts } from './plan-parts';
import { transitionParts } from './plan-parts';

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
