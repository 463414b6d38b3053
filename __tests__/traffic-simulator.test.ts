import { readFileSync } from 'fs';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from 'voting-mesh';
import { explainRequest, formatExplanation, TrafficSimulator } from 'voting-mesh';
import { cli } from './cli-support';

// Hand-written manifests (not the library's output): each behaviour cites the Istio or Envoy
// source it follows. Istio paths are in github.com/istio/istio; Envoy docs are the v3 API reference.

const NET = 'networking.istio.io/v1';
const svc = (
  name: string,
  ns: string,
  ports: [string, number][],
  selector: Record<string, string> = { app: name },
): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector, ports: ports.map(([n, port]) => ({ name: n, port })) },
});
const deploy = (name: string, ns: string, labels: Record<string, string>, kind = 'Deployment'): Manifest => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [] } },
  },
});
const vs = (name: string, ns: string, spec: any): Manifest => ({
  apiVersion: NET,
  kind: 'VirtualService',
  metadata: { name, namespace: ns },
  spec,
});
const dr = (
  name: string,
  ns: string,
  host: string,
  subsets: [string, Record<string, string>][],
  extra: any = {},
): Manifest => ({
  apiVersion: NET,
  kind: 'DestinationRule',
  metadata: { name, namespace: ns },
  spec: { host, subsets: subsets.map(([n, labels]) => ({ name: n, labels })), ...extra },
});
const gateway = (name: string, ns: string, servers: any[]): Manifest => ({
  apiVersion: NET,
  kind: 'Gateway',
  metadata: { name, namespace: ns },
  spec: { selector: { istio: 'ingressgateway' }, servers },
});
const http80 = (hosts: string[]) => ({ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts });

const base: Manifest[] = [
  svc('web', 'shop', [['http', 8080]]),
  deploy('web-v1', 'shop', { app: 'web', version: 'v1' }),
  deploy('web-v2', 'shop', { app: 'web', version: 'v2' }),
  dr('web', 'shop', 'web', [
    ['v1', { version: 'v1' }],
    ['v2', { version: 'v2' }],
  ]),
  svc('other', 'shop', [['http', 8080]], { app: 'other' }),
  deploy('other-1', 'shop', { app: 'other' }),
];
const to = (subset: string, weight?: number) => ({
  destination: { host: 'web', subset },
  ...(weight !== undefined ? { weight } : {}),
});
const meshVs = (http: any[], extra: any = {}) =>
  new TrafficSimulator([...base, vs('web', 'shop', { hosts: ['web'], http, ...extra })]);
const target = (hops: { deployments: readonly string[] }[]) => hops.map((h) => h.deployments.join(','));

describe('match conditions (pilot/pkg/networking/core/route/route.go TranslateRouteMatch; envoy RouteMatch)', () => {
  const routes = (match: any) =>
    meshVs([
      { name: 'm', match: [match], route: [to('v2')] },
      { name: 'rest', route: [to('v1')] },
    ]);
  const call = (match: any, request: any) =>
    target(
      routes(match).call({ sourceLabels: { app: 'client' }, service: 'web', namespace: 'shop', port: 8080 }, request),
    )[0];

  test.each([
    [
      'RE2 (?i) (envoy safe_regex is RE2; JavaScript RegExp throws on it)',
      { headers: { user: { regex: '(?i)alice' } } },
      { headers: { user: 'ALICE' } },
      'web-v2',
    ],
    [
      'RE2 [[:digit:]] class',
      { headers: { user: { regex: 'u[[:digit:]]+' } } },
      { headers: { user: 'u42' } },
      'web-v2',
    ],
    [
      'a regex matches the whole value (safe_regex full match)',
      { headers: { user: { regex: 'ali' } } },
      { headers: { user: 'alice' } },
      'web-v1',
    ],
    ['exact path without the query string (RouteMatch.path)', { uri: { exact: '/a' } }, { path: '/a?x=1' }, 'web-v2'],
    [
      'regex path without the query string (RouteMatch.safe_regex)',
      { uri: { regex: '/a' } },
      { path: '/a?x=1' },
      'web-v2',
    ],
    [
      'ignoreUriCase on exact (case_sensitive: false)',
      { uri: { exact: '/Beta' }, ignoreUriCase: true },
      { path: '/BETA' },
      'web-v2',
    ],
    [
      'ignoreUriCase does not apply to regexes',
      { uri: { regex: '/beta' }, ignoreUriCase: true },
      { path: '/BETA' },
      'web-v1',
    ],
    ['method (:method header matcher)', { method: { exact: 'POST' } }, { method: 'POST' }, 'web-v2'],
    ['method defaults to GET', { method: { exact: 'POST' } }, {}, 'web-v1'],
    ['authority (:authority)', { authority: { prefix: 'web.shop' } }, { host: 'web.shop:8080' }, 'web-v2'],
    ['scheme (:scheme)', { scheme: { exact: 'https' } }, { scheme: 'http' }, 'web-v1'],
    [
      'queryParams exact (QueryParameterMatcher)',
      { queryParams: { v: { exact: '2' } } },
      { path: '/?v=2&w=1' },
      'web-v2',
    ],
    [
      'queryParams {} is present_match (canBeConvertedToPresentMatch)',
      { queryParams: { debug: {} } },
      { path: '/?debug' },
      'web-v2',
    ],
    ['queryParams regex', { queryParams: { v: { regex: '[0-9]+' } } }, { path: '/?v=x' }, 'web-v1'],
    [
      'withoutHeaders: a missing header is empty, inverted (treat_missing_header_as_empty)',
      { withoutHeaders: { user: { exact: 'bob' } } },
      {},
      'web-v2',
    ],
    [
      'withoutHeaders: the header present',
      { withoutHeaders: { user: { exact: 'bob' } } },
      { headers: { user: 'bob' } },
      'web-v1',
    ],
    [
      'withoutHeaders {}: absent header (inverted present_match)',
      { withoutHeaders: { user: {} } },
      { headers: { user: 'x' } },
      'web-v1',
    ],
    ['header {} is present_match', { headers: { user: {} } }, { headers: { User: '' } }, 'web-v2'],
    [
      'regex "*" is present_match (route.go canBeConvertedToPresentMatch)',
      { headers: { user: { regex: '*' } } },
      { headers: { user: 'x' } },
      'web-v2',
    ],
    [
      'a query value with a space is sent as %20, and Envoy matches it undecoded (config_impl.cc parseQueryString)',
      { queryParams: { token: { regex: 'BAR .+' } } },
      { query: { token: 'BAR a' } },
      'web-v1',
    ],
    [
      'a query value as the client encodes it',
      { queryParams: { token: { exact: 'BAR%20a' } } },
      { query: { token: 'BAR a' } },
      'web-v2',
    ],
    ['sourceNamespace (route.go sourceMatchHTTP)', { sourceNamespace: 'ops' }, { sourceNamespace: 'ops' }, 'web-v2'],
    ['sourceNamespace of another caller', { sourceNamespace: 'ops' }, { sourceNamespace: 'shop' }, 'web-v1'],
    ['sourceLabels subset of the caller labels', { sourceLabels: { app: 'client' } }, {}, 'web-v2'],
    ['a match for another port (TranslateRoute: match.port != listener port)', { port: 9090 }, {}, 'web-v1'],
    [
      'per-match gateways without mesh skip sidecars, whatever sourceLabels',
      { gateways: ['shop-gw'], sourceLabels: { app: 'client' } },
      {},
      'web-v1',
    ],
    ['per-match gateways with mesh', { gateways: ['mesh'] }, {}, 'web-v2'],
  ])('GIVEN %s THEN the request goes to the right version', (_, match, request, expected) => {
    expect(call(match, request)).toBe(expected);
  });

  test('GIVEN a lookahead (RE2 rejects it) THEN the simulator says so instead of answering', () => {
    expect(() => call({ headers: { user: { regex: 'a(?=b)' } } }, { headers: { user: 'ab' } })).toThrow(
      /'a\(\?=b\)' is not an RE2 regex/,
    );
  });
  test('GIVEN a JWT claim match on a sidecar THEN it does not hold, and the hop says why (no JWT filter on outbound routes)', () => {
    const hops = routes({ headers: { '@request.auth.claims.group': { exact: 'admin' } } }).call(
      { sourceLabels: {}, service: 'web', namespace: 'shop', port: 8080 },
      { claims: { group: 'admin' } },
    );
    expect(target(hops)).toEqual(['web-v1']);
    expect(hops[0].notModelled).toBeUndefined();
    expect(hops[0].matchNotes).toEqual([
      "VirtualService shop/web http[0].match[0].headers[@request.auth.claims.group] did not match: a sidecar's outbound routes have no JWT filter (claim matches hold at gateways only)",
    ]);
  });
});

describe('destinations (route.go applyHTTPRouteDestination, GetDestinationCluster)', () => {
  test('GIVEN one destination of weight 50 THEN it takes 100% (a single cluster, weight unused)', () => {
    expect(
      meshVs([{ route: [to('v1', 50)] }])
        .call({ sourceLabels: {}, service: 'web', port: 8080 })
        .map((h) => h.weight),
    ).toEqual([100]);
  });
  test('GIVEN weights 1 and 3 THEN they are relative: 25% and 75% (envoy weighted_clusters)', () => {
    expect(
      meshVs([{ route: [to('v1', 1), to('v2', 3)] }])
        .call({ sourceLabels: {}, service: 'web', port: 8080 })
        .map((h) => [h.deployments, h.weight]),
    ).toEqual([
      [['web-v1'], 25],
      [['web-v2'], 75],
    ]);
  });
  test('GIVEN no destination port on a two-port Service THEN the arrival port is used', () => {
    const two = [
      svc('api', 'shop', [
        ['http', 8080],
        ['http-admin', 9090],
      ]),
      deploy('api-1', 'shop', { app: 'api' }),
      vs('api', 'shop', { hosts: ['api'], http: [{ route: [{ destination: { host: 'api' } }] }] }),
    ];
    expect(new TrafficSimulator(two).call({ sourceLabels: {}, service: 'api', port: 9090 }).map((h) => h.port)).toEqual(
      [9090],
    );
  });
  test('GIVEN no VirtualService THEN every pod of the Service receives it (default route)', () => {
    expect(new TrafficSimulator(base).call({ sourceLabels: {}, service: 'web', port: 8080 })).toEqual([
      { service: 'web', port: 8080, weight: 100, deployments: ['web-v1', 'web-v2'], rule: 'service' },
    ]);
  });
  test('GIVEN a subset THEN its labels narrow the Service selector, they do not replace it', () => {
    const m = [
      ...base,
      deploy('stray-v1', 'shop', { app: 'stray', version: 'v1' }),
      vs('web', 'shop', { hosts: ['web'], http: [{ route: [to('v1')] }] }),
    ];
    expect(new TrafficSimulator(m).call({ sourceLabels: {}, service: 'web', port: 8080 })[0].deployments).toEqual([
      'web-v1',
    ]);
  });
  test('GIVEN two DestinationRules for one host THEN their subsets merge, the first of a name wins (pilot/pkg/model/destination_rule.go mergeDestinationRule)', () => {
    const m = [
      ...base.filter((x) => x.kind !== 'DestinationRule'),
      dr('a', 'shop', 'web', [['v1', { version: 'v1' }]]),
      dr('b', 'shop', 'web.shop.svc.cluster.local', [
        ['v1', { version: 'v2' }],
        ['v2', { version: 'v2' }],
      ]),
      vs('web', 'shop', { hosts: ['web'], http: [{ route: [to('v1', 50), to('v2', 50)] }] }),
    ];
    expect(target(new TrafficSimulator(m).call({ sourceLabels: {}, service: 'web', port: 8080 }))).toEqual([
      'web-v1',
      'web-v2',
    ]);
  });
  test('GIVEN a StatefulSet behind the Service THEN it is a workload', () => {
    const m = [svc('db', 'shop', [['tcp', 5432]]), deploy('db-0', 'shop', { app: 'db' }, 'StatefulSet')];
    expect(new TrafficSimulator(m).call({ sourceLabels: {}, service: 'db', port: 5432 })[0].deployments).toEqual([
      'db-0',
    ]);
  });
  test('GIVEN a ServiceEntry host THEN the hop names it and its endpoints as not modelled', () => {
    const se: Manifest = {
      apiVersion: NET,
      kind: 'ServiceEntry',
      metadata: { name: 'ext', namespace: 'shop' },
      spec: {
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: 'DNS',
      },
    };
    const sim = new TrafficSimulator([
      ...base,
      se,
      vs('web', 'shop', { hosts: ['web'], http: [{ route: [{ destination: { host: 'api.example.com' } }] }] }),
    ]);
    expect(sim.call({ sourceLabels: {}, service: 'web', port: 8080 })[0]).toMatchObject({
      service: 'api.example.com',
      port: 443,
      serviceEntry: 'shop/ext',
      deployments: [],
    });
  });
  test('GIVEN a destination port the ServiceEntry does not declare THEN the route names a cluster that does not exist: 503', () => {
    const se: Manifest = {
      apiVersion: NET,
      kind: 'ServiceEntry',
      metadata: { name: 'ext', namespace: 'shop' },
      spec: {
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: 'DNS',
      },
    };
    const sim = new TrafficSimulator([
      ...base,
      se,
      vs('web', 'shop', {
        hosts: ['web'],
        http: [{ route: [{ destination: { host: 'api.example.com', port: { number: 8443 } } }] }],
      }),
    ]);
    expect(sim.call({ sourceLabels: {}, service: 'web', port: 8080 })[0].answer).toBe(
      '503: port 8443 is not a port of ServiceEntry shop/ext (no cluster)',
    );
  });
  test('GIVEN a redirect or a fault THEN the answer says so (redirect) or names the field (fault)', () => {
    expect(
      meshVs([{ redirect: { uri: '/new' } }]).call({ sourceLabels: {}, service: 'web', port: 8080 })[0],
    ).toMatchObject({ answer: '301 redirect to <same host>/new', deployments: [] });
    expect(
      meshVs([{ fault: { abort: { httpStatus: 500 } }, route: [to('v1')] }]).call({
        sourceLabels: {},
        service: 'web',
        port: 8080,
      })[0].notModelled,
    ).toEqual(['VirtualService shop/web http[0].fault']);
  });
});

describe('which routes a proxy gets (route.go TranslateRoute, BuildHTTPRoutesForVirtualService)', () => {
  test('GIVEN every route is for another port THEN the VirtualService adds nothing and the default route applies', () => {
    const sim = new TrafficSimulator([
      ...base.map((m) =>
        m.kind === 'Service' && m.metadata.name === 'web'
          ? svc('web', 'shop', [
              ['http', 8080],
              ['http-alt', 8081],
            ])
          : m,
      ),
      vs('web', 'shop', { hosts: ['web'], http: [{ match: [{ port: 8081 }], route: [to('v2')] }] }),
    ]);
    expect(sim.call({ sourceLabels: {}, service: 'web', port: 8080 })).toEqual([
      { service: 'web', port: 8080, weight: 100, deployments: ['web-v1', 'web-v2'], rule: 'service' },
    ]);
    expect(target(sim.call({ sourceLabels: {}, service: 'web', port: 8081 }))).toEqual(['web-v2']);
  });
  test('GIVEN routes for this proxy but none matching the request THEN Envoy answers 404 (NR): an outcome marked noRoute, not an error', () => {
    expect(
      meshVs([{ match: [{ uri: { exact: '/only' } }], route: [to('v2')] }]).call(
        { sourceLabels: {}, service: 'web', port: 8080 },
        { path: '/' },
      )[0],
    ).toMatchObject({ noRoute: true, answer: expect.stringMatching(/404 \(NR\)/) });
  });
  test('GIVEN a catch-all route THEN possibleCalls stops there; routes for other callers are left out', () => {
    const sim = meshVs([
      { match: [{ sourceLabels: { app: 'batch' } }], route: [to('v2')] },
      { match: [{ uri: { prefix: '/' } }], route: [to('v1')] },
      { route: [to('v2')] },
    ]);
    expect(
      sim
        .possibleCalls({ sourceLabels: { app: 'web' }, service: 'web', namespace: 'shop', port: 8080 })
        .map((h) => h.rule),
    ).toEqual(['web/1']);
    expect(
      sim
        .possibleCalls({ sourceLabels: { app: 'batch' }, service: 'web', namespace: 'shop', port: 8080 })
        .map((h) => h.rule),
    ).toEqual(['web/0']);
  });
  test('GIVEN a DestinationRule exported only to its namespace THEN a caller elsewhere gets 503 for the subset (pilot/pkg/model/push_context.go destinationRule)', () => {
    const m = [
      ...base.filter((x) => x.kind !== 'DestinationRule'),
      dr('web', 'shop', 'web', [['v1', { version: 'v1' }]], { exportTo: ['.'] }),
      vs('web', 'shop', { hosts: ['web'], http: [{ route: [to('v1')] }] }),
    ];
    expect(
      new TrafficSimulator(m).call({ sourceLabels: {}, service: 'web', port: 8080 }, { sourceNamespace: 'ops' })[0]
        .answer,
    ).toMatch(/^503: subset 'v1'/);
    expect(
      target(
        new TrafficSimulator(m).call({ sourceLabels: {}, service: 'web', port: 8080 }, { sourceNamespace: 'shop' }),
      ),
    ).toEqual(['web-v1']);
  });
  test("GIVEN a DestinationRule in the caller's namespace THEN it is used before the Service's", () => {
    const m = [
      ...base,
      dr('mine', 'ops', 'web.shop.svc.cluster.local', [['v1', { version: 'v2' }]]),
      vs('web', 'shop', { hosts: ['web'], http: [{ route: [to('v1')] }] }),
    ];
    expect(
      target(
        new TrafficSimulator(m).call({ sourceLabels: {}, service: 'web', port: 8080 }, { sourceNamespace: 'ops' }),
      ),
    ).toEqual(['web-v2']);
  });
});

describe('hosts and visibility (pilot/pkg/model/virtualservice.go SelectVirtualServices, push_context.go, pkg/config/host)', () => {
  const v2 = { http: [{ route: [to('v2')] }] };
  const v1 = { http: [{ route: [to('v1')] }] };
  test.each([
    ['a short host in the VirtualService namespace', ['web'], 'web-v2'],
    ['a fully qualified host, case-insensitive', ['Web.Shop.svc.cluster.local'], 'web-v2'],
    ['a wildcard host', ['*.shop.svc.cluster.local'], 'web-v2'],
    ['`name.namespace`, which Istio does not expand', ['web.shop'], 'web-v1,web-v2'],
    [
      '`*`, which Istio rejects on a mesh VirtualService (validation.go validateVirtualService)',
      ['*'],
      'web-v1,web-v2',
    ],
  ])('GIVEN %s THEN it resolves as Istio does', (_, hosts, expected) => {
    expect(
      target(
        new TrafficSimulator([...base, vs('v', 'shop', { hosts, ...v2 })]).call({
          sourceLabels: {},
          service: 'web',
          port: 8080,
        }),
      ),
    ).toEqual([expected]);
  });
  test('GIVEN an exact and a wildcard VirtualService THEN the exact host wins (route.go separateVSHostsAndServices)', () => {
    const m = [
      ...base,
      vs('a-wild', 'shop', { hosts: ['*.shop.svc.cluster.local'], ...v1 }),
      vs('b-exact', 'shop', { hosts: ['web'], ...v2 }),
    ];
    expect(target(new TrafficSimulator(m).call({ sourceLabels: {}, service: 'web', port: 8080 }))).toEqual(['web-v2']);
  });
  test('GIVEN exportTo "." THEN a caller in another namespace does not see the VirtualService (pkg/config/visibility)', () => {
    const sim = new TrafficSimulator([...base, vs('v', 'shop', { hosts: ['web'], exportTo: ['.'], ...v2 })]);
    expect(target(sim.call({ sourceLabels: {}, service: 'web', port: 8080 }, { sourceNamespace: 'shop' }))).toEqual([
      'web-v2',
    ]);
    expect(target(sim.call({ sourceLabels: {}, service: 'web', port: 8080 }, { sourceNamespace: 'ops' }))).toEqual([
      'web-v1,web-v2',
    ]);
  });
  test('GIVEN a VirtualService bound only to a gateway THEN sidecars do not use it', () => {
    expect(
      target(
        new TrafficSimulator([...base, vs('v', 'shop', { hosts: ['web'], gateways: ['gw'], ...v2 })]).call({
          sourceLabels: {},
          service: 'web',
          port: 8080,
        }),
      ),
    ).toEqual(['web-v1,web-v2']);
  });
});

describe('ingress (pilot/pkg/networking/core/gateway.go buildGatewayHTTPRouteConfig; envoy VirtualHost.domains)', () => {
  const gw = gateway('gw', 'edge', [http80(['*/shop.example.com', 'edge/*.example.com'])]);
  const shopVs = vs('shop', 'shop', {
    hosts: ['shop.example.com'],
    gateways: ['edge/gw'],
    http: [{ route: [to('v2')] }],
  });
  const wildVs = vs('wild', 'edge', {
    hosts: ['*.example.com'],
    gateways: ['gw'],
    http: [{ route: [{ destination: { host: 'other.shop.svc.cluster.local' } }] }],
  });
  const sim = new TrafficSimulator([...base, gw, shopVs, wildVs]);
  test('GIVEN the exact Host THEN its VirtualService (namespace/name gateway reference) routes it', () => {
    expect(target(sim.ingress('edge/gw', { host: 'shop.example.com' }))).toEqual(['web-v2']);
    expect(target(sim.ingress('gw', { headers: { Host: 'SHOP.example.com:80' } }))).toEqual(['web-v2']);
  });
  test('GIVEN another Host under the wildcard THEN the wildcard domain routes it', () => {
    expect(target(sim.ingress('gw', { host: 'www.example.com' }))).toEqual(['other-1']);
  });
  test('GIVEN a Host no server serves THEN Envoy answers 404 and the simulator says so', () => {
    expect(sim.ingress('gw', { host: 'example.org' })[0]).toMatchObject({
      noRoute: true,
      answer: expect.stringMatching(/serves host 'example.org'.*404/),
    });
  });
  test('GIVEN server hosts `edge/*` THEN a VirtualService of another namespace is not bound by it', () => {
    const onlyEdge = gateway('gw', 'edge', [http80(['edge/*'])]);
    expect(
      new TrafficSimulator([...base, onlyEdge, shopVs]).ingress('gw', { host: 'shop.example.com' })[0],
    ).toMatchObject({ noRoute: true, answer: expect.stringMatching(/404/) });
  });
  test('GIVEN two VirtualServices for one host THEN their routes are appended in creation (then name) order', () => {
    const fq = (subset: string) => ({ destination: { host: 'web.shop.svc.cluster.local', subset } });
    const a = vs('a', 'edge', {
      hosts: ['shop.example.com'],
      gateways: ['gw'],
      http: [{ name: 'beta', match: [{ uri: { prefix: '/beta' } }], route: [fq('v2')] }],
    });
    const b = vs('b', 'edge', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ route: [fq('v1')] }] });
    const merged = new TrafficSimulator([...base, gw, b, a]);
    expect(target(merged.ingress('gw', { host: 'shop.example.com', path: '/beta' }))).toEqual(['web-v2']);
    expect(target(merged.ingress('gw', { host: 'shop.example.com', path: '/' }))).toEqual(['web-v1']);
  });
  test('GIVEN a short destination host in the gateway namespace THEN it names no Service there: 503, said on the hop', () => {
    const short = vs('s', 'edge', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ route: [to('v1')] }] });
    expect(new TrafficSimulator([...base, gw, short]).ingress('gw', { host: 'shop.example.com' })[0].answer).toMatch(
      /^503: host 'web' is neither a Service nor a ServiceEntry host/,
    );
  });
  test('GIVEN httpsRedirect THEN a plain HTTP request is answered 301', () => {
    const redirecting = gateway('gw', 'edge', [{ ...http80(['*']), tls: { httpsRedirect: true } }]);
    expect(
      new TrafficSimulator([...base, redirecting, shopVs]).ingress('gw', { host: 'shop.example.com' })[0].answer,
    ).toMatch(/^301/);
  });
});

describe('TCP and TLS routes (pilot/pkg/networking/core/tls.go, gateway.go l4SingleMatch)', () => {
  const m = [
    svc('db', 'shop', [
      ['tcp', 5432],
      ['tls', 5433],
    ]),
    deploy('db-a', 'shop', { app: 'db', v: 'a' }),
    deploy('db-b', 'shop', { app: 'db', v: 'b' }),
    dr('db', 'shop', 'db', [
      ['a', { v: 'a' }],
      ['b', { v: 'b' }],
    ]),
    vs('db', 'shop', {
      hosts: ['db'],
      tcp: [
        {
          match: [{ port: 5432, sourceLabels: { app: 'batch' } }],
          route: [{ destination: { host: 'db', subset: 'b' } }],
        },
        { route: [{ destination: { host: 'db', subset: 'a', port: { number: 5432 } } }] },
      ],
      tls: [
        {
          match: [{ sniHosts: ['db.shop.svc.cluster.local'], port: 5433 }],
          route: [{ destination: { host: 'db', subset: 'b', port: { number: 5433 } } }],
        },
      ],
    }),
  ];
  const sim = new TrafficSimulator(m);
  test('GIVEN tcp routes THEN port and sourceLabels decide', () => {
    expect(target(sim.call({ sourceLabels: { app: 'batch' }, service: 'db', port: 5432 }))).toEqual(['db-b']);
    expect(target(sim.call({ sourceLabels: { app: 'web' }, service: 'db', port: 5432 }))).toEqual(['db-a']);
  });
  test('GIVEN a tls port THEN sniHosts decide (the SNI defaults to the Service host)', () => {
    expect(target(sim.call({ sourceLabels: {}, service: 'db', port: 5433 }))).toEqual(['db-b']);
    expect(target(sim.call({ sourceLabels: {}, service: 'db', port: 5433 }, { sni: 'other.example.com' }))).toEqual([
      'db-a,db-b',
    ]);
  });
});

describe("third-party manifests: Istio's analyzer test input virtualservice_host_not_found_gateway_with_ns_prefix.yaml", () => {
  // pilot/pkg/networking/core/gateway.go: server hosts `./h` bind VirtualServices of the Gateway's
  // namespace only, `*/h` and `h` of every namespace; routes for one host are appended in
  // creation-time, name, namespace order (pilot/pkg/model/config.go configCompareByCreationTime).
  // The four Gateways select the same proxy and serve port 80: istiod merges them into one route
  // configuration (pilot/pkg/model/gateway.go mergeGateways), servers in Gateway order, so the
  // first Gateway's VirtualService answers testing-01.com whichever Gateway the request is named by.
  const file = join(
    __dirname,
    '..',
    '..',
    'shared',
    'istio-1.30.3-analyzer-tests',
    'testdata',
    'virtualservice_host_not_found_gateway_with_ns_prefix.yaml',
  );
  const objects: Manifest[] = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON());
  const sim = new TrafficSimulator([
    ...objects,
    svc('ratings', 'istio-system', [['http', 9080]]),
    deploy('ratings-system', 'istio-system', { app: 'ratings' }),
    svc('ratings', 'default', [['http', 9080]]),
    deploy('ratings-default', 'default', { app: 'ratings' }),
  ]);
  test.each([
    ['istio-system/testing-gateway', 'ratings-system'],
    ['istio-system/testing-gateway-2', 'ratings-system'],
    ['istio-system/testing-gateway-3', 'ratings-system'],
    ['istio-system/testing-gateway-4', 'ratings-system'],
  ])('GIVEN Host testing-01.com at %s THEN %s receives it', (gw, expected) => {
    expect(target(sim.ingress(gw, { host: 'testing-01.com' }))).toEqual([expected]);
  });
  test('GIVEN the namespace-only server host THEN the default namespace VirtualService is never reachable through it', () => {
    expect(sim.possibleIngress('istio-system/testing-gateway').flatMap((h) => h.deployments)).toEqual([
      'ratings-system',
    ]);
  });
});

describe('explain prints what the simulator does not model (lib/analysis/explain.ts)', () => {
  const gw = gateway('gw', 'shop', [http80(['*'])]);
  const ingress = vs('in', 'shop', {
    hosts: ['*'],
    gateways: ['gw'],
    http: [
      {
        name: 'posts',
        match: [{ method: { exact: 'POST' } }],
        route: [to('v2')],
        fault: { abort: { httpStatus: 503, percentage: { value: 1 } } },
      },
      { name: 'rest', route: [to('v1')] },
    ],
  });
  test('GIVEN a POST THEN the POST route, its fault injection named as not modelled, in text and on the node', () => {
    const e = explainRequest([...base, gw, ingress], { method: 'POST', path: '/vote?x=1' });
    expect(e.hops[0]).toMatchObject({
      deployments: ['web-v2'],
      rule: 'in/posts',
      notModelled: ['VirtualService shop/in http[0].fault'],
    });
    expect(formatExplanation('s', e).split('\n')).toEqual([
      's: POST /vote?x=1',
      'gateway gw',
      '└─ 100% → web v2 [web-v2, subset v2, port 8080/http] via in/posts',
      '   not modelled: VirtualService shop/in http[0].fault',
    ]);
  });
});

describe('authorization conditions not evaluated are named (lib/analysis/authorization.ts)', () => {
  test("GIVEN an ALLOW rule on paths THEN the entry request's path decides", () => {
    const policy: Manifest = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        action: 'ALLOW',
        rules: [{ to: [{ operation: { paths: ['/api/*'] } }] }],
      },
    };
    const objects = [
      ...base,
      gateway('gw', 'shop', [http80(['*'])]),
      policy,
      vs('in', 'shop', { hosts: ['*'], gateways: ['gw'], http: [{ route: [to('v1')] }] }),
    ];
    expect(explainRequest(objects, { path: '/' }).hops[0].authorization).toEqual({
      allowed: false,
      reason:
        'no rule of web allows cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account on port 8080',
    });
    expect(explainRequest(objects, { path: '/api/x' }).hops[0].authorization).toEqual({
      allowed: true,
      reason: 'allowed by AuthorizationPolicy web rule 0',
    });
  });
  test('GIVEN an ALLOW rule on hosts THEN no verdict is stated and the field is named', () => {
    const policy: Manifest = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        action: 'ALLOW',
        rules: [{ to: [{ operation: { hosts: ['web.example.com'] } }] }],
      },
    };
    const e = explainRequest([
      ...base,
      gateway('gw', 'shop', [http80(['*'])]),
      policy,
      vs('in', 'shop', { hosts: ['*'], gateways: ['gw'], http: [{ route: [to('v1')] }] }),
    ]);
    expect(e.hops[0].authorization).toMatchObject({
      undetermined: true,
      notModelled: ['AuthorizationPolicy shop/web rules[0].to[0].operation.hosts'],
    });
    expect(formatExplanation('s', e)).toContain(
      '   not modelled: AuthorizationPolicy shop/web rules[0].to[0].operation.hosts',
    );
    expect(formatExplanation('s', e)).toContain('AUTHORIZATION not determined: whether ALLOW policy web allows');
  });
});

describe('voting-mesh explain request options (cli/commands/explain.ts)', () => {
  test('GIVEN --method, --host, --scheme and --query THEN the request line shows them and the route is unchanged', async () => {
    const result = await cli([
      'explain',
      '03',
      '--cookie',
      'featureflag=on',
      '--method',
      'post',
      '--host',
      'voting.example.com',
      '--query',
      'a=1',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      '03-cookie-canary: POST http://voting.example.com/ (cookie: featureflag=on; query a=1)',
      'gateway voting-app-gateway',
      '└─ 100% → voting-app 2.0 [voting-app-2-0, subset v2-0, port 8080/http] via voting-app-ingress/featureflag-cookie',
    ]);
  });
  test.each([
    [['--port', '0'], /^error: malformed --port '0': expected a port number 1-65535\nusage: /],
    [['--method', 'GE T'], /^error: malformed --method 'GE T'/],
    [['--scheme', 'ftp'], /^error: option '--scheme' is 'ftp', not one of http, https\nusage: /],
  ])('GIVEN %j THEN one error line and the usage, exit 2', async (args, message) => {
    const result = await cli(['explain', '03', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
  test('GIVEN a port the gateway has no server on THEN the answer says the connection is refused', async () => {
    const result = await cli(['explain', '03', '--port', '8443']);
    expect(result.stdout).toContain(
      '└─ 100% → connection refused: Gateway voting/voting-app-gateway has no server on port 8443 via voting/voting-app-gateway',
    );
  });
});

describe('possibleIngress over TCP and TLS servers (gateway.go buildGatewayNetworkFiltersFromTCPRoutes / TLSRoutes)', () => {
  const m = [
    svc('db', 'shop', [['tcp', 5432]]),
    deploy('db-0', 'shop', { app: 'db' }, 'StatefulSet'),
    gateway('gw', 'shop', [http80(['*']), { port: { number: 5432, name: 'tcp', protocol: 'TCP' }, hosts: ['*'] }]),
    vs('db', 'shop', {
      hosts: ['*'],
      gateways: ['gw'],
      tcp: [{ match: [{ port: 5432 }], route: [{ destination: { host: 'db', port: { number: 5432 } } }] }],
    }),
  ];
  test('GIVEN a TCP server THEN its routes are read when asked for, and an HTTP request on it reaches the tcp route', () => {
    const sim = new TrafficSimulator(m);
    expect(sim.possibleIngress('gw')).toEqual([]);
    expect(sim.possibleIngress('gw', ['http', 'tcp']).map((h) => [h.deployments, h.rule])).toEqual([
      [['db-0'], 'db/tcp[0]'],
    ]);
    expect(target(sim.ingress('gw', { port: 5432 }))).toEqual(['db-0']);
  });
});
