import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { parse } from 'yaml';
import { analyzeMesh, analyzerMeshConfig, AnalyzerMeshConfig, checkTransition, planTransition, SchemaRegistry, schemaSources } from '../../lib';
import { ParsedArgs, UsageError, value } from '../args';
import { inputLimits } from '../input-limits';
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
  const sets: ManifestSet[] = files.length > 0 ? [loadFiles(files, io.cwd, inputLimits(args), (l) => io.err(l))] : (args.positional.length > 0 ? args.positional : all).map((s) => loadStage(dir, s, io.cwd));
  const registry = SchemaRegistry.load(schemaSources(io.env, io.cwd));
  const json = value(args, 'output') === 'json';
  const meshConfig = meshConfigOption(args, io.cwd);
  const messages: ValidationMessage[] = [];
  const text: string[] = [];
  for (const set of sets) {
    const violations = registry.validateAll(set.objects);
    const context = meshContextOptions(args, set);
    const findings = analyzeMesh(set.objects, { ...context, meshConfig: { ...meshConfig, ...(context.ingressGateway ? { ingressGateway: context.ingressGateway } : {}) } });
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

/** `--mesh-config <file>`: the analyzer settings of an Istio MeshConfig document (none without it). */
function meshConfigOption(args: ParsedArgs, cwd: string): AnalyzerMeshConfig {
  const file = value(args, 'mesh-config');
  if (file === undefined) return {};
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new UsageError(`--mesh-config ${file}: no such file; give an Istio MeshConfig YAML (the 'mesh' key of the istio ConfigMap)`);
  try {
    return analyzerMeshConfig(parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new UsageError(`--mesh-config ${file}: not YAML (${(err as Error).message.split('\n')[0]}); give an Istio MeshConfig YAML`);
  }
}

