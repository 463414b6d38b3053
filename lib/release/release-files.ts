// The files a release synthesizes to (stage YAML, RELEASE.md, gates, accepted findings, release context), split out of synth.ts.
import type { StageChart } from '../constructs/stage-chart';
import type { MeshContext } from '../model/defaults';
import { DEFAULT_INGRESS_POD_LABELS, DEFAULT_ISTIO_NAMESPACE, resolveMeshContext } from '../model/defaults';
import type { AcceptedFinding } from '../model/application-spec';
import { sealAsRead } from '../analysis/content-hash';
import type { Manifest } from '../analysis/manifest';
import { ReleaseNotes } from './release-notes';
import type { ResolvedGate } from './gates/gates';
import { GATES_FILE, gatesFileContent } from './gates/gate-notes';
import { toYaml } from './yaml-writer';
import { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE } from './release-context-file';

const texts = new WeakMap<StageChart, readonly string[]>();

/**
 * The YAML of each of a stage's objects, written once (the stage file joins them), and the objects
 * sealed with them (analysis/content-hash.ts): the stage diffs of the transition check compare
 * texts instead of walking object pairs, and the schema cache keys on them instead of a JSON text
 * per object. Measured reason: a 300-service release wrote each object's JSON once for the schema
 * cache and walked each pair of neighbouring objects four times (both neighbours, both directions).
 */
export function stageTexts(stage: StageChart): readonly string[] {
  let t = texts.get(stage);
  if (!t) {
    t = stage.manifests.map((m) => toYaml(m));
    sealAsRead(stage.manifests, t);
    texts.set(stage, t);
  }
  return t;
}

/** Forgets the texts of a stage's objects (synth does once the stage file is joined). Internal. */
export function forgetStageTexts(stage: StageChart): void {
  texts.delete(stage);
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
  const release = new ReleaseFiles(extension);
  for (const s of stages) release.add(s);
  return release.files();
}

/**
 * {@link renderRelease} one stage at a time, in the release's order: each stage is added with the
 * stage before it in its output directory (a flavour of the release), so that synth may render,
 * check and forget the stages in order, keeping only the objects of the last stage of each directory. Internal.
 */
export class ReleaseFiles {
  private readonly directories = new Map<string, DirectoryFiles>();

  /** With `spill`, each stage file is handed to it when added instead of being kept (see SpilledFiles). */
  constructor(
    private readonly extension: string,
    private readonly spill?: (file: ReleaseFile) => void,
  ) {}

  /** Adds `stage`'s file and RELEASE.md section, after the stage added before it to its directory. */
  public add(stage: StageChart): void {
    let dir = this.directories.get(stage.outputDirectory);
    if (!dir) this.directories.set(stage.outputDirectory, (dir = new DirectoryFiles(stage.outputDirectory)));
    const file = dir.add(stage, this.extension);
    if (this.spill) this.spill(file);
    else dir.stageFiles.push(file);
  }

  /** Every file, the directories in the order first seen. */
  public files(): ReleaseFile[] {
    return [...this.directories.values()].flatMap((d) => d.files());
  }
}

/** What the files of the next stage need of a stage (its objects), kept without the stage's chart. */
interface RenderedStage {
  readonly manifests: readonly Manifest[];
}

/** The files of one output directory, its stages added in order. */
class DirectoryFiles {
  public readonly stageFiles: ReleaseFile[] = [];
  private readonly notes = new ReleaseNotes();
  private readonly gates: ResolvedGate[] = [];
  private readonly accepted: AcceptedFinding[] = [];
  private context?: ReleaseContext;
  public last?: RenderedStage;

  constructor(private readonly dir: string) {}

  /** Adds the stage's RELEASE.md section and the rest; returns its stage file. */
  public add(stage: StageChart, extension: string): ReleaseFile {
    const previous = this.last;
    this.notes.add(
      {
        name: stage.stageName,
        description: stage.description,
        manifests: stage.manifests,
        meshContext: stage.meshContext,
        ...(stage.limitations.length > 0 ? { limitations: [...stage.limitations] } : {}),
        ...((stage.gates ?? []).length > 0 ? { gates: stage.gates } : {}),
      },
      previous?.manifests ?? [],
    );
    // Stage charts of other libraries (or of an older voting-mesh) may have no gates.
    this.gates.push(...(stage.gates ?? []));
    this.accepted.push(...(stage.acceptedFindings ?? []));
    this.context ??= releaseContextOf(stage);
    this.last = { manifests: stage.manifests };
    return { file: this.path(`${stage.stageName}${extension}`), content: stageTexts(stage).join('---\n') };
  }

  public files(): ReleaseFile[] {
    const gates = gatesFileContent(this.gates);
    const context = this.context;
    return [
      ...this.stageFiles,
      { file: this.path('RELEASE.md'), content: this.notes.text() },
      // The stages' metric gates with their PromQL, for `voting-mesh gate` and `plan --format argocd` (only when a stage declares one).
      ...(gates !== undefined ? [{ file: this.path(GATES_FILE), content: gates }] : []),
      // The Warnings the application accepts, so that validate shows them as accepted, with the reason.
      ...acceptedFindingsFile(this.accepted).map((f) => ({ ...f, file: this.path(f.file) })),
      // The cluster facts the stages were made for, so that validate, explain and plan read the
      // same ones (an AKS add-on's gateway identity, a custom cluster domain) without flags.
      ...(context ? [{ file: this.path(RELEASE_CONTEXT_FILE), content: `${JSON.stringify(context, null, 2)}\n` }] : []),
    ];
  }

  private path(file: string): string {
    return this.dir ? `${this.dir}/${file}` : file;
  }
}

/** What {@link ACCEPTED_FINDINGS_FILE} holds: the accepted Warnings, sorted by code, object and reason. */
export interface AcceptedFindingsFile {
  readonly accepted: readonly AcceptedFinding[];
}

/** {@link ACCEPTED_FINDINGS_FILE} for the entries of a directory's stages: none when they accept nothing; the same bytes for the same entries. */
function acceptedFindingsFile(entries: readonly AcceptedFinding[]): ReleaseFile[] {
  const byKey = new Map<string, AcceptedFinding>();
  for (const e of entries) {
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
