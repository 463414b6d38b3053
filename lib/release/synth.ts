import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { App } from 'cdk8s';
import { formatFinding } from '../analysis/analyzer';
import { globMatches } from '../analysis/analyzer/acceptance';
import type { SchemaSources } from '../analysis/schema/schema-registry';
import { SchemaRegistry, schemaSources } from '../analysis/schema/schema-registry';
import type { StageChart } from '../constructs/stage-chart';
import { resolveMeshContext } from '../model/defaults';
import { ReleaseConfigError } from '../model/errors';
import { ALLOW_FAILING_CHECKS_ENV, QUIET_ENV } from './allow-failing-checks';
import { PROGRESS_ENV, ProgressLine } from './progress-line';
import type { Manifest } from '../analysis/manifest';
import { checkNeighbours } from './transition-check';
import { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE } from './release-context-file';
import { renderRelease, stageTexts } from './release-files';

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

export { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE };

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

/** Whether synth prints only errors: the option, else `voting-mesh synth --quiet` (VOTING_MESH_QUIET=1). */
function quietOf(options: CheckReleaseOptions): boolean {
  return options.quiet ?? process.env[QUIET_ENV] === '1';
}

/**
 * The progress line of synth: on stderr when `voting-mesh synth` runs the app on a terminal
 * (it sets VOTING_MESH_PROGRESS=1) and not quiet; none otherwise.
 */
function progressOf(options: CheckReleaseOptions): ProgressLine {
  return new ProgressLine(!quietOf(options) && process.env[PROGRESS_ENV] === '1' ? process.stderr : undefined);
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
  if (!quietOf(options)) {
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
