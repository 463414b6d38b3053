import type { Manifest } from 'voting-mesh';
import { authorize, explainCall, explainRequest, TrafficSimulator } from 'voting-mesh';
import { deployment } from './manifest-builders';

// Behaviours the upstream parity suites (istio-routing-parity, gateway-api-parity) rest on, each
// on its own: Istio and Kubernetes sources are cited per test.

const svc = (
  name: string,
  ns: string,
  spec: any = { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
): Manifest => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec });
const deploy = deployment;
const policy = (name: string, ns: string, spec: any): Manifest => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'AuthorizationPolicy',
  metadata: { name, namespace: ns },
  spec,
});

describe('GIVEN a subset whose label contradicts the Service selector (both must hold: Kubernetes endpoints, then the DestinationRule subset)', () => {
  const objects: Manifest[] = [
    svc('web', 'shop', { selector: { app: 'web', tier: 'front' }, ports: [{ name: 'http', port: 8080 }] }),
    deploy('web-front', 'shop', { app: 'web', tier: 'front', version: 'v1' }),
    deploy('web-back', 'shop', { app: 'web', tier: 'back', version: 'v1' }),
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        host: 'web',
        subsets: [
          { name: 'back', labels: { tier: 'back' } },
          { name: 'v1', labels: { version: 'v1' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        hosts: ['web'],
        http: [
          { match: [{ headers: { x: { exact: 'back' } } }], route: [{ destination: { host: 'web', subset: 'back' } }] },
          { route: [{ destination: { host: 'web', subset: 'v1' } }] },
        ],
      },
    },
  ];
  const sim = new TrafficSimulator(objects);
  test('WHEN the subset names tier: back THEN no pod receives it (it does not replace tier: front)', () => {
    expect(
      sim.call({ sourceLabels: {}, service: 'web', namespace: 'shop', port: 8080 }, { headers: { x: 'back' } })[0]
        .deployments,
    ).toEqual([]);
  });
  test('WHEN the subset narrows the selector THEN only pods holding both receive it', () => {
    expect(sim.call({ sourceLabels: {}, service: 'web', namespace: 'shop', port: 8080 })[0].deployments).toEqual([
      'web-front',
    ]);
  });
});

describe('GIVEN a Service without a selector (Kubernetes writes no endpoints for it; EndpointSlices written by others are its endpoints)', () => {
  const pod: Manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' } },
    spec: { containers: [] },
    status: { podIP: '10.0.0.7' },
  } as any;
  const base = [
    svc('db', 'shop', { ports: [{ name: 'tcp', port: 5432 }] }),
    deploy('other', 'shop', { app: 'other' }),
    pod,
  ];
  const slice = (addresses: string[], targetRef?: any): Manifest =>
    ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'db-1', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'db' } },
      endpoints: [{ addresses, ...(targetRef ? { targetRef } : {}) }],
    }) as any;
  test('WHEN no EndpointSlice names it THEN it has no endpoints, and the hop says so', () => {
    const [hop] = new TrafficSimulator(base).call({ sourceLabels: {}, service: 'db', namespace: 'shop', port: 5432 });
    expect([hop.deployments, hop.notModelled]).toEqual([
      [],
      ['Service shop/db has no selector and no EndpointSlice: no endpoints (Envoy answers 503)'],
    ]);
  });
  test('WHEN an EndpointSlice holds a pod IP of the manifests THEN that pod receives it (not every pod of the namespace)', () => {
    expect(
      new TrafficSimulator([...base, slice(['10.0.0.7'])]).call({
        sourceLabels: {},
        service: 'db',
        namespace: 'shop',
        port: 5432,
      })[0].deployments,
    ).toEqual(['db-0']);
  });
  test('WHEN the EndpointSlice addresses are outside the manifests THEN they are named', () => {
    expect(
      new TrafficSimulator([...base, slice(['192.168.1.1'])]).call({
        sourceLabels: {},
        service: 'db',
        namespace: 'shop',
        port: 5432,
      })[0].notModelled,
    ).toEqual(['Service shop/db endpoints 192.168.1.1 (EndpointSlice addresses, no workload of the manifests)']);
  });
});

describe('GIVEN AuthorizationPolicies with paths and namespaces (security/v1 AuthorizationPolicy: source.namespaces, operation.paths)', () => {
  const td = 'cluster.local';
  const allow = policy('web', 'shop', {
    selector: { matchLabels: { app: 'web' } },
    rules: [
      { from: [{ source: { namespaces: ['front'] } }], to: [{ operation: { paths: ['/api/*'], methods: ['GET'] } }] },
    ],
  });
  const objects = [allow];
  const from = (ns: string) => `${td}/ns/${ns}/sa/default`;
  test.each([
    [
      'a caller of namespace front on /api/x',
      from('front'),
      { path: '/api/x', method: 'GET' },
      { allowed: true, reason: 'allowed by AuthorizationPolicy web rule 0' },
    ],
    [
      'a caller of another namespace',
      from('back'),
      { path: '/api/x', method: 'GET' },
      { allowed: false, reason: `no rule of web allows ${from('back')} on port 8080` },
    ],
    [
      'a path the rule does not name',
      from('front'),
      { path: '/admin', method: 'GET' },
      { allowed: false, reason: `no rule of web allows ${from('front')} on port 8080` },
    ],
  ])('WHEN %s THEN the verdict is stated', (_what, principal, request, verdict) => {
    expect(authorize(objects, 'shop', { app: 'web' }, principal, 8080, request)).toEqual(verdict);
  });
  test('WHEN the request of the call is not known THEN no verdict is stated, and why', () => {
    const v = authorize(objects, 'shop', { app: 'web' }, from('front'), 8080);
    expect([v.undetermined, v.reason, v.notModelled?.length]).toEqual([
      true,
      `not determined: whether ALLOW policy web allows ${from('front')} on port 8080 depends on conditions that are not modelled`,
      2,
    ]);
  });
  test('WHEN only a DENY policy selects the pods and does not match THEN the reason says so (not "no AuthorizationPolicy selects the pods")', () => {
    const deny = policy('no-admin', 'shop', {
      action: 'DENY',
      selector: { matchLabels: { app: 'web' } },
      rules: [{ to: [{ operation: { paths: ['/admin'] } }] }],
    });
    expect(authorize([deny], 'shop', { app: 'web' }, from('front'), 8080, { path: '/', method: 'GET' }).reason).toBe(
      'no DENY rule of no-admin matches and no ALLOW policy selects the pods',
    );
  });
  test('WHEN a DENY rule rests on `when` THEN the verdict is not determined', () => {
    const deny = policy('jwt', 'shop', {
      action: 'DENY',
      selector: { matchLabels: { app: 'web' } },
      rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['x'] }] }],
    });
    expect(authorize([deny], 'shop', { app: 'web' }, from('front'), 8080, { path: '/' }).undetermined).toBe(true);
  });
});

describe('GIVEN a call addressed by Host on a declared HTTP port (httproute.go: one route configuration per port, the Host picks the virtual host)', () => {
  const objects: Manifest[] = [
    svc('a', 'shop'),
    deploy('a-1', 'shop', { app: 'a' }),
    svc('b', 'shop'),
    deploy('b-1', 'shop', { app: 'b' }),
    deploy('client', 'shop', { app: 'client' }),
  ];
  test('WHEN the Host names another Service of the port THEN that Service receives it', () => {
    expect(explainCall(objects, 'client', 'a', 8080, {}, { host: 'b.shop' }).hops[0].deployments).toEqual(['b-1']);
  });
  test('WHEN the Host names nothing THEN the call passes through to the address dialled, and the hop says so', () => {
    const [hop] = explainCall(objects, 'client', 'a', 8080, {}, { host: 'unknown.example.com' }).hops;
    expect([hop.deployments, hop.rule, hop.notModelled]).toEqual([
      ['a-1'],
      "PassthroughCluster (Host 'unknown.example.com' names no Service or VirtualService host on port 8080)",
      undefined,
    ]);
  });
});

describe('GIVEN HTTPRoute filters (conversion.go createHeadersFilter, createRewriteFilter, createRedirectFilter)', () => {
  const G = 'gateway.networking.k8s.io/v1';
  const gw: Manifest = {
    apiVersion: G,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'shop' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] },
  };
  const route = (rules: any[]): Manifest => ({
    apiVersion: G,
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'shop' },
    spec: { parentRefs: [{ name: 'gw' }], rules },
  });
  const objects = (rules: any[]) => [gw, route(rules), svc('web', 'shop'), deploy('web-1', 'shop', { app: 'web' })];
  test('WHEN a redirect names neither scheme nor port on an 8080 listener THEN the Location keeps port 8080 (FROM_REQUEST_PORT)', () => {
    const [hop] = explainRequest(
      objects([{ filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'example.org' } }] }]),
      { path: '/a' },
      'shop/gw',
    ).hops;
    expect(hop.answer).toBe('302 redirect to http://example.org:8080/a');
  });
  test("WHEN a redirect names a scheme THEN that scheme's default port is used, and left out (FROM_PROTOCOL_DEFAULT)", () => {
    const [hop] = explainRequest(
      objects([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] }]),
      { host: 'example.org', path: '/a' },
      'shop/gw',
    ).hops;
    expect(hop.answer).toBe('302 redirect to https://example.org/a');
  });
  test('WHEN URLRewrite replaces a prefix and the host, and a header modifier sets, adds and removes THEN the backend sees the result', () => {
    const [hop] = explainRequest(
      objects([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: {
                hostname: 'new.example.org',
                path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' },
              },
            },
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: {
                set: [{ name: 'X-Set', value: '1' }],
                add: [{ name: 'X-Add', value: '2' }],
                remove: ['X-Drop'],
              },
            },
          ],
          backendRefs: [{ name: 'web', port: 8080 }],
        },
      ]),
      { host: 'a.example.org', path: '/old/x?q=1', headers: { 'x-add': '0', 'x-drop': 'y' } },
      'shop/gw',
    ).hops;
    expect(hop.request).toEqual({
      headers: { 'x-add': '0,2', host: 'new.example.org', 'x-set': '1' },
      path: '/new/x?q=1',
    });
  });
  test('WHEN a CORS preflight comes from an allowed origin THEN the proxy answers it', () => {
    const [hop] = explainRequest(
      objects([
        {
          filters: [{ type: 'CORS', cors: { allowOrigins: ['https://*.foo.com'], allowMethods: ['GET'] } }],
          backendRefs: [{ name: 'web', port: 8080 }],
        },
      ]),
      { method: 'OPTIONS', headers: { origin: 'https://a.foo.com', 'access-control-request-method': 'GET' } },
      'shop/gw',
    ).hops;
    expect([hop.answer, hop.response?.headers]).toEqual([
      '200: CORS preflight answered by the proxy (corsPolicy)',
      { 'access-control-allow-origin': 'https://a.foo.com', 'access-control-allow-methods': 'GET' },
    ]);
  });
});

describe('GIVEN a GRPCRoute whose parent is the Service called (GAMMA; not evaluated)', () => {
  test('WHEN a workload calls the Service on an HTTP port THEN the answer says GRPCRoute is not modelled, with no destination', () => {
    const grpc: Manifest = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { name: 'g', namespace: 'shop' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'web' }],
        rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }],
      },
    };
    const [hop] = explainCall(
      [svc('web', 'shop'), deploy('web-1', 'shop', { app: 'web' }), deploy('client', 'shop', { app: 'client' }), grpc],
      'client',
      'web',
      8080,
    ).hops;
    expect([hop.answer, hop.deployments]).toEqual(["not modelled: GRPCRoute shop/g routes Service 'web'", []]);
  });
});

describe('GIVEN an HTTPRoute backendRef of kind Hostname (networking.istio.io; conversion.go buildDestination)', () => {
  const G = 'gateway.networking.k8s.io/v1';
  const objects = (extra: Manifest[]): Manifest[] => [
    {
      apiVersion: G,
      kind: 'Gateway',
      metadata: { name: 'gw', namespace: 'shop' },
      spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    },
    {
      apiVersion: G,
      kind: 'HTTPRoute',
      metadata: { name: 'r', namespace: 'shop' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [
          { backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', port: 443 }] },
        ],
      },
    },
    ...extra,
  ];
  test('WHEN a ServiceEntry declares the host THEN the hop goes to it, its endpoints named as outside the manifests', () => {
    const se: Manifest = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: 'DNS',
      },
    };
    const [hop] = explainRequest(objects([se]), {}, 'shop/gw').hops;
    expect([hop.service, hop.port, hop.serviceEntry, hop.notModelled]).toEqual([
      'api.example.com',
      443,
      'shop/api',
      ['ServiceEntry shop/api endpoints (outside the manifests)'],
    ]);
  });
  test('WHEN nothing declares the host THEN 500 (no cluster)', () => {
    expect(explainRequest(objects([]), {}, 'shop/gw').hops[0].answer).toBe(
      "500: no ServiceEntry visible from namespace 'shop' declares host 'api.example.com' (no cluster)",
    );
  });
});
