import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { App } from 'cdk8s';
import type { SchemaSources } from '../analysis/schema/schema-registry';
import { SchemaRegistry, schemaSources } from '../analysis/schema/schema-registry';
import type { StageChart } from '../constructs/stage-chart';
import { ReleaseConfigError } from '../model/errors';
import { ALLOW_FAILING_CHECKS_ENV, QUIET_ENV } from './allow-failing-checks';
import { PROGRESS_ENV, ProgressLine } from './progress-line';
import { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE } from './release-context-file';
import { ReleaseFiles } from './release-files';
import type { ReleaseCheckResult, ReleasePassResult } from './release-pass';
import { SpilledFiles } from './spilled-files';
import { checkStages, constructErrors } from './release-pass';

export type { ReleaseCheckResult };

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
 * fails; then strict schema validation. The stages are checked in order, each against the one
 * before it in its output directory (the transition check); a generator's stages are built as
 * the check reaches them.
 */
export function checkRelease(stages: Iterable<StageChart>, options: CheckReleaseOptions = {}): ReleaseCheckResult {
  const { errors, warnings, accepted } = checkStages(stages, registryOf(options), new ProgressLine(undefined));
  return { errors, warnings, accepted };
}

/** The schema registry the options ask for, or none without schema validation. */
function registryOf(options: CheckReleaseOptions): SchemaRegistry | undefined {
  return (options.schemaValidation ?? true) ? registryFor(options.schemas ?? schemaSources()) : undefined;
}

export { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE };

/**
 * Synthesizes a release: construct validation (the mesh analyzer) and synth-time checks
 * (warnings to stderr, errors thrown before anything is written), then {@link renderRelease}'s
 * files into `app.outdir`. Nothing is written when a check fails.
 *
 * The stages are rendered, checked and written in order, each checked against the stage before
 * it in its output directory; synth keeps a stage's objects until the next stage of its directory
 * is checked and lets the rest go (each stage file is written to a temporary directory at once,
 * and copied into `app.outdir` at the end). Given an array, the stages stay in `app` (the caller
 * holds them). Given a generator (any iterable that is not an array), each stage is built only
 * when synth reaches it and is removed from `app` once done: one stage's constructs are alive at
 * a time, whatever the number of stages. Stage names must still be unique across the release;
 * synth checks it, as StageChart does.
 */
export function synthRelease(app: App, stages: Iterable<StageChart>, options: CheckReleaseOptions = {}): void {
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
  stages: Iterable<StageChart>,
  options: CheckReleaseOptions,
  progress: ProgressLine,
): void {
  // Each stage file goes to disk as soon as it is rendered, and into app.outdir once all is checked.
  const spilled = new SpilledFiles();
  try {
    const release = new ReleaseFiles(app.outputFileExtension, (f) => spilled.write(f.file, f.content));
    const pass = checkStages(stages, registryOf(options), progress, release);
    progress.update('synth: validating the constructs');
    // What `app.synth()` does, once (cdk8s re-validates the whole app for every chart it writes):
    // the pass validated each stage's constructs, this the rest of the app.
    const invalid = [
      ...pass.invalid,
      ...constructErrors(app.node.findAll().filter((c) => !c.node.scopes.some((s) => pass.validated.has(s)))),
    ];
    progress.done();
    reportOrThrow(pass, invalid, options);
    progress.update(`synth: writing the release (${pass.stageNames.length} stages)`);
    spilled.publish(app.outdir);
    for (const f of release.files()) {
      mkdirSync(dirname(join(app.outdir, f.file)), { recursive: true });
      writeFileSync(join(app.outdir, f.file), f.content);
    }
  } finally {
    spilled.dispose();
  }
}

/** Prints the warnings and accepted findings (unless quiet); throws on a failed check unless failing checks are allowed. */
function reportOrThrow(pass: ReleasePassResult, invalid: readonly string[], options: CheckReleaseOptions): void {
  const { errors, warnings, accepted, stageNames } = pass;
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
      oneLinePerProblem(errors, stageNames),
      'Fix the construct that emits them or the stage data, or publish anyway with --allow-failing-checks (allowFailingChecks)',
    );
  } else if (invalid.length > 0) {
    throw new ReleaseCheckError(oneLinePerProblem(invalid, stageNames), 'Fix the stage data or the construct named');
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
function oneLinePerProblem(lines: readonly string[], stageNames: readonly string[]): string[] {
  const byProblem = new Map<string, string[]>();
  for (const line of lines) {
    const m = /^stage '((?:[^']|'')*)': ([\s\S]*)$/.exec(line);
    const problem = (m ? m[2] : line).replace(/\s*\n\s*/g, ' ').trim();
    if (!byProblem.has(problem)) byProblem.set(problem, []);
    if (m) byProblem.get(problem)!.push(m[1]);
  }
  const all = new Set(stageNames);
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
 * `build` may return an array or, for a large release, a generator that builds each stage when
 * synth reaches it (see {@link synthRelease}): `function* (app) { for (const s of stages) yield new ReleaseStage(app, …) }`.
 */
export function runSynth(build: (app: App) => Iterable<StageChart>, options: CheckReleaseOptions = {}): void {
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
