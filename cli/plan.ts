// npm run plan -- <from> <to> [--out dir] [--dist dir]
// Compares two stages and prints the objects added, changed and removed, then the ordered,
// runnable steps ("make before break") with one manifest file per apply step, and proves that
// no moment of the transition routes to a subset, port or pod that does not exist.
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { Yaml } from 'cdk8s';
import { checkTransition, formatPlan, planTransition } from '../lib';
import { distDir, loadStage, parseArgs, resolveStageName, runCli, UsageError } from './common';

const USAGE = 'npm run plan -- <from-stage> <to-stage> [--out dir] [--dist dir]';

runCli(USAGE, (args) => {
  const { positional, options } = parseArgs(args, ['out', 'dist']);
  if (positional.length !== 2) throw new UsageError(`expected <from-stage> and <to-stage>, got ${positional.length} argument(s)`);
  const dir = distDir(options);
  const [from, to] = positional.map((p) => resolveStageName(dir, p));
  if (from === to) throw new UsageError(`<from-stage> and <to-stage> are both '${from}'`);
  const before = loadStage(dir, from);
  const plan = planTransition(from, before, to, loadStage(dir, to));
  const out = resolve(options.get('out')?.[0] ?? join('.build', 'plans', `${from}--${to}`));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = plan.steps.map((step, i) => {
    if (step.apply.length === 0) return undefined;
    const file = join(out, `${String(i + 1).padStart(2, '0')}-${step.kind}.yaml`);
    writeFileSync(file, Yaml.stringify(...step.apply));
    return relative(process.cwd(), file);
  });
  const problems = checkTransition(before, plan);
  console.log(formatPlan(plan, { files, stageFile: relative(process.cwd(), join(dir, `${to}.k8s.yaml`)) }));
  console.log('');
  if (problems.length > 0) {
    for (const p of problems) console.log(`transition check: step ${p.step} (${p.kind}): ${p.message}`);
    return 1;
  }
  console.log('transition check: at no moment does a VirtualService route to a missing subset, port or pod.');
  return 0;
});
