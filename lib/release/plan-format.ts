// The printed form of a transition plan: its diff, then its steps as kubectl commands.
import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import { formatChange } from './diff';
import type { PlanStep, TransitionPlan } from './plan';
import { isApiGateway, isApiRoute, isKind } from './plan-kinds';

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
  lines.push(`changed (${plan.changed.length}):`, ...changedLines(plan, options));
  lines.push(`removed (${plan.removed.length}):`, ...plan.removed.map((m) => `  - ${objectKey(m)}`));
  lines.push('', 'steps (make before break):');
  plan.steps.forEach((step, i) => lines.push(...stepLines(step, i, where)));
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** The changed objects and their changes, with a note when shortening cut any. */
function changedLines(plan: TransitionPlan, options: FormatPlanOptions): string[] {
  const lines: string[] = [];
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
  return lines;
}

/** Step `i` numbered, with its apply, wait, delete, sleep and prune commands. */
function stepLines(step: PlanStep, i: number, where: PlanFiles): string[] {
  const lines = [`${i + 1}. [${step.kind}] ${step.title}`];
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
  for (const m of deletions) byNs.set(m.metadata.namespace ?? '', [...(byNs.get(m.metadata.namespace ?? '') ?? []), m]);
  for (const [ns, objs] of byNs)
    lines.push(`   kubectl${ns ? ` -n ${ns}` : ''} delete ${objs.map(resource).join(' ')}`);
  if (step.kind === 'switch') {
    lines.push(
      [...step.apply, ...step.remove].some((m) => isApiRoute(m) || isKind(m, 'Service'))
        ? '   sleep 30    # let every proxy (sidecars, gateways, waypoints, ztunnels) receive the new routes before anything is taken away'
        : '   sleep 30    # let every sidecar receive the new routes before anything is taken away',
    );
  }
  if (step.kind === 'retire') lines.push(retireLine(step, where));
  return lines;
}

/** The retire step's command: a prune by part-of label when every retired Deployment shares one, else a delete. */
function retireLine(step: PlanStep, where: PlanFiles): string {
  const partOf = step.remove[0]?.metadata.labels?.['app.kubernetes.io/part-of'];
  if (partOf !== undefined && step.remove.every((m) => m.metadata.labels?.['app.kubernetes.io/part-of'] === partOf)) {
    return (
      `   kubectl apply -f ${where.stageFile} --prune -l app.kubernetes.io/part-of=${partOf} --prune-allowlist=apps/v1/Deployment` +
      `    # deletes ${step.remove.map((m) => m.metadata.name).join(', ')}`
    );
  }
  return `   kubectl -n ${step.remove[0].metadata.namespace} delete ${step.remove.map(resource).join(' ')}`;
}
