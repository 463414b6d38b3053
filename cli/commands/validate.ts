import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { parse } from 'yaml';
// The modules themselves, not the package entry point (see explain.ts).
import { analyzeMesh } from '../../lib/analysis/analyzer';
import { analyzerMeshConfig } from '../../lib/analysis/analyzer/mesh-config';
import type { AnalyzerMeshConfig } from '../../lib/analysis/analyzer/context';
import { VM0100, VM0200 } from '../../lib/analysis/analyzer/catalogue';
import { renderMessage } from '../../lib/analysis/analyzer/define-code';
import { SchemaRegistry, schemaSources } from '../../lib/analysis/schema/schema-registry';
import { checkNeighbours } from '../../lib/release/transition-check';
import { RELEASE_CONTEXT_FILE } from '../../lib/release/release-context-file';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';
import type { InputLimits } from '../input-limits';
import { inputLimits } from '../input-limits';
import type { ManifestSet } from '../inputs';
import { distDir, loadFiles, loadStage, meshContextOptions, stageNames } from '../inputs';
import type { Io } from '../io';
import { warn } from '../io';
import { Progress } from '../progress';
import { acceptedReason } from './validate-accepted';

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
  /**
   * A Warning accepted on purpose: why (the application's acceptedFindings, or the object's
   * analyze-suppress annotation). It fails no run. @default - not accepted
   */
  readonly accepted?: string;
}

const LEVELS = ['Info', 'Warning', 'Error'];

/** What validate reports: messages (for `-o json`) and text lines, per stage and per transition. */
interface Report {
  readonly messages: ValidationMessage[];
  readonly text: string[];
}

/**
 * Reads the stages one at a time (a large release's objects are never all held at once): each is
 * validated when read, then the transitions between it and the stage before it, both ways. The
 * stage lines come first and the transition lines after them, as before.
 */
export function validate(args: ParsedArgs, io: Io): number {
  const files = args.options.get('filename') ?? [];
  if (files.length > 0 && args.positional.length > 0) throw new UsageError('name stages or give -f files, not both');
  const dir = distDir(args, io.cwd);
  const all = files.length > 0 ? [] : stageNames(dir, io.cwd);
  if (files.length === 0 && all.length === 0)
    throw new UsageError(
      `nothing to validate: ${dir} holds no *.k8s.yaml stage file. Run voting-mesh synth, or give files with -f`,
    );
  const refs = files.length > 0 ? [] : args.positional.length > 0 ? args.positional : all;
  // -f: one set of the files given, or one per stage of a directory synth wrote (./fileSets below).
  const given = files.length > 0 ? fileSets(files, io.cwd, inputLimits(args), (l) => warn(io, l)) : undefined;
  const load = (i: number): ManifestSet => (given ? given[i] : loadStage(dir, refs[i], io.cwd));
  const count = given ? given.length : refs.length;
  const first = load(0);
  const registry = SchemaRegistry.load(schemaSources(io.env, io.cwd));
  const meshConfig = meshConfigOption(args, io.cwd);
  const stages: Report = { messages: [], text: [] };
  const transitions: Report = { messages: [], text: [] };
  const withTransitions = files.length === 0 && args.positional.length === 0;
  const clusterDomain = meshContextOptions(args, first).clusterDomain;
  let previous: ManifestSet | undefined;
  // A release of hundreds of services takes seconds per stage: say which one (on a terminal only).
  const progress = Progress.of(io);
  try {
    for (let i = 0; i < count; i++) {
      const transitionsToo = withTransitions && i > 0 ? ' (and the transitions to it)' : '';
      progress.update(`validate: ${i + 1}/${count} ${given ? given[i].name : refs[i]}${transitionsToo}`);
      const set = i === 0 ? first : load(i);
      validateSet(set, registry, args, meshConfig, stages);
      if (withTransitions && previous) checkTransitions(previous, set, clusterDomain, transitions);
      previous = set;
    }
  } finally {
    // Erased before anything else is printed, an error too.
    progress.done();
  }
  return report([...stages.messages, ...transitions.messages], [...stages.text, ...transitions.text], args, io);
}

/** Prints the messages (as JSON, or the text; with --quiet only the failing ones) and returns the exit code. */
function report(messages: readonly ValidationMessage[], text: string[], args: ParsedArgs, io: Io): number {
  const threshold = LEVELS.indexOf(value(args, 'failure-threshold') ?? 'Error');
  const fails = (m: ValidationMessage) => m.accepted === undefined && LEVELS.indexOf(m.level) >= threshold;
  const failing = messages.filter(fails).length;
  if (value(args, 'output') === 'json') {
    io.out(JSON.stringify(messages, null, 2));
    return failing === 0 ? 0 : 1;
  }
  const errors = messages.filter((m) => m.level === 'Error').length;
  const verdict =
    failing === 0
      ? 'valid'
      : `${failing} ${errors === failing ? 'error(s)' : 'message(s) at or above the failure threshold'}`;
  if (io.quiet) {
    // Only what fails the run, each line naming its stage; nothing at all when it passes.
    const lines = messages
      .filter(fails)
      .map((m) => `${m.stage}: ${m.code} [${m.level}] ${m.origin} ${m.field}: ${m.message}`);
    if (failing > 0) io.out([...lines, verdict].join('\n'));
    return failing === 0 ? 0 : 1;
  }
  io.out([...text, verdict].join('\n'));
  return failing === 0 ? 0 : 1;
}

/** `--mesh-config <file>`: the analyzer settings of an Istio MeshConfig document (none without it). */
function meshConfigOption(args: ParsedArgs, cwd: string): AnalyzerMeshConfig {
  const file = value(args, 'mesh-config');
  if (file === undefined) return {};
  const path = resolve(cwd, file);
  if (!existsSync(path))
    throw new UsageError(
      `--mesh-config ${file}: no such file; give an Istio MeshConfig YAML (the 'mesh' key of the istio ConfigMap)`,
    );
  try {
    return analyzerMeshConfig(parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new UsageError(
      `--mesh-config ${file}: not YAML (${(err as Error).message.split('\n')[0]}); give an Istio MeshConfig YAML`,
    );
  }
}

/** The schema violations and analyzer findings of one set. */
function validateSet(
  set: ManifestSet,
  registry: SchemaRegistry,
  args: ParsedArgs,
  meshConfig: AnalyzerMeshConfig,
  out: Report,
): void {
  const violations = registry.validateAll(set.objects);
  const context = meshContextOptions(args, set);
  const findings = analyzeMesh(set.objects, {
    ...context,
    meshConfig: { ...meshConfig, ...(context.ingressGateway ? { ingressGateway: context.ingressGateway } : {}) },
  });
  const reasons = findings.map((f) => acceptedReason(f, set));
  out.messages.push(
    ...violations.map((v) => ({
      code: VM0100.code,
      level: VM0100.level,
      origin: v.object,
      field: v.path,
      message: renderMessage(VM0100.messages.violation, { violation: v.message }),
      stage: set.name,
    })),
    ...findings.map((f, i) => ({
      code: f.code,
      level: f.level,
      origin: f.object,
      field: f.field,
      message: f.message,
      stage: set.name,
      ...(reasons[i] !== undefined ? { accepted: reasons[i] } : {}),
    })),
  );
  const failed = violations.length + findings.filter((f) => f.level === 'Error').length;
  const accepted = reasons.filter((r) => r !== undefined).length;
  out.text.push(
    `${set.name}: ${set.objects.length} objects, ${violations.length} schema error(s), ${findings.length} finding(s)${accepted > 0 ? ` (${accepted} accepted)` : ''}${failed === 0 ? ' ✓' : ''}`,
  );
  for (const v of violations) out.text.push(`  schema [error] ${v.object} ${v.path}: ${v.message}`);
  findings.forEach((f, i) =>
    out.text.push(
      reasons[i] === undefined
        ? `  ${f.code} [${f.level}] ${f.object} ${f.field}: ${f.message}`
        : `  ${f.code} [${f.level}, accepted] ${f.object} ${f.field}: ${f.message} (accepted: ${reasons[i]})`,
    ),
  );
}

/** The transition check of the plans between two neighbouring stages, forward then back. */
function checkTransitions(a: ManifestSet, b: ManifestSet, clusterDomain: string | undefined, out: Report): void {
  for (const { from, to, plan, problems } of checkNeighbours({ ...a, clusterDomain }, { ...b, clusterDomain })) {
    const stage = `${from.name} → ${to.name}`;
    out.messages.push(
      ...problems.map((p) => ({
        code: VM0200.code,
        level: VM0200.level,
        origin: p.origin,
        field: `step ${p.step} (${p.kind})`,
        message: renderMessage(VM0200.messages.problem, { problem: p.message }),
        stage,
      })),
    );
    out.text.push(
      `${stage}: ${plan.steps.length} steps, ${problems.length === 0 ? 'traffic never routed to a missing subset, port or pod ✓' : `${problems.length} problem(s)`}`,
    );
    for (const p of problems) out.text.push(`  step ${p.step} (${p.kind}): ${p.message}`);
  }
}

/**
 * The sets `-f` names: the files and directories given, as one set; but a directory that holds a
 * synthesized release (its mesh-context.json beside the stage files, as synth writes it, in each
 * flavour's directory) gives one set per stage file, with the cluster facts recorded there, since its
 * stages are alternatives, not one cluster.
 */
function fileSets(
  paths: readonly string[],
  cwd: string,
  limits: InputLimits,
  warn: (line: string) => void,
): ManifestSet[] {
  const releaseDir = (p: string) =>
    existsSync(p) && statSync(p).isDirectory() && existsSync(join(p, RELEASE_CONTEXT_FILE));
  const stagesUnder = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((e) => {
        const child = join(d, e);
        if (statSync(child).isDirectory()) return releaseDir(child) ? stagesUnder(child) : [];
        return e.endsWith('.k8s.yaml') ? [child] : [];
      });
  const releases = paths.filter((p) => releaseDir(resolve(cwd, p)));
  const others = paths.filter((p) => !releases.includes(p));
  return [
    ...(others.length > 0 ? [loadFiles(others, cwd, limits, warn)] : []),
    ...releases.flatMap((r) =>
      stagesUnder(resolve(cwd, r)).map((f) => ({ ...loadStage(dirname(f), f, cwd), name: relative(cwd, f) })),
    ),
  ];
}
