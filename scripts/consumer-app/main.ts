// A platform team's own cdk8s app, outside the voting-mesh repo: two services (web calls api),
// a stable stage and a header canary whose lane runs web 1.1 with api 2.0. docs/constructs.md
// shows this file; the consumer test (scripts/consumer-test.mjs) installs the packed voting-mesh
// tarball next to it and runs it.
import { ApiObject, JsonPatch } from 'cdk8s';
import { ApplicationSpec, ReleaseStage, runSynth, StageSpec, WorkloadSpec } from 'voting-mesh';

const service = (name: string, version: string, env: Record<string, string> = {}): WorkloadSpec => ({
  image: `registry.example.com/${name}:${version}`,
  replicas: 2,
  ports: [{ name: 'http', port: 8080, protocol: 'http' }],
  env,
  resources: { cpuMillis: { request: 50, limit: 200 }, memoryMiB: { request: 64, limit: 128 } },
  runAs: { user: 10001, group: 10001 },
  writablePaths: ['/tmp'],
  readiness: { check: { httpGet: { path: '/ready', port: 8080 } }, periodSeconds: 5 },
  liveness: { check: { tcpPort: 8080 }, initialDelaySeconds: 10 },
});

const shop: ApplicationSpec = {
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'web',
  gateway: { name: 'shop-gateway', hosts: ['shop.example.com'] },
  components: [
    { name: 'web', calls: ['api'], versions: { '1.0': service('web', '1.0', { API_HOST: 'api' }), '1.1': service('web', '1.1', { API_HOST: 'api' }) } },
    { name: 'api', versions: { '1.0': service('api', '1.0'), '2.0': service('api', '2.0') } },
  ],
};

const stable = { name: 'stable', versions: { web: '1.0', api: '1.0' } };
const next = { name: 'next', versions: { web: '1.1', api: '2.0' } };

const stages: StageSpec[] = [
  { name: '01-stable', description: 'Everyone on 1.0.', deployments: { web: ['1.0'], api: ['1.0'] }, lanes: [stable], entry: [{ to: 'stable' }], mtls: 'STRICT' },
  {
    name: '02-canary', description: 'Testers (x-canary: always) on web 1.1 and api 2.0.',
    deployments: { web: ['1.0', '1.1'], api: ['1.0', '2.0'] }, lanes: [stable, next],
    entry: [{ name: 'testers', match: [{ header: { name: 'x-canary', exact: 'always' } }], to: 'next' }, { to: 'stable' }],
    mtls: 'STRICT',
  },
];

// BREAK=1 adds a stage whose entry route names a lane that does not exist: synth must fail
// with one line and leave the previous output as it was.
const broken: StageSpec = { ...stages[1], name: '03-broken', entry: [{ to: 'nowhere' }] };

// FLAVOUR=gateway-api-ambient writes the same stages as Gateway API routes in ambient mode.
const flavour = process.env.FLAVOUR === 'gateway-api-ambient' ? 'gateway-api-ambient' : 'istio-sidecar';

runSynth((app) => [...stages, ...(process.env.BREAK === '1' ? [broken] : [])].map((stage) => {
  const chart = new ReleaseStage(app, { application: shop, stage, flavour });
  if (flavour !== 'istio-sidecar') return chart;
  // Escape hatch: what the data model does not cover is a JSON patch on the generated object.
  // Here web's pods wait for their sidecar before the app starts (Istio's proxy config annotation).
  for (const d of chart.services.find((s) => s.name === 'web')!.deployments) {
    ApiObject.of(d.deployment).addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' }));
  }
  return chart;
}));
