import { writeFileSync } from 'fs';
import { join, relative, resolve } from 'path';
import { checkTransition, formatPlan, planTransition } from '../../lib';
import { assertReplaceable, createStaging, discardStaging, publishStaging } from '../../lib/release/output-dir';
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
  assertReplaceable(out, '--out', io.cwd, 'plan');
  const p = planTransition(from.name, from.objects, to.name, to.objects);
  // The plan's own check runs first: step files of a plan that could drop traffic are not written, unless asked for.
  const problems = checkTransition(from.objects, p, meshContextOptions(args, from).clusterDomain);
  const write = problems.length === 0 || value(args, 'allow-failing-checks') !== undefined;
  const staging = write ? createStaging(out) : undefined;
  let files: (string | undefined)[] = p.steps.map(() => undefined);
  if (staging) {
    try {
      files = p.steps.map((step, i) => {
        if (step.apply.length === 0) return undefined;
        const name = `${String(i + 1).padStart(2, '0')}-${step.kind}.yaml`;
        writeFileSync(join(staging, name), toYaml(...step.apply));
        return relative(io.cwd, join(out, name));
      });
      publishStaging(staging, out, '--out', 'plan');
    } catch (err) {
      discardStaging(staging);
      throw err;
    }
  }
  const lines = [formatPlan(p, { files, stageFile: to.files[0] }), ''];
  for (const x of problems) lines.push(`transition check: step ${x.step} (${x.kind}): ${x.message}`);
  if (problems.length > 0) {
    lines.push(write ? `transition check failed; the step files were written anyway (--allow-failing-checks) into ${relative(io.cwd, out)}`
      : `transition check failed: no step file was written (${relative(io.cwd, out)} left as it was); fix the stages, or write them anyway with --allow-failing-checks`);
  }
  const gatewayApi = [...from.objects, ...to.objects].some((m) => m.kind === 'HTTPRoute' && String(m.apiVersion).startsWith('gateway.networking.k8s.io/'));
  if (problems.length === 0) {
    lines.push(gatewayApi
      ? 'transition check: at no moment does a VirtualService or HTTPRoute route to a missing Service, subset, port or pod, a Service lose its ready pods, or a waypoint or Gateway go unprogrammed.'
      : 'transition check: at no moment does a VirtualService route to a missing subset, port or pod.');
  }
  io.out(lines.join('\n'));
  return problems.length === 0 ? 0 : 1;
}
