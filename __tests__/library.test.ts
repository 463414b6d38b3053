import { VirtualService } from '../imports/networking.istio.io';
import type { ApplicationSpec, Manifest, StageSpec, WorkloadSpec } from 'voting-mesh';
import { ReleaseStage, TrafficSimulator, explainRequest, inferCalls } from 'voting-mesh';
import { testApp } from './support';

// An application that is not the voting app: the library has no voting special case.
const workload = (image: string, ports: WorkloadSpec['ports']): WorkloadSpec => ({
  image,
  ports,
  replicas: 2,
  resources: { cpuMillis: { request: 50, limit: 200 }, memoryMiB: { request: 64, limit: 128 } },
  runAs: { user: 10001, group: 10001 },
  readiness: { check: { tcpPort: ports[0].port } },
  liveness: { check: { tcpPort: ports[0].port } },
});
const WEB = [{ name: 'http', port: 8080, protocol: 'http' }] as const;
const API = [
  { name: 'http', port: 9000, protocol: 'http' },
  { name: 'grpc', port: 9001, protocol: 'grpc' },
] as const;
const DB = [{ name: 'tcp-postgres', port: 5432, protocol: 'tcp' }] as const;

const shop: ApplicationSpec = {
  name: 'shop',
  namespace: 'shop',
  entryComponent: 'web',
  gateway: { name: 'shop-gateway', hosts: ['shop.example.com'] },
  components: [
    { name: 'web', calls: ['api'], versions: { '1.0': workload('web:1.0', WEB), '1.1': workload('web:1.1', WEB) } },
    { name: 'api', calls: ['db'], versions: { '1.0': workload('api:1.0', API), '1.1': workload('api:1.1', API) } },
    { name: 'db', versions: { '15.2': workload('postgres:15.2', DB) } },
  ],
};

const canary: StageSpec = {
  name: 'canary',
  description: 'Testers and /beta on 1.1, 10% of everyone else too.',
  deployments: { web: ['1.0', '1.1'], api: ['1.0', '1.1'], db: ['15.2'] },
  lanes: [
    { name: 'stable', versions: { web: '1.0', api: '1.0', db: '15.2' } },
    { name: 'canary', versions: { web: '1.1', api: '1.1', db: '15.2' } },
  ],
  entry: [
    {
      name: 'testers',
      match: [{ header: { name: 'qa', exact: 'canary-test' } }, { uri: { prefix: '/beta' } }],
      to: 'canary',
    },
    {
      to: [
        { lane: 'stable', weight: 90 },
        { lane: 'canary', weight: 10 },
      ],
    },
  ],
};

function synth(stage: StageSpec): { chart: ReleaseStage; manifests: Manifest[] } {
  const chart = new ReleaseStage(testApp(), { application: shop, stage });
  return { chart, manifests: chart.toJson() };
}

describe('GIVEN a three-tier shop with a header/path canary and a 90/10 split', () => {
  const { chart, manifests } = synth(canary);
  const sim = new TrafficSimulator(manifests);

  test('THEN testers (header or path) reach web 1.1', () => {
    expect(
      sim.ingress('shop-gateway', { headers: { QA: 'canary-test' } }).map((h) => [h.deployments, h.weight, h.rule]),
    ).toEqual([[['web-1-1'], 100, 'web-ingress/testers']]);
    expect(sim.ingress('shop-gateway', { path: '/beta/cart' })[0].deployments).toEqual(['web-1-1']);
  });

  test('THEN everyone else is split 90/10 by weight', () => {
    expect(
      sim.ingress('shop-gateway', { headers: { qa: 'other' }, path: '/' }).map((h) => [h.deployments, h.weight]),
    ).toEqual([
      [['web-1-0'], 90],
      [['web-1-1'], 10],
    ]);
  });

  test('THEN each web version calls its own api version on both API ports, and both lanes share the one database', () => {
    for (const [web, api] of [
      ['1.0', 'api-1-0'],
      ['1.1', 'api-1-1'],
    ]) {
      for (const port of [9000, 9001]) {
        const [hop] = sim.call({ sourceLabels: { app: 'web', version: web }, service: 'api', port: port });
        expect([hop.deployments, hop.port]).toEqual([[api], port]);
      }
      expect(
        sim.call({ sourceLabels: { app: 'api', version: web }, service: 'db', port: 5432 })[0].deployments,
      ).toEqual(['db-15-2']);
    }
  });

  test('THEN a caller outside every lane follows the default lane, port by port', () => {
    const vs = manifests.find((m) => m.kind === 'VirtualService' && m.metadata.name === 'api')!;
    expect(
      vs.spec.http.map((r: any) => [r.name, r.match?.map((m: any) => m.port), r.route[0].destination.subset]),
    ).toEqual([
      ['lane-stable-9000', [9000], 'v1-0'],
      ['lane-stable-9001', [9001], 'v1-0'],
      ['lane-canary-9000', [9000], 'v1-1'],
      ['lane-canary-9001', [9001], 'v1-1'],
      ['default-9000', [9000], 'v1-0'],
      ['default-9001', [9001], 'v1-0'],
    ]);
    expect(sim.call({ sourceLabels: { app: 'debug' }, service: 'api', port: 9001 })[0].deployments).toEqual([
      'api-1-0',
    ]);
  });

  test("THEN the gateway and its routes use the application's host, and no mTLS policy is set", () => {
    expect(manifests.find((m) => m.kind === 'Gateway')!.spec.servers[0].hosts).toEqual(['shop.example.com']);
    expect(manifests.find((m) => m.kind === 'VirtualService' && m.metadata.name === 'web-ingress')!.spec.hosts).toEqual(
      ['shop.example.com'],
    );
    expect(manifests.filter((m) => m.kind === 'PeerAuthentication')).toEqual([]);
    expect(manifests.find((m) => m.kind === 'DestinationRule')!.spec.trafficPolicy).toBeUndefined();
  });

  test('THEN the resolved model is readable by other code', () => {
    expect(chart.resolved.components.map((c) => [c.name, c.versions.map((v) => v.version)])).toEqual([
      ['web', ['1.0', '1.1']],
      ['api', ['1.0', '1.1']],
      ['db', ['15.2']],
    ]);
    expect(chart.resolved.entryPort).toBe(8080);
    expect(chart.services.map((s) => s.host)).toEqual([
      'web.shop.svc.cluster.local',
      'api.shop.svc.cluster.local',
      'db.shop.svc.cluster.local',
    ]);
  });
});

describe('GIVEN a 0/100 split', () => {
  test('THEN both destinations are kept with their weights (the idle one at 0)', () => {
    const { manifests } = synth({
      ...canary,
      entry: [
        {
          to: [
            { lane: 'stable', weight: 0 },
            { lane: 'canary', weight: 100 },
          ],
        },
      ],
    });
    const sim = new TrafficSimulator(manifests);
    expect(sim.ingress('shop-gateway').map((h) => [h.deployments, h.weight])).toEqual([
      [['web-1-0'], 0],
      [['web-1-1'], 100],
    ]);
  });
});

describe('GIVEN the explain evaluator on the shop', () => {
  test('THEN each share of a weighted split is followed through the lane, with the share of all requests', () => {
    const { manifests } = synth(canary);
    const { hops } = explainRequest(manifests, {});
    expect(
      hops.map((h) => [h.deployments, h.weight, h.share, h.calls.map((c) => [c.deployments, c.port, c.share])]),
    ).toEqual([
      [['web-1-0'], 90, 90, []],
      [['web-1-1'], 10, 10, []],
    ]);
  });
  const withEnv = (env: Record<string, string>) => {
    const app: ApplicationSpec = {
      ...shop,
      components: shop.components.map((c) =>
        c.name !== 'web'
          ? c
          : {
              ...c,
              versions: Object.fromEntries(Object.entries(c.versions).map(([v, w]) => [v, { ...w, env }])),
            },
      ),
    };
    return new ReleaseStage(testApp(), { application: app, stage: canary }).toJson() as Manifest[];
  };
  test('THEN a workload calls the Services its environment names, on the port named after the variable or given by <PREFIX>_PORT', () => {
    expect(
      inferCalls(withEnv({ GRPC_ADDR: 'api', API_HOST: 'api.shop', API_PORT: '9000', MODE: 'fast' }), 'web-1-1'),
    ).toEqual([
      { service: 'api', namespace: 'shop', port: 9001, env: 'GRPC_ADDR' },
      { service: 'api', namespace: 'shop', port: 9000, env: 'API_HOST' },
    ]);
    const { hops } = explainRequest(withEnv({ API_HOST: 'api', API_PORT: '9000' }), { headers: { qa: 'canary-test' } });
    expect(hops[0].calls.map((c) => [c.deployments, c.port, c.rule])).toEqual([
      [['api-1-1'], 9000, 'api/lane-canary-9000'],
    ]);
  });
  test('THEN a Service with several ports and no hint which one is an error that says how to fix it', () => {
    expect(() => inferCalls(withEnv({ BACKEND_HOST: 'api' }), 'web-1-0')).toThrow(
      "web-1-0: env BACKEND_HOST=api names Service 'api', which has ports 9000, 9001; set BACKEND_PORT or name the port '<protocol>-backend'",
    );
  });
});

describe('GIVEN an object added through an escape hatch that routes to a missing subset', () => {
  test('THEN synth fails with the analyzer finding, naming stage, object and field', () => {
    const chart = new ReleaseStage(testApp(), { application: shop, stage: canary });
    new VirtualService(chart, 'Extra', {
      metadata: { name: 'extra', namespace: 'shop' },
      spec: {
        hosts: ['extra.shop.svc.cluster.local'],
        http: [
          { route: [{ destination: { host: 'api.shop.svc.cluster.local', subset: 'v9-9', port: { number: 9000 } } }] },
        ],
      },
    });
    expect(() => chart.toJson()).toThrow(
      /stage 'canary': IST0101 \[Error\] VirtualService shop\/extra spec\.http\[0\]\.route\[0\]\.destination\.subset: Referenced host\+subset in destinationrule not found: "api\.shop\.svc\.cluster\.local\+v9-9"/,
    );
  });
});

describe('GIVEN Istio API version v1beta1 (older meshes)', () => {
  test('THEN every Istio object uses v1beta1 with the same spec as v1', () => {
    const v1 = synth(canary).manifests;
    const beta = new ReleaseStage(testApp(), {
      application: { ...shop, istioApiVersion: 'v1beta1' },
      stage: canary,
    }).toJson() as Manifest[];
    const istio = (m: Manifest[]) => m.filter((o) => o.apiVersion.includes('istio.io'));
    expect(new Set(istio(beta).map((o) => o.apiVersion))).toEqual(
      new Set(['networking.istio.io/v1beta1', 'security.istio.io/v1beta1']),
    );
    expect(istio(beta).map((o) => [o.kind, o.metadata.name, o.spec])).toEqual(
      istio(v1).map((o) => [o.kind, o.metadata.name, o.spec]),
    );
  });
});

describe('GIVEN an entry VirtualService bound to the gateway and mesh', () => {
  test('THEN one VirtualService serves the public host and the Service host, and no separate mesh one exists', () => {
    const { manifests } = synth({ ...canary });
    const bound = new ReleaseStage(testApp(), {
      application: { ...shop, gateway: { ...shop.gateway, bindMesh: true } },
      stage: canary,
    }).toJson() as Manifest[];
    expect(manifests.filter((o) => o.kind === 'VirtualService').map((o) => o.metadata.name)).toEqual([
      'web',
      'api',
      'db',
      'web-ingress',
    ]);
    const vs = bound.filter((o) => o.kind === 'VirtualService');
    expect(vs.map((o) => o.metadata.name)).toEqual(['api', 'db', 'web-ingress']);
    expect(vs[2].spec.gateways).toEqual(['shop-gateway', 'mesh']);
    expect(vs[2].spec.hosts).toEqual(['shop.example.com', 'web.shop.svc.cluster.local']);
    const sim = new TrafficSimulator(bound);
    expect(
      sim.call({ sourceLabels: { app: 'debug' }, service: 'web', port: 8080 }, { headers: { qa: 'canary-test' } })[0]
        .deployments,
    ).toEqual(['web-1-1']);
  });
  test('THEN wildcard hosts are rejected', () => {
    expect(
      () =>
        new ReleaseStage(testApp(), {
          application: { ...shop, gateway: { name: 'g', bindMesh: true } },
          stage: canary,
        }),
    ).toThrow(/field 'application\.gateway\.hosts': bindMesh with wildcard hosts \* would route every in-mesh call/);
  });
});

describe('GIVEN entry routes that can never both match in order', () => {
  test.each([
    [[{ header: { name: 'qa', prefix: 'canary' } }], [{ header: { name: 'qa', exact: 'canary-test' } }]],
    [[{ uri: { prefix: '/api' } }], [{ uri: { exact: '/api/v2' } }, { uri: { prefix: '/api/v3' } }]],
    [[{ header: { name: 'qa', exact: 'x' } }], [{ header: { name: 'qa', exact: 'x' }, uri: { prefix: '/a' } }]],
  ])('THEN %j before %j is rejected', (first, second) => {
    const stage: StageSpec = {
      ...canary,
      entry: [
        { name: 'first', match: first, to: 'canary' },
        { name: 'second', match: second, to: 'canary' },
        canary.entry[1],
      ],
    };
    expect(() => synth(stage)).toThrow(
      /stage 'canary', component 'web', field 'entry\[1\]\.match': route 1 \('second'\) can never match: every request it matches is already taken by route 0 \('first'\)/,
    );
  });
  test('THEN the specific-first order is accepted', () => {
    const stage: StageSpec = {
      ...canary,
      entry: [
        { name: 'exact', match: [{ header: { name: 'qa', exact: 'canary-test' } }], to: 'canary' },
        { name: 'prefix', match: [{ header: { name: 'qa', prefix: 'canary' } }], to: 'stable' },
        canary.entry[1],
      ],
    };
    expect(() => synth(stage)).not.toThrow();
  });
});
