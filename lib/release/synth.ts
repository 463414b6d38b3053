import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { App } from 'cdk8s';
import { formatFinding } from '../analysis/analyzer';
import { globMatches } from '../analysis/analyzer/acceptance';
import type { SchemaSources } from '../analysis/schema/schema-registry';
import { SchemaRegistry, schemaSources } from '../analysis/schema/schema-registry';
import type { StageChart } from '../constructs/stage-chart';
import type { MeshContext } from '../model/defaults';
import { DEFAULT_INGRESS_POD_LABELS, DEFAULT_ISTIO_NAMESPACE, resolveMeshContext } from '../model/defaults';
import { ReleaseConfigError } from '../model/errors';
import type { AcceptedFinding } from '../model/application-spec';
import { renderReleaseNotes } from './release-notes';
import { GATES_FILE, gatesFileContent } from './gates/gate-notes';
import { toYaml } from './yaml-writer';
import { ALLOW_FAILING_CHECKS_ENV, QUIET_ENV } from './allow-failing-checks';
import { PROGRESS_ENV, ProgressLine } from './progress-line';
import type { Manifest } from '../analysis/manifest';
import { sealAsRead } from '../analysis/content-hash';
import { checkNeighbours } from './transition-check';
import { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE } from './release-context-file';

/** What the synth-time checks found across a release. */
export interface ReleaseCheckResult {
  /** Problems that must stop synth. */
  readonly errors: readonly string[];
  /** Problems worth printing that do not stop synth. */
  readonly warnings: readonly string[];
  /** Warnings the application accepts, each with its reason: printed as accepted, never failing. */
  readonly accepted: readonly string[];
}

/** Options of {@link checkRelease} and {@link synthRelease}. */
export interface CheckReleaseOptions {
  /** Validate every object against its exact schema, strictly. @default true */
  readonly schemaValidation?: boolean;
  /** Schema files replacing or extending the bundled schemas. @default - what the environment names ({@link schemaSources}), else the bundled schemas */
  readonly schemas?: SchemaSources;
  /**
   * Publish even when the release's own checks fail (schema, analyzer Errors, the transition
   * check of consecutive stages): each failure is printed as a warning instead of stopping synth.
   * @default - false, unless the environment sets VOTING_MESH_ALLOW_FAILING_CHECKS=1 (`voting-mesh synth --allow-failing-checks`)
   */
  readonly allowFailingChecks?: boolean;
  /**
   * Print only errors: no warnings (accepted findings, what a stage cannot express).
   * @default - false, unless the environment sets VOTING_MESH_QUIET=1 (`voting-mesh synth --quiet`)
   */
  readonly quiet?: boolean;
}

const registries = new Map<string, SchemaRegistry>();

/** The schema registry for `sources`, loaded once per process. */
function registryFor(sources: SchemaSources): SchemaRegistry {
  const key = JSON.stringify(sources);
  let registry = registries.get(key);
  if (!registry) registries.set(key, (registry = SchemaRegistry.load(sources)));
  return registry;
}

/**
 * The synth-time checks of every stage: the mesh analyzer's accepted Warnings (with the reason,
 * in `accepted`) and its Info findings are printed (Errors and unaccepted Warnings fail each chart's
 * validation); an allow-list entry without a reason, or that accepts no Warning of any stage,
 * fails; then strict schema validation.
 */
export function checkRelease(stages: readonly StageChart[], options: CheckReleaseOptions = {}): ReleaseCheckResult {
  return checkWith(stages, options, new ProgressLine(undefined));
}

/** {@link checkRelease}, saying on `progress` which stage or transition it checks. */
function checkWith(
  stages: readonly StageChart[],
  options: CheckReleaseOptions,
  progress: ProgressLine,
): ReleaseCheckResult {
  // Each object's YAML first: the checks compare and cache objects by it, and the stage files are these texts.
  stages.forEach(stageTexts);
  const errors: string[] = [];
  const warnings: string[] = [];
  const accepted: string[] = [];
  const registry = (options.schemaValidation ?? true) ? registryFor(options.schemas ?? schemaSources()) : undefined;
  const entries = new Set(stages.flatMap((s) => s.acceptedFindings));
  const used = new Set<unknown>();
  for (const [i, stage] of stages.entries()) {
    const where = `stage '${stage.stageName}'${stage.outputDirectory ? ` (${stage.outputDirectory})` : ''}`;
    progress.update(`synth: checking ${i + 1}/${stages.length} ${where}`);
    for (const l of stage.limitations) warnings.push(`${where}: not expressed: ${l}`);
    const acceptance = stage.acceptance;
    for (const { finding, entry } of acceptance.accepted) {
      used.add(entry);
      accepted.push(`${where}: ${formatFinding(finding)} (accepted: ${entry.reason})`);
    }
    // Info findings are advice (`voting-mesh validate` lists them); synth prints what needs a decision.
    for (const v of registry?.validateAll(stage.manifests) ?? []) {
      errors.push(`stage '${stage.stageName}': schema ${v.object} ${v.path}: ${v.message}`);
    }
  }
  errors.push(...transitionErrors(stages, progress));
  for (const entry of entries) {
    if (!entry.reason?.trim())
      errors.push(
        `acceptedFindings entry ${entry.code} ${entry.object} has no reason: say why the warning is accepted`,
      );
    else if (!used.has(entry)) {
      const matching = stages.some((s) =>
        s.findings.some((f) => f.code === entry.code && globMatches(entry.object, f.object)),
      );
      errors.push(
        `acceptedFindings entry ${entry.code} ${entry.object} accepts no Warning of any stage${matching ? ' (it matches only Errors or Info, which cannot be accepted)' : ''}: remove it or fix its code or object`,
      );
    }
  }
  return { errors, warnings, accepted };
}

/**
 * The transition check of every pair of consecutive stages of each output directory, forward and
 * back: what `voting-mesh validate` and `plan` would reject.
 */
function transitionErrors(stages: readonly StageChart[], progress: ProgressLine): string[] {
  const errors: string[] = [];
  for (const dir of [...new Set(stages.map((s) => s.outputDirectory))]) {
    const charts = stages.filter((s) => s.outputDirectory === dir);
    const checked = charts.map((s) => ({
      name: s.stageName,
      objects: s.manifests as Manifest[],
      clusterDomain: resolveMeshContext(s.meshContext).clusterDomain,
    }));
    for (let i = 0; i + 1 < checked.length; i++) {
      progress.update(
        `synth: checking the transition ${checked[i].name} ↔ ${checked[i + 1].name}${dir ? ` (${dir})` : ''}`,
      );
      for (const t of checkNeighbours(checked[i], checked[i + 1])) {
        for (const p of t.problems)
          errors.push(
            `transition ${t.from.name} → ${t.to.name}${dir ? ` (${dir})` : ''} step ${p.step} (${p.kind}): ${p.message}`,
          );
      }
    }
  }
  return errors;
}

const texts = new WeakMap<StageChart, readonly string[]>();

/**
 * The YAML of each of a stage's objects, written once (the stage file joins them), and the objects
 * sealed with them (analysis/content-hash.ts): the stage diffs of the transition check compare
 * texts instead of walking object pairs, and the schema cache keys on them instead of a JSON text
 * per object. Measured reason: a 300-service release wrote each object's JSON once for the schema
 * cache and walked each pair of neighbouring objects four times (both neighbours, both directions).
 */
function stageTexts(stage: StageChart): readonly string[] {
  let t = texts.get(stage);
  if (!t) {
    t = stage.manifests.map((m) => toYaml(m));
    sealAsRead(stage.manifests, t);
    texts.set(stage, t);
  }
  return t;
}

/** One output file of a release. */
export interface ReleaseFile {
  /** File name inside the output directory (`<directory>/<file>` for a stage with an output directory). */
  readonly file: string;
  readonly content: string;
}

/**
 * The files a release synthesizes to, in order: one `<stage><extension>` per stage (each object
 * rendered once, kinds ordered so that dependencies come first) and `RELEASE.md`, the reviewer's
 * picture of the release drawn from those objects. Tests compare committed output with it.
 */
export function renderRelease(stages: readonly StageChart[], extension = '.k8s.yaml'): ReleaseFile[] {
  // One set of files per output directory (a flavour of the release), in the order first seen.
  const directories = [...new Set(stages.map((s) => s.outputDirectory))];
  return directories.flatMap((dir) =>
    renderDirectory(
      stages.filter((s) => s.outputDirectory === dir),
      extension,
    ).map((f) => ({ file: dir ? `${dir}/${f.file}` : f.file, content: f.content })),
  );
}

function renderDirectory(stages: readonly StageChart[], extension: string): ReleaseFile[] {
  const context = stages[0] ? releaseContextOf(stages[0]) : undefined;
  // Stage charts of other libraries (or of an older voting-mesh) may have no gates.
  const gates = gatesFileContent(stages.flatMap((s) => s.gates ?? []));
  return [
    ...stages.map((s) => ({ file: `${s.stageName}${extension}`, content: stageTexts(s).join('---\n') })),
    {
      file: 'RELEASE.md',
      content: renderReleaseNotes(
        stages.map((s) => ({
          name: s.stageName,
          description: s.description,
          manifests: s.manifests,
          meshContext: s.meshContext,
          ...(s.limitations.length > 0 ? { limitations: [...s.limitations] } : {}),
          ...((s.gates ?? []).length > 0 ? { gates: s.gates } : {}),
        })),
      ),
    },
    // The stages' metric gates with their PromQL, for `voting-mesh gate` and `plan --format argocd` (only when a stage declares one).
    ...(gates !== undefined ? [{ file: GATES_FILE, content: gates }] : []),
    // The Warnings the application accepts, so that validate shows them as accepted, with the reason.
    ...acceptedFindingsFile(stages),
    // The cluster facts the stages were made for, so that validate, explain and plan read the
    // same ones (an AKS add-on's gateway identity, a custom cluster domain) without flags.
    ...(context ? [{ file: RELEASE_CONTEXT_FILE, content: `${JSON.stringify(context, null, 2)}\n` }] : []),
  ];
}

export { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE };

/** What {@link ACCEPTED_FINDINGS_FILE} holds: the accepted Warnings, sorted by code, object and reason. */
export interface AcceptedFindingsFile {
  readonly accepted: readonly AcceptedFinding[];
}

/** {@link ACCEPTED_FINDINGS_FILE} for a directory's stages: none when they accept nothing; the same bytes for the same entries. */
function acceptedFindingsFile(stages: readonly StageChart[]): ReleaseFile[] {
  const byKey = new Map<string, AcceptedFinding>();
  for (const e of stages.flatMap((s) => s.acceptedFindings ?? [])) {
    const entry = { code: e.code, object: e.object, reason: e.reason };
    byKey.set(JSON.stringify(entry), entry);
  }
  if (byKey.size === 0) return [];
  const accepted = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  const content: AcceptedFindingsFile = { accepted };
  return [{ file: ACCEPTED_FINDINGS_FILE, content: `${JSON.stringify(content, null, 2)}\n` }];
}

/** The cluster facts of a release, as {@link RELEASE_CONTEXT_FILE} records them. */
export interface ReleaseContext extends MeshContext {
  /** The ingress gateway pods the stages' Gateways select. */
  readonly ingressGateway: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
}

function releaseContextOf(stage: StageChart): ReleaseContext {
  const gw = stage.ingressGateway;
  return {
    ...resolveMeshContext(stage.meshContext),
    ingressGateway: {
      namespace: gw?.namespace ?? DEFAULT_ISTIO_NAMESPACE,
      podLabels: { ...(gw?.podLabels ?? DEFAULT_INGRESS_POD_LABELS) },
    },
  };
}

/**
 * Synthesizes a release: construct validation (the mesh analyzer) and synth-time checks
 * (warnings to stderr, errors thrown before anything is written), then {@link renderRelease}'s
 * files into `app.outdir`. Nothing is written when a check fails.
 */
export function synthRelease(app: App, stages: readonly StageChart[], options: CheckReleaseOptions = {}): void {
  const progress = progressOf(options);
  try {
    synthWith(app, stages, options, progress);
  } finally {
    progress.done();
  }
}

/**
 * The progress line of synth: on stderr when `voting-mesh synth` runs the app on a terminal
 * (it sets VOTING_MESH_PROGRESS=1) and not quiet; none otherwise.
 */
function progressOf(options: CheckReleaseOptions): ProgressLine {
  const quiet = options.quiet ?? process.env[QUIET_ENV] === '1';
  return new ProgressLine(!quiet && process.env[PROGRESS_ENV] === '1' ? process.stderr : undefined);
}

/**
 * {@link synthRelease} saying on `progress` what it checks: the line is erased before anything else
 * is printed. Internal (runSynth and the tests give the line; the package does not export it).
 */
export function synthWith(
  app: App,
  stages: readonly StageChart[],
  options: CheckReleaseOptions,
  progress: ProgressLine,
): void {
  const { errors, warnings, accepted } = checkWith(stages, options, progress);
  progress.update('synth: validating the constructs');
  // What `app.synth()` does, once: cdk8s re-validates the whole app for every chart it writes.
  const invalid = app.node
    .findAll()
    .flatMap((c) => c.node.validate().map((e) => (/^stage '/.test(e) ? e : `[${c.node.path}] ${e}`)));
  progress.done();
  if (!(options.quiet ?? process.env[QUIET_ENV] === '1')) {
    warnings.forEach((w) => console.error(`warning: ${w}`));
    accepted.forEach((a) => console.error(`accepted: ${a}`));
  }
  const allowed = options.allowFailingChecks ?? process.env[ALLOW_FAILING_CHECKS_ENV] === '1';
  if (allowed) {
    // Published on purpose: every failure stays visible in the output.
    for (const e of [...errors, ...invalid])
      console.error(`warning: check failed, published anyway (allowFailingChecks): ${e}`);
  } else if (errors.length > 0) {
    throw new ReleaseCheckError(
      oneLinePerProblem(errors, stages),
      'Fix the construct that emits them or the stage data, or publish anyway with --allow-failing-checks (allowFailingChecks)',
    );
  } else if (invalid.length > 0) {
    throw new ReleaseCheckError(oneLinePerProblem(invalid, stages), 'Fix the stage data or the construct named');
  }
  progress.update(`synth: writing the release (${stages.length} stages)`);
  const files = renderRelease(stages, app.outputFileExtension);
  for (const f of files) {
    mkdirSync(dirname(join(app.outdir, f.file)), { recursive: true });
    writeFileSync(join(app.outdir, f.file), f.content);
  }
}

/**
 * The checks failed: one line per distinct problem (the same finding in several stages is one
 * line naming them, or 'in every stage'). The message is the first line and how many more.
 */
export class ReleaseCheckError extends ReleaseConfigError {
  constructor(
    public readonly lines: readonly string[],
    fix: string,
  ) {
    super(
      { field: 'manifests' },
      `${lines[0]}${lines.length > 1 ? ` (and ${lines.length - 1} more problem(s))` : ''}`,
      `${fix}.`,
    );
  }
}

/** `stage 'x': <problem>` lines grouped by problem, each naming its stages, in first-seen order. */
function oneLinePerProblem(lines: readonly string[], stages: readonly StageChart[]): string[] {
  const byProblem = new Map<string, string[]>();
  for (const line of lines) {
    const m = /^stage '((?:[^']|'')*)': ([\s\S]*)$/.exec(line);
    const problem = (m ? m[2] : line).replace(/\s*\n\s*/g, ' ').trim();
    if (!byProblem.has(problem)) byProblem.set(problem, []);
    if (m) byProblem.get(problem)!.push(m[1]);
  }
  const all = new Set(stages.map((s) => s.stageName));
  return [...byProblem].map(([problem, where]) => {
    const names = [...new Set(where)];
    if (names.length === 0) return problem;
    if (names.length > 1 && names.length === all.size) return `in every stage: ${problem}`;
    return `${names.length === 1 ? 'stage' : 'stages'} ${names.map((n) => `'${n}'`).join(', ')}: ${problem}`;
  });
}

/**
 * The body of a cdk8s app's main.ts: builds the stages into a new App and synthesizes them
 * (see {@link synthRelease}). Bad release data or an invalid object prints one readable line on
 * stderr and sets exit code 1, so `voting-mesh synth` leaves the previous output untouched.
 */
export function runSynth(build: (app: App) => readonly StageChart[], options: CheckReleaseOptions = {}): void {
  // Started before the stages are built, so that a long build counts towards the delay.
  const progress = progressOf(options);
  try {
    const app = new App();
    synthWith(app, build(app), options, progress);
  } catch (err) {
    progress.done();
    if (!(err instanceof ReleaseConfigError)) throw err;
    if (err instanceof ReleaseCheckError) err.lines.forEach((l) => console.error(`error: ${l}`));
    else console.error(`error: ${err.message}`);
    process.exitCode = 1;
  }
  progress.done();
}
