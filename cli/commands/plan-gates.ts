import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join, relative } from 'path';
// The modules themselves, not the package entry point (see explain.ts).
import { formatPlan, planTransition } from '../../lib/release/plan';
import { checkTransition } from '../../lib/release/transition-check';
import type { GatesFile } from '../../lib/release/gates/gate-notes';
import { GATES_FILE } from '../../lib/release/gates/gate-notes';
import type { ResolvedGate } from '../../lib/release/gates/gates';
import { toYaml } from '../../lib/release/yaml-writer';
import type { ManifestSet } from '../inputs';

/**
 * The gates recorded for the target `stage` in the gates.json beside its file, when the move is
 * forward (stages are numbered: `to` sorts after `from`); a move back (itself a rollback) has none.
 */
export function gatesBeside(stage: ManifestSet, from: ManifestSet): ResolvedGate[] {
  const file = join(dirname(stage.files[0]), GATES_FILE);
  // The file first: the first localeCompare of a process sets up ICU's collator (measured: 7–13 ms,
  // 2% of a 300-service plan), which a release without gates then never needs.
  if (!existsSync(file) || stage.name.localeCompare(from.name) <= 0) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as GatesFile).gates.filter((g) => g.stage === stage.name);
}

/** The lines that run the target's gates: promote, wait, or roll back (with what). */
export function gateLines(to: ManifestSet, gates: readonly ResolvedGate[], rollback: string): string[] {
  return [
    `gate: ${gates.map((g) => `${g.name} (${g.target})`).join(', ')} must pass before ${to.name} is promoted:`,
    `   voting-mesh gate ${to.name} --prometheus "$PROMETHEUS_URL"    # exit 0 promote; 3 not enough data: ask again later; 1 roll back: ${rollback}`,
  ];
}

/**
 * The reverse plan a failed gate runs (to → from), as kubectl steps: its step files written to
 * `<staging>/rollback/`, its text and its own transition check. `out` is where staging is published.
 */
export function kubectlRollback(
  from: ManifestSet,
  to: ManifestSet,
  staging: string,
  out: string,
  cwd: string,
  clusterDomain?: string,
): { lines: string[]; problems: number } {
  const back = planTransition(to.name, to.objects, from.name, from.objects);
  mkdirSync(join(staging, 'rollback'), { recursive: true });
  const files = back.steps.map((step, i) => {
    if (step.apply.length === 0) return undefined;
    const name = `${String(i + 1).padStart(2, '0')}-${step.kind}.yaml`;
    writeFileSync(join(staging, 'rollback', name), toYaml(...step.apply));
    return relative(cwd, join(out, 'rollback', name));
  });
  const problems = checkTransition(to.objects, back, clusterDomain);
  // The reverse diff is the forward one read backwards: only its steps are printed.
  const text = formatPlan(back, { files, stageFile: from.files[0] }).split('\n');
  const lines = [
    '',
    `rollback ${back.from} → ${back.to} (run when the gate exits 1), ${text.slice(text.indexOf('steps (make before break):')).join('\n')}`,
  ];
  for (const x of problems) lines.push(`rollback transition check: step ${x.step} (${x.kind}): ${x.message}`);
  if (problems.length === 0)
    lines.push('rollback transition check: the reverse plan, too, never routes to a missing subset, port or pod.');
  return { lines, problems: problems.length };
}
