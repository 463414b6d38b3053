import type { Manifest } from 'voting-mesh';
import { analyzeMesh, SchemaRegistry, TrafficSimulator } from 'voting-mesh';

// The outcomes the Gateway API v1.5.1 "HTTP routing" guide documents (kubernetes-sigs/gateway-api
// site-src/guides/http-routing.md, examples/standard/http-routing/): one Gateway, a route per
// hostname, a header-matched canary. The objects are written here from the guide's description;
// Services and Deployments are added so that requests reach pods, the class is Istio's.

const GAPI = 'gateway.networking.k8s.io/v1';
const workload = (name: string): Manifest[] => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } },
    },
  },
];
const httpRoute = (name: string, hostname: string, rules: any[]): Manifest => ({
  apiVersion: GAPI,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'default' },
  spec: { parentRefs: [{ name: 'example-gateway' }], hostnames: [hostname], rules },
});

const guide: Manifest[] = [
  {
    apiVersion: GAPI,
    kind: 'Gateway',
    metadata: { name: 'example-gateway', namespace: 'default' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'prod-web', port: 80, protocol: 'HTTP' }] },
  },
  httpRoute('foo-route', 'foo.example.com', [
    { matches: [{ path: { type: 'PathPrefix', value: '/login' } }], backendRefs: [{ name: 'foo-svc', port: 8080 }] },
  ]),
  httpRoute('bar-route', 'bar.example.com', [
    {
      matches: [{ headers: [{ type: 'Exact', name: 'env', value: 'canary' }] }],
      backendRefs: [{ name: 'bar-svc-canary', port: 8080 }],
    },
    { backendRefs: [{ name: 'bar-svc', port: 8080 }] },
  ]),
  ...workload('foo-svc'),
  ...workload('bar-svc'),
  ...workload('bar-svc-canary'),
];

describe("GIVEN the Gateway API guide's HTTP routing example on an istio Gateway", () => {
  const sim = new TrafficSimulator(guide);
  const reach = (request: object) =>
    sim.ingress('default/example-gateway', request).map((h) => h.answer ?? h.deployments.join(','));

  test.each([
    ['foo.example.com/login', { host: 'foo.example.com', path: '/login' }, ['foo-svc']],
    ['foo.example.com/login/x (a path under the prefix)', { host: 'foo.example.com', path: '/login/x' }, ['foo-svc']],
    ['bar.example.com with env: canary', { host: 'bar.example.com', headers: { env: 'canary' } }, ['bar-svc-canary']],
    [
      'bar.example.com with ENV: canary (header names are case-insensitive)',
      { host: 'bar.example.com', headers: { ENV: 'canary' } },
      ['bar-svc-canary'],
    ],
    ['bar.example.com without the header', { host: 'bar.example.com', path: '/anything' }, ['bar-svc']],
  ])("WHEN a request for %s arrives THEN the guide's backend receives it", (_, request, expected) => {
    expect(reach(request)).toEqual(expected);
  });

  test.each([
    ['foo.example.com/ (outside /login)', { host: 'foo.example.com', path: '/' }],
    ['foo.example.com/loginx (not a path segment of /login)', { host: 'foo.example.com', path: '/loginx' }],
    ['a hostname no route names', { host: 'baz.example.com' }],
  ])('WHEN a request for %s arrives THEN the gateway answers 404', (_, request) => {
    expect(reach(request)[0]).toMatch(/^404: /);
  });

  test("WHEN validated and analyzed THEN the objects are schema-valid (with the CRDs' CEL rules) and no Gateway API rule reports them", () => {
    expect(SchemaRegistry.load().validateAll(guide)).toEqual([]);
    expect(analyzeMesh(guide, { only: ['project.gatewayApi'] })).toEqual([]);
  });

  test('WHEN the canary Service is missing THEN the analyzer reports the route rule and requests with the header get 500', () => {
    const missing = guide.filter((m) => m.metadata.name !== 'bar-svc-canary');
    expect(analyzeMesh(missing, { only: ['project.gatewayApi'] }).map((f) => `${f.code} ${f.field}`)).toEqual([
      'VM0011 spec.rules[0].backendRefs[0].name',
    ]);
    expect(
      new TrafficSimulator(missing).ingress('default/example-gateway', {
        host: 'bar.example.com',
        headers: { env: 'canary' },
      })[0].answer,
    ).toMatch(/^500/);
  });
});
