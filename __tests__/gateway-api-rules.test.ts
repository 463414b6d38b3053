import type { Manifest } from 'voting-mesh';
import { analyzeMesh } from 'voting-mesh';
import type { PassingCase, ReportedCase } from './rule-table-support';
import { get, ruleTable } from './rule-table-support';

const NS = 'shop';
const GW = 'gateway.networking.k8s.io/v1';
const meta = (name: string, namespace = NS) => ({ name, namespace });

/**
 * A correct Gateway API stage: an Istio Gateway with one HTTP listener, an ingress HTTPRoute to
 * Service web and a mesh (GAMMA) HTTPRoute on Service api, a cross-namespace backend allowed by a
 * ReferenceGrant. Each case below breaks one thing.
 */
function good(): any[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS, labels: { 'istio-injection': 'enabled', team: 'shop' } },
    },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge', labels: { 'istio-injection': 'enabled' } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('api'),
      spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('legacy', 'edge'),
      spec: { selector: { app: 'legacy' }, ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: GW,
      kind: 'Gateway',
      metadata: meta('gw'),
      spec: {
        gatewayClassName: 'istio',
        listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' }],
      },
    },
    {
      apiVersion: GW,
      kind: 'HTTPRoute',
      metadata: meta('ingress'),
      spec: {
        parentRefs: [{ name: 'gw', sectionName: 'http' }],
        hostnames: ['shop.example.com'],
        rules: [
          {
            backendRefs: [
              { name: 'web', port: 8080, weight: 90 },
              { name: 'legacy', namespace: 'edge', port: 80, weight: 10 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1beta1',
      kind: 'ReferenceGrant',
      metadata: meta('from-shop', 'edge'),
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: NS }],
        to: [{ group: '', kind: 'Service' }],
      },
    },
    {
      apiVersion: GW,
      kind: 'HTTPRoute',
      metadata: meta('api'),
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'api', port: 80 }],
        rules: [{ backendRefs: [{ name: 'api', port: 80 }] }],
      },
    },
  ];
}

describe('Gateway API rules (Istio 1.30 route status, offline)', () => {
  test('GIVEN a correct Gateway API stage WHEN analyzed THEN no other rule group reports VM0011–VM0016 either', () => {
    expect(analyzeMesh(good() as Manifest[]).filter((f) => /^VM001[1-6]$/.test(f.code))).toEqual([]);
  });

  const cases: ReportedCase[] = [
    [
      'VM0011 BackendNotFound: a backendRef to a Service that does not exist',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].backendRefs[0].name = 'gone';
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[0].name'],
      /ResolvedRefs=False, reason BackendNotFound: backend\(gone\.shop\.svc\.cluster\.local\) not found/,
    ],
    [
      'VM0011 InvalidKind: an unsupported backend kind',
      (o) => {
        Object.assign(get(o, 'HTTPRoute', 'ingress').spec.rules[0].backendRefs[0], {
          group: 'apps',
          kind: 'Deployment',
        });
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[0].kind'],
      /reason InvalidKind: referencing unsupported backendRef: group "apps" kind "Deployment"/,
    ],
    [
      'VM0011 RefNotPermitted: a cross-namespace backend without ReferenceGrant',
      (o) => {
        o.splice(o.indexOf(get(o, 'ReferenceGrant', 'from-shop')), 1);
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[1].namespace'],
      /reason RefNotPermitted: backendRef legacy\/edge not accessible to a HTTPRoute in namespace "shop" \(missing a ReferenceGrant\?\)/,
    ],
    [
      'VM0011 RefNotPermitted: a ReferenceGrant for another namespace does not count',
      (o) => {
        get(o, 'ReferenceGrant', 'from-shop').spec.from[0].namespace = 'other';
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[1].namespace'],
    ],
    [
      'VM0011 InvalidDestination: a host name instead of the Service name',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].backendRefs[0].name = 'web.shop.svc.cluster.local';
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[0].name'],
      /reason InvalidDestination: .*Istio programs none of this route's rules/,
    ],
    [
      'VM0011 BackendNotFound: a RequestMirror filter to a Service that does not exist',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].filters = [
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 8080 } } },
        ];
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].filters[0].requestMirror.backendRef.name'],
      /backend\(shadow\.shop\.svc\.cluster\.local\) not found/,
    ],
    [
      'VM0012 a backend port the Service does not define',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].backendRefs[0].port = 9090;
      },
      ['VM0012 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[0].port'],
      /Service shop\/web has no port 9090 \(it has 8080\).*get 500/,
    ],
    [
      'VM0013 NoMatchingParent: a sectionName naming no listener',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.parentRefs[0].sectionName = 'https';
      },
      ['VM0013 Error HTTPRoute shop/ingress spec.parentRefs[0]'],
      /Accepted=False, reason NoMatchingParent: sectionName "https" not found/,
    ],
    [
      'VM0013 NoMatchingParent: a port naming no listener',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.parentRefs[0] = { name: 'gw', port: 8443 };
      },
      ['VM0013 Error HTTPRoute shop/ingress spec.parentRefs[0]'],
      /port 8443 not found/,
    ],
    [
      'VM0013 NoMatchingListenerHostname: no hostname in common with the listener',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.hostnames = ['api.example.com'];
      },
      ['VM0013 Error HTTPRoute shop/ingress spec.parentRefs[0]'],
      /reason NoMatchingListenerHostname: no hostnames matched parent hostname "shop\.example\.com"/,
    ],
    [
      'VM0013 NotAllowedByListeners: a route of another namespace under the default From Same',
      (o) => {
        const r = get(o, 'HTTPRoute', 'ingress');
        r.metadata.namespace = 'edge';
        r.spec.parentRefs[0].namespace = NS;
        r.spec.rules[0].backendRefs = [{ name: 'legacy', port: 80 }];
      },
      ['VM0013 Error HTTPRoute edge/ingress spec.parentRefs[0]'],
      /namespace "edge" is not allowed by the parent/,
    ],
    [
      'VM0013 NotAllowedByListeners: a namespace selector the route namespace does not match',
      (o) => {
        get(o, 'Gateway', 'gw').spec.listeners[0].allowedRoutes = {
          namespaces: { from: 'Selector', selector: { matchLabels: { team: 'edge' } } },
        };
      },
      ['VM0013 Error HTTPRoute shop/ingress spec.parentRefs[0]'],
    ],
    [
      'VM0013 NotAllowedByListeners: allowedRoutes kinds without HTTPRoute',
      (o) => {
        get(o, 'Gateway', 'gw').spec.listeners[0].allowedRoutes = { kinds: [{ kind: 'GRPCRoute' }] };
      },
      ['VM0013 Error HTTPRoute shop/ingress spec.parentRefs[0]'],
      /kind gateway\.networking\.k8s\.io\/v1\/HTTPRoute is not allowed/,
    ],
    [
      'VM0013 NoMatchingParent: a mesh parent Service that does not exist',
      (o) => {
        get(o, 'HTTPRoute', 'api').spec.parentRefs[0].name = 'ghost';
      },
      ['VM0013 Error HTTPRoute shop/api spec.parentRefs[0]'],
      /parent service: "ghost" not found/,
    ],
    [
      'VM0014 a parent Gateway that does not exist',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.parentRefs[0].name = 'nope';
      },
      ['VM0014 Error HTTPRoute shop/ingress spec.parentRefs[0]'],
    ],
    [
      'VM0011 InvalidFilter: a rule filter type Istio does not convert',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].filters = [
          { type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } },
        ];
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].filters[0].type'],
      /reason InvalidFilter: unsupported filter type "ExtensionRef".*programs none of this route's rules/,
    ],
    [
      'VM0011 InvalidFilter: a backendRef filter other than the header modifiers',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].backendRefs[0].filters = [
          { type: 'URLRewrite', urlRewrite: { hostname: 'x' } },
        ];
      },
      ['VM0011 Error HTTPRoute shop/ingress spec.rules[0].backendRefs[0].filters[0].type'],
      /use one of RequestHeaderModifier, ResponseHeaderModifier here/,
    ],
    [
      "VM0015 a parent Gateway of another controller's class",
      (o) => {
        get(o, 'Gateway', 'gw').spec.gatewayClassName = 'nginx';
      },
      ['VM0015 Warning HTTPRoute shop/ingress spec.parentRefs[0]'],
      /its class 'nginx' is not an Istio class/,
    ],
    [
      'VM0015 a parent Gateway that is a waypoint',
      (o) => {
        get(o, 'Gateway', 'gw').spec.gatewayClassName = 'istio-waypoint';
      },
      ['VM0015 Warning HTTPRoute shop/ingress spec.parentRefs[0]'],
      /it is a waypoint/,
    ],
    [
      'VM0016 a host routed by both a mesh VirtualService and an HTTPRoute',
      (o) => {
        o.push({
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: meta('api-vs'),
          spec: { hosts: ['api'], http: [{ route: [{ destination: { host: 'api' } }] }] },
        });
      },
      ['VM0016 Error HTTPRoute shop/api spec.parentRefs[0]'],
      /routed both by this HTTPRoute and by the mesh VirtualService shop\/api-vs: Istio does not merge them/,
    ],
  ];

  const passing: PassingCase[] = [
    [
      'a mesh route needs no ReferenceGrant (Istio enforces grants for Gateway parents only)',
      (o) => {
        o.splice(o.indexOf(get(o, 'ReferenceGrant', 'from-shop')), 1);
        get(o, 'HTTPRoute', 'ingress').spec.parentRefs = [{ group: '', kind: 'Service', name: 'web' }];
      },
    ],
    [
      'a backend of weight 0 is skipped',
      (o) => {
        get(o, 'HTTPRoute', 'ingress').spec.rules[0].backendRefs.push({ name: 'gone', port: 1, weight: 0 });
      },
    ],
    [
      'a listener allowing All namespaces and a wildcard hostname',
      (o) => {
        Object.assign(get(o, 'Gateway', 'gw').spec.listeners[0], {
          hostname: '*.example.com',
          allowedRoutes: { namespaces: { from: 'All' } },
        });
        const r = get(o, 'HTTPRoute', 'ingress');
        r.metadata.namespace = 'edge';
        r.spec.parentRefs[0].namespace = NS;
        r.spec.rules[0].backendRefs = [{ name: 'legacy', port: 80 }];
      },
    ],
    [
      'one of two listeners accepting is enough',
      (o) => {
        get(o, 'Gateway', 'gw').spec.listeners.unshift({
          name: 'other',
          port: 8080,
          protocol: 'HTTP',
          hostname: 'other.example.com',
        });
        delete get(o, 'HTTPRoute', 'ingress').spec.parentRefs[0].sectionName;
      },
    ],
    [
      'a gateway-only VirtualService for the same host is no conflict',
      (o) => {
        o.push({
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: meta('api-vs'),
          spec: { hosts: ['api'], gateways: ['gw'], http: [{ route: [{ destination: { host: 'api' } }] }] },
        });
      },
    ],
  ];

  ruleTable('project.gatewayApi', good, cases, passing);
});
