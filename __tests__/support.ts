import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import type { Manifest, ReleaseStage } from 'voting-mesh';
import { explainRequest } from 'voting-mesh';
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
  if (storageFromAnalytics.port !== storageFromApp.port)
    throw new Error('app and analytics use different storage ports');
  return {
    app: app.deployments,
    analytics: analytics.deployments,
    storageFromApp: storageFromApp.deployments,
    storageFromAnalytics: storageFromAnalytics.deployments,
    storagePort: storageFromApp.port,
  };
}

function only<T>(items: readonly T[]): readonly T[] {
  if (items.length !== 1) throw new Error(`expected exactly one, got ${JSON.stringify(items)}`);
  return items;
}

/** The featureflag=on cookie in every position of the Cookie header: each must enter the 2.0 lane. */
export const COOKIE_VARIANTS: Readonly<Record<string, string>> = {
  alone: 'featureflag=on',
  first: 'featureflag=on; session=abc',
  middle: 'a=1; featureflag=on; b=2',
  last: 'session=abc; featureflag=on',
  'no space after ;': 'a=1;featureflag=on;b=2',
};

/** Lookalikes of the cookie: each must stay on the 1.x lane. */
export const NOT_THE_COOKIE: Readonly<Record<string, string>> = {
  'longer name': 'xfeatureflag=on',
  'longer name, not first': 'a=1; xfeatureflag=on',
  'longer value': 'featureflag=onion',
  'other value': 'featureflag=off',
  'as a value': 'other=featureflag',
};
