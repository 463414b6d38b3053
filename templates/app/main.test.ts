// Tests of the release in main.ts, written by `voting-mesh init`: `npm test` runs them. The stages
// are built in an App that is never synthesized; the tests assert where requests go
// (explainRequest follows the entry gateway, then each call), and what bad data is refused.
import { Testing } from 'cdk8s';
import type { Manifest, ReleaseFlavour } from 'voting-mesh';
import { analyzeMesh, explainRequest, ReleaseConfigError, ReleaseStage } from 'voting-mesh';
import { application, buildRelease, stages } from './main';

/** The manifests of one stage in one flavour. */
function stage(name: string, flavour: ReleaseFlavour): Manifest[] {
  const chart = buildRelease(Testing.app(), [flavour]).find((s) => s.stageName === name)!;
  return chart.toJson() as Manifest[];
}

/** The Deployments a request reaches: the entry service's, then those of each call it makes. */
function path(manifests: Manifest[], headers: Record<string, string> = {}): string[] {
  const [entry] = explainRequest(manifests, { headers }).hops;
  return [...entry.deployments, ...entry.calls.flatMap((c) => c.deployments)];
}

describe.each<ReleaseFlavour>(['istio-sidecar', 'gateway-api-ambient'])('the %s flavour', (flavour) => {
  test('GIVEN stage 01-stable WHEN anyone calls THEN web 1.0, then api 1.0, answer', () => {
    expect(path(stage('01-stable', flavour))).toEqual(['web-1-0', 'api-1-0']);
  });

  test('GIVEN stage 02-canary WHEN a tester calls (x-canary: always) THEN web 1.1, then api 2.0, answer', () => {
    expect(path(stage('02-canary', flavour), { 'x-canary': 'always' })).toEqual(['web-1-1', 'api-2-0']);
  });

  test('GIVEN stage 02-canary WHEN anyone else calls THEN they stay on 1.0', () => {
    expect(path(stage('02-canary', flavour), { 'x-canary': 'sometimes' })).toEqual(['web-1-0', 'api-1-0']);
  });

  test('GIVEN every stage THEN the mesh analyzer finds no error', () => {
    for (const s of stages) expect(analyzeMesh(stage(s.name, flavour)).filter((f) => f.level === 'Error')).toEqual([]);
  });
});

test('GIVEN both flavours THEN the second is written to its own directory', () => {
  const charts = buildRelease(Testing.app(), ['istio-sidecar', 'gateway-api-ambient']);
  expect(charts.map((c) => [c.outputDirectory, c.stageName].filter(Boolean).join('/'))).toEqual([
    '01-stable',
    '02-canary',
    'gateway-api-ambient/01-stable',
    'gateway-api-ambient/02-canary',
  ]);
});

test('GIVEN a stage whose entry names a lane it does not define THEN it is refused, naming stage, field and lane', () => {
  const broken = { ...stages[1], lanes: [stages[1].lanes[0]] };
  expect(() => new ReleaseStage(Testing.app(), { application, stage: broken })).toThrow(ReleaseConfigError);
  expect(() => new ReleaseStage(Testing.app(), { application, stage: broken })).toThrow(
    /stage '02-canary'.*lane 'next' is not defined/,
  );
});
