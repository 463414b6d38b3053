import { readFileSync } from 'fs';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import type { Manifest } from '../lib/analysis/manifest';
import { ingressDerivedConfig, isIstioIngress } from '../lib/analysis/routing/ingress';

// Istio 1.30.3's Ingress conversion tests (pilot/pkg/config/kube/ingress/conversion_test.go),
// against the Gateways and VirtualServices explain derives from Kubernetes Ingresses of class istio.
const fixture: { clusterDomain: string; cases: { subtest: string; input: string; golden: string }[] } = parse(
  readFileSync(join(__dirname, 'parity', 'istio-ingress-conversion.yaml'), 'utf8'),
);
const docs = (text: string): Manifest[] =>
  parseAllDocuments(text)
    .map((d) => d.toJSON())
    .filter((m) => m);
const withIstioClass = (m: Manifest): Manifest =>
  m.kind !== 'Ingress'
    ? m
    : ({
        ...m,
        metadata: {
          ...m.metadata,
          annotations: { ...(m.metadata as any).annotations, 'kubernetes.io/ingress.class': 'istio' },
        },
      } as Manifest);
const byName = (a: Manifest, b: Manifest) =>
  a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;

describe('TestGoldenConversion: the config istiod derives from an Ingress', () => {
  test.each(fixture.cases.map((c) => [c.subtest, c] as const))('%s', (_name, c) => {
    // GIVEN the test's input WHEN explain derives Istio config from it THEN it is istiod's golden output, in the golden order (by name).
    const derived = ingressDerivedConfig(docs(c.input).map(withIstioClass), fixture.clusterDomain).sort(byName);
    expect(derived).toEqual(docs(c.golden));
  });
});

const ingress = (name: string, rules: any[], extra: Record<string, unknown> = {}): Manifest =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'mock', annotations: { 'kubernetes.io/ingress.class': 'istio' } },
    spec: { rules, ...extra },
  }) as Manifest;
const path = (p: string | undefined, pathType: string | undefined, service: string, port: Record<string, unknown>) => ({
  ...(p !== undefined ? { path: p } : {}),
  ...(pathType ? { pathType } : {}),
  backend: { service: { name: service, port } },
});

describe('TestConversion and TestNamedPortIngressConversion', () => {
  test('GIVEN two Ingresses sharing my.host.com WHEN converted THEN one VirtualService per host, routes longest path first, exact before prefix', () => {
    const mock1 = ingress('mock1', [
      {
        host: 'my.host.com',
        http: {
          paths: [
            path('/test', undefined, 'foo', { number: 8000 }),
            path('/test/foo', 'Prefix', 'foo', { number: 8000 }),
          ],
        },
      },
      { host: 'my2.host.com', http: { paths: [path('/test1.*', undefined, 'bar', { number: 8000 })] } },
      { host: 'my3.host.com', http: { paths: [path('/test/*', undefined, 'bar', { number: 8000 })] } },
      { host: 'my4.host.com', http: { paths: [path('/*', undefined, 'bar', { number: 8000 })] } },
    ]);
    const mock2 = ingress('mock2', [
      {
        host: 'my.host.com',
        http: {
          paths: [
            path('/test2', undefined, 'foo', { number: 8000 }),
            path('/test/foo/bar', 'Prefix', 'foo', { number: 8000 }),
            path('/test/foo/bar', 'Exact', 'foo', { number: 8000 }),
          ],
        },
      },
    ]);
    const vss = ingressDerivedConfig([mock1, mock2], 'mydomain').filter((m) => m.kind === 'VirtualService');
    expect(vss.map((v) => v.spec.hosts[0]).sort()).toEqual([
      'my.host.com',
      'my2.host.com',
      'my3.host.com',
      'my4.host.com',
    ]);
    const uriOf = (r: any) => r.match[0].uri;
    const my = vss.find((v) => v.spec.hosts[0] === 'my.host.com')!;
    // expectedLength {13, 13, 9, 6, 5}, expectedExact {true, false, false, true, true}
    expect(
      my.spec.http.map((r: any) => [String(uriOf(r).exact ?? uriOf(r).prefix).length, uriOf(r).exact !== undefined]),
    ).toEqual([
      [13, true],
      [13, false],
      [9, false],
      [6, true],
      [5, true],
    ]);
    expect(vss.find((v) => v.spec.hosts[0] === 'my4.host.com')!.spec.http.map((r: any) => r.match)).toEqual([
      undefined,
    ]);
  });

  test('GIVEN a backend port by name WHEN converted THEN the destination has the Service port of that name', () => {
    const ing = ingress('named', [
      { host: 'host.com', http: { paths: [path('/test/*', undefined, 'foo', { name: 'test-svc-port' })] } },
    ]);
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'foo', namespace: 'mock' },
      spec: {
        ports: [{ name: 'test-svc-port', protocol: 'TCP', port: 8888, targetPort: 'test-port' }],
        selector: { app: 'test-app' },
      },
    } as Manifest;
    const vss = ingressDerivedConfig([ing, svc], 'mydomain').filter((m) => m.kind === 'VirtualService');
    expect(vss.map((v) => v.spec.hosts)).toEqual([['host.com']]);
    expect(vss[0].spec.http.map((r: any) => r.route.map((d: any) => d.destination.port.number))).toEqual([[8888]]);
  });
});

// TestIngressClass, the rows with ingressControllerMode STRICT (the default mesh config explain models).
const classIstio = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'istio' },
  spec: { controller: 'istio.io/ingress-controller' },
} as Manifest;
const classOther = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: { name: 'foo' },
  spec: { controller: 'foo' },
} as Manifest;
const strictRows: [string | undefined, Manifest | undefined, boolean][] = [
  ['nginx', undefined, false],
  ['istio', undefined, true],
  [undefined, undefined, false],
  [undefined, classOther, false],
  [undefined, classIstio, true],
  ['nginx', classIstio, false],
  ['istio', classOther, true],
];

describe('TestIngressClass (STRICT rows): which Ingresses istiod processes', () => {
  test.each(strictRows.map(([a, c, want]) => [`annotation ${a ?? '-'} class ${c?.metadata.name ?? '-'}`, a, c, want]))(
    '%s',
    (_n, annotation, cls, want) => {
      // GIVEN an Ingress with that annotation and IngressClass WHEN explain selects the Ingresses of class istio THEN it does as istiod does.
      const ing = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: 'test-ingress',
          namespace: 'default',
          annotations: annotation ? { 'kubernetes.io/ingress.class': annotation } : {},
        },
        spec: cls ? { ingressClassName: (cls as Manifest).metadata.name } : {},
      } as Manifest;
      expect(
        isIstioIngress(
          ing,
          [classIstio, classOther].filter((c) => c === cls),
        ),
      ).toBe(want);
    },
  );
});
