import type { Manifest } from 'voting-mesh';
import { explainCall, formatCallExplanation, TrafficSimulator } from 'voting-mesh';
import { deployment, istioObject } from './manifest-builders';

// Sidecar egress host scoping as istiod computes it (pilot/pkg/model/sidecar.go at 1.30.3:
// convertIstioListenerToWrapper, selectServices, SelectVirtualServices; push_context.go
// doGetSidecarScope), and where a sidecar sends what it does not import (outboundTrafficPolicy:
// PassthroughCluster for ALLOW_ANY, BlackHoleCluster for REGISTRY_ONLY).

const svc = (
  name: string,
  ns: string,
  port = 8080,
  protocol = 'http',
  annotations?: Record<string, string>,
): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) } as Manifest['metadata'],
  spec: { selector: { app: name }, ports: [{ name: `${protocol}-${port}`, port }] },
});
const deploy = deployment;
const sidecar = (name: string, ns: string, spec: Record<string, unknown>) => istioObject('Sidecar', name, ns, spec);
const vs = (name: string, ns: string, spec: Record<string, unknown>) => istioObject('VirtualService', name, ns, spec);

const base: Manifest[] = [
  svc('web', 'shop'),
  deploy('web-v1', 'shop', { app: 'web' }),
  deploy('web-v2', 'shop', { app: 'web', track: 'canary' }),
  svc('api', 'shop'),
  deploy('api-v1', 'shop', { app: 'api' }),
  svc('pay', 'bank'),
  deploy('pay-v1', 'bank', { app: 'pay' }),
  svc('db', 'bank', 5432, 'tcp'),
  deploy('db-v1', 'bank', { app: 'db' }),
  deploy('client', 'shop', { app: 'client' }),
];
const reroute = vs('pay', 'bank', {
  hosts: ['pay.bank.svc.cluster.local'],
  http: [{ route: [{ destination: { host: 'web.shop.svc.cluster.local' } }] }],
});
const call = (objects: Manifest[], service: string, ns: string, port = 8080, options = {}) =>
  new TrafficSimulator(objects, options).call(
    { sourceLabels: { app: 'client' }, service: service, namespace: ns, port: port },
    { sourceNamespace: 'shop' },
  )[0];

describe('GIVEN a Sidecar whose egress imports only its own namespace (`./*`)', () => {
  const objects = [...base, reroute, sidecar('default', 'shop', { egress: [{ hosts: ['./*'] }] })];
  test('WHEN the workload calls a Service of its namespace THEN it is routed as usual', () => {
    expect(call(objects, 'api', 'shop')).toMatchObject({ service: 'api', deployments: ['api-v1'], rule: 'service' });
  });
  test('WHEN it calls a Service of another namespace THEN the sidecar has no route for it: PassthroughCluster, VirtualService not applied', () => {
    const hop = call(objects, 'pay', 'bank');
    expect([hop.deployments, hop.rule, hop.notModelled]).toEqual([
      ['pay-v1'],
      "PassthroughCluster (Sidecar shop/default does not import 'pay.bank.svc.cluster.local' on port 8080)",
      undefined,
    ]);
  });
  test('WHEN the mesh is REGISTRY_ONLY THEN an HTTP call gets 502 from BlackHoleCluster and a TCP call is closed', () => {
    expect(call(objects, 'pay', 'bank', 8080, { outboundTrafficPolicy: 'REGISTRY_ONLY' }).answer).toMatch(
      /^502: Sidecar shop\/default does not import .*REGISTRY_ONLY \(BlackHoleCluster\)$/,
    );
    expect(call(objects, 'db', 'bank', 5432, { outboundTrafficPolicy: 'REGISTRY_ONLY' }).answer).toMatch(
      /^connection closed: .*\(BlackHoleCluster\)$/,
    );
  });
  test("WHEN the Sidecar sets outboundTrafficPolicy REGISTRY_ONLY itself THEN it overrides the mesh's ALLOW_ANY", () => {
    const strict = [
      ...base,
      sidecar('default', 'shop', { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }),
    ];
    expect(call(strict, 'pay', 'bank').answer).toMatch(/^502: .*BlackHoleCluster/);
  });
});

describe('GIVEN the namespace and host forms of egress hosts', () => {
  test('WHEN `bank/*` is imported THEN the VirtualService of bank applies to the call', () => {
    expect(
      call([...base, reroute, sidecar('s', 'shop', { egress: [{ hosts: ['bank/*'] }] })], 'pay', 'bank').deployments,
    ).toEqual(['web-v1', 'web-v2']);
  });
  test('WHEN `*/pay.bank.svc.cluster.local` is imported THEN pay is routed and api is not imported', () => {
    const objects = [...base, sidecar('s', 'shop', { egress: [{ hosts: ['*/pay.bank.svc.cluster.local'] }] })];
    expect(call(objects, 'pay', 'bank').rule).toBe('service');
    expect(call(objects, 'api', 'shop').rule).toMatch(/^PassthroughCluster/);
  });
  test('WHEN the egress host is `~/*` THEN nothing is imported', () => {
    expect(call([...base, sidecar('s', 'shop', { egress: [{ hosts: ['~/*'] }] })], 'api', 'shop').rule).toMatch(
      /^PassthroughCluster/,
    );
  });
  test('WHEN an egress listener names a port THEN it scopes only that port; another port without a listener passes through', () => {
    const objects = [
      ...base,
      sidecar('s', 'shop', { egress: [{ port: { number: 5432, protocol: 'TCP', name: 'pg' }, hosts: ['bank/*'] }] }),
    ];
    expect(call(objects, 'db', 'bank', 5432).rule).toBe('service');
    expect(call(objects, 'api', 'shop').rule).toMatch(/^PassthroughCluster/);
  });
});

describe('GIVEN several Sidecars (doGetSidecarScope: a selecting Sidecar of the namespace, then its default, then the root namespace)', () => {
  const rootOnly = sidecar('root', 'istio-system', { egress: [{ hosts: ['./*'] }] });
  test("WHEN only the root namespace has one THEN it applies, `.` meaning the workload's namespace", () => {
    expect(call([...base, rootOnly], 'api', 'shop').rule).toBe('service');
    expect(call([...base, rootOnly], 'pay', 'bank').rule).toMatch(/^PassthroughCluster \(Sidecar istio-system\/root/);
  });
  test("WHEN a Sidecar selects the workload THEN it wins over the namespace's default", () => {
    const objects = [
      ...base,
      sidecar('all', 'shop', { egress: [{ hosts: ['*/*'] }] }),
      sidecar('mine', 'shop', { workloadSelector: { labels: { app: 'client' } }, egress: [{ hosts: ['./*'] }] }),
    ];
    expect(call(objects, 'pay', 'bank').rule).toMatch(/^PassthroughCluster \(Sidecar shop\/mine/);
  });
});

describe('GIVEN a Service exported only to its own namespace (networking.istio.io/exportTo: ".")', () => {
  const objects = [
    ...base.filter((m) => m.metadata.name !== 'pay'),
    svc('pay', 'bank', 8080, 'http', { 'networking.istio.io/exportTo': '.' }),
  ];
  test('WHEN a workload of another namespace calls it THEN its sidecar does not know it (no Sidecar needed)', () => {
    expect(call(objects, 'pay', 'bank').rule).toBe(
      "PassthroughCluster (Service 'pay.bank.svc.cluster.local' is not exported to namespace 'shop' (networking.istio.io/exportTo))",
    );
  });
});

describe('GIVEN explain on a call its Sidecar does not import', () => {
  test('THEN the tree names PassthroughCluster and why, and states no "not modelled"', () => {
    const text = formatCallExplanation(
      'stage',
      explainCall(
        [...base, reroute, sidecar('default', 'shop', { egress: [{ hosts: ['./*'] }] })],
        'shop/client',
        'pay.bank',
        8080,
      ),
    );
    expect(text).toMatch(
      /via PassthroughCluster \(Sidecar shop\/default does not import 'pay\.bank\.svc\.cluster\.local' on port 8080\)/,
    );
    expect(text).not.toMatch(/not modelled/);
  });
});

describe("GIVEN the mesh config's outboundTrafficPolicy in ConfigMap istio-system/istio (key `mesh`)", () => {
  const meshConfig: Manifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio', namespace: 'istio-system' },
    data: { mesh: 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n' },
  } as Manifest;
  test('WHEN a call leaves the Sidecar scope THEN BlackHoleCluster answers, as the mesh config says', () => {
    expect(
      call([...base, meshConfig, sidecar('default', 'shop', { egress: [{ hosts: ['./*'] }] })], 'pay', 'bank').answer,
    ).toMatch(/^502: .*REGISTRY_ONLY \(BlackHoleCluster\)$/);
  });
});

describe('GIVEN Sidecar fields explain does not evaluate', () => {
  test('WHEN the egress listener has a bind address THEN the hop names it not modelled', () => {
    const objects = [...base, sidecar('s', 'shop', { egress: [{ bind: '127.0.0.2', hosts: ['*/*'] }] })];
    expect(call(objects, 'api', 'shop').notModelled).toEqual(['Sidecar shop/s egress[0].bind']);
  });
  test('WHEN outboundTrafficPolicy names an egressProxy THEN a call outside the scope states no destination', () => {
    const objects = [
      ...base,
      sidecar('s', 'shop', {
        egress: [{ hosts: ['./*'] }],
        outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'egress.istio-system.svc.cluster.local' } },
      }),
    ];
    const hop = call(objects, 'pay', 'bank');
    expect([hop.answer, hop.deployments]).toEqual([
      "not modelled: Sidecar shop/s does not import 'pay.bank.svc.cluster.local' on port 8080: Sidecar shop/s outboundTrafficPolicy.egressProxy receives it",
      [],
    ]);
  });
});
