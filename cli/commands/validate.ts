import { existsSync, readdirSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { analyzeMesh, checkTransition, planTransition, RELEASE_CONTEXT_FILE, SchemaRegistry, schemaSources } from '../../lib';
import { ParsedArgs, UsageError, value } from '../args';
import { distDir, loadFiles, loadStage, ManifestSet, meshContextOptions, stageNames } from '../inputs';
import { Io } from '../io';

/** One message of `validate -o json`, shaped like `istioctl analyze -o json`. */
export interface ValidationMessage {
  readonly code: string;
  readonly level: 'Error' | 'Warning' | 'Info';
  /** `Kind namespace/name`. */
  readonly origin: string;
  /** Path of the offending field. */
  readonly field: string;
  readonly message: string;
  /** The stage (or files) it was found in, or `<from> → <to>` for a transition. */
  readonly stage: string;
}

/** Project codes of the messages validate adds to the analyzer's. */
const SCHEMA_VIOLATION = 'VM0100';
const UNSAFE_TRANSITION = 'VM0200';
const LEVELS = ['Info', 'Warning', 'Error'];

export function validate(args: ParsedArgs, io: Io): number {
  const files = args.options.get('filename') ?? [];
  if (files.length > 0 && args.positional.length > 0) throw new UsageError('name stages or give -f files, not both');
  const dir = distDir(args, io.cwd);
  const all = files.length > 0 ? [] : stageNames(dir, io.cwd);
  if (files.length === 0 && all.length === 0) throw new UsageError(`nothing to validate: ${dir} holds no *.k8s.yaml stage file. Run voting-mesh synth, or give files with -f`);
  const sets: ManifestSet[] = files.length > 0 ? fileSets(files, io.cwd) : (args.positional.length > 0 ? args.positional : all).map((s) => loadStage(dir, s, io.cwd));
  const registry = SchemaRegistry.load(schemaSources(io.env, io.cwd));
  const json = value(args, 'output') === 'json';
  const messages: ValidationMessage[] = [];
  const text: string[] = [];
  for (const set of sets) {
    const violations = registry.validateAll(set.objects);
    const context = meshContextOptions(args, set);
    const findings = analyzeMesh(set.objects, { ...context, ...(context.ingressGateway ? { meshConfig: { ingressGateway: context.ingressGateway } } : {}) });
    const own: ValidationMessage[] = [
      ...violations.map((v) => ({ code: SCHEMA_VIOLATION, level: 'Error' as const, origin: v.object, field: v.path, message: v.message, stage: set.name })),
      ...findings.map((f) => ({ code: f.code, level: f.level, origin: f.object, field: f.field, message: f.message, stage: set.name })),
    ];
    messages.push(...own);
    const failed = violations.length + findings.filter((f) => f.level === 'Error').length;
    text.push(`${set.name}: ${set.objects.length} objects, ${violations.length} schema error(s), ${findings.length} finding(s)${failed === 0 ? ' ✓' : ''}`);
    for (const v of violations) text.push(`  schema [error] ${v.object} ${v.path}: ${v.message}`);
    for (const f of findings) text.push(`  ${f.code} [${f.level}] ${f.object} ${f.field}: ${f.message}`);
  }
  if (files.length === 0 && args.positional.length === 0) {
    const byName = new Map(sets.map((s) => [s.name, s.objects]));
    for (let i = 0; i + 1 < all.length; i++) {
      for (const [from, to] of [[all[i], all[i + 1]], [all[i + 1], all[i]]]) {
        const plan = planTransition(from, byName.get(from)!, to, byName.get(to)!);
        const problems = checkTransition(byName.get(from)!, plan, meshContextOptions(args, sets[0]).clusterDomain);
        const stage = `${from} → ${to}`;
        messages.push(...problems.map((p) => ({ code: UNSAFE_TRANSITION, level: 'Error' as const, origin: p.origin, field: `step ${p.step} (${p.kind})`, message: p.message, stage })));
        text.push(`${stage}: ${plan.steps.length} steps, ${problems.length === 0 ? 'traffic never routed to a missing subset, port or pod ✓' : `${problems.length} problem(s)`}`);
        for (const p of problems) text.push(`  step ${p.step} (${p.kind}): ${p.message}`);
      }
    }
  }
  const threshold = LEVELS.indexOf(value(args, 'failure-threshold') ?? 'Error');
  const failing = messages.filter((m) => LEVELS.indexOf(m.level) >= threshold).length;
  if (json) {
    io.out(JSON.stringify(messages, null, 2));
  } else {
    const errors = messages.filter((m) => m.level === 'Error').length;
    text.push(failing === 0 ? 'valid' : `${failing} ${errors === failing ? 'error(s)' : 'message(s) at or above the failure threshold'}`);
    io.out(text.join('\n'));
  }
  return failing === 0 ? 0 : 1;
}

/**
 * The sets `-f` names: the files and directories given, as one set; but a directory that holds a
 * synthesized release (its mesh-context.json beside the stage files, as synth writes it, in each
 * flavour's directory) gives one set per stage file, with the cluster facts recorded there, since its
 * stages are alternatives, not one cluster.
 */
function fileSets(paths: readonly string[], cwd: string): ManifestSet[] {
  const releaseDir = (p: string) => existsSync(p) && statSync(p).isDirectory() && existsSync(join(p, RELEASE_CONTEXT_FILE));
  const stagesUnder = (d: string): string[] => readdirSync(d).sort().flatMap((e) => {
    const child = join(d, e);
    if (statSync(child).isDirectory()) return releaseDir(child) ? stagesUnder(child) : [];
    return e.endsWith('.k8s.yaml') ? [child] : [];
  });
  const releases = paths.filter((p) => releaseDir(resolve(cwd, p)));
  const others = paths.filter((p) => !releases.includes(p));
  return [...(others.length > 0 ? [loadFiles(others, cwd)] : []), ...releases.flatMap((r) => stagesUnder(resolve(cwd, r)).map((f) => ({ ...loadStage(dirname(f), f, cwd), name: relative(cwd, f) })))];
}
