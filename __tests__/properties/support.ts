// Support of the property suite: building a generated release in both flavours (memoized, so
// that the seven properties share one build per generated release), the requests that exercise a
// stage's routes, and the run settings (seed and number of apps; `npm run fuzz` raises them).
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import type { Manifest, ReleaseFlavour, SimulatedRequest, StageSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import type { GeneratedRelease } from './arbitraries';
import { entryRequest } from './model';

export const FLAVOURS: readonly ReleaseFlavour[] = ['istio-sidecar', 'gateway-api-ambient'];
/** Where each flavour writes, as the voting release does: sidecar at the top, ambient in a subdirectory. */
export const DIRECTORY: Readonly<Record<ReleaseFlavour, string>> = {
  'istio-sidecar': '',
  'gateway-api-ambient': 'gateway-api-ambient',
};

/** The stages of both flavours of a release, in one App (outdir given, never written unless synthesized). */
export function chartsOf(
  release: GeneratedRelease,
  outdir = join(tmpdir(), 'voting-mesh-properties-never-written'),
): { app: App; charts: ReleaseStage[] } {
  const app = new App({ outdir });
  const charts = FLAVOURS.flatMap((flavour) => {
    const parent = flavour === 'istio-sidecar' ? app : new Construct(app, flavour);
    return release.stages.map(
      (stage) =>
        new ReleaseStage(parent, { application: release.app, stage, flavour, outputDirectory: DIRECTORY[flavour] }),
    );
  });
  return { app, charts };
}

/** A release built in both flavours, or the error its construction threw. */
export interface BuiltRelease {
  readonly release: GeneratedRelease;
  readonly error?: unknown;
  /** The App of the stages (its outdir unique to this build, not created): synth property 1 writes it there. */
  readonly app?: App;
  /** Per flavour, per stage: the chart and its manifests. */
  readonly stages: ReadonlyMap<
    ReleaseFlavour,
    readonly { readonly chart: ReleaseStage; readonly spec: StageSpec; readonly manifests: Manifest[] }[]
  >;
}

const built = new Map<string, BuiltRelease>();
let builds = 0;

/** Builds (once per distinct release in this process) every stage of both flavours. */
export function build(release: GeneratedRelease): BuiltRelease {
  const key = JSON.stringify(release);
  let b = built.get(key);
  if (b) return b;
  try {
    const { app, charts } = chartsOf(release, join(tmpdir(), `voting-mesh-prop-${process.pid}-${++builds}`));
    const stages = new Map(
      FLAVOURS.map((f) => [
        f,
        charts
          .filter((c) => c.flavour === f)
          .map((chart, i) => ({ chart, spec: release.stages[i], manifests: chart.toJson() as Manifest[] })),
      ]),
    );
    b = { release, app, stages };
  } catch (error) {
    b = { release, error, stages: new Map() };
  }
  // Keep the memo small: the properties of one run ask for the same few releases in turn.
  if (built.size > 200) built.clear();
  built.set(key, b);
  return b;
}

/** The charts of a built release, in {@link chartsOf}'s order (sidecar stages, then ambient). */
export function chartsOfBuilt(b: BuiltRelease): ReleaseStage[] {
  return FLAVOURS.flatMap((f) => (b.stages.get(f) ?? []).map((s) => s.chart));
}

/** The requests that exercise a stage: one per entry route (the default route's matches nothing earlier), and the `x-beta` header that service routes match. */
export function requestsOf(stage: StageSpec): { readonly label: string; readonly request: SimulatedRequest }[] {
  const out = stage.entry.map((r, k) => ({
    label: r.match ? `route ${k}` : 'no match (default route)',
    request: entryRequest(r),
  }));
  if (Object.values(stage.serviceRoutes ?? {}).some((routes) => routes.some((r) => r.match)))
    out.push({ label: 'x-beta: yes', request: { headers: { 'x-beta': 'yes' }, path: '/' } });
  return out;
}

/** A fresh temporary directory, removed after `f`. */
export function withTempDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-prop-'));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seed and number of generated apps: fixed for `npm test`, raised by `npm run fuzz` (FUZZ_RUNS, FUZZ_SEED). */
export const RUN = {
  seed: Number(process.env.FUZZ_SEED ?? 20261202),
  runs: Number(process.env.FUZZ_RUNS ?? 6),
  fuzzing: process.env.FUZZ_RUNS !== undefined,
};

/** Runs `f` with console.error silenced (synth prints its accepted Warnings there). */
export function quietly<T>(f: () => T): T {
  const saved = console.error;
  console.error = () => undefined;
  try {
    return f();
  } finally {
    console.error = saved;
  }
}
