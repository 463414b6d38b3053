// Bookinfo's reviews canary: productpage calls reviews, whose v1/v2 are chosen per call by
// weight (100/0, 50/50, 0/100), by header (user-agent: canary) or by cookie (canary=true).
// productpage forwards the caller's user-agent and cookie headers, so the match holds in the mesh.
import type { Construct } from 'constructs';
import type { ApplicationSpec, ServiceRouteSpec, StageSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import { httpWorkload } from '../common';

const HTTP = { name: 'http', port: 9080, protocol: 'http' } as const;
const image = (name: string, version: string) => `docker.io/istio/examples-bookinfo-${name}-${version}:1.20.2`;
// Open Liberty (reviews) writes its logs and work area under /opt/ol/wlp/output.
const liberty = { writablePaths: ['/tmp', '/opt/ol/wlp/output'], runAs: { user: 1001, group: 1001 } };

export const bookinfo: ApplicationSpec = {
  name: 'bookinfo',
  namespace: 'bookinfo',
  entryComponent: 'productpage',
  gateway: { name: 'bookinfo-gateway', hosts: ['*'] },
  components: [
    {
      name: 'productpage',
      calls: ['reviews'],
      versions: { v1: httpWorkload(image('productpage', 'v1'), HTTP, { env: { REVIEWS_HOSTNAME: 'reviews' } }) },
    },
    {
      name: 'reviews',
      calls: ['ratings'],
      versions: {
        // v1 shows no stars: it never calls ratings, so it is not allowed to.
        v1: httpWorkload(image('reviews', 'v1'), HTTP, { ...liberty, calls: [], env: { ENABLE_RATINGS: 'false' } }),
        v2: httpWorkload(image('reviews', 'v2'), HTTP, {
          ...liberty,
          env: { ENABLE_RATINGS: 'true', RATINGS_HOSTNAME: 'ratings' },
        }),
      },
    },
    { name: 'ratings', versions: { v1: httpWorkload(image('ratings', 'v1'), HTTP) } },
  ],
};

const stage = (name: string, description: string, reviews: readonly ServiceRouteSpec[]): StageSpec => ({
  name,
  description,
  deployments: { productpage: ['v1'], reviews: ['v1', 'v2'], ratings: ['v1'] },
  lanes: [{ name: 'main', versions: { productpage: 'v1', ratings: 'v1' } }],
  entry: [{ to: 'main' }],
  serviceRoutes: { reviews },
  mtls: 'STRICT',
});
const split = (v1: number, v2: number): ServiceRouteSpec[] => [
  {
    to: [
      { version: 'v1', weight: v1 },
      { version: 'v2', weight: v2 },
    ],
  },
];

export const bookinfoStages: readonly StageSpec[] = [
  stage('01-reviews-100-0', 'All reviews calls on v1; v2 deployed at weight 0.', split(100, 0)),
  stage('02-reviews-50-50', 'Half of the reviews calls on v2.', split(50, 50)),
  stage('03-reviews-0-100', 'Every reviews call on v2.', split(0, 100)),
  stage('04-header-canary', 'Requests with user-agent "canary" get reviews v2; everyone else v1.', [
    { name: 'canary-agent', match: [{ header: { name: 'user-agent', exact: 'canary' } }], to: 'v2' },
    { to: 'v1' },
  ]),
  stage('05-cookie-canary', 'Requests with the cookie canary=true get reviews v2; everyone else v1.', [
    { name: 'canary-cookie', match: [{ cookie: { name: 'canary', value: 'true' } }], to: 'v2' },
    { to: 'v1' },
  ]),
];

export function buildBookinfo(scope: Construct): ReleaseStage[] {
  return bookinfoStages.map((s) => new ReleaseStage(scope, { application: bookinfo, stage: s }));
}
