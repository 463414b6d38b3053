// A Flask app (port 5000) with Redis behind a Gateway: `/` (exact) on v1, then `/` split 80/20
// between v1 and v2 while every other path stays on v1. Both versions share one Redis.
import type { Construct } from 'constructs';
import type { ApplicationSpec, LaneSpec, StageSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import { httpWorkload, SMALL, tcp } from '../common';

const HTTP = { name: 'http', port: 5000, protocol: 'http' } as const;
const REDIS = { name: 'tcp-redis', port: 6379, protocol: 'tcp' } as const;
const flask = (version: string) =>
  httpWorkload(`registry.example.com/flaskapp:${version}`, HTTP, { replicas: 2, env: { REDIS_HOST: 'redis' } });

export const flaskapp: ApplicationSpec = {
  name: 'flaskapp',
  namespace: 'flaskapp',
  entryComponent: 'flaskapp',
  gateway: { name: 'flaskapp-gateway', hosts: ['*'] },
  components: [
    { name: 'flaskapp', calls: ['redis'], versions: { v1: flask('1.0.0'), v2: flask('2.0.0') } },
    {
      name: 'redis',
      versions: {
        '7.2': {
          image: 'docker.io/library/redis:7.2.4-alpine',
          ports: [REDIS],
          resources: SMALL,
          runAs: { user: 999, group: 999, fsGroup: 999 },
          writablePaths: ['/data'],
          readiness: { check: { exec: ['redis-cli', 'ping'] } },
          liveness: tcp(6379, { initialDelaySeconds: 5 }),
        },
      },
    },
  ],
};

const V1: LaneSpec = { name: 'v1', versions: { flaskapp: 'v1', redis: '7.2' } };
const V2: LaneSpec = { name: 'v2', versions: { flaskapp: 'v2', redis: '7.2' } };

export const flaskappStages: readonly StageSpec[] = [
  {
    name: '01-root-v1',
    description: 'The root page (exact /) and everything else on v1.',
    deployments: { flaskapp: ['v1'], redis: ['7.2'] },
    lanes: [V1],
    entry: [{ name: 'root', match: [{ uri: { exact: '/' } }], to: 'v1' }, { to: 'v1' }],
    mtls: 'STRICT',
  },
  {
    name: '02-root-80-20',
    description: 'The root page split 80/20 between v1 and v2; other paths stay on v1.',
    deployments: { flaskapp: ['v1', 'v2'], redis: ['7.2'] },
    lanes: [V1, V2],
    entry: [
      {
        name: 'root',
        match: [{ uri: { exact: '/' } }],
        to: [
          { lane: 'v1', weight: 80 },
          { lane: 'v2', weight: 20 },
        ],
      },
      { to: 'v1' },
    ],
    mtls: 'STRICT',
  },
];

export function buildFlaskapp(scope: Construct): ReleaseStage[] {
  return flaskappStages.map((s) => new ReleaseStage(scope, { application: flaskapp, stage: s }));
}
