// Each public construct used alone, as a platform team would: a plain cdk8s Chart, only the
// construct's own props (no ApplicationSpec, no StageSpec, no resolveStage).
import { Chart, Testing } from 'cdk8s';
import {
  AmbientMesh,
  AmbientPolicies,
  CanaryRollout,
  GatewayApiRoute,
  IngressGateway,
  MeshPolicies,
  MeshService,
  ReleaseConfigError,
  ReleaseStage,
  RolloutStage,
  StageChart,
  VersionedDeployment,
} from 'voting-mesh';
import type { ApplicationSpec, Route, StageSpec, VersionEdge, WorkloadSpec, Manifest } from 'voting-mesh';

const WORKLOAD: WorkloadSpec = {
  image: 'registry.example/shop/api:1.0',
  ports: [{ name: 'http', port: 8080, protocol: 'http' }],
  resources: { cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 256 } },
  runAs: { user: 10001, group: 10001 },
  readiness: { check: { httpGet: { path: '/ready', port: 8080 } } },
  liveness: { check: { tcpPort: 8080 } },
};
const DEFAULT_ROUTE: Route = { name: 'default', matches: [], destinations: [{ version: '1.0', port: 8080 }] };

const chart = () => new Chart(Testing.app(), 'platform');
const of = (objects: readonly Manifest[], kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const one = (objects: readonly Manifest[], kind: string, name?: string): Manifest => {
  const found = of(objects, kind, name);
  if (found.length !== 1) throw new Error(`${found.length} ${kind} ${name ?? ''}`);
  return found[0];
};
const synth = (c: Chart) => Testing.synth(c) as Manifest[];

describe('VersionedDeployment alone', () => {
  test('GIVEN a workload with 3 replicas WHEN added to a chart THEN a Deployment selects {app, version} with a PDB of 2 and a spread constraint', () => {
    const c = chart();
    const d = new VersionedDeployment(c, 'api', {
      component: 'api',
      version: '1.0',
      name: 'api-1-0',
      namespace: 'shop',
      workload: { ...WORKLOAD, replicas: 3 },
    });
    const objects = synth(c);

    const deployment = one(objects, 'Deployment', 'api-1-0');
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'api', version: '1.0' });
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('ScheduleAnyway');
    expect(deployment.spec.template.spec.containers[0].readinessProbe.httpGet).toEqual({
      path: '/ready',
      port: 8080,
      scheme: 'HTTP',
    });
    expect(one(objects, 'PodDisruptionBudget', 'api-1-0').spec.minAvailable).toBe(2);
    expect(d.strategy).toBe('RollingUpdate');
    expect(d.replicas).toBe(3);
  });

  test('GIVEN a single replica WHEN added THEN no PodDisruptionBudget and no spread constraint (one pod would block drains)', () => {
    const c = chart();
    const d = new VersionedDeployment(c, 'api', {
      component: 'api',
      version: '1.0',
      name: 'api-1-0',
      namespace: 'shop',
      workload: WORKLOAD,
    });
    const objects = synth(c);

    expect(of(objects, 'PodDisruptionBudget')).toEqual([]);
    expect(one(objects, 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(d.disruptionBudget).toBeUndefined();
  });
});

describe('MeshService alone', () => {
  test('GIVEN two versions and a weighted route WHEN added THEN a Service, one Deployment and ServiceAccount per version, subsets and a mesh VirtualService', () => {
    const c = chart();
    const split: Route = {
      name: 'split',
      matches: [],
      destinations: [
        { version: '1.0', port: 8080, weight: 90 },
        { version: '2.0', port: 8080, weight: 10 },
      ],
    };
    const svc = new MeshService(c, 'api', {
      name: 'api',
      namespace: 'shop',
      versions: [
        { version: '1.0', workload: WORKLOAD },
        { version: '2.0', workload: WORKLOAD },
      ],
      httpRoutes: [split],
    });
    const objects = synth(c);

    expect(svc.host).toBe('api.shop.svc.cluster.local');
    expect(one(objects, 'Service', 'api').spec.selector).toEqual({ app: 'api' });
    expect(of(objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['api-1-0', 'api-2-0']);
    expect(of(objects, 'ServiceAccount').map((d) => d.metadata.name)).toEqual(['api-1-0', 'api-2-0']);
    expect(one(objects, 'DestinationRule', 'api').spec.subsets.map((s: { name: string }) => s.name)).toEqual([
      'v1-0',
      'v2-0',
    ]);
    const route = one(objects, 'VirtualService', 'api').spec.http[0].route;
    expect(
      route.map((r: { destination: { subset: string }; weight: number }) => [r.destination.subset, r.weight]),
    ).toEqual([
      ['v1-0', 90],
      ['v2-0', 10],
    ]);
  });

  test('GIVEN versionRouting false WHEN added THEN no DestinationRule and no VirtualService', () => {
    const c = chart();
    new MeshService(c, 'api', {
      name: 'api',
      namespace: 'shop',
      versions: [{ version: '1.0', workload: WORKLOAD }],
      versionRouting: false,
    });
    const objects = synth(c);

    expect(of(objects, 'DestinationRule')).toEqual([]);
    expect(of(objects, 'VirtualService')).toEqual([]);
    expect(one(objects, 'Service').spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' },
    ]);
  });
});

describe('IngressGateway alone', () => {
  test("GIVEN a gateway without selector WHEN added THEN it selects istioctl's default gateway pods on port 80 and routes to the host", () => {
    const c = chart();
    const g = new IngressGateway(c, 'ingress', {
      gateway: { name: 'shop-gateway' },
      namespace: 'shop',
      virtualServiceName: 'api-ingress',
      destinationHost: 'api.shop.svc.cluster.local',
      routes: [DEFAULT_ROUTE],
    });
    const objects = synth(c);

    expect(one(objects, 'Gateway').spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(one(objects, 'Gateway').spec.servers[0].port.number).toBe(80);
    expect(one(objects, 'VirtualService', 'api-ingress').spec.http[0].route[0].destination).toEqual({
      host: 'api.shop.svc.cluster.local',
      subset: 'v1-0',
      port: { number: 8080 },
    });
    expect([g.port, g.hosts]).toEqual([80, ['*']]);
  });

  test('GIVEN selector and gateway.selector that differ WHEN added THEN one line names both fields', () => {
    const build = () =>
      new IngressGateway(chart(), 'ingress', {
        gateway: { name: 'g', selector: { istio: 'a' } },
        selector: { istio: 'b' },
        namespace: 'shop',
        virtualServiceName: 'x',
        destinationHost: 'h',
        routes: [],
      });
    expect(build).toThrow(ReleaseConfigError);
    expect(build).toThrow(/gateway\.selector.*differs from selector/);
  });
});

const EDGES: VersionEdge[] = [
  { from: 'ingress', to: { component: 'web', version: '1.0' }, ports: [8080] },
  { from: { component: 'web', version: '1.0' }, to: { component: 'api', version: '1.0' }, ports: [8080] },
];
const VERSIONS = [
  { component: 'web', version: '1.0' },
  { component: 'api', version: '1.0' },
];

describe('MeshPolicies alone', () => {
  test("GIVEN two versions and their edges WHEN added THEN each version admits only its caller's principal, then allow-nothing and default-deny", () => {
    const c = chart();
    new MeshPolicies(c, 'policies', { namespace: 'shop', versions: VERSIONS, edges: EDGES });
    const objects = synth(c);

    expect(of(objects, 'AuthorizationPolicy').map((p) => p.metadata.name)).toEqual([
      'web-1-0',
      'api-1-0',
      'allow-nothing',
    ]);
    const principals = (name: string) =>
      one(objects, 'AuthorizationPolicy', name).spec.rules.map((r: any) => r.from[0].source.principals[0]);
    expect(principals('web-1-0')).toEqual(['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account']);
    expect(principals('api-1-0')).toEqual(['cluster.local/ns/shop/sa/web-1-0']);
    expect(one(objects, 'NetworkPolicy', 'web-1-0').spec.ingress[0].from[0].podSelector.matchLabels).toEqual({
      istio: 'ingressgateway',
    });
    expect(of(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual(['web-1-0', 'api-1-0', 'default-deny']);
  });

  test('GIVEN authorization and networkPolicies off WHEN added THEN no policy at all', () => {
    const c = chart();
    const p = new MeshPolicies(c, 'policies', {
      namespace: 'shop',
      versions: VERSIONS,
      edges: EDGES,
      authorization: false,
      networkPolicies: false,
    });
    expect(synth(c)).toEqual([]);
    expect(p.trustDomain).toBe('cluster.local');
  });
});

describe('AmbientPolicies alone', () => {
  test("GIVEN a gateway and two versions WHEN added THEN ztunnel policies admit the gateway's principal, the gateway listener is open, and HBONE is the only mesh port", () => {
    const c = chart();
    new AmbientPolicies(c, 'policies', {
      namespace: 'shop',
      versions: [{ ...VERSIONS[0], probePorts: [8080] }, VERSIONS[1]],
      edges: EDGES,
      gatewayName: 'shop-gateway',
    });
    const objects = synth(c);

    expect(one(objects, 'AuthorizationPolicy', 'web-1-0').spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/shop/sa/shop-gateway-istio',
    ]);
    expect(one(objects, 'AuthorizationPolicy', 'shop-gateway-ingress').spec.rules[0].to[0].operation.ports).toEqual([
      '80',
    ]);
    const web = one(objects, 'NetworkPolicy', 'web-1-0').spec;
    expect(web.ingress.map((r: any) => r.ports[0].port)).toEqual([15008, 8080]);
    expect(web.ingress[1].from[0].ipBlock.cidr).toBe('169.254.7.127/32');
    expect(of(objects, 'NetworkPolicy', 'waypoint')).toEqual([]);
  });

  test('GIVEN a Service served by the waypoint WHEN a caller dials it THEN the waypoint admits that caller and the callee admits the waypoint', () => {
    const c = chart();
    new AmbientPolicies(c, 'policies', {
      namespace: 'shop',
      versions: VERSIONS,
      edges: EDGES,
      gatewayName: 'gw',
      waypointServices: [{ name: 'api-lane-main', component: 'api', ports: [8080] }],
      dials: (_caller, callee) => `${callee}-lane-main`,
    });
    const objects = synth(c);

    expect(
      one(objects, 'AuthorizationPolicy', 'api-lane-main-waypoint').spec.rules[0].from[0].source.principals,
    ).toEqual(['cluster.local/ns/shop/sa/web-1-0']);
    expect(one(objects, 'AuthorizationPolicy', 'api-1-0').spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/shop/sa/waypoint',
    ]);
    expect(one(objects, 'AuthorizationPolicy', 'waypoint').spec.selector.matchLabels).toEqual({
      'gateway.networking.k8s.io/gateway-name': 'waypoint',
    });
  });
});

describe('GatewayApiRoute alone', () => {
  test('GIVEN a header route before the default WHEN added THEN one HTTPRoute with a RegularExpression header match and version backends', () => {
    const c = chart();
    const canary: Route = {
      name: 'canary',
      matches: [{ headers: { 'x-lane': { exact: 'next' } } }],
      destinations: [{ version: '2.0', port: 8080 }],
    };
    new GatewayApiRoute(c, 'route', {
      name: 'api',
      namespace: 'shop',
      parentRefs: [{ group: '', kind: 'Service', name: 'api' }],
      routes: [canary, DEFAULT_ROUTE],
      backend: (v) => `api-${v.replace('.', '-')}`,
    });
    const route = one(synth(c), 'HTTPRoute', 'api');

    expect(route.spec.rules[0].matches[0].headers).toEqual([{ type: 'Exact', name: 'x-lane', value: 'next' }]);
    expect(route.spec.rules.map((r: any) => r.backendRefs[0].name)).toEqual(['api-2-0', 'api-1-0']);
  });

  test('GIVEN a route Istio would reorder WHEN added THEN it is refused in one line', () => {
    const prefix: Route = {
      name: 'short',
      matches: [{ uri: { prefix: '/a' } }],
      destinations: [{ version: '1.0', port: 8080 }],
    };
    const exact: Route = {
      name: 'exact',
      matches: [{ uri: { exact: '/a/b' } }],
      destinations: [{ version: '1.0', port: 8080 }],
    };
    expect(
      () =>
        new GatewayApiRoute(chart(), 'r', {
          name: 'x',
          namespace: 'shop',
          parentRefs: [],
          routes: [prefix, exact],
          backend: (v) => v,
        }),
    ).toThrow(/field 'routes'.*route 'exact' would be evaluated before route 'short'/);
  });
});

describe('AmbientMesh alone', () => {
  test('GIVEN one HTTP component with two versions WHEN added THEN a Gateway of class istio, version Services and an entry HTTPRoute to them', () => {
    const c = chart();
    const split: Route = {
      name: 'split',
      matches: [],
      destinations: [
        { version: '1.0', port: 8080, weight: 50 },
        { version: '2.0', port: 8080, weight: 50 },
      ],
    };
    const mesh = new AmbientMesh(c, 'ambient', {
      namespace: 'shop',
      gateway: { name: 'gw', hosts: ['shop.example'] },
      entryComponent: 'web',
      entryRoutes: [split],
      components: [
        {
          name: 'web',
          ports: WORKLOAD.ports,
          versions: [
            { version: '1.0', workload: WORKLOAD },
            { version: '2.0', workload: WORKLOAD },
          ],
        },
      ],
    });
    const objects = synth(c);

    expect(one(objects, 'Gateway', 'gw').spec.gatewayClassName).toBe('istio');
    expect(of(objects, 'Service').map((s) => s.metadata.name)).toEqual(['web-1-0', 'web-2-0']);
    const entry = one(objects, 'HTTPRoute', 'web-ingress').spec;
    expect(entry.hostnames).toEqual(['shop.example']);
    expect(entry.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([
      ['web-1-0', 50],
      ['web-2-0', 50],
    ]);
    expect(mesh.waypoint).toBeUndefined();
  });

  test('GIVEN a TCP gateway port WHEN added THEN refused: the flavour serves HTTP only', () => {
    expect(
      () =>
        new AmbientMesh(chart(), 'ambient', {
          namespace: 'shop',
          gateway: { name: 'gw', tcpPorts: [5432] },
          entryComponent: 'web',
          entryRoutes: [],
          components: [],
        }),
    ).toThrow(/field 'gateway\.tcpPorts'.*serves HTTP only/);
  });
});

describe('CanaryRollout alone', () => {
  const rolloutProps = {
    name: 'api',
    namespace: 'shop',
    workload: { ...WORKLOAD, replicas: 5 },
    gateway: { name: 'gw' },
    virtualServices: [{ name: 'api', hosts: ['api.example'], httpRoutes: ['primary'] }],
    steps: [{ setWeight: 20 }, { pause: {} }],
  };

  test('GIVEN 5 replicas WHEN added THEN a Rollout at stable 100 / canary 0 with 3 revisions kept, its Services, and a PDB of 4', () => {
    const c = chart();
    const r = new CanaryRollout(c, 'canary', rolloutProps);
    const objects = synth(c);

    const rollout = one(objects, 'Rollout', 'api');
    expect(rollout.spec.revisionHistoryLimit).toBe(3);
    expect(rollout.spec.template.metadata.labels).toEqual({ app: 'api' });
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 20 }, { pause: {} }]);
    expect(one(objects, 'VirtualService', 'api').spec.http[0].route.map((d: any) => d.weight)).toEqual([100, 0]);
    expect(of(objects, 'Service').map((s) => s.metadata.name)).toEqual(['api-stable', 'api-canary']);
    expect(one(objects, 'PodDisruptionBudget', 'api').spec.minAvailable).toBe(4);
    // The pod template comes from a VersionedDeployment that is not synthesized itself.
    expect(of(objects, 'Deployment')).toEqual([]);
    expect(rollout.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect(r.revisionHistoryLimit).toBe(3);
  });

  test('GIVEN a weight over 100 WHEN added THEN one line names the step', () => {
    expect(() => new CanaryRollout(chart(), 'canary', { ...rolloutProps, steps: [{ setWeight: 120 }] })).toThrow(
      /field 'steps\[0\]\.setWeight'.*not a whole percentage/,
    );
  });
});

describe('Stage charts alone', () => {
  test('GIVEN a RolloutStage WHEN synthesized THEN its namespace is labelled for injection and it holds the canary', () => {
    const app = Testing.app();
    const stage = new RolloutStage(app, '01-canary', {
      stageName: '01-canary',
      description: 'first canary',
      name: 'api',
      namespace: 'shop',
      workload: WORKLOAD,
      gateway: { name: 'gw' },
      virtualServices: [{ name: 'api', hosts: ['api.example'], httpRoutes: ['primary'] }],
      steps: [{ setWeight: 10 }],
    });
    const objects = synth(stage);

    expect(one(objects, 'Namespace', 'shop').metadata.labels).toMatchObject({
      'istio-injection': 'enabled',
      'app.kubernetes.io/part-of': 'api',
    });
    expect(stage.canary.rollout.name).toBe('api');
  });

  test('GIVEN a StageChart subclass holding a MeshService WHEN synthesized THEN the objects are ordered by kind (ServiceAccount, Service, Deployment)', () => {
    class PlatformStage extends StageChart {
      public readonly description = 'platform';
      public readonly meshContext = {};
    }
    const stage = new PlatformStage(Testing.app(), '01-platform');
    new MeshService(stage, 'api', {
      name: 'api',
      namespace: 'shop',
      versions: [{ version: '1.0', workload: WORKLOAD }],
      versionRouting: false,
    });

    expect(stage.toJson().map((o: Manifest) => o.kind)).toEqual(['ServiceAccount', 'Service', 'Deployment']);
    expect(stage.stageName).toBe('01-platform');
  });
});

describe('ReleaseStage alone: the flavour picks the constructs', () => {
  const application: ApplicationSpec = {
    name: 'shop',
    namespace: 'shop',
    entryComponent: 'web',
    gateway: { name: 'gw' },
    components: [{ name: 'web', versions: { '1.0': WORKLOAD, '1.1': WORKLOAD } }],
  };
  const stage: StageSpec = {
    name: '01-canary',
    description: 'one canary',
    deployments: { web: ['1.0', '1.1'] },
    lanes: [
      { name: 'stable', versions: { web: '1.0' } },
      { name: 'next', versions: { web: '1.1' } },
    ],
    entry: [
      {
        to: [
          { lane: 'stable', weight: 90 },
          { lane: 'next', weight: 10 },
        ],
      },
    ],
  };

  test('GIVEN the istio-sidecar flavour WHEN built THEN MeshServices with subsets, MeshPolicies and an Istio Gateway; no Gateway API objects', () => {
    const chart = new ReleaseStage(Testing.app(), '01-canary', { application, stage });
    const objects = synth(chart);

    expect(one(objects, 'Namespace', 'shop').metadata.labels?.['istio-injection']).toBe('enabled');
    expect(chart.services[0].destinationRule).toBeDefined();
    expect([chart.ingress?.name, chart.policies !== undefined, chart.ambient, chart.ambientPolicies]).toEqual([
      'gw',
      true,
      undefined,
      undefined,
    ]);
    expect(one(objects, 'VirtualService', 'web-ingress').spec.http[0].route.map((r: any) => r.weight)).toEqual([
      90, 10,
    ]);
    expect(of(objects, 'HTTPRoute')).toEqual([]);
  });

  test('GIVEN the gateway-api-ambient flavour WHEN built THEN the AmbientMesh and AmbientPolicies instead; no Istio Gateway or subsets', () => {
    const chart = new ReleaseStage(Testing.app(), '01-canary', { application, stage, flavour: 'gateway-api-ambient' });
    const objects = synth(chart);

    expect(one(objects, 'Namespace', 'shop').metadata.labels?.['istio.io/dataplane-mode']).toBe('ambient');
    expect(chart.services[0].destinationRule).toBeUndefined();
    expect([chart.ingress, chart.policies, chart.ambient !== undefined, chart.ambientPolicies !== undefined]).toEqual([
      undefined,
      undefined,
      true,
      true,
    ]);
    expect(
      one(objects, 'HTTPRoute', 'web-ingress').spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight]),
    ).toEqual([
      ['web-1-0', 90],
      ['web-1-1', 10],
    ]);
    expect(of(objects, 'VirtualService')).toEqual([]);
  });
});
