// Benchmark input, not committed output: a generated release of N services x S stages, run
// through the same synth pipeline as main.ts. Usage (via npm run bench):
//   node .build/bench/generated-release.js <services> <stages> [--eager]   (CDK8S_OUTDIR = where to write)
// The stages are given to synth as a generator, built one at a time (what a large release should
// do); --eager builds every stage first and gives them as an array, as a small release may.
import { App } from 'cdk8s';
import type { ApplicationSpec, ComponentSpec, StageSpec, WorkloadSpec } from 'voting-mesh';
import { ReleaseStage, synthRelease } from 'voting-mesh';

const [services, stageCount] = process.argv.slice(2, 4).map(Number);
const eager = process.argv.includes('--eager');
if (!(services >= 1 && stageCount >= 2)) {
  console.error('usage: generated-release <services >= 1> <stages >= 2>');
  process.exit(2);
}

const workload = (name: string, version: string, callees: string[]): WorkloadSpec => ({
  image: `registry.example.com/${name}:${version}`,
  replicas: 2,
  ports: [{ name: 'http', port: 8080, protocol: 'http' }],
  env: Object.fromEntries(callees.map((c) => [`${c.replace(/-/g, '_').toUpperCase()}_HOST`, c])),
  resources: { cpuMillis: { request: 50, limit: 200 }, memoryMiB: { request: 64, limit: 128 } },
  runAs: { user: 10001, group: 10001 },
  readiness: { check: { httpGet: { path: '/ready', port: 8080 } } },
  liveness: { check: { tcpPort: 8080 } },
});

const name = (i: number) => `svc-${String(i).padStart(3, '0')}`;
// A call tree: service i calls 2i+1 and 2i+2, so every service is reachable from svc-000.
const components: ComponentSpec[] = Array.from({ length: services }, (_, i) => {
  const calls = [2 * i + 1, 2 * i + 2].filter((j) => j < services).map(name);
  return {
    name: name(i),
    calls,
    versions: { '1.0': workload(name(i), '1.0', calls), '2.0': workload(name(i), '2.0', calls) },
  };
});
const application: ApplicationSpec = {
  name: 'bench',
  namespace: 'bench',
  entryComponent: name(0),
  gateway: { name: 'bench-gateway' },
  components,
};
const all = (version: string) => Object.fromEntries(components.map((c) => [c.name, version]));
const both = Object.fromEntries(components.map((c) => [c.name, ['1.0', '2.0']]));

// Stage 0: 1.0 only; stages 1..S-2: a canary whose weight grows; last: 2.0 only.
const stages: StageSpec[] = Array.from({ length: stageCount }, (_, k) => {
  const id = String(k).padStart(2, '0');
  if (k === 0)
    return {
      name: `${id}-stable`,
      description: '1.0',
      deployments: Object.fromEntries(components.map((c) => [c.name, ['1.0']])),
      lanes: [{ name: 'stable', versions: all('1.0') }],
      entry: [{ to: 'stable' }],
      mtls: 'STRICT',
    };
  if (k === stageCount - 1)
    return {
      name: `${id}-done`,
      description: '2.0',
      deployments: Object.fromEntries(components.map((c) => [c.name, ['2.0']])),
      lanes: [{ name: 'canary', versions: all('2.0') }],
      entry: [{ to: 'canary' }],
      mtls: 'STRICT',
    };
  const weight = Math.round((100 * k) / (stageCount - 1));
  return {
    name: `${id}-canary-${weight}`,
    description: `${weight}% on 2.0`,
    deployments: both,
    lanes: [
      { name: 'stable', versions: all('1.0') },
      { name: 'canary', versions: all('2.0') },
    ],
    entry: [
      { name: 'testers', match: [{ header: { name: 'x-canary', exact: 'always' } }], to: 'canary' },
      {
        to: [
          { lane: 'stable', weight: 100 - weight },
          { lane: 'canary', weight },
        ],
      },
    ],
    mtls: 'STRICT',
  };
});

const app = new App();
function* built(): Generator<ReleaseStage> {
  for (const stage of stages) yield new ReleaseStage(app, { application, stage });
}
synthRelease(app, eager ? [...built()] : built());
