// The generator of release specifications: an application (a DAG of components, each with 1-4
// versions and http/grpc/tcp ports, a leaf database with a volume and a secret), an installation
// profile, and 1-4 stages that add and retire versions, move lanes, shift weights, route by
// header (exact, prefix, regex), cookie, URI and weights, split inner calls with serviceRoutes
// and pick an mTLS mode. Every generated release is meant to be valid; `corrupt` breaks one
// rule of it on purpose (for the synth all-or-one-line property).
import fc from 'fast-check';
import type {
  ApplicationSpec,
  ComponentSpec,
  EntryMatch,
  EntryRouteSpec,
  InstallationProfile,
  LaneSpec,
  MtlsMode,
  PortSpec,
  ServiceRouteSpec,
  StageSpec,
  WorkloadSpec,
} from 'voting-mesh';
import { aksIstioAddOnProfile, helmGatewayProfile } from 'voting-mesh';

/** One generated release: the application and its stages (both flavours are made of it). */
export interface GeneratedRelease {
  readonly app: ApplicationSpec;
  readonly stages: readonly StageSpec[];
  /** The rule broken on purpose ({@link CORRUPTIONS}). @default - none: a valid release */
  readonly corruption?: string;
}

const NAMES = ['web', 'api', 'auth', 'cart', 'pay', 'search', 'stock', 'mail', 'cache', 'queue', 'report', 'db'];
const HTTP: PortSpec = { name: 'http', port: 8080, protocol: 'http' };
const GRPC: PortSpec = { name: 'grpc', port: 9090, protocol: 'grpc' };
const HTTP2: PortSpec = { name: 'http2-admin', port: 8081, protocol: 'http2' };
const TCP: PortSpec = { name: 'tcp-store', port: 6379, protocol: 'tcp' };
const DB: PortSpec = { name: 'tcp-postgres', port: 5432, protocol: 'tcp' };
/** Every accepted form of a version (`1`, `1.2`, `1.2.3`, `v1`, `v1.2`, `v1.2.3`), by its number. */
const VERSION_FORMS: readonly ((n: number) => string)[] = [
  (n) => `${n}`,
  (n) => `${n}.0`,
  (n) => `${n}.1.2`,
  (n) => `v${n}`,
  (n) => `v${n}.1`,
  (n) => `v${n}.0.3`,
];

/** The environment variable through which a caller names a callee: `CART_HOST=cart`. */
export const hostVariable = (callee: string) => `${callee.toUpperCase()}_HOST`;

function workload(
  component: string,
  version: string,
  ports: readonly PortSpec[],
  env: Record<string, string | { secretName: string; key: string }>,
  database: boolean,
  replicas: number,
): WorkloadSpec {
  return {
    image: `example.com/shop/${component}:${version}`,
    replicas,
    ports,
    env,
    resources: { cpuMillis: { request: 50, limit: 250 }, memoryMiB: { request: 64, limit: 256 } },
    runAs: database ? { user: 999, group: 999, fsGroup: 999 } : { user: 10001, group: 10001 },
    writablePaths: ['/tmp'],
    readiness: { check: { tcpPort: ports[0].port }, periodSeconds: 5 },
    liveness: { check: { tcpPort: ports[0].port }, initialDelaySeconds: 10 },
    ...(database
      ? {
          persistentVolume: {
            claimName: `${component}-${version.replace(/\./g, '-')}-data`,
            sizeGiB: 1,
            accessMode: 'ReadWriteOnce' as const,
            mountPath: '/var/lib/data',
          },
        }
      : {}),
  };
}

/** Ports of a non-entry, non-database component: one of the shapes below. */
const PORT_SHAPES: readonly (readonly PortSpec[])[] = [[HTTP], [GRPC], [TCP], [HTTP, GRPC], [HTTP, HTTP2], [HTTP, TCP]];

const applicationArb = fc
  .record({
    size: fc.integer({ min: 1, max: 12 }),
    calls: fc.array(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), { minLength: 12, maxLength: 12 }),
    shapes: fc.array(fc.integer({ min: 0, max: PORT_SHAPES.length - 1 }), { minLength: 12, maxLength: 12 }),
    versionCounts: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
    forms: fc.array(fc.integer({ min: 0, max: VERSION_FORMS.length - 1 }), { minLength: 12, maxLength: 12 }),
    replicas: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
    database: fc.boolean(),
    profile: fc.constantFrom<'istioctl' | 'aks' | 'helm' | 'helm-rev'>('istioctl', 'aks', 'helm', 'helm-rev'),
  })
  .map((g): ApplicationSpec => {
    const n = g.size;
    const database = g.database && n >= 2;
    const names = NAMES.slice(0, n).map((x, i) => (database && i === n - 1 ? 'db' : x));
    // A DAG: component i calls only components after it; the entry (0) reaches every other one
    // through some path, so that every component is in the lanes' call graph.
    const callsOf = names.map((_, i) => names.filter((__, j) => j > i && g.calls[i][j]));
    for (let j = 1; j < n; j++)
      if (!callsOf.slice(0, j).some((c) => c.includes(names[j]))) callsOf[g.calls[j][0] ? 0 : j - 1].push(names[j]);
    const portsOf = (i: number): readonly PortSpec[] =>
      i === 0 ? [HTTP] : database && i === n - 1 ? [DB] : PORT_SHAPES[g.shapes[i]];
    const components: ComponentSpec[] = names.map((name, i) => {
      const ports = portsOf(i);
      const env: Record<string, string | { secretName: string; key: string }> = {};
      for (const callee of callsOf[i]) {
        env[hostVariable(callee)] = callee;
        const calleePorts = portsOf(names.indexOf(callee));
        if (calleePorts.length > 1) env[`${callee.toUpperCase()}_PORT`] = String(calleePorts[0].port);
      }
      const isDb = database && i === n - 1;
      if (isDb) env.DB_PASSWORD = { secretName: 'shop-db', key: 'password' };
      const versions: Record<string, WorkloadSpec> = {};
      for (let v = 1; v <= g.versionCounts[i]; v++) {
        const version = VERSION_FORMS[(g.forms[i] + v) % VERSION_FORMS.length](v);
        versions[version] = workload(name, version, ports, env, isDb, isDb ? 1 : g.replicas[i]);
      }
      return { name, versions, ...(callsOf[i].length > 0 ? { calls: callsOf[i] } : {}) };
    });
    return {
      name: 'shop',
      namespace: 'shop',
      entryComponent: names[0],
      gateway: { name: 'shop-gateway', hosts: ['*'] },
      components,
      ...(g.profile === 'istioctl' ? {} : { installation: profileOf(g.profile) }),
    };
  });

function profileOf(kind: 'aks' | 'helm' | 'helm-rev'): InstallationProfile {
  if (kind === 'aks') return aksIstioAddOnProfile({ revision: 'asm-1-25' });
  return helmGatewayProfile(kind === 'helm' ? {} : { release: 'edge', namespace: 'edge', revision: 'canary' });
}

/** Choices for one stage, drawn independently and fitted to the application by {@link stageOf}. */
const stageChoicesArb = fc.record({
  deployed: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 12, maxLength: 12 }),
  laneCount: fc.integer({ min: 1, max: 3 }),
  laneVersions: fc.array(fc.array(fc.nat(), { minLength: 12, maxLength: 12 }), { minLength: 3, maxLength: 3 }),
  serviceRouted: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  serviceWeights: fc.array(fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 4 }), {
    minLength: 12,
    maxLength: 12,
  }),
  serviceHeader: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  matched: fc.array(fc.record({ kind: fc.integer({ min: 0, max: 5 }), lane: fc.nat(), split: fc.boolean() }), {
    maxLength: 3,
  }),
  defaultWeights: fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 3, maxLength: 3 }),
  mtls: fc.constantFrom<MtlsMode | undefined>(undefined, 'STRICT', 'PERMISSIVE'),
  plain: fc.boolean(),
});

/** Integer weights over `n` targets summing to 100, from raw draws. */
function weights(raw: readonly number[], n: number): number[] {
  const total = raw.slice(0, n).reduce((a, b) => a + b, 0);
  if (total === 0) return raw.slice(0, n).map((_, i) => (i === 0 ? 100 : 0));
  const w = raw.slice(0, n).map((x) => Math.floor((x * 100) / total));
  w[w.indexOf(Math.max(...w))] += 100 - w.reduce((a, b) => a + b, 0);
  return w;
}

/** An entry match for the k-th matched route: each route has a header, cookie or path of its own. */
export function entryMatch(kind: number, k: number): EntryMatch {
  switch (kind) {
    case 0:
      return { header: { name: `x-route-${k}`, exact: 'on' } };
    case 1:
      return { header: { name: `x-route-${k}`, prefix: 'be' } };
    case 2:
      return { header: { name: `x-route-${k}`, regex: 'v[0-9]+' } };
    case 3:
      return { cookie: { name: `route${k}`, value: 'on' } };
    case 4:
      return { uri: { exact: `/route-${k}` } };
    default:
      return { uri: { prefix: `/route-${k}/` } };
  }
}

type StageChoices = typeof stageChoicesArb extends fc.Arbitrary<infer T> ? T : never;

function stageOf(app: ApplicationSpec, index: number, c: StageChoices): StageSpec {
  const components = app.components;
  const deployments: Record<string, string[]> = {};
  components.forEach((comp, i) => {
    const all = Object.keys(comp.versions);
    const chosen = all.filter((_, v) => c.deployed[i][v]);
    deployments[comp.name] = chosen.length > 0 ? chosen : [all[Math.min(index, all.length - 1)]];
  });
  const single = Object.values(deployments).every((v) => v.length === 1);
  const versionRouting = !(c.plain && single && c.laneCount === 1 && c.matched.length === 0);
  // Inner HTTP-only components may be routed per call, by weight (and a header) instead of by lane.
  const httpOnly = (comp: ComponentSpec) => Object.values(comp.versions)[0].ports.every((p) => p.protocol !== 'tcp');
  const routed = versionRouting
    ? components.filter((comp, i) => i > 0 && httpOnly(comp) && c.serviceRouted[i]).map((x) => x.name)
    : [];
  const serviceRoutes: Record<string, ServiceRouteSpec[]> = {};
  for (const name of routed) {
    const i = components.findIndex((x) => x.name === name);
    const versions = deployments[name];
    const w = weights(c.serviceWeights[i], versions.length);
    const split: ServiceRouteSpec =
      versions.length === 1 ? { to: versions[0] } : { to: versions.map((version, v) => ({ version, weight: w[v] })) };
    serviceRoutes[name] = c.serviceHeader[i]
      ? [
          { name: 'beta', match: [{ header: { name: 'x-beta', exact: 'yes' } }], to: versions[versions.length - 1] },
          split,
        ]
      : [split];
  }
  const lanes = lanesOf(components, deployments, routed, versionRouting ? c.laneCount : 1, c.laneVersions);
  const laneNames = lanes.map((l) => l.name);
  // Gateway API orders rules by path kind and length, then header count, not as written:
  // exact paths first, then prefixes, then header and cookie matches (a written order Istio keeps).
  const order = [4, 5, 0, 1, 2, 3];
  const matched = [...c.matched].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const entry: EntryRouteSpec[] = versionRouting
    ? matched.map((m, k) => ({
        name: `route-${k}`,
        match: [entryMatch(m.kind, k)],
        to:
          m.split && laneNames.length > 1
            ? [
                { lane: laneNames[m.lane % laneNames.length], weight: 70 },
                { lane: laneNames[(m.lane + 1) % laneNames.length], weight: 30 },
              ]
            : laneNames[m.lane % laneNames.length],
      }))
    : [];
  // Every lane gets traffic: the default route splits over the lanes no matched route sends to.
  const targeted = new Set(entry.flatMap((r) => (typeof r.to === 'string' ? [r.to] : r.to.map((t) => t.lane))));
  const rest = laneNames.filter((l) => !targeted.has(l));
  const defaultLanes = rest.length > 0 ? rest : [laneNames[0]];
  const dw = weights(
    c.defaultWeights.map((x) => x + 1),
    defaultLanes.length,
  );
  entry.push({
    to: defaultLanes.length === 1 ? defaultLanes[0] : defaultLanes.map((lane, i) => ({ lane, weight: dw[i] })),
  });
  return {
    name: `${String(index + 1).padStart(2, '0')}-stage`,
    description: `Generated stage ${index + 1}.`,
    deployments,
    lanes,
    entry,
    ...(versionRouting ? {} : { versionRouting: false }),
    ...(routed.length > 0 ? { serviceRoutes } : {}),
    ...(c.mtls ? { mtls: c.mtls } : {}),
  };
}

/**
 * Lanes naming a deployed version of every component that is not service-routed. Calls stay in a
 * lane by the caller's version, so a caller version in two lanes sends each callee to one
 * version: components are chosen callers first, and a callee follows an earlier lane that runs
 * the same version of one of its callers.
 */
function lanesOf(
  components: readonly ComponentSpec[],
  deployments: Record<string, string[]>,
  routed: readonly string[],
  count: number,
  draws: readonly (readonly number[])[],
): LaneSpec[] {
  const lanes: Record<string, string>[] = [];
  for (let l = 0; l < count; l++) {
    const versions: Record<string, string> = {};
    components.forEach((comp, i) => {
      if (routed.includes(comp.name)) return;
      const choices = deployments[comp.name];
      const pinned = lanes.find((earlier) =>
        components.some(
          (caller) =>
            (caller.calls ?? []).includes(comp.name) &&
            earlier[caller.name] !== undefined &&
            earlier[caller.name] === versions[caller.name],
        ),
      );
      versions[comp.name] = pinned?.[comp.name] ?? choices[draws[l][i] % choices.length];
    });
    lanes.push(versions);
  }
  return lanes.map((versions, l) => ({ name: ['main', 'canary', 'beta'][l], versions }));
}

/** A generated release: an application and 1-4 stages. */
export const releaseArb: fc.Arbitrary<GeneratedRelease> = applicationArb.chain((app) =>
  fc
    .array(stageChoicesArb, { minLength: 1, maxLength: 4 })
    .map((choices) => ({ app, stages: choices.map((c, i) => stageOf(app, i, c)) })),
);

/** Ways to break one rule of a release: each must be refused with one line naming the stage and the field. */
export const CORRUPTIONS: Readonly<Record<string, (r: GeneratedRelease) => GeneratedRelease>> = {
  'lane names an undeployed version': (r) =>
    withStage(r, (s) => ({
      ...s,
      lanes: [
        { ...s.lanes[0], versions: { ...s.lanes[0].versions, [r.app.entryComponent]: '99' } },
        ...s.lanes.slice(1),
      ],
    })),
  'weights do not sum to 100': (r) =>
    withStage(r, (s) => ({
      ...s,
      versionRouting: true,
      entry: [
        {
          to: [
            { lane: s.lanes[0].name, weight: 60 },
            { lane: s.lanes[0].name, weight: 30 },
          ],
        },
      ],
      lanes: [s.lanes[0]],
    })),
  'unknown component deployed': (r) => withStage(r, (s) => ({ ...s, deployments: { ...s.deployments, ghost: ['1'] } })),
  'lane pins a service-routed component': (r) =>
    withStage(r, (s) => {
      const inner = r.app.components.find((c) => c.name !== r.app.entryComponent);
      if (!inner) return { ...s, lanes: [] };
      const version = s.deployments[inner.name][0];
      return {
        ...s,
        versionRouting: true,
        serviceRoutes: { ...s.serviceRoutes, [inner.name]: [{ to: version }] },
        lanes: s.lanes.map((l) => ({ ...l, versions: { ...l.versions, [inner.name]: version } })),
      };
    }),
  'duplicate lane name': (r) =>
    withStage(r, (s) => ({ ...s, versionRouting: true, lanes: [s.lanes[0], { ...s.lanes[0] }] })),
  'stage name not a DNS label': (r) => withStage(r, (s) => ({ ...s, name: 'Stage_1' })),
};

function withStage(r: GeneratedRelease, f: (s: StageSpec) => StageSpec): GeneratedRelease {
  return { ...r, stages: [f(r.stages[0]), ...r.stages.slice(1)] };
}

/**
 * A release, or (one time in five) a release with one rule broken. Not `fc.option(…, { freq: 4 })`:
 * its `freq` is the inverse of the chance of *nil*, so it broke three releases in four and the
 * long runs spent most of their apps on refusals.
 */
export const possiblyCorruptReleaseArb: fc.Arbitrary<GeneratedRelease & { readonly corruption?: string }> = fc
  .tuple(
    releaseArb,
    fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      { arbitrary: fc.constantFrom(...Object.keys(CORRUPTIONS)), weight: 1 },
    ),
  )
  .map(([r, c]) => (c === null ? r : { ...CORRUPTIONS[c](r), corruption: c }));
