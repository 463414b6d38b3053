// The files a release synthesizes to (stage YAML, RELEASE.md, gates, accepted findings, release context), split out of synth.ts.
import type { StageChart } from '../constructs/stage-chart';
import type { MeshContext } from '../model/defaults';
import { DEFAULT_INGRESS_POD_LABELS, DEFAULT_ISTIO_NAMESPACE, resolveMeshContext } from '../model/defaults';
import type { AcceptedFinding } from '../model/application-spec';
import { sealAsRead } from '../analysis/content-hash';
import { renderReleaseNotes } from './release-notes';
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
