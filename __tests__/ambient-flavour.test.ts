import type { ApplicationSpec, Manifest, StageSpec } from 'voting-mesh';
import {
  AMBIENT_NAMESPACE_LABEL,
  authorize,
  authorizeAtWaypoint,
  networkPolicyAllows,
  ReleaseConfigError,
  ReleaseStage,
  TrafficSimulator,
} from 'voting-mesh';
import { buildVotingFlavour, votingApplication, votingStages } from '../voting';
import { find, names, testApp, COOKIE_VARIANTS, NOT_THE_COOKIE } from './support';

// The gateway-api-ambient flavour of the voting release: Gateway API routes (an entry Gateway of
// class istio, GAMMA HTTPRoutes on lane Services served by a waypoint) in ambient mode. Routing is
// asserted by evaluating the synthesized objects with the TrafficSimulator: the request enters at
// the Gateway, and each next call is the one the receiving pod makes, to the host its own
// environment names (ANALYTICS_HOST, REDIS_HOST or MYSQL_HOST), from its own pod labels.

const ambientStages = buildVotingFlavour(testApp(), 'gateway-api-ambient');
const sidecarStages = buildVotingFlavour(testApp(), 'istio-sidecar');
const ambient = new Map(ambientStages.map((s) => [s.stageName, s.toJson() as Manifest[]]));
const sidecar = new Map(sidecarStages.map((s) => [s.stageName, s.toJson() as Manifest[]]));
const STAGES = [...ambient.keys()];
const stage = (name: string): Manifest[] => {
  const m = ambient.get(name);
  if (!m) throw new Error(`no stage ${name}`);
  return m;
};
const sa = (name: string) => `cluster.local/ns/voting/sa/${name}`;
const GATEWAY_PRINCIPAL = sa('voting-app-gateway-istio');
const WAYPOINT_PRINCIPAL = sa('waypoint');

/** Every request of the tables: no cookie header, the cookie in every position, every lookalike. */
const REQUESTS: [string, Record<string, string>][] = [
  ['no cookie', {}],
  ...Object.entries(COOKIE_VARIANTS).map(([k, v]): [string, Record<string, string>] => [`cookie ${k}`, { cookie: v }]),
  ...Object.entries(NOT_THE_COOKIE).map(([k, v]): [string, Record<string, string>] => [
    `lookalike ${k}`,
    { cookie: v },
  ]),
];

/** Where one request ends up, hop by hop: Deployments, and the Service each caller dialled. */
interface Path {
  readonly app: string;
  readonly analytics: string;
  readonly storageFromApp: string;
  readonly storageFromAnalytics: string;
  readonly storagePort: number;
}

const LANE_V1_0: Path = {
  app: 'voting-app-1-0',
  analytics: 'voting-analytics-1-0',
  storageFromApp: 'voting-storage-1-0',
  storageFromAnalytics: 'voting-storage-1-0',
  storagePort: 6379,
};
const LANE_V1_1: Path = { ...LANE_V1_0, analytics: 'voting-analytics-1-1' };
const LANE_V2: Path = {
  app: 'voting-app-2-0',
  analytics: 'voting-analytics-2-0',
  storageFromApp: 'voting-storage-2-0',
  storageFromAnalytics: 'voting-storage-2-0',
  storagePort: 3306,
};

/** What each stage does with a request, with (`cookie`) and without (`plain`) the featureflag=on cookie. */
const EXPECTED: Record<string, { cookie: Path; plain: Path }> = {
  '01-v1': { cookie: LANE_V1_0, plain: LANE_V1_0 },
  '02-analytics-1-1-lock': { cookie: LANE_V1_1, plain: LANE_V1_1 },
  '03-cookie-canary': { cookie: LANE_V2, plain: LANE_V1_1 },
  '04-full-rollout': { cookie: LANE_V2, plain: LANE_V2 },
};
const expected = (name: string, headers: Record<string, string>): Path =>
  Object.values(COOKIE_VARIANTS).includes(headers.cookie) ? EXPECTED[name].cookie : EXPECTED[name].plain;

const containerEnv = (d: Manifest): Record<string, string> =>
  Object.fromEntries(
    (d.spec.template.spec.containers[0].env ?? [])
      .filter((e: any) => e.value !== undefined)
      .map((e: any) => [e.name, e.value]),
  );
const podLabels = (d: Manifest): Record<string, string> => d.spec.template.metadata.labels;

/** The only hop of an answer: one destination, all of the traffic, one Deployment, nothing left unevaluated. */
function onlyDeployment(
  hops: readonly { deployments: readonly string[]; weight: number; notModelled?: readonly string[] }[],
  what: string,
): string {
  if (hops.length !== 1 || hops[0].weight !== 100 || hops[0].deployments.length !== 1)
    throw new Error(`${what}: expected one destination, got ${JSON.stringify(hops)}`);
  expect([what, hops[0].notModelled ?? []]).toEqual([what, []]);
  return hops[0].deployments[0];
}

/** A call the pods of Deployment `caller` make, to the Service their environment variable `variable` names. */
function callFrom(
  m: readonly Manifest[],
  sim: TrafficSimulator,
  caller: string,
  variable: string,
  port: number,
): { deployment: string; service: string } {
  const d = find(m, 'Deployment', caller);
  const service = containerEnv(d)[variable];
  if (service === undefined) throw new Error(`${caller} has no ${variable}`);
  return {
    deployment: onlyDeployment(
      sim.call({ sourceLabels: podLabels(d), service: service, namespace: 'voting', port: port }),
      `${caller} -> ${service}:${port}`,
    ),
    service,
  };
}

/** Follows a request from the Gateway through the lane the pods' own environment keeps it in. */
function follow(m: readonly Manifest[], headers: Record<string, string>): Path & { dialled: Record<string, string> } {
  const sim = new TrafficSimulator(m);
  const app = onlyDeployment(sim.ingress('voting-app-gateway', { path: '/', headers }), 'gateway');
  const storageVar = (env: Record<string, string>) =>
    (env.MYSQL_HOST !== undefined ? ['MYSQL_HOST', 3306] : ['REDIS_HOST', 6379]) as [string, number];
  const [appStorageVar, appStoragePort] = storageVar(containerEnv(find(m, 'Deployment', app)));
  const analytics = callFrom(m, sim, app, 'ANALYTICS_HOST', 8080);
  const fromApp = callFrom(m, sim, app, appStorageVar, appStoragePort);
  const [analyticsStorageVar, analyticsStoragePort] = storageVar(
    containerEnv(find(m, 'Deployment', analytics.deployment)),
  );
  const fromAnalytics = callFrom(m, sim, analytics.deployment, analyticsStorageVar, analyticsStoragePort);
  if (appStoragePort !== analyticsStoragePort) throw new Error('app and analytics use different storage ports');
  return {
    app,
    analytics: analytics.deployment,
    storageFromApp: fromApp.deployment,
    storageFromAnalytics: fromAnalytics.deployment,
    storagePort: appStoragePort,
    dialled: {
      analytics: analytics.service,
      storageFromApp: fromApp.service,
      storageFromAnalytics: fromAnalytics.service,
    },
  };
}
const landing = ({ dialled: _dialled, ...path }: ReturnType<typeof follow>): Path => path;

describe('the gateway-api-ambient flavour has the same four stages', () => {
  test('GIVEN both flavours WHEN built THEN they have the same stages in the same order', () => {
    expect(STAGES).toEqual(['01-v1', '02-analytics-1-1-lock', '03-cookie-canary', '04-full-rollout']);
    expect([...sidecar.keys()]).toEqual(STAGES);
    expect(ambientStages.map((s) => s.flavour)).toEqual(STAGES.map(() => 'gateway-api-ambient'));
  });
});

describe('routing, lane by lane, evaluated on the synthesized HTTPRoutes', () => {
  const rows = STAGES.flatMap((name) => REQUESTS.map(([label, headers]) => [name, label, headers] as const));

  test.each(rows)(
    'GIVEN stage %s WHEN a request with %s arrives THEN every hop stays in its lane',
    (name, _label, headers) => {
      expect(landing(follow(stage(name), headers))).toEqual(expected(name, headers));
    },
  );

  test.each(rows)(
    'GIVEN stage %s and a request with %s WHEN both flavours route it THEN they land on the same Deployments',
    (name, _label, headers) => {
      expect(landing(follow(stage(name), headers))).toEqual(landing(follow(sidecar.get(name)!, headers)));
    },
  );

  test.each(['03-cookie-canary', '04-full-rollout'])(
    "GIVEN stage %s WHEN the cookie request is followed THEN each caller dials its lane's Services",
    (name) => {
      expect(follow(stage(name), { cookie: 'featureflag=on' }).dialled).toEqual({
        analytics: 'voting-analytics-lane-v2',
        storageFromApp: 'voting-storage-lane-v2',
        storageFromAnalytics: 'voting-storage-lane-v2',
      });
    },
  );

  test("GIVEN the canary stage WHEN a request without the cookie is followed THEN each caller dials the v1 lane's Services", () => {
    expect(follow(stage('03-cookie-canary'), {}).dialled).toEqual({
      analytics: 'voting-analytics-lane-v1',
      storageFromApp: 'voting-storage-lane-v1',
      storageFromAnalytics: 'voting-storage-lane-v1',
    });
  });

  test("GIVEN the canary stage WHEN the entry HTTPRoute is evaluated THEN the cookie rule names the 2.0 version Service and the default rule 1.0's", () => {
    const sim = new TrafficSimulator(stage('03-cookie-canary'));
    expect(sim.ingress('voting-app-gateway', { path: '/', headers: { cookie: 'featureflag=on' } })).toEqual([
      {
        service: 'voting-app-2-0',
        port: 8080,
        weight: 100,
        deployments: ['voting-app-2-0'],
        rule: 'voting-app-ingress/featureflag-cookie',
      },
    ]);
    expect(sim.ingress('voting-app-gateway', { path: '/', headers: { cookie: 'featureflag=onion' } })).toEqual([
      {
        service: 'voting-app-1-0',
        port: 8080,
        weight: 100,
        deployments: ['voting-app-1-0'],
        rule: 'voting-app-ingress/default',
      },
    ]);
  });

  test("GIVEN the canary stage WHEN a caller dials its analytics lane Service THEN the GAMMA route pins the lane's version, with the 3 s timeout", () => {
    const m = stage('03-cookie-canary');
    const sim = new TrafficSimulator(m);
    expect(
      sim.call({
        sourceLabels: podLabels(find(m, 'Deployment', 'voting-app-1-0')),
        service: 'voting-analytics-lane-v1',
        namespace: 'voting',
        port: 8080,
      }),
    ).toEqual([
      {
        service: 'voting-analytics-1-1',
        port: 8080,
        weight: 100,
        deployments: ['voting-analytics-1-1'],
        rule: 'voting-analytics-lane-v1/lane-v1',
        timeout: '3s',
      },
    ]);
    expect(
      sim.call({
        sourceLabels: podLabels(find(m, 'Deployment', 'voting-app-2-0')),
        service: 'voting-analytics-lane-v2',
        namespace: 'voting',
        port: 8080,
      }),
    ).toEqual([
      {
        service: 'voting-analytics-2-0',
        port: 8080,
        weight: 100,
        deployments: ['voting-analytics-2-0'],
        rule: 'voting-analytics-lane-v2/lane-v2',
        timeout: '3s',
      },
    ]);
  });
});

describe('ambient mode, not sidecars', () => {
  test.each(STAGES)(
    'GIVEN stage %s WHEN built THEN the entry Gateway keeps its own pods out of ambient (istio.io/dataplane-mode: none), the waypoint is left to Istio',
    (name) => {
      const gateways = stage(name).filter((m) => m.kind === 'Gateway');
      expect(find(gateways, 'Gateway', 'voting-app-gateway').spec.infrastructure).toEqual({
        labels: { 'istio.io/dataplane-mode': 'none' },
      });
      for (const w of gateways.filter((g) => g.spec.gatewayClassName === 'istio-waypoint'))
        expect(w.spec.infrastructure).toBeUndefined();
    },
  );
  test.each(STAGES)(
    'GIVEN stage %s WHEN built THEN the namespace is enrolled in ambient mode and carries no injection label',
    (name) => {
      const ns = find(stage(name), 'Namespace', 'voting');
      expect(AMBIENT_NAMESPACE_LABEL).toBe('istio.io/dataplane-mode');
      expect(ns.metadata.labels).toEqual({
        'istio.io/dataplane-mode': 'ambient',
        'app.kubernetes.io/part-of': 'voting',
      });
      expect(JSON.stringify(stage(name))).not.toMatch(/istio-injection|istio\.io\/rev/);
    },
  );

  test.each(STAGES)(
    'GIVEN stage %s WHEN built THEN no sidecar-only setting is left: no sidecar annotation, VirtualService, ISTIO_MUTUAL or 15020/15021 rule',
    (name) => {
      const m = stage(name);
      expect(JSON.stringify(m)).not.toContain('sidecar.istio.io');
      expect(names(m, 'VirtualService')).toEqual([]);
      expect(names(m, 'Sidecar')).toEqual([]);
      for (const dr of m.filter((o) => o.kind === 'DestinationRule'))
        expect(dr.spec.trafficPolicy?.tls).toBeUndefined();
      expect(JSON.stringify(m)).not.toContain('ISTIO_MUTUAL');
      const ports = m
        .filter((o) => o.kind === 'NetworkPolicy' || o.kind === 'AuthorizationPolicy')
        .flatMap((p) => [
          ...[...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])].flatMap((r: any) =>
            (r.ports ?? []).map((x: any) => Number(x.port)),
          ),
          ...(p.spec.rules ?? []).flatMap((r: any) =>
            (r.to ?? []).flatMap((t: any) => (t.operation?.ports ?? []).map(Number)),
          ),
        ]);
      expect(ports).not.toContain(15020);
      expect(ports).not.toContain(15021);
    },
  );

  test.each(STAGES)("GIVEN stage %s WHEN built THEN it uses Gateway API and Istio's ambient APIs only", (name) => {
    const apis = new Set(stage(name).map((m) => `${m.apiVersion}/${m.kind}`));
    for (const api of apis) {
      expect([
        'v1/Namespace',
        'v1/ServiceAccount',
        'v1/Service',
        'v1/PersistentVolumeClaim',
        'apps/v1/Deployment',
        'policy/v1/PodDisruptionBudget',
        'networking.k8s.io/v1/NetworkPolicy',
        'security.istio.io/v1/AuthorizationPolicy',
        'security.istio.io/v1/PeerAuthentication',
        'networking.istio.io/v1/DestinationRule',
        'gateway.networking.k8s.io/v1/Gateway',
        'gateway.networking.k8s.io/v1/HTTPRoute',
      ]).toContain(api);
    }
  });

  test('GIVEN every stage WHEN the entry Gateway is read THEN it is class istio in the app namespace, one HTTP listener on 80 for same-namespace routes', () => {
    for (const name of STAGES) {
      expect(find(stage(name), 'Gateway', 'voting-app-gateway')).toMatchObject({
        apiVersion: 'gateway.networking.k8s.io/v1',
        metadata: { namespace: 'voting' },
        spec: {
          gatewayClassName: 'istio',
          listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }],
        },
      });
    }
  });
});

describe("Deployments are the sidecar flavour's", () => {
  test.each(STAGES)(
    'GIVEN stage %s WHEN both flavours are built THEN they run the same Deployments with identical (immutable) selectors and pod labels',
    (name) => {
      const a = stage(name).filter((m) => m.kind === 'Deployment');
      const s = sidecar.get(name)!.filter((m) => m.kind === 'Deployment');
      expect(a.map((d) => d.metadata.name)).toEqual(s.map((d) => d.metadata.name));
      for (const d of a) {
        const twin = s.find((x) => x.metadata.name === d.metadata.name)!;
        expect({ [d.metadata.name]: d.spec.selector }).toEqual({ [d.metadata.name]: twin.spec.selector });
        expect(d.spec.template.metadata.labels).toEqual(twin.spec.template.metadata.labels);
      }
    },
  );

  test.each(STAGES)(
    'GIVEN stage %s WHEN both flavours are built THEN the pod templates differ only in the hosts the environment names',
    (name) => {
      const strip = (d: Manifest) => ({
        ...d.spec.template,
        spec: {
          ...d.spec.template.spec,
          containers: d.spec.template.spec.containers.map((c: any) => ({
            ...c,
            env: (c.env ?? []).map((e: any) => e.name),
          })),
        },
      });
      for (const d of stage(name).filter((m) => m.kind === 'Deployment')) {
        const twin = find(sidecar.get(name)!, 'Deployment', d.metadata.name);
        expect(strip(d)).toEqual(strip(twin));
        expect(d.spec.template.metadata.annotations).toBeUndefined();
      }
    },
  );
});

describe("callers dial their lane's Services", () => {
  test("GIVEN the canary stage WHEN the environments are read THEN every value that named a callee names the caller's lane Service", () => {
    const m = stage('03-cookie-canary');
    const hosts = (name: string) =>
      Object.fromEntries(
        Object.entries(containerEnv(find(m, 'Deployment', name))).filter(([k]) => k.endsWith('_HOST')),
      );
    expect(hosts('voting-app-1-0')).toEqual({
      REDIS_HOST: 'voting-storage-lane-v1',
      ANALYTICS_HOST: 'voting-analytics-lane-v1',
    });
    expect(hosts('voting-app-2-0')).toEqual({
      MYSQL_HOST: 'voting-storage-lane-v2',
      ANALYTICS_HOST: 'voting-analytics-lane-v2',
    });
    expect(hosts('voting-analytics-1-1')).toEqual({ REDIS_HOST: 'voting-storage-lane-v1' });
    expect(hosts('voting-analytics-2-0')).toEqual({ MYSQL_HOST: 'voting-storage-lane-v2' });
    // In no lane (idle, kept for rollback): it dials the default route's lane.
    expect(hosts('voting-analytics-1-0')).toEqual({ REDIS_HOST: 'voting-storage-lane-v1' });
  });

  test("GIVEN the canary stage WHEN its lane Services are read THEN each selects its lane's version, and only the HTTP ones use the waypoint", () => {
    const m = stage('03-cookie-canary');
    const lane = (name: string) => ({
      selector: find(m, 'Service', name).spec.selector,
      waypoint: find(m, 'Service', name).metadata.labels?.['istio.io/use-waypoint'],
    });
    expect(lane('voting-analytics-lane-v1')).toEqual({
      selector: { app: 'voting-analytics', version: '1.1' },
      waypoint: 'waypoint',
    });
    expect(lane('voting-analytics-lane-v2')).toEqual({
      selector: { app: 'voting-analytics', version: '2.0' },
      waypoint: 'waypoint',
    });
    expect(lane('voting-storage-lane-v1')).toEqual({
      selector: { app: 'voting-storage', version: '1.0' },
      waypoint: undefined,
    });
    expect(lane('voting-storage-lane-v2')).toEqual({
      selector: { app: 'voting-storage', version: '2.0' },
      waypoint: undefined,
    });
    expect(find(m, 'Service', 'voting-storage-lane-v1').spec.ports.map((p: any) => p.port)).toEqual([6379]);
    expect(find(m, 'Service', 'voting-storage-lane-v2').spec.ports.map((p: any) => p.port)).toEqual([3306]);
  });

  test("GIVEN stages 01 and 02 WHEN lane v1 moves analytics from 1.0 to 1.1 THEN no caller's pod template changes: only the lane Service and its route do", () => {
    const [s1, s2] = [stage('01-v1'), stage('02-analytics-1-1-lock')];
    for (const name of ['voting-app-1-0', 'voting-analytics-1-0', 'voting-storage-1-0']) {
      expect([name, find(s2, 'Deployment', name).spec.template]).toEqual([
        name,
        find(s1, 'Deployment', name).spec.template,
      ]);
    }
    expect(find(s2, 'Deployment', 'voting-app-1-0')).toEqual(find(s1, 'Deployment', 'voting-app-1-0'));
    expect(find(s1, 'Service', 'voting-analytics-lane-v1').spec.selector).toEqual({ app: 'voting-analytics' });
    expect(find(s2, 'Service', 'voting-analytics-lane-v1').spec.selector).toEqual({
      app: 'voting-analytics',
      version: '1.1',
    });
    expect(find(s2, 'HTTPRoute', 'voting-analytics-lane-v1').spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'voting-analytics-1-1', port: 8080 },
    ]);
  });

  test('GIVEN consecutive stages WHEN a Deployment runs in both THEN its pod template is unchanged (no restart for a lane move or a new lane)', () => {
    for (let i = 1; i < STAGES.length; i++) {
      const [before, after] = [stage(STAGES[i - 1]), stage(STAGES[i])];
      for (const d of after.filter(
        (m) => m.kind === 'Deployment' && names(before, 'Deployment').includes(m.metadata.name),
      )) {
        expect([STAGES[i], d.metadata.name, d.spec.template]).toEqual([
          STAGES[i],
          d.metadata.name,
          find(before, 'Deployment', d.metadata.name).spec.template,
        ]);
      }
    }
  });
});

describe('the waypoint', () => {
  const serviceParents = (m: readonly Manifest[]) =>
    [
      ...new Set(
        m
          .filter((o) => o.kind === 'HTTPRoute')
          .flatMap((r) => r.spec.parentRefs)
          .filter((p: any) => p.kind === 'Service')
          .map((p: any) => p.name as string),
      ),
    ].sort();

  test.each(STAGES)(
    'GIVEN stage %s WHEN built THEN a waypoint exists exactly when an HTTPRoute has a Service parent, and those Services use it',
    (name) => {
      const m = stage(name);
      const parents = serviceParents(m);
      const waypointed = m
        .filter((o) => o.kind === 'Service' && o.metadata.labels?.['istio.io/use-waypoint'] !== undefined)
        .map((s) => s.metadata.name)
        .sort();
      expect(names(m, 'Gateway').includes('waypoint')).toBe(parents.length > 0);
      expect(waypointed).toEqual(parents);
      for (const s of waypointed)
        expect(find(m, 'Service', s).metadata.labels?.['istio.io/use-waypoint']).toBe('waypoint');
    },
  );

  test('GIVEN the stages WHEN their HTTPRoutes are read THEN only stage 01 (no version routing) has no waypoint', () => {
    expect(STAGES.filter((n) => names(stage(n), 'Gateway').includes('waypoint'))).toEqual([
      '02-analytics-1-1-lock',
      '03-cookie-canary',
      '04-full-rollout',
    ]);
    expect(serviceParents(stage('03-cookie-canary'))).toEqual(['voting-analytics-lane-v1', 'voting-analytics-lane-v2']);
  });

  test('GIVEN the canary stage WHEN the waypoint is read THEN it is the istio-waypoint class on HBONE 15008, for Service traffic', () => {
    expect(find(stage('03-cookie-canary'), 'Gateway', 'waypoint')).toMatchObject({
      metadata: { namespace: 'voting', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
  });
});

describe('authorization: ztunnel (selector) and waypoint (targetRefs) policies', () => {
  const m = stage('03-cookie-canary');
  const analytics = (version: string) => ({ app: 'voting-analytics', version });
  const storage = (version: string) => ({ app: 'voting-storage', version });
  const principalsOf = (name: string) =>
    find(m, 'AuthorizationPolicy', name).spec.rules.flatMap((r: any) =>
      r.from.flatMap((f: any) => f.source.principals),
    );

  test("GIVEN the canary stage WHEN analytics pods are called THEN their ztunnel admits the waypoint principal, not app's principal directly", () => {
    for (const v of ['1.1', '2.0']) {
      expect(authorize(m, 'voting', analytics(v), WAYPOINT_PRINCIPAL, 8080).allowed).toBe(true);
      expect(authorize(m, 'voting', analytics(v), sa('voting-app-1-0'), 8080).allowed).toBe(false);
      expect(authorize(m, 'voting', analytics(v), sa('voting-app-2-0'), 8080).allowed).toBe(false);
    }
    expect(principalsOf('voting-analytics-2-0')).toEqual([WAYPOINT_PRINCIPAL]);
    expect(find(m, 'AuthorizationPolicy', 'voting-analytics-2-0').spec.selector).toEqual({
      matchLabels: analytics('2.0'),
    });
  });

  test("GIVEN the canary stage WHEN voting-analytics-lane-v2 is called through the waypoint THEN only voting-app-2-0's principal is admitted", () => {
    const p = find(m, 'AuthorizationPolicy', 'voting-analytics-lane-v2-waypoint');
    expect(p.spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'voting-analytics-lane-v2' }]);
    expect(p.spec.selector).toBeUndefined();
    expect(principalsOf('voting-analytics-lane-v2-waypoint')).toEqual([sa('voting-app-2-0')]);
    expect(
      authorizeAtWaypoint(m, 'voting', 'waypoint', 'voting-analytics-lane-v2', sa('voting-app-2-0'), 8080).allowed,
    ).toBe(true);
    for (const other of ['voting-app-1-0', 'voting-analytics-1-1', 'voting-app-gateway-istio', 'waypoint']) {
      expect([
        other,
        authorizeAtWaypoint(m, 'voting', 'waypoint', 'voting-analytics-lane-v2', sa(other), 8080).allowed,
      ]).toEqual([other, false]);
    }
    expect(principalsOf('voting-analytics-lane-v1-waypoint')).toEqual([sa('voting-app-1-0')]);
  });

  test("GIVEN the canary stage WHEN storage is called THEN its ztunnel admits each lane's callers directly (TCP lane Services bypass the waypoint)", () => {
    expect(authorize(m, 'voting', storage('1.0'), sa('voting-app-1-0'), 6379).allowed).toBe(true);
    expect(authorize(m, 'voting', storage('1.0'), sa('voting-analytics-1-1'), 6379).allowed).toBe(true);
    expect(authorize(m, 'voting', storage('2.0'), sa('voting-app-2-0'), 3306).allowed).toBe(true);
    expect(authorize(m, 'voting', storage('2.0'), sa('voting-analytics-2-0'), 3306).allowed).toBe(true);
    expect(authorize(m, 'voting', storage('2.0'), sa('voting-app-1-0'), 3306).allowed).toBe(false);
    expect(authorize(m, 'voting', storage('1.0'), WAYPOINT_PRINCIPAL, 6379).allowed).toBe(false);
    expect(principalsOf('voting-storage-2-0')).toEqual([sa('voting-app-2-0'), sa('voting-analytics-2-0')]);
  });

  test('GIVEN every stage WHEN the entry versions are called THEN the gateway principal is the Istio-deployed <gateway>-istio account of the app namespace', () => {
    for (const s of ambientStages) {
      const m2 = s.toJson() as Manifest[];
      expect(s.meshContext.ingressPrincipal).toBe(GATEWAY_PRINCIPAL);
      for (const d of m2.filter((o) => o.kind === 'Deployment' && o.metadata.name.startsWith('voting-app-'))) {
        expect(authorize(m2, 'voting', podLabels(d), GATEWAY_PRINCIPAL, 8080).allowed).toBe(true);
        expect(
          authorize(
            m2,
            'voting',
            podLabels(d),
            'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
            8080,
          ).allowed,
        ).toBe(false);
      }
    }
  });

  test('GIVEN every stage WHEN the namespace is read THEN an allow-nothing policy makes ztunnel deny whatever is not allowed', () => {
    for (const name of STAGES) expect(find(stage(name), 'AuthorizationPolicy', 'allow-nothing').spec).toEqual({});
  });

  test('GIVEN the canary stage WHEN the waypoint terminates HBONE THEN a policy selecting its pods (not targetRefs, which every Service layer would apply) admits the callers routed through it', () => {
    // Istio applies the namespace-wide allow-nothing at the waypoint's HBONE termination too, by
    // workload selector; the per-Service layer then applies the lane policies above.
    expect(find(m, 'AuthorizationPolicy', 'waypoint').spec).toEqual({
      selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } },
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: [sa('voting-app-1-0'), sa('voting-app-2-0')] } }] }],
    });
    const waypointPod = { 'gateway.networking.k8s.io/gateway-name': 'waypoint' };
    expect(authorize(m, 'voting', waypointPod, sa('voting-app-2-0'), 15008).allowed).toBe(true);
    expect(authorize(m, 'voting', waypointPod, sa('voting-analytics-1-1'), 15008).allowed).toBe(false);
    expect(names(stage('01-v1'), 'AuthorizationPolicy')).not.toContain('waypoint');
  });

  test("GIVEN every stage WHEN the gateway's own pods (in the app namespace, bound by allow-nothing too) are read THEN a targetRefs policy admits users on the listener port", () => {
    // authorize() evaluates selector policies only (targetRefs bind gateways and waypoints), so the
    // Gateway's policy is asserted as an object, and checked with the waypoint evaluator, which reads
    // policies whose targetRefs name a Gateway.
    for (const name of STAGES) {
      const m2 = stage(name);
      expect(find(m2, 'AuthorizationPolicy', 'voting-app-gateway-ingress').spec).toEqual({
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'voting-app-gateway' }],
        action: 'ALLOW',
        rules: [{ to: [{ operation: { ports: ['80'] } }] }],
      });
      expect(authorizeAtWaypoint(m2, 'voting', 'voting-app-gateway', 'voting-app', 'anonymous', 80).allowed).toBe(true);
      expect(authorizeAtWaypoint(m2, 'voting', 'voting-app-gateway', 'voting-app', 'anonymous', 8080).allowed).toBe(
        false,
      );
    }
  });
});

describe('NetworkPolicies: HBONE only', () => {
  const m = stage('03-cookie-canary');
  const pod = (labels: Record<string, string>, namespace = 'voting') => ({ namespace, labels });
  const gatewayPod = pod({ 'gateway.networking.k8s.io/gateway-name': 'voting-app-gateway' });
  const waypointPod = pod({ 'gateway.networking.k8s.io/gateway-name': 'waypoint' });
  const istiod = pod({ app: 'istiod' }, 'istio-system');
  const v = (app: string, version: string) => pod({ app, version });

  test.each(STAGES)(
    "GIVEN stage %s WHEN its NetworkPolicies are read THEN mesh traffic is admitted on 15008 only, plus DNS, istiod 15012 for gateway and waypoint pods, the gateway's listener and probes",
    (name) => {
      for (const p of stage(name).filter((o) => o.kind === 'NetworkPolicy')) {
        const proxy = p.spec.podSelector.matchLabels?.['gateway.networking.k8s.io/gateway-name'] !== undefined;
        for (const r of p.spec.egress ?? []) {
          const ports = r.ports.map((x: any) => `${x.protocol}/${x.port}`);
          const dns = r.to.some((t: any) => t.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns');
          const toIstiod = r.to.some((t: any) => t.podSelector?.matchLabels?.app === 'istiod');
          if (dns) expect(ports).toEqual(['UDP/53', 'TCP/53']);
          else if (toIstiod) expect([p.metadata.name, proxy, ports]).toEqual([p.metadata.name, true, ['TCP/15012']]);
          else expect([p.metadata.name, ports]).toEqual([p.metadata.name, ['TCP/15008']]);
        }
        for (const r of p.spec.ingress ?? []) {
          const ports = r.ports.map((x: any) => `${x.protocol}/${x.port}`);
          if (p.metadata.name === 'voting-app-gateway-istio')
            expect(r).toEqual({ ports: [{ protocol: 'TCP', port: 80 }] });
          else if ((r.from ?? []).some((f: any) => f.ipBlock))
            expect(r.from).toEqual([{ ipBlock: { cidr: '169.254.7.127/32' } }]);
          else expect([p.metadata.name, ports]).toEqual([p.metadata.name, ['TCP/15008']]);
        }
      }
    },
  );

  test('GIVEN the canary stage WHEN the kubelet probes ambient pods THEN the probed ports are open to the SNAT address 169.254.7.127 only (exec probes need none)', () => {
    const probeRule = (name: string) =>
      find(m, 'NetworkPolicy', name).spec.ingress.filter((r: any) => (r.from ?? []).some((f: any) => f.ipBlock));
    const rule = (...ports: number[]) => [
      { from: [{ ipBlock: { cidr: '169.254.7.127/32' } }], ports: ports.map((port) => ({ protocol: 'TCP', port })) },
    ];
    expect(probeRule('voting-app-1-0')).toEqual(rule(8080));
    expect(probeRule('voting-analytics-2-0')).toEqual(rule(8080));
    // Redis: exec readiness (redis-cli), TCP liveness; MySQL: exec readiness, TCP startup and liveness.
    expect(probeRule('voting-storage-1-0')).toEqual(rule(6379));
    expect(probeRule('voting-storage-2-0')).toEqual(rule(3306));
    for (const proxy of ['voting-app-gateway-istio', 'waypoint']) expect(probeRule(proxy)).toEqual([]);
  });

  test('GIVEN the canary stage WHEN app 1.0 calls analytics THEN only HBONE to the waypoint, and from the waypoint to analytics, is allowed', () => {
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), waypointPod, 15008).allowed).toBe(true);
    expect(networkPolicyAllows(m, waypointPod, v('voting-analytics', '1.1'), 15008).allowed).toBe(true);
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), v('voting-analytics', '1.1'), 15008).allowed).toBe(false);
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), v('voting-analytics', '1.1'), 8080).allowed).toBe(false);
    expect(networkPolicyAllows(m, waypointPod, v('voting-analytics', '1.1'), 8080).allowed).toBe(false);
  });

  test("GIVEN the canary stage WHEN callers reach storage THEN HBONE to their lane's version only", () => {
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), v('voting-storage', '1.0'), 15008).allowed).toBe(true);
    expect(networkPolicyAllows(m, v('voting-analytics', '2.0'), v('voting-storage', '2.0'), 15008).allowed).toBe(true);
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), v('voting-storage', '2.0'), 15008).allowed).toBe(false);
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), v('voting-storage', '1.0'), 6379).allowed).toBe(false);
  });

  test('GIVEN the canary stage WHEN the gateway and waypoint pods are checked THEN they reach istiod on 15012 and the app pods do not', () => {
    expect(networkPolicyAllows(m, gatewayPod, v('voting-app', '2.0'), 15008).allowed).toBe(true);
    expect(networkPolicyAllows(m, gatewayPod, istiod, 15012).allowed).toBe(true);
    expect(networkPolicyAllows(m, waypointPod, istiod, 15012).allowed).toBe(true);
    expect(networkPolicyAllows(m, v('voting-app', '1.0'), istiod, 15012).allowed).toBe(false);
    expect(networkPolicyAllows(m, gatewayPod, v('voting-analytics', '1.1'), 15008).allowed).toBe(false);
  });
});

describe('inputs the flavour cannot keep in their lanes are rejected, in one line', () => {
  const canary = votingStages.find((s) => s.name === '03-cookie-canary')!;
  function errorOf(stageSpec: StageSpec, application: ApplicationSpec = votingApplication): ReleaseConfigError {
    try {
      new ReleaseStage(testApp(), { application, stage: stageSpec, flavour: 'gateway-api-ambient' });
    } catch (err) {
      if (err instanceof ReleaseConfigError) return err;
      throw err;
    }
    throw new Error('expected the stage to be rejected');
  }
  const withEnv = (component: string, version: string, env: Record<string, unknown>): ApplicationSpec =>
    ({
      ...votingApplication,
      components: votingApplication.components.map((c) =>
        c.name !== component ? c : { ...c, versions: { ...c.versions, [version]: { ...c.versions[version], env } } },
      ),
    }) as ApplicationSpec;
  const built = (application: ApplicationSpec, stageSpec: StageSpec = canary) =>
    new ReleaseStage(testApp(), {
      application,
      stage: stageSpec,
      flavour: 'gateway-api-ambient',
    }).toJson() as Manifest[];

  test('GIVEN a caller whose environment names no callee Service WHEN built THEN it names stage, component and versions["x"].env', () => {
    const app = withEnv('voting-app', '1.0', {
      SHOWDETAILS: 'true',
      REDIS_HOST: 'voting-storage',
      ANALYTICS_URL: 'http://analytics.example.com',
    });
    const err = errorOf(canary, app);
    expect(err.message).toBe(
      "stage '03-cookie-canary', component 'voting-app', field 'versions[\"1.0\"].env': version 1.0 calls 'voting-analytics' but no environment value names its Service, " +
        "so the gateway-api-ambient flavour cannot point it at its lane's Service 'voting-analytics-lane-v1'. Have the workload read the callee's host from an environment variable set to 'voting-analytics' (the flavour rewrites it), or route 'voting-analytics' with serviceRoutes",
    );
    expect(err.message).not.toContain('\n');
    expect(err).toMatchObject({ stage: '03-cookie-canary', component: 'voting-app', field: 'versions["1.0"].env' });
  });

  test('GIVEN a caller that names its callee as a URL, host:port or fully qualified name WHEN built THEN each form is rewritten to the lane Service in the same form', () => {
    const app = withEnv('voting-app', '1.0', {
      REDIS_HOST: 'voting-storage.voting.svc.cluster.local:6379',
      ANALYTICS_HOST: 'http://voting-analytics.voting:8080/api',
      LOOKALIKE: 'voting-analytics-admin',
    });
    const env = containerEnv(find(built(app), 'Deployment', 'voting-app-1-0'));
    expect(env).toMatchObject({
      REDIS_HOST: 'voting-storage-lane-v1.voting.svc.cluster.local:6379',
      ANALYTICS_HOST: 'http://voting-analytics-lane-v1.voting:8080/api',
      LOOKALIKE: 'voting-analytics-admin',
    });
  });

  test('GIVEN a gateway with TCP ports WHEN built in the ambient flavour THEN it is rejected (no TCPRoute in the standard channel)', () => {
    const app = { ...votingApplication, gateway: { ...votingApplication.gateway, tcpPorts: [6379] } };
    expect(errorOf(canary, app).message).toBe(
      "stage '03-cookie-canary', field 'gateway.tcpPorts': the gateway-api-ambient flavour serves HTTP only " +
        "(TCPRoute is not in Gateway API v1.5.1's standard channel). Remove the TCP and TLS passthrough ports, or use the istio-sidecar flavour",
    );
  });

  test("GIVEN a header-match route written before a uri-prefix route WHEN built THEN Istio's HTTPRoute order would swap them, and it is rejected", () => {
    const stageSpec: StageSpec = {
      ...canary,
      entry: [
        { name: 'canary-header', match: [{ header: { name: 'x-canary', exact: 'yes' } }], to: 'v2' },
        { name: 'api', match: [{ uri: { prefix: '/api' } }], to: 'v2' },
        { to: 'v1' },
      ],
    };
    const err = errorOf(stageSpec);
    expect(err.message).toMatch(
      /^stage '03-cookie-canary', component 'voting-app', field 'entry': route 'api' would be evaluated before route 'canary-header' in HTTPRoute 'voting-app-ingress': Istio orders HTTPRoute rules by /,
    );
    expect(err.message).not.toContain('\n');
  });

  test('GIVEN a uri-prefix route written before a header route and the default WHEN built THEN Istio keeps the order and the simulator routes by it', () => {
    const stageSpec: StageSpec = {
      ...canary,
      entry: [
        { name: 'api', match: [{ uri: { prefix: '/api' } }], to: 'v2' },
        { name: 'canary-header', match: [{ header: { name: 'x-canary', exact: 'yes' } }], to: 'v2' },
        { to: 'v1' },
      ],
    };
    const sim = new TrafficSimulator(built(votingApplication, stageSpec));
    const to = (path: string, headers: Record<string, string> = {}) =>
      sim.ingress('voting-app-gateway', { path, headers }).map((h) => `${h.deployments.join(',')} ${h.rule}`);
    expect(to('/api/votes')).toEqual(['voting-app-2-0 voting-app-ingress/api']);
    // A VirtualService prefix matches any continuation, not only whole segments.
    expect(to('/apix')).toEqual(['voting-app-2-0 voting-app-ingress/api']);
    expect(to('/', { 'x-canary': 'yes' })).toEqual(['voting-app-2-0 voting-app-ingress/canary-header']);
    expect(to('/')).toEqual(['voting-app-1-0 voting-app-ingress/default']);
  });

  test('GIVEN a uri-prefix route WHEN the entry HTTPRoute is rendered THEN the header-only and default rules match every path by a RegularExpression, ranked after the prefix', () => {
    const stageSpec: StageSpec = {
      ...canary,
      entry: [
        { name: 'api', match: [{ uri: { prefix: '/api' } }], to: 'v2' },
        { name: 'canary-header', match: [{ header: { name: 'x-canary', exact: 'yes' } }], to: 'v2' },
        { to: 'v1' },
      ],
    };
    const rules = find(built(votingApplication, stageSpec), 'HTTPRoute', 'voting-app-ingress').spec.rules.map(
      (r: any) => [r.name, r.matches],
    );
    expect(rules).toEqual([
      ['api', [{ path: { type: 'RegularExpression', value: '/api.*' } }]],
      [
        'canary-header',
        [
          {
            path: { type: 'RegularExpression', value: '.*' },
            headers: [{ type: 'Exact', name: 'x-canary', value: 'yes' }],
          },
        ],
      ],
      ['default', [{ path: { type: 'RegularExpression', value: '.*' } }]],
    ]);
    // Without a uri prefix nothing changes: no path, so the API server's default PathPrefix '/'.
    expect(
      find(stage('03-cookie-canary'), 'HTTPRoute', 'voting-app-ingress').spec.rules.map((r: any) =>
        r.matches?.map((x: any) => x.path),
      ),
    ).toEqual([[undefined], undefined]);
  });

  test("GIVEN a lane whose Service name would be a deployed component's WHEN built THEN it names the lane", () => {
    const tool = {
      name: 'voting-storage-lane-canary',
      versions: { '1.0': { ...votingApplication.components[0].versions['1.0'], env: {} } },
    };
    const app = { ...votingApplication, components: [...votingApplication.components, tool] } as ApplicationSpec;
    const stageSpec: StageSpec = {
      ...canary,
      deployments: { ...canary.deployments, 'voting-storage-lane-canary': ['1.0'] },
      lanes: [
        canary.lanes[0],
        {
          ...canary.lanes[1],
          name: 'canary',
          versions: { ...canary.lanes[1].versions, 'voting-storage-lane-canary': '1.0' },
        },
      ],
      entry: [{ ...canary.entry[0], to: 'canary' }, canary.entry[1]],
    };
    const err = errorOf(stageSpec, app);
    expect(err.message).toBe(
      "stage '03-cookie-canary', component 'voting-storage', field 'lanes[1].name': the lane Service 'voting-storage-lane-canary' would have the name of a component or version Service. Rename the lane.",
    );
  });

  test('GIVEN a lane name so long that a lane Service name exceeds 63 characters WHEN built THEN it names the lane and the name', () => {
    const long = `v2-${'x'.repeat(44)}`;
    const stageSpec: StageSpec = {
      ...canary,
      lanes: [canary.lanes[0], { ...canary.lanes[1], name: long }],
      entry: [{ ...canary.entry[0], to: long }, canary.entry[1]],
    };
    expect(errorOf(stageSpec).message).toBe(
      `stage '03-cookie-canary', component 'voting-analytics', field 'lanes[1].name': the lane Service 'voting-analytics-lane-${long}' would be longer than 63 characters (a Service name is a DNS-1035 label). Shorten the lane name.`,
    );
  });
});
