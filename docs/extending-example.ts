// The worked example of docs/extending.md. __tests__/extending-guide.test.ts checks that the guide
// shows this file verbatim, type-checks it (npm run typecheck) and runs it.
import type { Construct } from 'constructs';
import type { ApplicationSpec, StageSpec, WorkloadSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';

// 1. A service: one WorkloadSpec per version. Every setting is explicit; the library rejects
//    unpinned images, root or Istio's UID, ports without an Istio protocol, probes on unknown ports.
const api = (version: string): WorkloadSpec => ({
  image: `registry.example.com/payments-api:${version}`,
  replicas: 3,
  ports: [{ name: 'http', port: 8080, protocol: 'http' }],
  env: { LEDGER_HOST: 'ledger', DB_PASSWORD: { secretName: 'ledger-credentials', key: 'password' } },
  resources: { cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 256 } },
  runAs: { user: 10001, group: 10001 },
  writablePaths: ['/tmp'],
  readiness: { check: { httpGet: { path: '/ready', port: 8080 } }, periodSeconds: 5 },
  liveness: { check: { tcpPort: 8080 }, initialDelaySeconds: 10 },
});

export const payments: ApplicationSpec = {
  name: 'payments',
  namespace: 'payments',
  entryComponent: 'payments-api',
  gateway: { name: 'payments-gateway', hosts: ['pay.example.com'] },
  components: [
    // 2. A version is one more key: 1.1 runs beside 1.0 as its own Deployment (payments-api-1-1).
    { name: 'payments-api', calls: ['ledger'], versions: { '1.0': api('1.0'), '1.1': api('1.1') } },
    {
      name: 'ledger',
      versions: {
        '15.4': {
          image: 'docker.io/library/postgres:15.4', ports: [{ name: 'tcp-postgres', port: 5432, protocol: 'tcp' }],
          resources: { cpuMillis: { request: 250, limit: 1000 }, memoryMiB: { request: 256, limit: 1024 } },
          runAs: { user: 999, group: 999, fsGroup: 999 }, writablePaths: ['/var/run/postgresql', '/tmp'],
          persistentVolume: { claimName: 'ledger-data', sizeGiB: 10, accessMode: 'ReadWriteOnce', mountPath: '/var/lib/postgresql/data' },
          readiness: { check: { exec: ['pg_isready', '-h', '127.0.0.1'] } }, liveness: { check: { tcpPort: 5432 } },
        },
      },
    },
  ],
};

const stable = { name: 'stable', versions: { 'payments-api': '1.0', ledger: '15.4' } };
const next = { name: 'next', versions: { 'payments-api': '1.1', ledger: '15.4' } };

export const paymentsStages: readonly StageSpec[] = [
  {
    name: '01-stable', description: 'payments-api 1.0 for everyone.',
    deployments: { 'payments-api': ['1.0'], ledger: ['15.4'] }, lanes: [stable], entry: [{ to: 'stable' }], mtls: 'STRICT',
  },
  // 3. A stage is data: what runs, the lanes, and the ordered entry routes.
  {
    name: '02-canary', description: 'Internal testers and the /v2 API on 1.1; 10% of everyone else too.',
    deployments: { 'payments-api': ['1.0', '1.1'], ledger: ['15.4'] }, lanes: [stable, next],
    entry: [
      // 4. Routing rules: a header, a path prefix, then a weighted default.
      { name: 'testers', match: [{ header: { name: 'x-payments-tester', exact: 'true' } }, { uri: { prefix: '/v2/' } }], to: 'next' },
      { to: [{ lane: 'stable', weight: 90 }, { lane: 'next', weight: 10 }] },
    ],
    mtls: 'STRICT',
  },
];

export function buildPayments(scope: Construct): ReleaseStage[] {
  return paymentsStages.map((stage) => new ReleaseStage(scope, { application: payments, stage }));
}
