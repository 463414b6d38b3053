// A sticky weighted canary: 90% of new visitors on version 1, 10% on version 2, and each visitor
// stays where the first answer put them (the response sets the cookie shop-canary=v1 or v2, and a
// route before the split sends requests with that cookie back). Both flavours: Istio's APIs with
// sidecars (dist/), and Gateway API in ambient mode (dist/gateway-api-ambient/).
import { Construct } from 'constructs';
import type { ApplicationSpec, LaneSpec, ReleaseFlavour, StageSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import { httpWorkload } from '../common';

const HTTP = { name: 'http', port: 8080, protocol: 'http' } as const;
// nginx-unprivileged listens on 8080 as UID 101 and writes its cache and pid to /tmp.
const shopVersion = (tag: string, replicas: number) =>
  httpWorkload(`docker.io/nginxinc/nginx-unprivileged:${tag}`, HTTP, {
    replicas,
    runAs: { user: 101, group: 101 },
    readiness: { check: { httpGet: { path: '/', port: 8080 } }, periodSeconds: 5 },
  });

export const shop: ApplicationSpec = {
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'shop',
  gateway: { name: 'shop-gateway', hosts: ['shop.example.com'] },
  components: [
    { name: 'shop', versions: { v1: shopVersion('1.26.3-alpine', 3), v2: shopVersion('1.27.3-alpine', 1) } },
  ],
};

const V1: LaneSpec = { name: 'stable', versions: { shop: 'v1' } };
const V2: LaneSpec = { name: 'canary', versions: { shop: 'v2' } };

export const shopStages: readonly StageSpec[] = [
  {
    name: '01-stable',
    description: 'Every visitor on version 1.',
    deployments: { shop: ['v1'] },
    lanes: [V1],
    entry: [{ to: 'stable' }],
    mtls: 'STRICT',
  },
  {
    name: '02-sticky-canary',
    description:
      'New visitors 90% version 1, 10% version 2; each stays on the version of their first answer for a day.',
    deployments: { shop: ['v1', 'v2'] },
    lanes: [V1, V2],
    mtls: 'STRICT',
    entry: [
      {
        name: 'split',
        to: [
          { lane: 'stable', weight: 90 },
          { lane: 'canary', weight: 10 },
        ],
        sticky: { cookie: 'shop-canary', maxAgeSeconds: 86400 },
      },
    ],
    gates: [{ lane: 'canary', minSuccessRatePercent: 99.5, maxP99LatencyMs: 300, window: '10m', minRequests: 200 }],
  },
];

/** The stages in one flavour; the ambient ones are written to dist/gateway-api-ambient/. */
export function buildShopFlavour(scope: Construct, flavour: ReleaseFlavour): ReleaseStage[] {
  const parent = flavour === 'istio-sidecar' ? scope : new Construct(scope, flavour);
  return shopStages.map(
    (s) =>
      new ReleaseStage(parent, {
        application: shop,
        stage: s,
        flavour,
        ...(flavour === 'istio-sidecar' ? {} : { outputDirectory: 'gateway-api-ambient' }),
      }),
  );
}

export function buildShop(scope: Construct): ReleaseStage[] {
  return [...buildShopFlavour(scope, 'istio-sidecar'), ...buildShopFlavour(scope, 'gateway-api-ambient')];
}
