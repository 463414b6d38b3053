// The release of this app, written by `voting-mesh init`: two services (web calls api) in two
// stages. Stage 01 runs 1.0 of both; stage 02 sends testers (header x-canary: always) down a lane
// of web 1.1 and api 2.0 while everyone else stays on 1.0.
//
// `npx voting-mesh synth` runs this file (cdk8s.yaml's app) and writes the stages to dist/;
// `npm test` runs main.test.ts against the same functions. FLAVOUR picks the data plane:
// istio-sidecar (Istio APIs, sidecars; the default), gateway-api-ambient (Gateway API, ambient
// mode), or both (the second into dist/gateway-api-ambient/).
import { Construct } from 'constructs';
import type { ApplicationSpec, ReleaseFlavour, StageSpec, WorkloadSpec } from 'voting-mesh';
import { ReleaseStage, runSynth } from 'voting-mesh';

/** One version of a service: its image, port, resources and probes. */
function workload(name: string, version: string, env: Record<string, string> = {}): WorkloadSpec {
  return {
    image: `registry.example.com/${name}:${version}`,
    replicas: 2,
    ports: [{ name: 'http', port: 8080, protocol: 'http' }],
    env,
    resources: { cpuMillis: { request: 50, limit: 200 }, memoryMiB: { request: 64, limit: 128 } },
    runAs: { user: 10001, group: 10001 },
    writablePaths: ['/tmp'],
    readiness: { check: { httpGet: { path: '/ready', port: 8080 } }, periodSeconds: 5 },
    liveness: { check: { tcpPort: 8080 }, initialDelaySeconds: 10 },
  };
}

// web reads api's host from its environment: the ambient flavour points it at the lane's Service.
export const application: ApplicationSpec = {
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'web',
  gateway: { name: 'shop-gateway', hosts: ['shop.example.com'] },
  components: [
    {
      name: 'web',
      calls: ['api'],
      versions: {
        '1.0': workload('web', '1.0', { API_HOST: 'api' }),
        '1.1': workload('web', '1.1', { API_HOST: 'api' }),
      },
    },
    { name: 'api', versions: { '1.0': workload('api', '1.0'), '2.0': workload('api', '2.0') } },
  ],
};

const stable = { name: 'stable', versions: { web: '1.0', api: '1.0' } };
const next = { name: 'next', versions: { web: '1.1', api: '2.0' } };

export const stages: StageSpec[] = [
  {
    name: '01-stable',
    description: 'Everyone on 1.0.',
    deployments: { web: ['1.0'], api: ['1.0'] },
    lanes: [stable],
    entry: [{ to: 'stable' }],
    mtls: 'STRICT',
  },
  {
    name: '02-canary',
    description: 'Testers (x-canary: always) on web 1.1 and api 2.0.',
    deployments: { web: ['1.0', '1.1'], api: ['1.0', '2.0'] },
    lanes: [stable, next],
    entry: [
      { name: 'testers', match: [{ header: { name: 'x-canary', exact: 'always' } }], to: 'next' },
      { to: 'stable' },
    ],
    mtls: 'STRICT',
  },
];

/** The values of FLAVOUR, and the flavours each one synthesizes. */
export const FLAVOURS: Readonly<Record<string, readonly ReleaseFlavour[]>> = {
  'istio-sidecar': ['istio-sidecar'],
  'gateway-api-ambient': ['gateway-api-ambient'],
  both: ['istio-sidecar', 'gateway-api-ambient'],
};

/**
 * One chart per stage and flavour. The first flavour's stages go to the top of the output
 * directory; any other flavour's go to a subdirectory named for it, under a scope of its own
 * (chart names are unique per scope).
 */
export function buildRelease(
  scope: Construct,
  flavours: readonly ReleaseFlavour[] = ['istio-sidecar'],
): ReleaseStage[] {
  return flavours.flatMap((flavour, i) => {
    const parent = i === 0 ? scope : new Construct(scope, flavour);
    return stages.map(
      (stage) =>
        new ReleaseStage(parent, { application, stage, flavour, ...(i === 0 ? {} : { outputDirectory: flavour }) }),
    );
  });
}

// Run as the app (not imported by a test): synthesize the flavours FLAVOUR names.
if (require.main === module) {
  const choice = process.env.FLAVOUR || 'istio-sidecar';
  const flavours = FLAVOURS[choice];
  if (!flavours) {
    console.error(`error: FLAVOUR is '${choice}', not one of ${Object.keys(FLAVOURS).join(', ')}`);
    process.exit(2);
  }
  runSynth((app) => buildRelease(app, flavours));
}
