import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import type { Manifest } from 'voting-mesh';
import { explainCall, explainRequest, TrafficSimulator } from 'voting-mesh';
import { cli } from './cli-support';

// Hand-written Gateway API v1 manifests (v1.5.1, as Istio 1.30 is built against). Each behaviour
// cites the source it follows: istio/istio pilot/pkg/config/kube/gateway/conversion.go and
// route_collections.go, and kubernetes-sigs/gateway-api apis/v1/httproute_types.go.

const GAPI = 'gateway.networking.k8s.io/v1';
const svc = (name: string, ns: string, port: number, selector: Record<string, string>): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector, ports: [{ name: 'http', port }] },
});
const deploy = (
  name: string,
  ns: string,
  labels: Record<string, string>,
  env: { name: string; value: string }[] = [],
): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', env }] } },
  },
});
const gateway = (listeners: any[], name = 'web-gw', ns = 'shop'): Manifest => ({
  apiVersion: GAPI,
  kind: 'Gateway',
  metadata: { name, namespace: ns },
  spec: { gatewayClassName: 'istio', listeners },
});
const http = (extra: any = {}) => ({ name: 'http', port: 80, protocol: 'HTTP', ...extra });
const route = (name: string, rules: any[], extra: any = {}, ns = 'shop', meta: any = {}): Manifest => ({
  apiVersion: GAPI,
  kind: 'HTTPRoute',
  metadata: { name, namespace: ns, ...meta },
  spec: { parentRefs: [{ name: 'web-gw' }], rules, ...extra },
});
const backend = (name: string, weight?: number, port = 8080) => ({
  name,
  port,
  ...(weight !== undefined ? { weight } : {}),
});

const base: Manifest[] = [
  svc('web-v1', 'shop', 8080, { app: 'web', version: 'v1' }),
  svc('web-v2', 'shop', 8080, { app: 'web', version: 'v2' }),
  deploy('web-1', 'shop', { app: 'web', version: 'v1' }),
  deploy('web-2', 'shop', { app: 'web', version: 'v2' }),
];
const cookieCanary = route(
  'web',
  [
    {
      matches: [
        { headers: [{ name: 'Cookie', type: 'RegularExpression', value: '^(.*?; ?)?(featureflag=on)(;.*)?$' }] },
      ],
      backendRefs: [backend('web-v2')],
    },
    { backendRefs: [backend('web-v1')] },
  ],
  { hostnames: ['shop.example.com'] },
);

const sim = (...objects: Manifest[]) => new TrafficSimulator([...base, gateway([http()]), ...objects]);
const to = (hops: { deployments: readonly string[]; weight: number; answer?: string }[]) =>
  hops.map((h) => h.answer ?? `${h.deployments.join(',')}@${h.weight}`);

describe('GIVEN a Gateway of class istio and an HTTPRoute (ingress)', () => {
  test.each([
    ['the featureflag=on cookie', { headers: { cookie: 'session=1; featureflag=on' } }, ['web-2@100']],
    ['another cookie', { headers: { cookie: 'featureflag=off' } }, ['web-1@100']],
    ['no cookie', {}, ['web-1@100']],
  ])('WHEN a request with %s arrives for the route hostname THEN the matching rule decides', (_, request, expected) => {
    expect(to(sim(cookieCanary).ingress('shop/web-gw', { host: 'shop.example.com', ...request }))).toEqual(expected);
  });

  test('WHEN the Host is not a route hostname THEN the gateway answers 404 (no virtual host)', () => {
    expect(to(sim(cookieCanary).ingress('web-gw', { host: 'other.example.com' }))[0]).toMatch(
      /^404: .*serves host 'other.example.com'/,
    );
  });

  test('WHEN the listener hostname is a wildcard THEN it intersects with the route hostnames (exact label suffix)', () => {
    const s = new TrafficSimulator([...base, gateway([http({ hostname: '*.example.com' })]), cookieCanary]);
    expect(to(s.ingress('web-gw', { host: 'shop.example.com' }))).toEqual(['web-1@100']);
    const wild = new TrafficSimulator([
      ...base,
      gateway([http({ hostname: '*.example.com' })]),
      route('any', [{ backendRefs: [backend('web-v1')] }]),
    ]);
    expect(to(wild.ingress('web-gw', { host: 'a.example.com' }))).toEqual(['web-1@100']);
    expect(to(wild.ingress('web-gw', { host: 'example.com' }))[0]).toMatch(/^404/);
  });

  test('WHEN a more specific listener on the port covers a route hostname THEN a route on the wildcard listener does not serve it (conversion.go hostnameAllowedByIsolation)', () => {
    const listeners = [
      http({ name: 'wild', hostname: '*.example.com' }),
      http({ name: 'foo', hostname: 'foo.example.com' }),
    ];
    const onWild = route('wild', [{ backendRefs: [backend('web-v1')] }], {
      parentRefs: [{ name: 'web-gw', sectionName: 'wild' }],
      hostnames: ['foo.example.com', 'bar.example.com'],
    });
    const onFoo = route('foo', [{ backendRefs: [backend('web-v2')] }], {
      parentRefs: [{ name: 'web-gw', sectionName: 'foo' }],
    });
    expect(
      to(new TrafficSimulator([...base, gateway(listeners), onWild]).ingress('web-gw', { host: 'foo.example.com' }))[0],
    ).toMatch(/^404/);
    expect(
      to(new TrafficSimulator([...base, gateway(listeners), onWild]).ingress('web-gw', { host: 'bar.example.com' })),
    ).toEqual(['web-1@100']);
    expect(
      to(
        new TrafficSimulator([...base, gateway(listeners), onWild, onFoo]).ingress('web-gw', {
          host: 'foo.example.com',
        }),
      ),
    ).toEqual(['web-2@100']);
  });

  test('WHEN backendRefs carry weights THEN they share by weight; weight 0 gets nothing; default weight 1 (buildHTTPDestination)', () => {
    const hops = sim(route('split', [{ backendRefs: [backend('web-v1', 90), backend('web-v2', 10)] }])).ingress(
      'web-gw',
    );
    expect(hops.map((h) => [h.service, h.weight, h.deployments])).toEqual([
      ['web-v1', 90, ['web-1']],
      ['web-v2', 10, ['web-2']],
    ]);
    expect(to(sim(route('z', [{ backendRefs: [backend('web-v1', 0), backend('web-v2')] }])).ingress('web-gw'))).toEqual(
      ['web-2@100'],
    );
    expect(to(sim(route('d', [{ backendRefs: [backend('web-v1'), backend('web-v2')] }])).ingress('web-gw'))).toEqual([
      'web-1@50',
      'web-2@50',
    ]);
  });

  test.each([
    ['every weight 0', [{ backendRefs: [backend('web-v1', 0)] }], /^500: /],
    ['no backendRefs', [{}], /^404: the rule has no backendRefs/],
  ])(
    'WHEN a rule has %s THEN Istio answers with a direct response (convertHTTPRoute: 404 without backends, 500 when all weigh 0)',
    (_, rules, answer) => {
      expect(to(sim(route('none', rules)).ingress('web-gw'))[0]).toMatch(answer);
    },
  );

  test('WHEN no rule matches THEN 404', () => {
    expect(
      to(
        sim(
          route('only', [{ matches: [{ path: { type: 'Exact', value: '/x' } }], backendRefs: [backend('web-v1')] }]),
        ).ingress('web-gw', { path: '/y' }),
      )[0],
    ).toMatch(/^404: no HTTPRoute rule/);
  });
});

describe("GIVEN rules across HTTPRoutes on one listener and host THEN Istio's order (conversion.go sortHTTPRoutes, sortRoutesByCreationTime)", () => {
  const prefix = (value: string) => ({ path: { type: 'PathPrefix', value } });
  test('Exact before any prefix, even one written first', () => {
    const s = sim(
      route('a', [{ matches: [prefix('/api')], backendRefs: [backend('web-v1')] }]),
      route('b', [{ matches: [{ path: { type: 'Exact', value: '/api' } }], backendRefs: [backend('web-v2')] }]),
    );
    expect(to(s.ingress('web-gw', { path: '/api' }))).toEqual(['web-2@100']);
    expect(to(s.ingress('web-gw', { path: '/api/x' }))).toEqual(['web-1@100']);
  });

  test('the longest prefix first, across routes', () => {
    const s = sim(
      route('a', [{ matches: [prefix('/')], backendRefs: [backend('web-v1')] }]),
      route('b', [{ matches: [prefix('/api/v2/')], backendRefs: [backend('web-v2')] }]),
    );
    expect(to(s.ingress('web-gw', { path: '/api/v2/items' }))).toEqual(['web-2@100']);
    expect(to(s.ingress('web-gw', { path: '/api/v1' }))).toEqual(['web-1@100']);
  });

  test('PathPrefix matches whole path elements: /foo holds for /foo, /foo/ and /foo/bar, not /foobar (Envoy path_separated_prefix)', () => {
    const s = sim(
      route('a', [
        { matches: [prefix('/foo/')], backendRefs: [backend('web-v2')] },
        { backendRefs: [backend('web-v1')] },
      ]),
    );
    expect(
      ['/foo', '/foo/', '/foo/bar', '/foobar', '/foo?x=1'].map((path) => to(s.ingress('web-gw', { path }))[0]),
    ).toEqual(['web-2@100', 'web-2@100', 'web-2@100', 'web-1@100', 'web-2@100']);
  });

  test('a regex path is a full RE2 match of the path without the query (createURIMatch: StringMatch regex; Envoy safe_regex); longer regexes first', () => {
    const regex = (value: string, b: string) => ({
      matches: [{ path: { type: 'RegularExpression', value } }],
      backendRefs: [backend(b)],
    });
    const s = sim(route('a', [regex('/.*', 'web-v1'), regex('/v[[:digit:]]+', 'web-v2')]));
    expect(['/v2', '/v2?q', '/v2/x'].map((path) => to(s.ingress('web-gw', { path }))[0])).toEqual([
      'web-2@100',
      'web-2@100',
      'web-1@100',
    ]);
  });

  test('any prefix, even the default `/` of a rule without matches, ranks before a regex (getURIRank: Exact > Prefix > Regex)', () => {
    const s = sim(
      route('a', [
        { matches: [{ path: { type: 'RegularExpression', value: '/v2' } }], backendRefs: [backend('web-v2')] },
        { backendRefs: [backend('web-v1')] },
      ]),
    );
    expect(to(s.ingress('web-gw', { path: '/v2' }))).toEqual(['web-1@100']);
  });

  test('equal paths: a method match, then more header matches, then more query matches win', () => {
    const hdr = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `X-H${i}`, value: '1' }));
    const s = sim(
      route('a', [{ matches: [{ headers: hdr(1) }], backendRefs: [backend('web-v1')] }]),
      route('b', [{ matches: [{ headers: hdr(2) }], backendRefs: [backend('web-v2')] }]),
    );
    expect(to(s.ingress('web-gw', { headers: { 'x-h0': '1', 'x-h1': '1' } }))).toEqual(['web-2@100']);
    const m = sim(
      route('a', [{ matches: [{ headers: hdr(2) }], backendRefs: [backend('web-v1')] }]),
      route('b', [{ matches: [{ method: 'GET' }], backendRefs: [backend('web-v2')] }]),
    );
    expect(to(m.ingress('web-gw', { headers: { 'x-h0': '1', 'x-h1': '1' } }))).toEqual(['web-2@100']);
    const q = sim(
      route('a', [{ matches: [{ queryParams: [{ name: 'v', value: '1' }] }], backendRefs: [backend('web-v1')] }]),
      route('b', [{ matches: [{ headers: hdr(1) }], backendRefs: [backend('web-v2')] }]),
    );
    expect(to(q.ingress('web-gw', { path: '/?v=1', headers: { 'x-h0': '1' } }))).toEqual(['web-2@100']);
  });

  test('a full tie: the oldest creationTimestamp, then namespace/name', () => {
    const r = (name: string, b: string, ts?: string) =>
      route(name, [{ backendRefs: [backend(b)] }], {}, 'shop', ts ? { creationTimestamp: ts } : {});
    expect(
      to(sim(r('a', 'web-v1', '2026-02-01T00:00:00Z'), r('b', 'web-v2', '2026-01-01T00:00:00Z')).ingress('web-gw')),
    ).toEqual(['web-2@100']);
    expect(to(sim(r('b', 'web-v2'), r('a', 'web-v1')).ingress('web-gw'))).toEqual(['web-1@100']);
  });

  test('header names are case-insensitive; query names are not', () => {
    const s = sim(
      route('a', [
        { matches: [{ headers: [{ name: 'X-User', value: 'alice' }] }], backendRefs: [backend('web-v2')] },
        { matches: [{ queryParams: [{ name: 'V', value: '2' }] }], backendRefs: [backend('web-v2')] },
        { backendRefs: [backend('web-v1')] },
      ]),
    );
    expect(to(s.ingress('web-gw', { headers: { 'x-user': 'alice' } }))).toEqual(['web-2@100']);
    expect(to(s.ingress('web-gw', { path: '/?v=2' }))).toEqual(['web-1@100']);
  });
});

describe('GIVEN attachment rules (conversion.go parent references; listener allowedRoutes)', () => {
  const other = route(
    'other',
    [{ backendRefs: [{ name: 'web-v1', namespace: 'shop', port: 8080 }] }],
    { parentRefs: [{ name: 'web-gw', namespace: 'shop' }] },
    'team',
  );
  test('WHEN allowedRoutes is Same (default) THEN a route from another namespace is not attached: 404', () => {
    expect(to(sim(other).ingress('web-gw'))[0]).toMatch(/^404: no HTTPRoute is attached/);
  });

  test('WHEN allowedRoutes is All THEN it attaches, but a backendRef across namespaces needs a ReferenceGrant (else 500)', () => {
    const all = (...more: Manifest[]) =>
      new TrafficSimulator([
        ...base,
        gateway([http({ allowedRoutes: { namespaces: { from: 'All' } } })]),
        other,
        ...more,
      ]);
    expect(to(all().ingress('web-gw'))[0]).toMatch(/^500: .*no ReferenceGrant/);
    const grant: Manifest = {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: { name: 'g', namespace: 'shop' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'team' }],
        to: [{ group: '', kind: 'Service' }],
      },
    };
    expect(to(all(grant).ingress('web-gw'))).toEqual(['web-1@100']);
  });

  test('WHEN allowedRoutes is a Selector THEN the Namespace labels decide', () => {
    const ns = (labels: Record<string, string>): Manifest => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team', labels },
    });
    const sel = (n: Manifest) =>
      new TrafficSimulator([
        ...base,
        gateway([
          http({ allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { shared: 'yes' } } } } }),
        ]),
        other,
        n,
        {
          apiVersion: 'gateway.networking.k8s.io/v1beta1',
          kind: 'ReferenceGrant',
          metadata: { name: 'g', namespace: 'shop' },
          spec: {
            from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'team' }],
            to: [{ group: '', kind: 'Service' }],
          },
        },
      ]);
    expect(to(sel(ns({ shared: 'yes' })).ingress('web-gw'))).toEqual(['web-1@100']);
    expect(to(sel(ns({ shared: 'no' })).ingress('web-gw'))[0]).toMatch(/^404/);
  });

  test('WHEN a parentRef names a sectionName or port THEN only that listener takes it', () => {
    const two = (ref: any) =>
      new TrafficSimulator([
        ...base,
        gateway([http(), { name: 'alt', port: 8000, protocol: 'HTTP' }]),
        route('r', [{ backendRefs: [backend('web-v1')] }], { parentRefs: [ref] }),
      ]);
    expect(to(two({ name: 'web-gw', sectionName: 'alt' }).ingress('web-gw', { port: 80 }))[0]).toMatch(/^404/);
    expect(to(two({ name: 'web-gw', sectionName: 'alt' }).ingress('web-gw', { port: 8000 }))).toEqual(['web-1@100']);
    expect(to(two({ name: 'web-gw', port: 80 }).ingress('web-gw', { port: 8000 }))[0]).toMatch(/^404/);
  });
});

describe('GIVEN filters and timeouts (convertHTTPRoute)', () => {
  test('RequestRedirect answers (302 by default) with the Location; RequestMirror mirrors; timeouts.request is the timeout; a header modifier shapes the request the backend sees', () => {
    const s = sim(
      route('f', [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
          filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'new.example.com' } }],
        },
        {
          timeouts: { request: '5s' },
          filters: [
            { type: 'RequestMirror', requestMirror: { backendRef: { name: 'web-v2', port: 8080 }, percent: 10 } },
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: '1' }] } },
          ],
          backendRefs: [backend('web-v1')],
        },
      ]),
    );
    // createRedirectFilter: no scheme and no port written, so the request's scheme and arrival port (80, the scheme's default: left out).
    expect(to(s.ingress('web-gw', { path: '/old/a' }))).toEqual(['302 redirect to http://new.example.com/old/a']);
    const [hop] = s.ingress('web-gw', { path: '/' });
    expect([
      hop.timeout,
      hop.mirrors?.map((m) => [m.service, m.percent, m.deployments]),
      hop.notModelled,
      hop.request?.headers.x,
    ]).toEqual(['5s', [['web-v2', 10, ['web-2']]], undefined, '1']);
  });
});

describe('GIVEN retry and both timeouts (convertHTTPRoute Retry, Timeouts)', () => {
  test('WHEN retry is set THEN attempts default 2 on connection failures plus the codes; backendRequest is the per-try timeout', () => {
    const [hop] = sim(
      route('r', [
        {
          retry: { codes: [503] },
          timeouts: { request: '10s', backendRequest: '2s' },
          backendRefs: [backend('web-v1')],
        },
      ]),
    ).ingress('web-gw');
    expect([hop.timeout, hop.retries]).toEqual([
      '10s',
      { attempts: 2, retryOn: 'connect-failure,refused-stream,unavailable,cancelled,503', perTryTimeout: '2s' },
    ]);
  });

  test('WHEN only backendRequest is set THEN it is the route timeout; a 0s request timeout is none', () => {
    expect(
      sim(route('r', [{ timeouts: { backendRequest: '2s' }, backendRefs: [backend('web-v1')] }])).ingress('web-gw')[0]
        .timeout,
    ).toBe('2s');
    expect(
      sim(route('r', [{ timeouts: { request: '0s' }, backendRefs: [backend('web-v1')] }])).ingress('web-gw')[0].timeout,
    ).toBeUndefined();
  });

  test('WHEN a redirect sets status, scheme and a full path THEN the answer says so; a mirror fraction is a percentage', () => {
    const s = sim(
      route('r', [
        {
          matches: [{ path: { type: 'Exact', value: '/r' } }],
          filters: [
            {
              type: 'RequestRedirect',
              requestRedirect: {
                scheme: 'https',
                statusCode: 301,
                path: { type: 'ReplaceFullPath', replaceFullPath: '/new' },
              },
            },
          ],
        },
        {
          filters: [
            {
              type: 'RequestMirror',
              requestMirror: { backendRef: { name: 'web-v2', port: 8080 }, fraction: { numerator: 1, denominator: 4 } },
            },
          ],
          backendRefs: [backend('web-v1')],
        },
      ]),
    );
    expect(to(s.ingress('web-gw', { path: '/r' }))).toEqual(['301 redirect to https://{host}/new']);
    expect(s.ingress('web-gw', { path: '/' })[0].mirrors?.map((m) => m.percent)).toEqual([25]);
  });
});

describe('GIVEN a Gateway that Istio does not serve, or several gateways', () => {
  test('WHEN its class is not istio THEN it is refused by name', () => {
    const other: Manifest = {
      apiVersion: GAPI,
      kind: 'Gateway',
      metadata: { name: 'nginx', namespace: 'shop' },
      spec: { gatewayClassName: 'nginx', listeners: [http()] },
    };
    expect(() => new TrafficSimulator([...base, other]).ingress('nginx')).toThrow(
      "Gateway shop/nginx has gatewayClassName 'nginx': only class 'istio' is evaluated",
    );
  });

  test('WHEN explain is not told which of two gateways THEN it names both', () => {
    const istio: Manifest = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'legacy', namespace: 'shop' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [] },
    };
    expect(() => explainRequest([...base, gateway([http()]), istio], {})).toThrow(
      'the manifests have 2 Gateways (shop/legacy, shop/web-gw)',
    );
  });
});

describe('GIVEN GAMMA routes (an HTTPRoute whose parentRef is a Service) THEN mesh calls to the Service follow them', () => {
  const parent = { group: '', kind: 'Service', name: 'web', port: 8080 };
  const mesh = (...routes: Manifest[]) => [
    ...base,
    svc('web', 'shop', 8080, { app: 'web' }),
    deploy('client', 'shop', { app: 'client' }, [{ name: 'WEB_HOST', value: 'web' }]),
    deploy('other-client', 'team', { app: 'other-client' }, [{ name: 'WEB_HOST', value: 'web.shop' }]),
    ...routes,
  ];
  const producer = route(
    'web',
    [
      {
        matches: [{ headers: [{ name: 'cookie', type: 'RegularExpression', value: '.*featureflag=on.*' }] }],
        backendRefs: [backend('web-v2')],
      },
      { backendRefs: [backend('web-v1', 80), backend('web-v2', 20)] },
    ],
    { parentRefs: [parent] },
  );

  test('WHEN a client calls the Service THEN the producer route picks the per-version Services', () => {
    const s = new TrafficSimulator(mesh(producer));
    expect(
      to(
        s.call(
          { sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 },
          { headers: { cookie: 'featureflag=on' } },
        ),
      ),
    ).toEqual(['web-2@100']);
    expect(to(s.call({ sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 }))).toEqual([
      'web-1@80',
      'web-2@20',
    ]);
    const explained = explainCall(mesh(producer), 'client', 'web');
    expect(explained.hops.map((h) => [h.service, h.version, h.share, h.rule])).toEqual([
      ['web-v1', 'v1', 80, 'web/1'],
      ['web-v2', 'v2', 20, 'web/1'],
    ]);
  });

  test('WHEN the caller\'s namespace has its own (consumer) route THEN it wins over the producer route (push_context.go "consumer override")', () => {
    const consumer = route(
      'mine',
      [{ backendRefs: [{ name: 'web-v2', namespace: 'shop', port: 8080 }] }],
      { parentRefs: [{ ...parent, namespace: 'shop' }] },
      'team',
    );
    const s = new TrafficSimulator(mesh(producer, consumer));
    expect(
      to(
        s.call(
          { sourceLabels: { app: 'other-client' }, service: 'web', namespace: 'shop', port: 8080 },
          { sourceNamespace: 'team' },
        ),
      ),
    ).toEqual(['web-2@100']);
    expect(
      to(
        s.call(
          { sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 },
          { sourceNamespace: 'shop' },
        ),
      ),
    ).toEqual(['web-1@80', 'web-2@20']);
  });

  test('WHEN the parentRef names another port THEN the call takes the Service itself, and the route is named', () => {
    const [hop] = new TrafficSimulator(
      mesh(route('p', [{ backendRefs: [backend('web-v2')] }], { parentRefs: [{ ...parent, port: 9090 }] })),
    ).call({ sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 });
    expect([hop.service, hop.rule, hop.deployments]).toEqual(['web', 'service', ['web-1', 'web-2']]);
    expect(hop.notModelled).toEqual([
      "HTTPRoute shop/p (routes Service 'web' on another port: taken as not applying to port 8080)",
    ]);
  });

  test("WHEN no rule of the Service's routes matches THEN 404; possibleCalls lists every backend up to the catch-all", () => {
    const only = route(
      'p',
      [{ matches: [{ path: { type: 'Exact', value: '/a' } }], backendRefs: [backend('web-v2')] }],
      { parentRefs: [parent] },
    );
    expect(
      to(
        new TrafficSimulator(mesh(only)).call(
          { sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 },
          { path: '/b' },
        ),
      )[0],
    ).toMatch(/^404: no rule of HTTPRoute shop\/p/);
    expect(
      new TrafficSimulator(mesh(producer))
        .possibleCalls({ sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 })
        .map((h) => [h.service, h.weight]),
    ).toEqual([
      ['web-v2', 100],
      ['web-v1', 80],
      ['web-v2', 20],
    ]);
  });

  test('WHEN a VirtualService also routes the Service THEN it is evaluated and the overlap is named as not modelled', () => {
    const vs: Manifest = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { hosts: ['web'], http: [{ route: [{ destination: { host: 'web-v1' } }] }] },
    };
    const [hop] = new TrafficSimulator(mesh(producer, vs)).call({
      sourceLabels: { app: 'client' },
      service: 'web',
      namespace: 'shop',
      port: 8080,
    });
    expect(hop.deployments).toEqual(['web-1']);
    expect(hop.notModelled?.[0]).toMatch(/^HTTPRoute shop\/web also routes Service 'web'/);
  });

  test('WHEN explain enters through the Gateway API Gateway THEN the downstream call (made without the entry headers) follows the GAMMA route', () => {
    const front = route('front', [{ backendRefs: [{ name: 'client', port: 80 }] }]);
    const objects = [...mesh(producer), gateway([http()]), svc('client', 'shop', 80, { app: 'client' }), front];
    const e = explainRequest(objects, { headers: { cookie: 'featureflag=on' } });
    expect(e.gateway).toBe('web-gw');
    expect(e.hops.map((h) => [h.service, h.calls.map((c) => [c.service, c.share])])).toEqual([
      [
        'client',
        [
          ['web-v1', 80],
          ['web-v2', 20],
        ],
      ],
    ]);
  });
});

describe('GIVEN a Gateway API file WHEN voting-mesh explain -f runs', () => {
  test('THEN it prints the routed request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gapi-'));
    const file = join(dir, 'gapi.yaml');
    writeFileSync(file, [...base, gateway([http()]), cookieCanary].map((m) => stringify(m)).join('---\n'));
    const result = await cli([
      'explain',
      '-f',
      file,
      '--host',
      'shop.example.com',
      '--cookie',
      'featureflag=on',
      '-o',
      'json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.hops.map((h: any) => [h.service, h.deployments, h.rule])).toEqual([['web-v2', ['web-2'], 'web/0']]);
  });

  test('THEN the text output shows the shares of a weighted rule', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gapi-'));
    const file = join(dir, 'gapi.yaml');
    const split = route('split', [{ backendRefs: [backend('web-v1', 3), backend('web-v2', 1)] }]);
    writeFileSync(file, [...base, gateway([http()]), split].map((m) => stringify(m)).join('---\n'));
    const result = await cli(['explain', '-f', file]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(1, 4)).toEqual([
      'gateway web-gw',
      '├─ 75% → web v1 [web-1, no subset, port 8080/http] via split/0',
      '└─ 25% → web v2 [web-2, no subset, port 8080/http] via split/0',
    ]);
  });
});
