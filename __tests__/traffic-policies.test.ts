import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ApplicationSpec, Manifest, StageSpec, WorkloadSpec } from 'voting-mesh';
import {
  checkTransition,
  explainRequest,
  formatExplanation,
  planTransition,
  ReleaseConfigError,
  ReleaseStage,
  renderRelease,
  TrafficSimulator,
} from 'voting-mesh';
import { find, testApp, votingManifests } from './support';

const voting = votingManifests();

describe("GIVEN the voting release's traffic policies", () => {
  const m = voting.get('03-cookie-canary')!;

  test("THEN every call to analytics (each lane's route and the default) has a 3 s timeout and 2 retries of 1 s on connection failures and 503", () => {
    for (const r of find(m, 'VirtualService', 'voting-analytics').spec.http) {
      expect([r.name, r.timeout, r.retries]).toEqual([
        r.name,
        '3s',
        { attempts: 2, perTryTimeout: '1s', retryOn: 'connect-failure,refused-stream,reset,503' },
      ]);
    }
    expect(
      find(m, 'VirtualService', 'voting-app-ingress').spec.http.every(
        (r: any) => r.timeout === undefined && r.retries === undefined,
      ),
    ).toBe(true);
  });

  test("THEN the canary lane's app 2.0 ejects failing pods (subset policy), app 1.0 does not, and both keep ISTIO_MUTUAL from the rule", () => {
    const dr = find(m, 'DestinationRule', 'voting-app').spec;
    expect(dr.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    expect(dr.subsets).toEqual([
      { name: 'v1-0', labels: { version: '1.0' } },
      {
        name: 'v2-0',
        labels: { version: '2.0' },
        trafficPolicy: {
          outlierDetection: {
            consecutive5xxErrors: 5,
            interval: '10s',
            baseEjectionTime: '30s',
            maxEjectionPercent: 34,
          },
        },
      },
    ]);
  });

  test("THEN explain shows them on the hops: the analytics call's timeout and retries, the canary app's outlier detection", () => {
    const text = formatExplanation('03', explainRequest(m, { headers: { cookie: 'featureflag=on' } }));
    expect(text).toContain('   outlier detection: eject after 5 errors in a row for 30s+, every 10s, at most 34%');
    expect(text).toContain('      timeout 3s · 2 retries of 1s on connect-failure,refused-stream,reset,503');
    const v1 = explainRequest(m, {});
    expect(v1.hops[0].outlierDetection).toBeUndefined(); // app 1.0's subset sets none
  });

  test('THEN RELEASE.md shows the policies beside the routes and the subsets', () => {
    const notes = readFileSync(join(__dirname, '..', 'dist', 'RELEASE.md'), 'utf8');
    expect(notes).toContain(
      '| voting-analytics | lane-v2 | from voting-app 2.0 | voting-analytics/v2-0:8080 | timeout 3s · 2 retries of 1s on connect-failure,refused-stream,reset,503 |',
    );
    expect(notes).toContain('| voting-app | v2-0 |  | eject after 5 errors in a row, for 30s+, at most 34% |');
  });
});

// A two-tier app for the rest: web (HTTP) calls db (TCP).
const workload = (
  image: string,
  port: { name: string; port: number; protocol: 'http' | 'tcp' },
  env: Record<string, string> = {},
): WorkloadSpec => ({
  image,
  replicas: 1,
  env,
  ports: [port],
  resources: { cpuMillis: { request: 50, limit: 100 }, memoryMiB: { request: 32, limit: 64 } },
  runAs: { user: 10001, group: 10001 },
  readiness: { check: { tcpPort: port.port } },
  liveness: { check: { tcpPort: port.port } },
});
const HTTP = { name: 'http', port: 8080, protocol: 'http' } as const;
const TCP = { name: 'tcp-db', port: 5432, protocol: 'tcp' } as const;
const shop: ApplicationSpec = {
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'web',
  gateway: { name: 'shop-gateway', hosts: ['shop.example.com'] },
  components: [
    {
      name: 'web',
      calls: ['db'],
      versions: {
        '1.0': workload('web:1.0', HTTP, { DB_HOST: 'db' }),
        '2.0': workload('web:2.0', HTTP, { DB_HOST: 'db' }),
      },
    },
    { name: 'db', versions: { '1.0': workload('db:1.0', TCP) } },
  ],
};
const dark: StageSpec = {
  name: '02-dark-launch',
  description: 'Everyone on 1.0; 10% of the requests copied to 2.0.',
  deployments: { web: ['1.0', '2.0'], db: ['1.0'] },
  lanes: [
    { name: 'stable', versions: { web: '1.0', db: '1.0' } },
    { name: 'next', versions: { web: '2.0', db: '1.0' } },
  ],
  entry: [
    { name: 'stable', match: [{ header: { name: 'x-dark', exact: 'never' } }], to: 'stable' },
    { to: 'stable', mirror: { lane: 'next', percent: 10 } },
  ],
};

describe('GIVEN a dark launch (10% of the default route mirrored to the next lane)', () => {
  const chart = new ReleaseStage(testApp(), { application: shop, stage: dark });
  const m = chart.manifests as Manifest[];

  test('THEN the gateway route keeps sending every request to 1.0 and copies 10% to 2.0', () => {
    const route = find(m, 'VirtualService', 'web-ingress').spec.http[1];
    expect(route.mirror).toEqual({ host: 'web.shop.svc.cluster.local', subset: 'v2-0', port: { number: 8080 } });
    expect(route.mirrorPercentage).toEqual({ value: 10 });
    expect(new TrafficSimulator(m).ingress('shop-gateway').map((h) => [h.deployments, h.weight])).toEqual([
      [['web-1-0'], 100],
    ]);
    const text = formatExplanation('02', explainRequest(m, {}));
    expect(text).toContain('mirror 10% → web 2.0 [web-2-0, subset v2-0] (responses discarded)');
  });

  test('THEN RELEASE.md draws the mirror as a dotted edge, and Mermaid parses it', () => {
    const notes = renderRelease([chart]).find((f) => f.file === 'RELEASE.md')!.content;
    expect(notes).toContain('gateway_shop_gateway -.->|"mirror 10% of default · :8080"| web_2_0');
    expect(notes).toContain('mirror 10% → web/v2-0 (responses discarded)');
    const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-mermaid-'));
    try {
      writeFileSync(join(dir, 'RELEASE.md'), notes);
      expect(
        execFileSync(
          process.execPath,
          [join(__dirname, '..', 'scripts', 'check-mermaid.mjs'), join(dir, 'RELEASE.md')],
          { encoding: 'utf8' },
        ),
      ).toMatch(/^1 of 1 diagram\(s\) valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('THEN the mirrored lane is authorized: the gateway may reach web 2.0, which may reach db', () => {
    expect(find(m, 'AuthorizationPolicy', 'web-2-0').spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    ]);
    expect(chart.findings).toEqual([]);
  });
});

describe('traffic policy data Istio would reject, or that cannot work, is refused with the fix', () => {
  const errorOf = (stage: Partial<StageSpec>): string => {
    try {
      new ReleaseStage(testApp(), { application: shop, stage: { ...dark, ...stage } as StageSpec });
    } catch (err) {
      if (err instanceof ReleaseConfigError) return err.message;
      throw err;
    }
    throw new Error('expected the stage to be rejected');
  };
  const at = (component: string, field: string) =>
    `stage '02-dark-launch', component '${component}', field '${field}': `;

  test.each([
    [
      { trafficPolicies: { cart: { timeout: '1s' } } },
      `${at('cart', "trafficPolicies['cart']")}'cart' is not deployed in this stage. Set traffic policies for deployed components: web, db.`,
    ],
    [
      {
        trafficPolicies: { web: { timeout: '1s' } },
        versionRouting: false,
        lanes: [dark.lanes[0]],
        deployments: { web: ['1.0'], db: ['1.0'] },
        entry: [{ to: 'stable' }],
      },
      `${at('web', "trafficPolicies['web']")}traffic policies need version routing (they live on the VirtualService routes and the DestinationRule). Enable versionRouting, or drop the policies.`,
    ],
    [
      { trafficPolicies: { db: { timeout: '1s' } } },
      `${at('db', "trafficPolicies['db'].timeout")}timeouts and retries apply to HTTP routes, and the component has no HTTP port. Drop them, or use connection pool and outlier detection for TCP.`,
    ],
    [
      { trafficPolicies: { web: { timeout: '3 seconds' } } },
      `${at('web', "trafficPolicies['web'].timeout")}'3 seconds' is not a positive duration. Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.`,
    ],
    [
      { trafficPolicies: { web: { retries: { attempts: 0 } } } },
      `${at('web', "trafficPolicies['web'].retries.attempts")}0 is not a whole number from 1 to 10. Use a whole number from 1 to 10.`,
    ],
    [
      { trafficPolicies: { web: { timeout: '1s', retries: { attempts: 2, perTryTimeout: '2s' } } } },
      `${at('web', "trafficPolicies['web'].retries.perTryTimeout")}per-try timeout 2s is longer than the timeout 1s, so no retry can ever run. Make the per-try timeout shorter than the timeout (attempts × per-try timeout should fit in it).`,
    ],
    [
      { trafficPolicies: { web: { retries: { attempts: 2, retryOn: ['5xx', 'sometimes'] } } } },
      `${at('web', "trafficPolicies['web'].retries.retryOn[1]")}'sometimes' is not an Envoy retry condition or an HTTP status code. Use conditions such as 5xx, gateway-error, reset, reset-before-request, connect-failure, envoy-ratelimited, ..., or a status code like '503'.`,
    ],
    [
      { trafficPolicies: { web: { versions: { '3.0': { outlierDetection: {} } } } } },
      `${at('web', "trafficPolicies['web'].versions['3.0']")}version '3.0' is not deployed in this stage. Use one of 1.0, 2.0.`,
    ],
    [
      { trafficPolicies: { web: { outlierDetection: { maxEjectionPercent: 150 } } } },
      `${at('web', "trafficPolicies['web'].outlierDetection.maxEjectionPercent")}150 is not a whole number from 1 to 100. Use a whole number from 1 to 100.`,
    ],
    [
      { trafficPolicies: { db: { connectionPool: { tcp: { maxConnections: 0 } } } } },
      `${at('db', "trafficPolicies['db'].connectionPool.tcp.maxConnections")}0 is not a whole number from 1 to 2147483647. Use a whole number from 1 to 2147483647.`,
    ],
    [
      { trafficPolicies: { web: { retries: { attempts: 2, perTryTimeout: 'soon' } } } },
      `${at('web', "trafficPolicies['web'].retries.perTryTimeout")}'soon' is not a positive duration. Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.`,
    ],
    [
      { trafficPolicies: { web: { retries: { attempts: 2, retryOn: [] } } } },
      `${at('web', "trafficPolicies['web'].retries.retryOn")}the list of retry conditions is empty. List at least one condition, e.g. ['connect-failure', '503'], or leave retryOn out for Istio's default.`,
    ],
    [
      { trafficPolicies: { db: { connectionPool: { tcp: { connectTimeout: '0s' } } } } },
      `${at('db', "trafficPolicies['db'].connectionPool.tcp.connectTimeout")}'0s' is not a positive duration. Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.`,
    ],
    [
      { trafficPolicies: { web: { connectionPool: { http: { http1MaxPendingRequests: 1.5 } } } } },
      `${at('web', "trafficPolicies['web'].connectionPool.http.http1MaxPendingRequests")}1.5 is not a whole number from 1 to 2147483647. Use a whole number from 1 to 2147483647.`,
    ],
    [
      { trafficPolicies: { web: { connectionPool: { http: { http2MaxRequests: 0 } } } } },
      `${at('web', "trafficPolicies['web'].connectionPool.http.http2MaxRequests")}0 is not a whole number from 1 to 2147483647. Use a whole number from 1 to 2147483647.`,
    ],
    [
      { trafficPolicies: { web: { connectionPool: { http: { maxRequestsPerConnection: -1 } } } } },
      `${at('web', "trafficPolicies['web'].connectionPool.http.maxRequestsPerConnection")}-1 is not a whole number from 1 to 2147483647. Use a whole number from 1 to 2147483647.`,
    ],
    [
      { trafficPolicies: { web: { connectionPool: { http: { maxRetries: -1 } } } } },
      `${at('web', "trafficPolicies['web'].connectionPool.http.maxRetries")}-1 is not a whole number from 0 to 2147483647. Use a whole number from 0 to 2147483647.`,
    ],
    [
      { trafficPolicies: { web: { connectionPool: { http: { idleTimeout: '5 min' } } } } },
      `${at('web', "trafficPolicies['web'].connectionPool.http.idleTimeout")}'5 min' is not a positive duration. Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.`,
    ],
    [
      { trafficPolicies: { web: { versions: { '2.0': { outlierDetection: { consecutive5xxErrors: 0 } } } } } },
      `${at('web', "trafficPolicies['web'].versions['2.0'].outlierDetection.consecutive5xxErrors")}0 is not a whole number from 1 to 2147483647. Use a whole number from 1 to 2147483647.`,
    ],
    [
      { trafficPolicies: { web: { outlierDetection: { interval: '10' } } } },
      `${at('web', "trafficPolicies['web'].outlierDetection.interval")}'10' is not a positive duration. Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.`,
    ],
    [
      { trafficPolicies: { web: { outlierDetection: { baseEjectionTime: '-30s' } } } },
      `${at('web', "trafficPolicies['web'].outlierDetection.baseEjectionTime")}'-30s' is not a positive duration. Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.`,
    ],
    [
      { entry: [dark.entry[0], { to: 'stable', mirror: { lane: 'shadow', percent: 10 } }] },
      `${at('web', 'entry[1].mirror.lane')}lane 'shadow' is not defined in this stage. Use one of stable, next.`,
    ],
    [
      { entry: [dark.entry[0], { to: 'stable', mirror: { lane: 'next', percent: 0 } }] },
      `${at('web', 'entry[1].mirror.percent')}0 is not a percentage above 0 and at most 100. Mirror a share such as 10 (or 0.5).`,
    ],
    [
      { entry: [dark.entry[0], { to: 'next', mirror: { lane: 'next', percent: 5 } }] },
      `${at('web', 'entry[1].mirror.lane')}lane 'next' enters through web 2.0, which this route already sends its requests to. Mirror to a lane with another entry version.`,
    ],
  ])('GIVEN %j THEN it is rejected', (stage, message) => {
    expect(errorOf(stage as Partial<StageSpec>)).toBe(message);
  });
});

describe('GIVEN a version that calls fewer components than its component', () => {
  test("THEN a callee outside the component's calls is rejected, naming them", () => {
    const app = {
      ...shop,
      components: shop.components.map((c) =>
        c.name !== 'web' ? c : { ...c, versions: { ...c.versions, '2.0': { ...c.versions['2.0'], calls: ['cart'] } } },
      ),
    };
    expect(() => new ReleaseStage(testApp(), { application: app, stage: dark })).toThrow(
      "component 'web', field 'versions['2.0'].calls': 'cart' is not among the component's calls (db). A version calls a subset of its component's calls: add it to the component's calls first.",
    );
  });
  test('THEN such a version is allowed only its own calls (web 2.0 calling nothing reaches nothing)', () => {
    const app = {
      ...shop,
      components: shop.components.map((c) =>
        c.name !== 'web' ? c : { ...c, versions: { ...c.versions, '2.0': { ...c.versions['2.0'], calls: [] } } },
      ),
    };
    const m = new ReleaseStage(testApp(), { application: app, stage: dark }).manifests as Manifest[];
    expect(find(m, 'AuthorizationPolicy', 'db-1-0').spec.rules.map((r: any) => r.from[0].source.principals[0])).toEqual(
      ['cluster.local/ns/shop/sa/web-1-0'],
    );
  });
});

describe('GIVEN a move that drops outlier detection from a subset', () => {
  const withOutliers: StageSpec = {
    ...dark,
    trafficPolicies: { web: { versions: { '2.0': { outlierDetection: { consecutive5xxErrors: 3 } } } } },
  };
  const render = (stage: StageSpec) =>
    new ReleaseStage(testApp(), { application: shop, stage }).manifests as Manifest[];
  test("THEN the make step keeps the old subset policy, and only the break step applies the target's", () => {
    const p = planTransition('a', render(withOutliers), 'b', render({ ...dark, name: '03-no-outliers' }));
    const drIn = (kind: string) =>
      p.steps.find((st) => st.kind === kind)?.apply.find((m) => m.kind === 'DestinationRule');
    expect(drIn('make')).toBeUndefined(); // nothing to add: the widened rule is the old one
    expect(drIn('break')!.spec.subsets.find((x: any) => x.name === 'v2-0').trafficPolicy).toBeUndefined();
    expect(checkTransition(render(withOutliers), p)).toEqual([]);
  });
});
