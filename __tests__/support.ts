import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import { Manifest, ReleaseStage, explainRequest } from 'voting-mesh';
import { buildVotingFlavour } from '../voting';

/**
 * An App for tests. Unlike Testing.app() it creates no temporary directory: tests render charts
 * with chart.toJson() and never call synth(), so the outdir is never written.
 */
export function testApp(): App {
  return new App({ outdir: join(tmpdir(), 'voting-mesh-tests-never-written') });
}

/** Builds every voting stage of the sidecar flavour in a test App (nothing is written) and returns the manifests per stage. */
export function votingManifests(): Map<string, Manifest[]> {
  const stages = buildVotingFlavour(testApp(), 'istio-sidecar');
  return new Map(stages.map((s: ReleaseStage) => [s.stageName, s.toJson() as Manifest[]]));
}

export function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} '${name}'`);
  return found;
}

export function names(manifests: readonly Manifest[], kind: string): string[] {
  return manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name);
}

/**
 * Follows a request from the gateway through the lane with the explain evaluator (which reads
 * the synthesized objects, including the calls each workload's environment makes).
 */
export function walk(manifests: readonly Manifest[], headers: Record<string, string> = {}) {
  const { hops } = explainRequest(manifests, { headers, path: '/' });
  const [app] = only(hops);
  const [analytics] = only(app.calls.filter((c) => c.service === 'voting-analytics'));
  const [storageFromApp] = only(app.calls.filter((c) => c.service === 'voting-storage'));
  const [storageFromAnalytics] = only(analytics.calls.filter((c) => c.service === 'voting-storage'));
  if (storageFromAnalytics.port !== storageFromApp.port) throw new Error('app and analytics use different storage ports');
  return {
    app: app.deployments, analytics: analytics.deployments,
    storageFromApp: storageFromApp.deployments, storageFromAnalytics: storageFromAnalytics.deployments,
    storagePort: storageFromApp.port,
  };
}

function only<T>(items: readonly T[]): readonly T[] {
  if (items.length !== 1) throw new Error(`expected exactly one, got ${JSON.stringify(items)}`);
  return items;
}
