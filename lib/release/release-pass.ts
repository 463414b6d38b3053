// The synth-time checks of a release as one pass over its stages in order (split out of synth.ts):
// each stage rendered, checked alone and against the stage before it in its output directory,
// added to the files, then forgotten.
import type { Construct } from 'constructs';
import type { Finding } from '../analysis/analyzer';
import { formatFinding } from '../analysis/analyzer';
import { globMatches } from '../analysis/analyzer/acceptance';
import type { Manifest } from '../analysis/manifest';
import type { SchemaRegistry } from '../analysis/schema/schema-registry';
import type { StageChart } from '../constructs/stage-chart';
import { forgetRendered } from '../constructs/stage-chart';
import type { AcceptedFinding } from '../model/application-spec';
import { resolveMeshContext } from '../model/defaults';
import { ReleaseConfigError } from '../model/errors';
import type { ProgressLine } from './progress-line';
import type { ReleaseFiles } from './release-files';
import { forgetStageTexts, stageTexts } from './release-files';
import type { CheckedStage } from './transition-check';
import { checkNeighbours } from './transition-check';

/** What the synth-time checks found across a release. */
export interface ReleaseCheckResult {
  /** Problems that must stop synth. */
  readonly errors: readonly string[];
  /** Problems worth printing that do not stop synth. */
  readonly warnings: readonly string[];
  /** Warnings the application accepts, each with its reason: printed as accepted, never failing. */
  readonly accepted: readonly string[];
}

/** {@link ReleaseCheckResult} with what synth needs besides: the constructs' own validation and the stage names. */
export interface ReleasePassResult extends ReleaseCheckResult {
  /** The validation errors of the stages' constructs (cdk8s `node.validate()`), as `app.synth()` would report them. */
  readonly invalid: readonly string[];
  readonly stageNames: readonly string[];
  /** The stage charts the pass validated (their constructs, and any still attached, are not validated again). */
  readonly validated: WeakSet<Construct>;
}

/** What the pass keeps of a stage after it (a streamed stage's chart itself is let go). */
interface StageSummary {
  readonly name: string;
  readonly findings: readonly Finding[];
  readonly acceptedFindings: readonly AcceptedFinding[];
}

interface Found {
  readonly warnings: string[];
  readonly accepted: string[];
  readonly schema: string[];
  readonly invalid: string[];
  readonly used: Set<unknown>;
}

/**
 * The checks of every stage in order. Each stage is rendered (each object's YAML first: the checks
 * compare and cache objects by it, and the stage file is these texts), checked, checked against
 * the stage before it in its output directory (forward and back), and with `files` added to them;
 * then the pass keeps only its objects, for the check of the next stage of its directory, and
 * forgets what it rendered of the chart (its objects and texts render again if read). Given a
 * generator rather than an array, a stage is built only when the pass reaches it and is removed
 * from the app once done: one stage's constructs are alive at a time, and the objects of one
 * more per directory. Measured reason: a 300-service release of ten stages held every stage's
 * constructs (144 MB), objects and texts (about 100 MB) until its files were written.
 */
export function checkStages(
  stages: Iterable<StageChart>,
  registry: SchemaRegistry | undefined,
  progress: ProgressLine,
  files?: ReleaseFiles,
): ReleasePassResult {
  const streamed = files !== undefined && !Array.isArray(stages);
  const pass = new ReleasePass(registry, progress, files, streamed, Array.isArray(stages) ? stages.length : undefined);
  const iterator = stages[Symbol.iterator]();
  let next: IteratorResult<StageChart> | undefined;
  for (;;) {
    // Dropped before the generator builds the next stage, so that the stage done is not held meanwhile.
    // eslint-disable-next-line no-useless-assignment -- the point: no reference while iterator.next() runs
    next = undefined;
    next = iterator.next();
    if (next.done) break;
    pass.visit(next.value);
  }
  return pass.result();
}

/** The state of {@link checkStages} between stages: what was found, and the objects of each directory's last stage. */
class ReleasePass {
  private readonly found: Found = { warnings: [], accepted: [], schema: [], invalid: [], used: new Set() };
  private readonly transitions = new Map<string, string[]>();
  private readonly previousOf = new Map<string, CheckedStage>();
  private readonly summaries: StageSummary[] = [];
  private readonly validated = new WeakSet<Construct>();

  constructor(
    private readonly registry: SchemaRegistry | undefined,
    private readonly progress: ProgressLine,
    private readonly files: ReleaseFiles | undefined,
    private readonly streamed: boolean,
    private readonly total: number | undefined,
  ) {}

  public visit(stage: StageChart): void {
    const dir = stage.outputDirectory;
    const where = `stage '${stage.stageName}'${dir ? ` (${dir})` : ''}`;
    const count = `${this.summaries.length + 1}${this.total !== undefined ? `/${this.total}` : ''}`;
    this.progress.update(`synth: checking ${count} ${where}`);
    if (this.streamed) assertNewName(stage, this.summaries);
    stageTexts(stage);
    checkStage(stage, where, this.registry, this.found);
    validateConstructs(stage, this.found.invalid, this.validated);
    const checked: CheckedStage = {
      name: stage.stageName,
      objects: stage.manifests as Manifest[],
      clusterDomain: resolveMeshContext(stage.meshContext).clusterDomain,
    };
    const previous = this.previousOf.get(dir);
    if (!this.transitions.has(dir)) this.transitions.set(dir, []);
    if (previous) {
      this.progress.update(
        `synth: checking the transition ${previous.name} ↔ ${stage.stageName}${dir ? ` (${dir})` : ''}`,
      );
      this.transitions.get(dir)!.push(...transitionErrors(previous, checked, dir));
    }
    this.files?.add(stage);
    this.summaries.push({ name: stage.stageName, findings: stage.findings, acceptedFindings: stage.acceptedFindings });
    // The next stage needs this one's objects only: the chart, its constructs and texts may go.
    this.previousOf.set(dir, checked);
    if (this.files) forgetStage(stage, this.streamed);
  }

  public result(): ReleasePassResult {
    const { found, summaries } = this;
    const errors = [...found.schema, ...[...this.transitions.values()].flat(), ...entryErrors(summaries, found.used)];
    const stageNames = summaries.map((s) => s.name);
    const { warnings, accepted, invalid } = found;
    return { errors, warnings, accepted, invalid, stageNames, validated: this.validated };
  }
}

/** One stage's part of the checks: what it cannot express, its accepted Warnings, its schema violations. */
function checkStage(stage: StageChart, where: string, registry: SchemaRegistry | undefined, found: Found): void {
  for (const l of stage.limitations) found.warnings.push(`${where}: not expressed: ${l}`);
  for (const { finding, entry } of stage.acceptance.accepted) {
    found.used.add(entry);
    found.accepted.push(`${where}: ${formatFinding(finding)} (accepted: ${entry.reason})`);
  }
  // Info findings are advice (`voting-mesh validate` lists them); synth prints what needs a decision.
  for (const v of registry?.validateAll(stage.manifests) ?? []) {
    found.schema.push(`stage '${stage.stageName}': schema ${v.object} ${v.path}: ${v.message}`);
  }
}

/** The stage's constructs' own validation (what `app.synth()` runs), each error named as cdk8s would. */
function validateConstructs(stage: StageChart, invalid: string[], validated: WeakSet<Construct>): void {
  validated.add(stage);
  invalid.push(...constructErrors(stage.node.findAll()));
}

/** The `node.validate()` errors of `constructs`, each prefixed with its construct's path unless it names its stage. */
export function constructErrors(constructs: readonly Construct[]): string[] {
  return constructs.flatMap((c) => c.node.validate().map((e) => (/^stage '/.test(e) ? e : `[${c.node.path}] ${e}`)));
}

/** A streamed stage's name is new: the chart that had it may be gone from the app, so StageChart's own check cannot see it. */
function assertNewName(stage: StageChart, before: readonly StageSummary[]): void {
  if (before.some((s) => s.name === stage.stageName)) {
    throw new ReleaseConfigError(
      { stage: stage.stageName, field: 'name' },
      `the stage name ${JSON.stringify(stage.stageName)} is used twice`,
      'Give each stage of the release a unique name.',
    );
  }
}

/** The allow-list entries without a reason, or that accept no Warning of any stage. */
function entryErrors(stages: readonly StageSummary[], used: ReadonlySet<unknown>): string[] {
  const errors: string[] = [];
  for (const entry of new Set(stages.flatMap((s) => s.acceptedFindings))) {
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
  return errors;
}

/**
 * The transition check of two consecutive stages of output directory `dir`, forward and back:
 * what `voting-mesh validate` and `plan` would reject.
 */
function transitionErrors(a: CheckedStage, b: CheckedStage, dir: string): string[] {
  return checkNeighbours(a, b).flatMap((t) =>
    t.problems.map(
      (p) =>
        `transition ${t.from.name} → ${t.to.name}${dir ? ` (${dir})` : ''} step ${p.step} (${p.kind}): ${p.message}`,
    ),
  );
}

/** Forgets what the pass rendered of a stage it has checked and written; a streamed stage also leaves the app. */
function forgetStage(stage: StageChart, streamed: boolean): void {
  forgetStageTexts(stage);
  forgetRendered(stage);
  if (streamed) stage.node.scope?.node.tryRemoveChild(stage.node.id);
}
