import type { Manifest } from 'voting-mesh';
import { explainRequest, TrafficSimulator } from 'voting-mesh';
import { deployment } from './manifest-builders';

// Kubernetes Ingresses of class istio are routed as the Gateway and VirtualServices istiod derives
// from them (istio/istio 1.30.3 pilot/pkg/config/kube/ingress; route.go TranslateRouteMatch for
// their path-separated prefixes).

const svc = (name: string, port = 80): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { app: name }, ports: [{ name: 'http', port }] },
});
const deploy = deployment;
const gatewayPod = deploy('istio-ingressgateway', 'istio-system', { istio: 'ingressgateway' });
const ingress = (annotations: Record<string, string>, spec: any): Manifest =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec,
  }) as Manifest;
const rules = {
  rules: [
    {
      host: 'shop.example.com',
      http: {
        paths: [
          { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 80 } } } },
          { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
        ],
      },
    },
  ],
};
const base = [
  svc('api'),
  svc('web'),
  deploy('api', 'shop', { app: 'api' }),
  deploy('web', 'shop', { app: 'web' }),
  gatewayPod,
];
const istioClass = { 'kubernetes.io/ingress.class': 'istio' };

describe('GIVEN an Ingress of class istio with a Prefix path /api and /', () => {
  const sim = new TrafficSimulator([...base, ingress(istioClass, rules)]);
  const to = (path: string) =>
    sim.ingress('shop/web', { host: 'shop.example.com', path }).map((h) => h.deployments.join(','));
  test('WHEN the path is /api or below it THEN the api pods receive it', () => {
    expect([to('/api'), to('/api/'), to('/api/v1?x=1')]).toEqual([['api'], ['api'], ['api']]);
  });
  test('WHEN the path only starts with the letters /api (/apis) THEN the prefix does not hold (path-separated) and / takes it', () => {
    expect(to('/apis')).toEqual(['web']);
  });
  test('WHEN the Host is not a rule host THEN the gateway answers 404 (no virtual host)', () => {
    expect(sim.ingress('shop/web', { host: 'other.example.com', path: '/' })[0]).toMatchObject({
      noRoute: true,
      answer: expect.stringMatching(/serves host 'other\.example\.com'.*404/),
    });
  });
});

describe('GIVEN an Ingress that is not of class istio', () => {
  test('WHEN its class annotation names another controller THEN the istio gateway has no route from it', () => {
    const sim = new TrafficSimulator([...base, ingress({ 'kubernetes.io/ingress.class': 'nginx' }, rules)]);
    expect(() => sim.ingress('shop/web', { host: 'shop.example.com', path: '/' })).toThrow(
      "Ingress shop/web has kubernetes.io/ingress.class 'nginx': istiod routes only class 'istio'",
    );
  });
  test('WHEN it has no class at all THEN istiod (ingressControllerMode STRICT) ignores it too', () => {
    const sim = new TrafficSimulator([...base, ingress({}, rules)]);
    expect(() => sim.ingress('shop/web', { host: 'shop.example.com' })).toThrow(
      /no ingressClassName and no kubernetes\.io\/ingress\.class: istiod \(ingressControllerMode STRICT\) ignores it/,
    );
  });
  test('WHEN ingressClassName names an IngressClass missing from the input THEN explain refuses to guess and says what to add', () => {
    const sim = new TrafficSimulator([...base, ingress({}, { ...rules, ingressClassName: 'istio' })]);
    expect(() => sim.ingress('shop/web', { host: 'shop.example.com' })).toThrow(
      "Ingress shop/web names IngressClass 'istio', which is not in the manifests: istiod routes it only if its controller is istio.io/ingress-controller; add the IngressClass to the input",
    );
  });
  test('WHEN ingressClassName names an IngressClass of controller istio.io/ingress-controller THEN it is routed', () => {
    const cls = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'mesh' },
      spec: { controller: 'istio.io/ingress-controller' },
    } as Manifest;
    const sim = new TrafficSimulator([...base, cls, ingress({}, { ...rules, ingressClassName: 'mesh' })]);
    expect(sim.ingress('shop/web', { host: 'shop.example.com', path: '/api' }).map((h) => h.deployments)).toEqual([
      ['api'],
    ]);
  });
});

describe('GIVEN an Ingress of class istio and an Istio Gateway of the same proxy on port 80', () => {
  const gw = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Gateway',
    metadata: { name: 'main', namespace: 'istio-system' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    },
  } as Manifest;
  test('WHEN a request enters by the Gateway THEN the Ingress hosts are served too (one route configuration http.80)', () => {
    const answer = explainRequest(
      [...base, gw, ingress(istioClass, rules)],
      { host: 'shop.example.com', path: '/api/x' },
      'istio-system/main',
    );
    expect(answer.hops.map((h) => [h.service, h.deployments])).toEqual([['api', ['api']]]);
  });
});
