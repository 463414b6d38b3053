// The shop of issue 18: a platform engineer's own app, tried as a new user would. frontend (1.0,
// 2.0) calls cart (1.0) and payments (v1, v2); both call postgres. Stage 01 runs everything on
// one lane; 02 adds an `x-canary: true` header lane running frontend 2.0; 03 keeps the header lane
// and splits calls to payments 90/10 with serviceRoutes, the lanes no longer naming a payments version.
import type { ApplicationSpec, StageSpec, WorkloadSpec } from 'voting-mesh';

const HTTP = { name: 'http', port: 8080, protocol: 'http' } as const;
const PG = { name: 'tcp-postgres', port: 5432, protocol: 'tcp' } as const;

function workload(
  image: string,
  port: typeof HTTP | typeof PG,
  env: Record<string, string> = {},
  extra: Partial<WorkloadSpec> = {},
): WorkloadSpec {
  return {
    image,
    ports: [port],
    env,
    resources: { cpuMillis: { request: 50, limit: 250 }, memoryMiB: { request: 64, limit: 256 } },
    runAs: { user: 10001, group: 10001 },
    writablePaths: ['/tmp'],
    readiness: { check: { tcpPort: port.port }, periodSeconds: 5 },
    liveness: { check: { tcpPort: port.port }, initialDelaySeconds: 10 },
    ...extra,
  };
}

const FRONTEND_ENV = { CART_HOST: 'cart', PAYMENTS_HOST: 'payments' };
const DB_ENV = { DATABASE_HOST: 'postgres' };

export const shopApplication: ApplicationSpec = {
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'frontend',
  gateway: { name: 'shop-gateway', hosts: ['*'] },
  components: [
    {
      name: 'frontend',
      calls: ['cart', 'payments'],
      versions: {
        '1.0': workload('example.com/shop/frontend:1.0', HTTP, FRONTEND_ENV),
        '2.0': workload('example.com/shop/frontend:2.0', HTTP, FRONTEND_ENV),
      },
    },
    { name: 'cart', calls: ['postgres'], versions: { '1.0': workload('example.com/shop/cart:1.0', HTTP, DB_ENV) } },
    {
      name: 'payments',
      calls: ['postgres'],
      versions: {
        v1: workload('example.com/shop/payments:v1', HTTP, DB_ENV),
        v2: workload('example.com/shop/payments:v2', HTTP, DB_ENV),
      },
    },
    {
      name: 'postgres',
      versions: {
        '16': workload(
          'docker.io/library/postgres:16.4',
          PG,
          {},
          {
            env: {
              PGDATA: '/var/lib/postgresql/data/pgdata',
              POSTGRES_PASSWORD: { secretName: 'shop-db', key: 'password' },
            } as any,
            runAs: { user: 999, group: 999, fsGroup: 999 },
            writablePaths: ['/tmp', '/var/run/postgresql'],
            persistentVolume: {
              claimName: 'postgres-data',
              sizeGiB: 1,
              accessMode: 'ReadWriteOnce',
              mountPath: '/var/lib/postgresql/data',
            },
          },
        ),
      },
    },
  ],
};

const MAIN = { name: 'main', versions: { frontend: '1.0', cart: '1.0', payments: 'v1', postgres: '16' } };
const CANARY_HEADER = [{ header: { name: 'x-canary', exact: 'true' } }];

export const shopStages: readonly StageSpec[] = [
  {
    name: '01-one-lane',
    description: 'Everything on one lane.',
    deployments: { frontend: ['1.0'], cart: ['1.0'], payments: ['v1'], postgres: ['16'] },
    lanes: [MAIN],
    entry: [{ to: 'main' }],
  },
  {
    name: '02-header-canary',
    description: 'Requests with x-canary: true run frontend 2.0.',
    deployments: { frontend: ['1.0', '2.0'], cart: ['1.0'], payments: ['v1'], postgres: ['16'] },
    lanes: [MAIN, { name: 'canary', versions: { ...MAIN.versions, frontend: '2.0' } }],
    entry: [{ name: 'canary', match: CANARY_HEADER, to: 'canary' }, { to: 'main' }],
  },
  {
    name: '03-payments-split',
    description: 'The header lane stays; calls to payments are split 90/10 between v1 and v2.',
    deployments: { frontend: ['1.0', '2.0'], cart: ['1.0'], payments: ['v1', 'v2'], postgres: ['16'] },
    lanes: [
      { name: 'main', versions: { frontend: '1.0', cart: '1.0', postgres: '16' } },
      { name: 'canary', versions: { frontend: '2.0', cart: '1.0', postgres: '16' } },
    ],
    entry: [{ name: 'canary', match: CANARY_HEADER, to: 'canary' }, { to: 'main' }],
    serviceRoutes: {
      payments: [
        {
          to: [
            { version: 'v1', weight: 90 },
            { version: 'v2', weight: 10 },
          ],
        },
      ],
    },
  },
];
