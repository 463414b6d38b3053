import type { Manifest } from '../../analysis/manifest';
import type { TransitionPlan } from '../plan';
import type { GitOpsFile, GitOpsOptions } from './engines';
import { argoApplication, fluxKustomization, stateObjects } from './engines';
import type { DesiredState } from './states';

/** The states of a transition as files for one engine, and how to run them. */
export interface GitOpsSeries {
  readonly files: readonly GitOpsFile[];
  /** README.md of the output: the states in order and how to advance. */
  readonly readme: string;
}

/**
 * The files of a series: `states/<state>/manifests.yaml` (the complete state as the engine syncs
 * it) and, per state, the engine object that syncs it (`argocd/<state>.yaml`, an Application;
 * `flux/<state>.yaml`, a Kustomization). Advancing is one commit per state: commit the next
 * engine object (it moves `path`) once the current state is healthy and its gate passed.
 */
export function gitopsSeries(plan: TransitionPlan, states: readonly DesiredState[], o: GitOpsOptions): GitOpsSeries {
  const files: GitOpsFile[] = [];
  for (const s of states) {
    files.push({ path: `states/${s.name}/manifests.yaml`, objects: stateObjects(s, o) });
    const engineObject: Manifest = o.engine === 'argocd' ? argoApplication(s, o) : fluxKustomization(s, o);
    files.push({ path: `${o.engine}/${s.name}.yaml`, objects: [engineObject] });
  }
  return { files, readme: seriesReadme(plan, states, o) };
}

function seriesReadme(plan: TransitionPlan, states: readonly DesiredState[], o: GitOpsOptions): string {
  const engine = o.engine === 'argocd' ? 'Argo CD Application' : 'Flux Kustomization';
  const ready =
    o.engine === 'argocd'
      ? `\`argocd app wait ${o.name} --sync --health --operation\``
      : `\`flux reconcile kustomization ${o.name} --with-source\` then \`kubectl -n flux-system wait kustomization/${o.name} --for=condition=Ready --timeout=15m\``;
  const lines = [
    `# ${plan.from} → ${plan.to} as ${states.length} desired states (${engine})`,
    '',
    'Each `states/<state>/` directory is one complete desired state, safe to sync as a whole with prune.',
    `\`voting-mesh plan ${plan.from} ${plan.to} --format ${o.engine}\` proved every consecutive pair drop-free with the transition check.`,
    '',
    `Advance one commit per state: commit \`${o.engine}/<state>.yaml\` as the ${engine} \`${o.name}\` (the same object each time, its path moves),`,
    `wait until it is synced and healthy (${ready}), run the state's gate (\`voting-mesh gate\`, see docs/progressive-delivery.md), then commit the next.`,
    'A failed gate: commit the states of the reverse plan (`voting-mesh plan <to> <from> --format ...`) instead.',
    '',
    '| # | state | what it does | prunes | route wait |',
    '|---|---|---|---|---|',
    ...states.map(
      (s, i) =>
        `| ${i} | \`${s.name}\` | ${s.title.replace(/\|/g, '\\|')} | ${s.prunes ? (o.engine === 'argocd' ? 'yes (PruneLast)' : 'yes') : 'no'} | ${s.movesTraffic ? (o.routeWait ?? 'delay') : '—'} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
