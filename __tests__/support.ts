import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import { buildVotingRelease, Manifest, ReleaseStage, TrafficSimulator } from '../lib';

/**
 * An App for tests. Unlike Testing.app() it creates no temporary directory: tests render charts
 * with chart.toJson() and never call synth(), so the outdir is never written.
 */
export function testApp(): App {
  return new App({ outdir: join(tmpdir(), 'voting-mesh-tests-never-written') });
}

/** Builds every voting stage in a test App (nothing is written) and returns the manifests per stage. */
export function votingManifests(): Map<string, Manifest[]> {
  const stages = buildVotingRelease(testApp());
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

/** Follows a request from the gateway through the lane: app, analytics and storage Deployments. */
export function walk(manifests: readonly Manifest[], headers: Record<string, string> = {}) {
  const sim = new TrafficSimulator(manifests);
  const [app] = only(sim.ingress('voting-app-gateway', { headers, path: '/' }));
  const appLabels = podLabels(manifests, app.deployments[0]);
  const [analytics] = only(sim.call(appLabels, 'voting-analytics', 8080));
  const analyticsLabels = podLabels(manifests, analytics.deployments[0]);
  const storagePort = storagePortOf(manifests, appLabels.version === '2.0' ? 'MYSQL_HOST' : 'REDIS_HOST', app.deployments[0]);
  const [storageFromApp] = only(sim.call(appLabels, 'voting-storage', storagePort));
  const [storageFromAnalytics] = only(sim.call(analyticsLabels, 'voting-storage', storagePort));
  return {
    app: app.deployments, analytics: analytics.deployments,
    storageFromApp: storageFromApp.deployments, storageFromAnalytics: storageFromAnalytics.deployments,
    storagePort: storageFromApp.port,
  };
}

function only<T>(hops: T[]): T[] {
  if (hops.length !== 1) throw new Error(`expected one destination, got ${JSON.stringify(hops)}`);
  return hops;
}

export function podLabels(manifests: readonly Manifest[], deployment: string): Record<string, string> {
  return find(manifests, 'Deployment', deployment).spec.template.metadata.labels;
}

/** The storage port a Deployment's client talks to, from the env var it is configured with. */
function storagePortOf(manifests: readonly Manifest[], envName: string, deployment: string): number {
  const env: any[] = find(manifests, 'Deployment', deployment).spec.template.spec.containers[0].env;
  if (!env.some((e) => e.name === envName)) throw new Error(`${deployment} has no ${envName}`);
  return envName === 'MYSQL_HOST' ? 3306 : 6379;
}
