// A web site on Istio's recommended stack (Gateway API, ambient mode): 4 pods of version 1 and 1
// of version 2; testers with the header qa: canary-test get version 2, then 20/80 between version
// 1 and version 2. The same stage data with `flavour: 'istio-sidecar'` (the default) gives the
// Istio Gateway, VirtualService and DestinationRule subsets instead.
import type { Construct } from 'constructs';
import type { ApplicationSpec, LaneSpec, StageSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import { httpWorkload } from '../common';

const HTTP = { name: 'http', port: 8080, protocol: 'http' } as const;
// nginx-unprivileged listens on 8080 as UID 101 and writes its cache and pid to /tmp.
const site = (tag: string, replicas: number) =>
  httpWorkload(`docker.io/nginxinc/nginx-unprivileged:${tag}`, HTTP, {
    replicas,
    runAs: { user: 101, group: 101 },
    readiness: { check: { httpGet: { path: '/', port: 8080 } }, periodSeconds: 5 },
  });

export const website: ApplicationSpec = {
  name: 'website',
  namespace: 'website',
  entryComponent: 'website',
  gateway: { name: 'website-gateway', hosts: ['www.example.com'] },
  components: [{ name: 'website', versions: { v1: site('1.26.3-alpine', 4), v2: site('1.27.3-alpine', 1) } }],
};

const V1: LaneSpec = { name: 'version-1', versions: { website: 'v1' } };
const V2: LaneSpec = { name: 'version-2', versions: { website: 'v2' } };
const testers = {
  name: 'qa-canary',
  match: [{ header: { name: 'qa', exact: 'canary-test' } }],
  to: 'version-2',
} as const;

export const websiteStages: readonly StageSpec[] = [
  {
    name: '01-header-canary',
    description: 'Testers (qa: canary-test) on version 2, everyone else on version 1.',
    deployments: { website: ['v1', 'v2'] },
    lanes: [V1, V2],
    entry: [testers, { to: 'version-1' }],
    mtls: 'STRICT',
  },
  {
    name: '02-split-20-80',
    description: 'Testers stay on version 2; everyone else 20% version 1, 80% version 2.',
    deployments: { website: ['v1', 'v2'] },
    lanes: [V1, V2],
    entry: [
      testers,
      {
        to: [
          { lane: 'version-1', weight: 20 },
          { lane: 'version-2', weight: 80 },
        ],
      },
    ],
    mtls: 'STRICT',
  },
];

export function buildWebsite(scope: Construct): ReleaseStage[] {
  return websiteStages.map(
    (s) => new ReleaseStage(scope, { application: website, stage: s, flavour: 'gateway-api-ambient' }),
  );
}
