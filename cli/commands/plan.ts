import { writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { checkTransition, formatPlan, planTransition } from '../../lib';
import { assertReplaceable, createStaging, discardStaging, lockOutput, publishStaging, recoverOutput } from '../../lib/release/output-dir';
import { fsStep } from '../../lib/release/fs-errors';
import { toYaml } from '../../lib/release/yaml-writer';
import { ParsedArgs, UsageError, value } from '../args';
import { distDir, loadStage, meshContextOptions } from '../inputs';
import { Io } from '../io';

export function plan(args: ParsedArgs, io: Io): number {
  if (args.positional.length !== 2) throw new UsageError(`expected <from-stage> and <to-stage>, got ${args.positional.length} argument(s)`);
  const dir = distDir(args, io.cwd);
  const [from, to] = args.positional.map((p) => loadStage(dir, p, io.cwd));
  if (from.files[0] === to.files[0]) throw new UsageError(`<from-stage> and <to-stage> are both '${from.name}'`);
  const out = resolve(io.cwd, value(args, 'out') ?? join('.voting-mesh', 'plans', `${from.name}--${to.name}`));
  const shown = relative(io.cwd, out) || '.';
  const replace = { cwd: io.cwd, owner: 'plan' as const, force: value(args, 'force') !== undefined };
  assertReplaceable(out, '--out', replace);
  const p = planTransition(from.name, from.objects, to.name, to.objects);
  const release = lockOutput(out, 'plan', shown);
  let staging: string | undefined;
  let files: (string | undefined)[];
  try {
    for (const line of recoverOutput(out, shown)) io.err(`note: ${line}`);
    staging = createStaging(out);
    files = p.steps.map((step, i) => {
      if (step.apply.length === 0) return undefined;
      const name = `${String(i + 1).padStart(2, '0')}-${step.kind}.yaml`;
      fsStep('write', join(shown, name), () => writeFileSync(join(staging!, name), toYaml(...step.apply)));
      return relative(io.cwd, join(out, name));
    });
    for (const w of publishStaging(staging, out, '--out', replace)) io.err(`warning: ${w}`);
  } finally {
    if (staging !== undefined) discardStaging(staging);
    release();
  }
  const problems = checkTransition(from.objects, p, meshContextOptions(args, from).clusterDomain);
  const lines = [formatPlan(p, { files, stageFile: to.files[0] }), ''];
  for (const x of problems) lines.push(`transition check: step ${x.step} (${x.kind}): ${x.message}`);
  const gatewayApi = [...from.objects, ...to.objects].some((m) => m.kind === 'HTTPRoute' && String(m.apiVersion).startsWith('gateway.networking.k8s.io/'));
  if (problems.length === 0) {
    lines.push(gatewayApi
      ? 'transition check: at no moment does a VirtualService or HTTPRoute route to a missing Service, subset, port or pod, a Service lose its ready pods, or a waypoint or Gateway go unprogrammed.'
      : 'transition check: at no moment does a VirtualService route to a missing subset, port or pod.');
  }
  io.out(lines.join('\n'));
  return problems.length === 0 ? 0 : 1;
}
