import type { Manifest } from 'voting-mesh';
import { TrafficSimulator } from 'voting-mesh';

// What Istio 1.30.3 does with an HTTPRoute it cannot convert (pilot/pkg/config/kube/gateway
// conversion.go convertHTTPRoute / buildHTTPDestination / buildDestination, route_collections.go
// computeRoute, networking/core/route/route.go): a hard error programs none of the route's rules;
// an invalid backend is an empty destination (500); a missing cluster answers 500.

const GAPI = 'gateway.networking.k8s.io/v1';
const objects = (...routes: Manifest[]): Manifest[] => [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'legacy', namespace: 'shop' },
    spec: { selector: { app: 'legacy' }, ports: [{ name: 'http', port: 8080 }] },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'legacy', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'legacy' } },
      template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  },
  {
    apiVersion: GAPI,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'shop' },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  },
  ...routes,
];
const route = (name: string, rule: any, path = '/app', created = '2026-01-01T00:00:00Z'): Manifest => ({
  apiVersion: GAPI,
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'shop', creationTimestamp: created } as Manifest['metadata'],
  spec: {
    parentRefs: [{ name: 'gw' }],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], ...rule }],
  },
});
/** A route for everything, created later: where a request goes when the specific route is not programmed. */
const fallback = route('fallback', { backendRefs: [{ name: 'legacy', port: 8080 }] }, '/', '2026-02-01T00:00:00Z');
const reach = (...routes: Manifest[]) =>
  new TrafficSimulator(objects(...routes))
    .ingress('shop/gw', { path: '/app' })
    .map((h) => h.answer ?? h.deployments.join(','));

describe('GIVEN an HTTPRoute for /app and a later catch-all route to legacy', () => {
  test('WHEN the /app route is valid THEN /app reaches web', () => {
    expect(reach(route('app', { backendRefs: [{ name: 'web', port: 8080 }] }), fallback)).toEqual(['web']);
  });

  test.each([
    [
      'an ExtensionRef filter (a type Istio does not convert)',
      {
        filters: [{ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } }],
        backendRefs: [{ name: 'web', port: 8080 }],
      },
    ],
    [
      'a URLRewrite filter on a backendRef (only header modifiers are)',
      { backendRefs: [{ name: 'web', port: 8080, filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'x' } }] }] },
    ],
    ['a backend named by its hostname', { backendRefs: [{ name: 'web.shop', port: 8080 }] }],
    ['a Service backend without a port', { backendRefs: [{ name: 'web' }] }],
  ])('WHEN the /app route has %s THEN Istio programs none of its rules and /app falls through to legacy', (_, rule) => {
    expect(reach(route('app', rule), fallback)).toEqual(['legacy']);
  });

  test('WHEN the route is not programmed and nothing else matches THEN the 404 says why', () => {
    expect(reach(route('app', { backendRefs: [{ name: 'web' }] }))[0]).toMatch(
      /^404: .*HTTPRoute shop\/app is not programmed: rules\[0\] has a backendRef to Service 'web' without the port/,
    );
  });

  test('WHEN a backendRef is of a kind Istio does not support THEN requests get 500 (InvalidKind, an empty destination)', () => {
    expect(
      reach(
        route('app', {
          backendRefs: [{ group: 'unknownkind.example.com', kind: 'NonExistent', name: 'x', port: 8080 }],
        }),
        fallback,
      )[0],
    ).toMatch(/^500: .*InvalidKind/);
  });

  test('WHEN a backendRef names a port the Service lacks THEN requests get 500 (Gateway API routes answer a missing cluster with 500)', () => {
    expect(reach(route('app', { backendRefs: [{ name: 'web', port: 9999 }] }), fallback)[0]).toMatch(/^500: port 9999/);
  });
});
