import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import type { Manifest } from 'voting-mesh';
import { explainCall, explainRequest, formatCallExplanation, formatExplanation, TrafficSimulator } from 'voting-mesh';
import { cli } from './cli-support';
import { deployment } from './manifest-builders';

// Hand-written manifests (not the library's output). Timeouts, retries and mirrors follow
// istio/istio pilot/pkg/networking/core/route/route.go (applyHTTPRouteDestination, setTimeout,
// MirrorPercent, MirrorPercentByPolicy, BuildDefaultHTTPOutboundRoute) and
// pilot/pkg/networking/core/route/retry/retry.go (ConvertPolicy, defaultRetryOn), and the
// VirtualService reference (istio.io/latest/docs/reference/config/networking/virtual-service/).

const NET = 'networking.istio.io/v1';
const svc = (name: string, ns: string, ports: [string, number][]): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector: { app: name }, ports: ports.map(([n, port]) => ({ name: n, port })) },
});
const deploy = deployment;
const vs = (name: string, ns: string, spec: any): Manifest => ({
  apiVersion: NET,
  kind: 'VirtualService',
  metadata: { name, namespace: ns },
  spec,
});
const dr = (name: string, ns: string, host: string, subsets: [string, Record<string, string>][]): Manifest => ({
  apiVersion: NET,
  kind: 'DestinationRule',
  metadata: { name, namespace: ns },
  spec: { host, subsets: subsets.map(([n, labels]) => ({ name: n, labels })) },
});
const gw: Manifest = {
  apiVersion: NET,
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'shop' },
  spec: {
    selector: { istio: 'ingressgateway' },
    servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
  },
};

const base: Manifest[] = [
  svc('web', 'shop', [['http', 8080]]),
  deploy('web-v1', 'shop', { app: 'web', version: 'v1' }),
  deploy('web-v2', 'shop', { app: 'web', version: 'v2' }),
  dr('web', 'shop', 'web', [
    ['v1', { version: 'v1' }],
    ['v2', { version: 'v2' }],
  ]),
  svc('db', 'shop', [['tcp', 5432]]),
  deploy('db-0', 'shop', { app: 'db' }),
];
const to = (subset: string) => ({ destination: { host: 'web', subset } });
const webRoute = (extra: any) => [
  ...base,
  vs('web', 'shop', { hosts: ['web'], http: [{ name: 'r', route: [to('v1')], ...extra }] }),
];
const meshHop = (extra: any, istioDefaults = false) =>
  new TrafficSimulator(webRoute(extra), { istioDefaults }).call({
    sourceLabels: { app: 'client' },
    service: 'web',
    namespace: 'shop',
    port: 8080,
  })[0];
const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

describe('timeouts (route.go applyHTTPRouteDestination → setTimeout)', () => {
  test('GIVEN timeout 3s THEN the hop carries it; GIVEN none THEN no timeout (Istio sets Notimeout: disabled)', () => {
    expect(meshHop({ timeout: '3s' }).timeout).toBe('3s');
    expect(meshHop({}).timeout).toBeUndefined();
  });
  test('GIVEN a redirect route with a timeout THEN no timeout or retries (only forwarding routes get a RouteAction)', () => {
    const hop = meshHop({ route: undefined, redirect: { uri: '/x' }, timeout: '3s', retries: { attempts: 5 } });
    expect(hop).toMatchObject({ answer: '301 redirect to <same host>/x' });
    expect(hop.timeout).toBeUndefined();
    expect(hop.retries).toBeUndefined();
  });
});

describe('retries (retry/retry.go ConvertPolicy)', () => {
  test.each([
    [
      'attempts, perTryTimeout and retryOn as written (codes kept in the list)',
      { attempts: 3, perTryTimeout: '1s', retryOn: 'connect-failure, 503' },
      { attempts: 3, perTryTimeout: '1s', retryOn: 'connect-failure,503' },
    ],
    ['attempts 0 disables retrying (ConvertPolicy returns nil)', { attempts: 0 }, { attempts: 0, retryOn: '' }],
    [
      'no retryOn keeps the default conditions (newRetryPolicy)',
      { attempts: 4 },
      { attempts: 4, retryOn: DEFAULT_RETRY_ON },
    ],
  ])('GIVEN %s THEN the policy Envoy gets', (_what, retries, expected) => {
    expect(meshHop({ retries }).retries).toEqual(expected);
  });
  test("GIVEN no retries THEN Istio's default (2 retries on defaultRetryOn) with istioDefaults, nothing without", () => {
    expect(meshHop({}, true).retries).toEqual({ attempts: 2, retryOn: DEFAULT_RETRY_ON, istioDefault: true });
    expect(meshHop({}).retries).toBeUndefined();
  });
  test('GIVEN no VirtualService THEN the default route has the default retries on HTTP, none on TCP (BuildDefaultHTTPOutboundRoute)', () => {
    const sim = new TrafficSimulator(base, { istioDefaults: true });
    expect(sim.call({ sourceLabels: {}, service: 'web', port: 8080 })[0].retries).toMatchObject({
      attempts: 2,
      istioDefault: true,
    });
    expect(sim.call({ sourceLabels: {}, service: 'db', port: 5432 })[0].retries).toBeUndefined();
  });
  test('GIVEN a tcp route THEN no HTTP policies even with istioDefaults', () => {
    const sim = new TrafficSimulator(
      [...base, vs('db', 'shop', { hosts: ['db'], tcp: [{ route: [{ destination: { host: 'db' } }] }] })],
      { istioDefaults: true },
    );
    expect(sim.call({ sourceLabels: {}, service: 'db', port: 5432 })[0]).toMatchObject({
      deployments: ['db-0'],
      rule: 'db/tcp[0]',
    });
    expect(sim.call({ sourceLabels: {}, service: 'db', port: 5432 })[0].retries).toBeUndefined();
  });
  test('GIVEN backoff THEN it is named as not modelled (it paces retries, it is not shown)', () => {
    expect(meshHop({ retries: { attempts: 2, backoff: '1s' } }).notModelled).toEqual([
      'VirtualService shop/web http[0].retries.backoff',
    ]);
  });
});

describe('mirrors (route.go MirrorPercent, MirrorPercentByPolicy, LookupDestinationCluster)', () => {
  const mirrorsOf = (extra: any) =>
    (meshHop(extra).mirrors ?? []).map((m) => [m.deployments.join(','), m.subset, m.port, m.percent]);
  test.each([
    [
      'mirror without a percentage mirrors 100%',
      { mirror: { host: 'web', subset: 'v2' } },
      [['web-v2', 'v2', 8080, 100]],
    ],
    [
      'mirrorPercentage.value',
      { mirror: { host: 'web', subset: 'v2' }, mirrorPercentage: { value: 10 } },
      [['web-v2', 'v2', 8080, 10]],
    ],
    [
      'mirrorPercentage kept to parts per million (translatePercentToFractionalPercent)',
      { mirror: { host: 'web', subset: 'v2' }, mirrorPercentage: { value: 0.12345 } },
      [['web-v2', 'v2', 8080, 0.1234]],
    ],
    ['an explicit 0% mirrors nothing', { mirror: { host: 'web', subset: 'v2' }, mirrorPercentage: { value: 0 } }, []],
    [
      'the deprecated integer mirrorPercent',
      { mirror: { host: 'web', subset: 'v2' }, mirrorPercent: 5 },
      [['web-v2', 'v2', 8080, 5]],
    ],
    [
      'mirrorPercentage wins over mirrorPercent',
      { mirror: { host: 'web', subset: 'v2' }, mirrorPercentage: { value: 20 }, mirrorPercent: 5 },
      [['web-v2', 'v2', 8080, 20]],
    ],
    [
      'mirrors: each its own percentage, 100% without one, 0% skipped',
      {
        mirrors: [
          { destination: { host: 'web', subset: 'v2' }, percentage: { value: 30 } },
          { destination: { host: 'other' }, percentage: { value: 0 } },
          { destination: { host: 'web' } },
        ],
      },
      [
        ['web-v2', 'v2', 8080, 30],
        ['web-v1,web-v2', undefined, 8080, 100],
      ],
    ],
  ])('GIVEN %s THEN the copies go to those pods', (_what, extra, expected) => {
    expect(mirrorsOf(extra)).toEqual(expected);
  });
  test('GIVEN a mirror THEN the request itself is not shared: the route still sends 100% to its destination', () => {
    const hop = meshHop({ mirror: { host: 'web', subset: 'v2' }, mirrorPercentage: { value: 10 } });
    expect([hop.deployments, hop.weight]).toEqual([['web-v1'], 100]);
  });
  test('GIVEN a mirror to an undefined subset THEN the copies are dropped (no cluster) and the hop says why', () => {
    expect(meshHop({ mirror: { host: 'web', subset: 'v9' } }).mirrors).toEqual([
      {
        service: 'web',
        subset: 'v9',
        port: 8080,
        percent: 100,
        deployments: [],
        answer:
          "503: subset 'v9' of host 'web' is not defined by a DestinationRule visible from namespace 'shop' (no cluster)",
      },
    ]);
  });
  test('GIVEN mirror fields THEN they are no longer listed as not modelled', () => {
    expect(
      meshHop({
        mirror: { host: 'web', subset: 'v2' },
        mirrorPercentage: { value: 10 },
        timeout: '1s',
        retries: { attempts: 1 },
      }).notModelled,
    ).toBeUndefined();
  });
});

describe('explain shows them (lib/analysis/explain.ts, explain-format.ts)', () => {
  const ingress = (route: any) => [
    ...base,
    gw,
    vs('in', 'shop', { hosts: ['*'], gateways: ['gw'], http: [{ name: 'entry', route: [to('v1')], ...route }] }),
  ];
  test('GIVEN a timeout, retries and a 10% mirror on the entry route THEN the node carries them and the text prints them under the hop', () => {
    const e = explainRequest(
      ingress({
        timeout: '3s',
        retries: { attempts: 2, perTryTimeout: '1s', retryOn: 'connect-failure,503' },
        mirror: { host: 'web', subset: 'v2' },
        mirrorPercentage: { value: 10 },
      }),
    );
    expect(e.hops[0]).toMatchObject({
      timeout: '3s',
      retries: { attempts: 2, perTryTimeout: '1s', retryOn: 'connect-failure,503' },
      mirrors: [{ component: 'web', version: 'v2', deployments: ['web-v2'], subset: 'v2', percent: 10 }],
    });
    expect(formatExplanation('s', e).split('\n')).toEqual([
      's: GET /',
      'gateway gw',
      '└─ 100% → web v1 [web-v1, subset v1, port 8080/http] via in/entry',
      '   timeout 3s · 2 retries of 1s on connect-failure,503',
      '   mirror 10% → web v2 [web-v2, subset v2] (responses discarded)',
    ]);
  });
  test("GIVEN only a timeout THEN the line names Istio's default retries too; GIVEN nothing THEN no line (defaults are in -o json)", () => {
    expect(formatExplanation('s', explainRequest(ingress({ timeout: '0s' }))).split('\n')[3]).toBe(
      `   no timeout (0s) · 2 retries on ${DEFAULT_RETRY_ON} (Istio default)`,
    );
    const plain = explainRequest(ingress({}));
    expect(formatExplanation('s', plain).split('\n')).toHaveLength(3);
    expect(plain.hops[0].retries).toEqual({ attempts: 2, retryOn: DEFAULT_RETRY_ON, istioDefault: true });
  });
});

describe('the calls mirrored pods make (a dark launch still calls its backends)', () => {
  const withDb = (d: Manifest): Manifest => ({
    ...d,
    spec: {
      ...d.spec,
      template: {
        ...d.spec.template,
        spec: { containers: [{ name: 'web', env: [{ name: 'DB_HOST', value: 'db' }] }] },
      },
    },
  });
  const objects = [
    ...base.map((m) => (m.metadata.name === 'web-v2' ? withDb(m) : m)),
    gw,
    vs('in', 'shop', {
      hosts: ['*'],
      gateways: ['gw'],
      http: [
        { name: 'entry', route: [to('v1')], mirror: { host: 'web', subset: 'v2' }, mirrorPercentage: { value: 10 } },
      ],
    }),
  ];
  test('GIVEN web v2 mirrored at 10% and calling db THEN the call hangs under the mirror with 10% of all requests', () => {
    const e = explainRequest(objects);
    expect(e.hops[0].mirrors?.[0].calls.map((c) => [c.deployments, c.share])).toEqual([[['db-0'], 10]]);
    expect(formatExplanation('s', e).split('\n').slice(2)).toEqual([
      '└─ 100% → web v1 [web-v1, subset v1, port 8080/http] via in/entry',
      '   mirror 10% → web v2 [web-v2, subset v2] (responses discarded)',
      '     └─ 100% (10% of all) → db [db-0, no subset, port 5432/tcp] via service',
    ]);
  });
  test('GIVEN authorization refuses the copy THEN the mirror line says DENIED and no call follows', () => {
    const deny: Manifest = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web-v2', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { version: 'v2' } },
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['nobody'] } }] }],
      },
    };
    const e = explainRequest([...objects, deny]);
    expect(e.hops[0].mirrors?.[0]).toMatchObject({ authorization: { allowed: false }, calls: [] });
    expect(formatExplanation('s', e)).toContain(
      '   mirror 10% → web v2 [web-v2, subset v2] (responses discarded) DENIED: no rule of web-v2 allows cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account on port 8080',
    );
  });
});

// The per-lane policies of issue 12 come from another branch: these are built here.
const lanes: Manifest[] = [
  {
    ...svc('voting-storage', 'voting', [
      ['tcp-redis', 6379],
      ['tcp-mysql', 3306],
    ]),
  },
  deploy('voting-storage-1-0', 'voting', { app: 'voting-storage', version: '1.0' }, 'voting-storage'),
  deploy('voting-storage-2-0', 'voting', { app: 'voting-storage', version: '2.0' }, 'voting-storage'),
  deploy('voting-app-1-0', 'voting', { app: 'voting-app', version: '1.0' }, 'voting-app-1-0'),
  deploy('voting-app-2-0', 'voting', { app: 'voting-app', version: '2.0' }, 'voting-app-2-0'),
  dr('voting-storage', 'voting', 'voting-storage', [
    ['v1-0', { version: '1.0' }],
    ['v2-0', { version: '2.0' }],
  ]),
  vs('voting-storage', 'voting', {
    hosts: ['voting-storage'],
    tcp: [
      {
        match: [{ port: 6379 }],
        route: [{ destination: { host: 'voting-storage', subset: 'v1-0', port: { number: 6379 } } }],
      },
      {
        match: [{ port: 3306 }],
        route: [{ destination: { host: 'voting-storage', subset: 'v2-0', port: { number: 3306 } } }],
      },
    ],
  }),
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'allow-nothing', namespace: 'voting' },
    spec: {},
  },
  {
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name: 'voting-storage-1-0', namespace: 'voting' },
    spec: {
      selector: { matchLabels: { app: 'voting-storage', version: '1.0' } },
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: ['cluster.local/ns/voting/sa/voting-app-1-0'] } }],
          to: [{ operation: { ports: ['6379'] } }],
        },
      ],
    },
  },
];
const DENIED =
  'DENIED: no rule of allow-nothing, voting-storage-1-0 allows cluster.local/ns/voting/sa/voting-app-2-0 on port 6379';

describe('caller-side explain: explainCall (lib/analysis/explain.ts; authorization as lib/analysis/authorization.ts evaluates it)', () => {
  test('GIVEN app 2.0 calling Redis (lane 1.0) THEN the hop is denied with the reason', () => {
    const e = explainCall(lanes, 'voting-app-2-0', 'voting-storage', 6379);
    expect(e.from).toEqual({
      workload: 'voting-app-2-0',
      namespace: 'voting',
      principal: 'cluster.local/ns/voting/sa/voting-app-2-0',
    });
    expect(e.hops.map((h) => [h.deployments, h.rule, h.authorization?.allowed])).toEqual([
      [['voting-storage-1-0'], 'voting-storage/tcp[0]', false],
    ]);
    expect(formatCallExplanation('s', e).split('\n')).toEqual([
      's: call from voting-app-2-0 (cluster.local/ns/voting/sa/voting-app-2-0) to voting-storage.voting:6379',
      `└─ 100% → voting-storage 1.0 [voting-storage-1-0, subset v1-0, port 6379/tcp] via voting-storage/tcp[0] ${DENIED}`,
    ]);
  });
  test("GIVEN app 1.0 (namespace/name form) calling Redis THEN allowed by the lane's rule", () => {
    expect(explainCall(lanes, 'voting/voting-app-1-0', 'voting-storage.voting', 6379).hops[0].authorization).toEqual({
      allowed: true,
      reason: 'allowed by AuthorizationPolicy voting-storage-1-0 rule 0',
    });
  });
  test("GIVEN an HTTP call with a header THEN the caller's labels and the header pick the route, and its retries are shown", () => {
    const objects = [
      ...base,
      deploy('client-1', 'shop', { app: 'client' }),
      vs('web', 'shop', {
        hosts: ['web'],
        http: [
          {
            name: 'beta',
            match: [{ headers: { beta: { exact: 'on' } }, sourceLabels: { app: 'client' } }],
            route: [to('v2')],
            retries: { attempts: 1, perTryTimeout: '2s' },
          },
          { name: 'rest', route: [to('v1')] },
        ],
      }),
    ];
    const beta = explainCall(objects, 'client-1', 'web', undefined, {}, { headers: { beta: 'on' } });
    expect(formatCallExplanation('s', beta).split('\n')).toEqual([
      's: call from client-1 (cluster.local/ns/shop/sa/default) to web.shop:8080, GET / (beta: on)',
      '└─ 100% → web v2 [web-v2, subset v2, port 8080/http] via web/beta',
      `   1 retry of 2s on ${DEFAULT_RETRY_ON}`,
    ]);
    expect(explainCall(objects, 'client-1', 'web').hops.map((h) => [h.deployments, h.retries?.istioDefault])).toEqual([
      [['web-v1'], true],
    ]);
  });
  test('GIVEN a Service with one port and no port THEN that port', () => {
    expect(explainCall(base, 'web-v1', 'db').port).toBe(5432);
  });
  test.each([
    [['nobody', 'voting-storage', 6379], /^no workload 'nobody' to call from: name one of voting-storage-1-0, /],
    [
      ['voting-app-1-0', 'redis', 6379],
      /^no Service 'redis' seen from namespace 'voting': name one of voting-storage.voting, or a Service or pod IP$/,
    ],
    [
      ['voting-app-1-0', 'voting-storage', undefined],
      /^Service voting-storage.voting has ports 6379, 3306: name one, e.g. voting-storage:6379$/,
    ],
    [
      ['voting-app-1-0', 'voting-storage', 80],
      /^Service voting-storage.voting has no port 80: call one of 6379, 3306$/,
    ],
  ])('GIVEN %j THEN a CallTargetError naming the choices', (args, message) => {
    const [from, service, port] = args as [string, string, number | undefined];
    expect(() => explainCall(lanes, from, service, port)).toThrow(message);
  });
});

describe('voting-mesh explain --from --to (cli/commands/explain.ts)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'explain-call-'));
    writeFileSync(join(dir, 'lanes.yaml'), lanes.map((m) => stringify(m)).join('---\n'));
    writeFileSync(
      join(dir, 'web.yaml'),
      [
        ...base,
        gw,
        vs('in', 'shop', {
          hosts: ['*'],
          gateways: ['gw'],
          http: [
            {
              name: 'entry',
              route: [to('v1')],
              timeout: '3s',
              mirrors: [{ destination: { host: 'web', subset: 'v2' }, percentage: { value: 25 } }],
            },
          ],
        }),
      ]
        .map((m) => stringify(m))
        .join('---\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('GIVEN a cross-lane call THEN it prints the hop marked DENIED, exit 0', async () => {
    const result = await cli(
      ['explain', '-f', 'lanes.yaml', '--from', 'voting-app-2-0', '--to', 'voting-storage:6379'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'lanes.yaml: call from voting-app-2-0 (cluster.local/ns/voting/sa/voting-app-2-0) to voting-storage.voting:6379',
        `└─ 100% → voting-storage 1.0 [voting-storage-1-0, subset v1-0, port 6379/tcp] via voting-storage/tcp[0] ${DENIED}`,
        '',
      ].join('\n'),
    );
  });
  test('GIVEN -o json THEN the caller and the verdict', async () => {
    const json = JSON.parse(
      (
        await cli([
          'explain',
          '-f',
          join(dir, 'lanes.yaml'),
          '--from',
          'voting-app-1-0',
          '--to',
          'voting-storage:6379',
          '-o',
          'json',
        ])
      ).stdout,
    );
    expect([json.from.principal, json.service, json.port, json.hops[0].authorization.allowed]).toEqual([
      'cluster.local/ns/voting/sa/voting-app-1-0',
      'voting-storage.voting',
      6379,
      true,
    ]);
  });
  test('GIVEN an entry route with a timeout and a mirror THEN text and -o json carry them', async () => {
    const text = (await cli(['explain', '-f', join(dir, 'web.yaml'), '--gateway', 'gw'])).stdout.split('\n');
    expect(text.slice(3, 5)).toEqual([
      `   timeout 3s · 2 retries on ${DEFAULT_RETRY_ON} (Istio default)`,
      '   mirror 25% → web v2 [web-v2, subset v2] (responses discarded)',
    ]);
    const json = JSON.parse(
      (await cli(['explain', '-f', join(dir, 'web.yaml'), '--gateway', 'gw', '-o', 'json'])).stdout,
    );
    expect(json.hops[0]).toMatchObject({
      timeout: '3s',
      retries: { attempts: 2, istioDefault: true },
      mirrors: [{ service: 'web', subset: 'v2', port: 8080, percent: 25, deployments: ['web-v2'] }],
    });
  });
  test.each([
    [
      ['--from', 'nobody', '--to', 'voting-storage:6379'],
      /^error: lanes\.yaml: no workload 'nobody' to call from: name one of /,
    ],
    [
      ['--from', 'voting-app-1-0', '--to', 'redis'],
      /^error: lanes\.yaml: no Service 'redis' seen from namespace 'voting'/,
    ],
    [
      ['--from', 'voting-app-1-0', '--to', 'voting-storage'],
      /^error: lanes\.yaml: Service voting-storage.voting has ports 6379, 3306: name one, e.g. voting-storage:6379\n/,
    ],
    [
      ['--from', 'voting-app-1-0', '--to', 'voting-storage:80'],
      /^error: lanes\.yaml: Service voting-storage.voting has no port 80: call one of 6379, 3306\n/,
    ],
    [
      ['--from', 'voting-app-1-0', '--to', 'voting-storage:x'],
      /^error: malformed --to 'voting-storage:x': expected <service>\[:<port>\], e.g. voting-storage:6379\n/,
    ],
    [['--to', 'voting-storage:6379'], /^error: --to voting-storage:6379 needs --from <workload>/],
    [['--from', 'voting-app-1-0'], /^error: --from voting-app-1-0 needs --to <service>\[:<port>\]/],
    [
      ['--from', 'voting-app-1-0', '--to', 'voting-storage:6379', '--gateway', 'gw'],
      /^error: --gateway is for requests entering through a gateway, not for --from calls/,
    ],
  ])('GIVEN %j THEN one error line, the usage, exit 2', async (args, message) => {
    const result = await cli(['explain', '-f', 'lanes.yaml', ...args], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});
