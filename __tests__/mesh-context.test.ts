import type { ApplicationSpec, Manifest, StageSpec, WorkloadSpec } from 'voting-mesh';
import { explainRequest, ReleaseStage, renderRelease } from 'voting-mesh';
import { testApp } from './support';

// Cluster and identity defaults are resolved once per stage and reach every object and every tool:
// a custom cluster domain must not silently drop lane pinning from explain or RELEASE.md.
const workload = (image: string, env: Record<string, string> = {}): WorkloadSpec => ({
  image,
  replicas: 1,
  env,
  ports: [{ name: 'http', port: 8080, protocol: 'http' }],
  resources: { cpuMillis: { request: 50, limit: 100 }, memoryMiB: { request: 32, limit: 64 } },
  runAs: { user: 10001, group: 10001 },
  readiness: { check: { tcpPort: 8080 } },
  liveness: { check: { tcpPort: 8080 } },
});

const app = (extra: Partial<ApplicationSpec> = {}): ApplicationSpec => ({
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'web',
  gateway: { name: 'shop-gateway', hosts: ['shop.example.com'] },
  components: [
    {
      name: 'web',
      calls: ['api'],
      versions: { '1.0': workload('web:1.0', { API_HOST: 'api' }), '2.0': workload('web:2.0', { API_HOST: 'api' }) },
    },
    { name: 'api', versions: { '1.0': workload('api:1.0'), '2.0': workload('api:2.0') } },
  ],
  ...extra,
});

const canary: StageSpec = {
  name: '02-canary',
  description: 'Cookie users on the 2.0 lane.',
  deployments: { web: ['1.0', '2.0'], api: ['1.0', '2.0'] },
  lanes: [
    { name: 'v1', versions: { web: '1.0', api: '1.0' } },
    { name: 'v2', versions: { web: '2.0', api: '2.0' } },
  ],
  entry: [{ name: 'beta', match: [{ cookie: { name: 'beta', value: 'on' } }], to: 'v2' }, { to: 'v1' }],
  mtls: 'STRICT',
};

const build = (application: ApplicationSpec) => new ReleaseStage(testApp(), { application, stage: canary });

describe('GIVEN an application on a custom cluster domain (corp.internal)', () => {
  const stage = build(app({ clusterDomain: 'corp.internal' }));
  const manifests = stage.manifests as Manifest[];

  test('THEN every host is qualified with it', () => {
    const vs = manifests.find((m) => m.kind === 'VirtualService' && m.metadata.name === 'api')!;
    expect(vs.spec.hosts).toEqual(['api.shop.svc.corp.internal']);
    expect(stage.meshContext.clusterDomain).toBe('corp.internal');
  });

  test("WHEN explained with the stage's context THEN the cookie user stays in the 2.0 lane end to end", () => {
    const { hops } = explainRequest(manifests, { headers: { cookie: 'beta=on' } }, undefined, stage.meshContext);
    expect(hops.map((h) => [h.deployments, h.rule])).toEqual([[['web-2-0'], 'web-ingress/beta']]);
    expect(hops[0].calls.map((c) => [c.deployments, c.rule])).toEqual([[['api-2-0'], 'api/lane-v2']]);
  });

  test("WHEN RELEASE.md is drawn THEN each lane's call edge is pinned (web 2.0 → api 2.0 only)", () => {
    const notes = renderRelease([stage]).find((f) => f.file === 'RELEASE.md')!.content;
    expect(notes).toContain('web_2_0 -- "lane-v2 · :8080" --> api_2_0');
    expect(notes).toContain('web_1_0 -- "lane-v1 · :8080" --> api_1_0');
    expect(notes).not.toContain('web_2_0 -- "lane-v2 · :8080" --> api_1_0');
  });

  test('THEN the analyzer finds nothing wrong (hosts resolve in that domain)', () => {
    expect(stage.findings).toEqual([]);
  });
});

describe('GIVEN a custom trust domain and ingress namespace', () => {
  const stage = build(app({ security: { trustDomain: 'corp.example', ingressGateway: { namespace: 'gateways' } } }));
  const policy = (name: string) =>
    (stage.manifests as Manifest[]).find((m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === name)!;

  test("THEN the workloads' and the gateway's principals derive from it, in one place", () => {
    expect(policy('web-1-0').spec.rules[0].from[0].source.principals).toEqual([
      'corp.example/ns/gateways/sa/istio-ingressgateway-service-account',
    ]);
    expect(policy('api-2-0').spec.rules[0].from[0].source.principals).toEqual(['corp.example/ns/shop/sa/web-2-0']);
    expect(stage.meshContext.ingressPrincipal).toBe('corp.example/ns/gateways/sa/istio-ingressgateway-service-account');
  });

  test("THEN explain with the stage's context finds every hop allowed", () => {
    const { hops } = explainRequest(stage.manifests as Manifest[], {}, undefined, stage.meshContext);
    expect([hops[0].authorization?.allowed, hops[0].calls[0].authorization?.allowed]).toEqual([true, true]);
  });
});

describe('GIVEN a custom ingress gateway selector', () => {
  const stage = build(
    app({
      gateway: {
        name: 'shop-gateway',
        hosts: ['shop.example.com'],
        selector: { istio: 'aks-istio-ingressgateway-external' },
      },
    }),
  );
  test('THEN the Gateway selects those pods and the NetworkPolicy admits exactly them', () => {
    const manifests = stage.manifests as Manifest[];
    expect(manifests.find((m) => m.kind === 'Gateway')!.spec.selector).toEqual({
      istio: 'aks-istio-ingressgateway-external',
    });
    const web = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'web-2-0')!;
    expect(web.spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ istio: 'aks-istio-ingressgateway-external' });
  });
});
