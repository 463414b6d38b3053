import { writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
// The modules themselves, not the package entry point (see explain.ts).
import type { TransitionPlan } from '../../lib/release/plan';
import { formatPlan, planTransition } from '../../lib/release/plan';
import type { TransitionProblem } from '../../lib/release/transition-check';
import { checkTransition } from '../../lib/release/transition-check';
import type { ResolvedGate } from '../../lib/release/gates/gates';
import { fsStep } from '../../lib/release/fs-errors';
import { toYaml } from '../../lib/release/yaml-writer';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';
import type { ManifestSet } from '../inputs';
import { distDir, loadStage, meshContextOptions } from '../inputs';
import type { Io } from '../io';
import { Progress } from '../progress';
import type { planGitops as PlanGitops } from './plan-gitops';
import { writePlanDirectory } from './plan-output';
import { gateLines, gatesBeside, kubectlRollback } from './plan-gates';

/** The rollback plan written beside the step files when the target has metric gates. */
type Rollback = { lines: string[]; problems: number };

/** Writes the step files (and, with gates, the rollback) through a staging directory; their paths, by step. */
function writeStepFiles(
  args: ParsedArgs,
  io: Io,
  from: ManifestSet,
  to: ManifestSet,
  p: TransitionPlan,
  out: string,
  gates: readonly ResolvedGate[],
  progress: Progress,
): { files: (string | undefined)[]; rollback: Rollback | undefined } {
  let files: (string | undefined)[] = p.steps.map(() => undefined);
  let rollback: Rollback | undefined;
  progress.update(
    `plan ${from.name} → ${to.name}: writing the step files${gates.length > 0 ? ' and the rollback' : ''}`,
  );
  try {
    writePlanDirectory(out, args, io, (staging, shown) => {
      if (gates.length > 0)
        rollback = kubectlRollback(from, to, staging, out, io.cwd, meshContextOptions(args, from).clusterDomain);
      files = p.steps.map((step, i) => {
        if (step.apply.length === 0) return undefined;
        const name = `${String(i + 1).padStart(2, '0')}-${step.kind}.yaml`;
        fsStep('write', join(shown, name), () => writeFileSync(join(staging, name), toYaml(...step.apply)));
        return relative(io.cwd, join(out, name));
      });
    });
  } finally {
    // A refusal is printed on a line of its own, not after the progress line.
    progress.done();
  }
  return { files, rollback };
}

/** The transition check's lines: each problem and what was (not) written, or the all-clear for the APIs in use. */
function checkLines(
  problems: readonly TransitionProblem[],
  write: boolean,
  shownOut: string,
  from: ManifestSet,
  to: ManifestSet,
): string[] {
  const lines: string[] = [];
  for (const x of problems) lines.push(`transition check: step ${x.step} (${x.kind}): ${x.message}`);
  if (problems.length > 0) {
    lines.push(
      write
        ? `transition check failed; the step files were written anyway (--allow-failing-checks) into ${shownOut}`
        : `transition check failed: no step file was written (${shownOut} left as it was); fix the stages, or write them anyway with --allow-failing-checks`,
    );
  }
  const gatewayApi = [...from.objects, ...to.objects].some(
    (m) => m.kind === 'HTTPRoute' && String(m.apiVersion).startsWith('gateway.networking.k8s.io/'),
  );
  if (problems.length === 0) {
    lines.push(
      gatewayApi
        ? 'transition check: at no moment does a VirtualService or HTTPRoute route to a missing Service, subset, port or pod, a Service lose its ready pods, or a waypoint or Gateway go unprogrammed.'
        : 'transition check: at no moment does a VirtualService route to a missing subset, port or pod.',
    );
  }
  return lines;
}

export function plan(args: ParsedArgs, io: Io): number {
  if (args.positional.length !== 2)
    throw new UsageError(`expected <from-stage> and <to-stage>, got ${args.positional.length} argument(s)`);
  const dir = distDir(args, io.cwd);
  // The second stage's objects alike the first's are not read again (cli/inputs.ts loadStage).
  const shared = new Map<string, unknown>();
  const [from, to] = args.positional.map((p) => loadStage(dir, p, io.cwd, shared));
  if (from.files[0] === to.files[0]) throw new UsageError(`<from-stage> and <to-stage> are both '${from.name}'`);
  const format = value(args, 'format') ?? 'kubectl';
  // Argo CD and Flux: the series of complete states (./plan-gitops.ts); kubectl: the step script below.
  if (format === 'argocd' || format === 'flux') {
    // Loaded for these formats only: it loads the schema registry, which a kubectl plan never uses.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: a kubectl plan must not load the schema registry
    const { planGitops } = require('./plan-gitops') as { planGitops: typeof PlanGitops };
    return planGitops(
      args,
      io,
      format,
      from,
      to,
      resolve(io.cwd, value(args, 'outdir') ?? join('.voting-mesh', 'plans', `${from.name}--${to.name}.${format}`)),
    );
  }
  const out = resolve(io.cwd, value(args, 'outdir') ?? join('.voting-mesh', 'plans', `${from.name}--${to.name}`));
  const progress = Progress.of(io);
  const p = planTransition(from.name, from.objects, to.name, to.objects);
  progress.update(`plan ${from.name} → ${to.name}: replaying the ${p.steps.length} steps`);
  // The plan's own check runs first: step files of a plan that could drop traffic are not written, unless asked for.
  const problems = checkTransition(from.objects, p, meshContextOptions(args, from).clusterDomain);
  const write = problems.length === 0 || value(args, 'allow-failing-checks') !== undefined;
  // A target with metric gates: the reverse plan, for a failed gate, goes into rollback/ (./plan-gates.ts).
  const gates = gatesBeside(to, from);
  const { files, rollback } = write
    ? writeStepFiles(args, io, from, to, p, out, gates, progress)
    : { files: p.steps.map(() => undefined), rollback: undefined };
  // Whole values where the output is read by a program or a file; shortened only on a terminal.
  progress.done();
  const lines = [formatPlan(p, { files, stageFile: to.files[0] }, { shorten: io.stdoutIsTTY === true }), ''];
  lines.push(...checkLines(problems, write, relative(io.cwd, out), from, to));
  if (rollback)
    lines.push(
      '',
      ...gateLines(to, gates, `the rollback below (${relative(io.cwd, join(out, 'rollback')) || '.'}/)`),
      ...rollback.lines,
    );
  // --quiet: only the problems (the step files are written all the same).
  const shown = io.quiet ? lines.filter((l) => /^(rollback )?transition check(: step | failed)/.test(l)) : lines;
  if (shown.length > 0) io.out(shown.join('\n'));
  return problems.length + (rollback?.problems ?? 0) === 0 ? 0 : 1;
}
