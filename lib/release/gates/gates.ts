import type { Manifest } from '../../analysis/manifest';
import { labelsHold } from '../../analysis/manifest';
import { USE_WAYPOINT_LABEL, USE_WAYPOINT_NAMESPACE_LABEL } from '../../analysis/ambient-mode';
import type { ApplicationSpec, GateSpec, StageSpec } from '../../model/spec';
import type { ErrorLocation } from '../../model/errors';
import { ReleaseConfigError, show } from '../../model/errors';
import { assertDnsLabel, deploymentName } from '../../model/names';
import { HTTP_FAMILY } from '../../resolve/stage-checks';

/**
 * Which proxy reports a workload's L7 metrics: its sidecar (`destination`); in ambient mode the
 * waypoint its Services use (`waypoint`, istio/istio#51313), or, for the entry workload reached
 * straight from the ingress gateway, that gateway (`source`): ztunnel reports TCP only.
 */
export type MetricReporter = 'destination' | 'waypoint' | 'source';

/** One measure of one workload, with the bound it must keep. */
export interface GateQuery {
  readonly workload: string;
  readonly measure: 'requests' | 'success-rate' | 'p99-latency';
  readonly promql: string;
  /** requests: at least this many (else not enough data); success-rate: at least; p99-latency: at most. */
  readonly bound: number;
}

/** A gate resolved against a stage's objects: the workloads it reads and the queries. */
export interface ResolvedGate {
  readonly stage: string;
  readonly name: string;
  /** `lane v2` or `voting-app 2.0`. */
  readonly target: string;
  readonly namespace: string;
  readonly window: string;
  readonly minRequests: number;
  readonly minSuccessRatePercent?: number;
  readonly maxP99LatencyMs?: number;
  readonly workloads: readonly {
    readonly workload: string;
    readonly component: string;
    readonly version: string;
    readonly reporter: MetricReporter;
  }[];
  readonly queries: readonly GateQuery[];
}

const PROMETHEUS_DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
const DEFAULT_WINDOW = '5m';
const DEFAULT_MIN_REQUESTS = 100;

/** Where a problem in gate `i` of a stage is: the stage, maybe a component, and the gate's field. */
type GateField = (field: string, component?: string) => ErrorLocation;

/** Builds the {@link GateField} locator of gate `i` of `stage`, so messages name `gates[i].<field>`. */
function gateField(stage: StageSpec, i: number): GateField {
  return (field, component) => ({
    stage: stage.name,
    ...(component ? { component } : {}),
    field: `gates[${i}].${field}`,
  });
}

/** Whether a component version has an HTTP-family port: Istio's request metrics are HTTP only. */
function isHttp(app: ApplicationSpec, component: string, version: string): boolean {
  return (app.components.find((c) => c.name === component)?.versions[version]?.ports ?? []).some((p) =>
    HTTP_FAMILY.has(p.protocol),
  );
}

/** Checks a gate's own fields (target kind, bounds, window, minRequests) before the stage is consulted. */
function checkGateFields(gate: GateSpec, at: GateField): void {
  if ((gate.lane === undefined) === (gate.component === undefined)) {
    throw new ReleaseConfigError(
      at('lane'),
      'a gate names either a lane or a component and version',
      "Give lane: '<lane>', or component: '<name>' and version: '<version>'.",
    );
  }
  for (const [field, v, lo, hi] of [
    ['minSuccessRatePercent', gate.minSuccessRatePercent, 0, 100],
    ['maxP99LatencyMs', gate.maxP99LatencyMs, 0, 3_600_000],
  ] as const) {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v > lo && v <= hi))
      throw new ReleaseConfigError(
        at(field),
        `${show(v)} is out of range`,
        `Give a number more than ${lo} and at most ${hi}.`,
      );
  }
  if (gate.minSuccessRatePercent === undefined && gate.maxP99LatencyMs === undefined) {
    throw new ReleaseConfigError(
      at('minSuccessRatePercent'),
      'the gate checks nothing',
      'Give minSuccessRatePercent, maxP99LatencyMs or both.',
    );
  }
  if (gate.window !== undefined && !PROMETHEUS_DURATION.test(gate.window))
    throw new ReleaseConfigError(
      at('window'),
      `${show(gate.window)} is not a Prometheus duration`,
      "Write it as '5m', '30s' or '1h'.",
    );
  if (gate.minRequests !== undefined && !(Number.isInteger(gate.minRequests) && gate.minRequests >= 1))
    throw new ReleaseConfigError(
      at('minRequests'),
      `${show(gate.minRequests)} is not a whole number of at least 1`,
      'Give the fewest requests that are enough to decide, e.g. 100.',
    );
}

/** The HTTP component versions of the lane a gate names; throws if the lane is unknown or has none. */
function laneTargets(
  app: ApplicationSpec,
  stage: StageSpec,
  gate: GateSpec,
  at: GateField,
): { target: string; versions: [string, string][] } {
  const lane = stage.lanes.find((l) => l.name === gate.lane);
  if (!lane)
    throw new ReleaseConfigError(
      at('lane'),
      `lane ${show(gate.lane)} is not a lane of the stage (lanes: ${stage.lanes.map((l) => l.name).join(', ')})`,
      'Name one of its lanes.',
    );
  const versions = Object.entries(lane.versions).filter(([c, v]) => isHttp(app, c, v));
  const target = `lane ${lane.name}`;
  if (versions.length === 0)
    throw new ReleaseConfigError(
      at('lane'),
      `lane ${show(gate.lane)} has no HTTP component: Istio's request metrics are HTTP only`,
      'Gate a lane with an HTTP component.',
    );
  return { target, versions };
}

/** The one component version a gate names; throws if it is not deployed in the stage or not HTTP. */
function componentTargets(
  app: ApplicationSpec,
  stage: StageSpec,
  gate: GateSpec,
  at: GateField,
): { target: string; versions: [string, string][] } {
  const version = gate.version ?? '';
  if (!(stage.deployments[gate.component!] ?? []).includes(version)) {
    throw new ReleaseConfigError(
      at('version', gate.component),
      `version ${show(gate.version)} of ${show(gate.component)} is not deployed in the stage`,
      `Name a deployed version (${(stage.deployments[gate.component!] ?? []).join(', ') || 'none'}).`,
    );
  }
  if (!isHttp(app, gate.component!, version))
    throw new ReleaseConfigError(
      at('component', gate.component),
      `${gate.component} ${version} has no HTTP port: Istio's request metrics are HTTP only`,
      'Gate an HTTP component.',
    );
  return { target: `${gate.component} ${version}`, versions: [[gate.component!, version]] };
}

/** The component versions a gate reads, checked against the stage; throws naming the gate's field. */
export function gateTargets(
  app: ApplicationSpec,
  stage: StageSpec,
  gate: GateSpec,
  i: number,
): { name: string; target: string; versions: [string, string][] } {
  const at = gateField(stage, i);
  checkGateFields(gate, at);
  const { target, versions } =
    gate.lane !== undefined ? laneTargets(app, stage, gate, at) : componentTargets(app, stage, gate, at);
  const name =
    gate.name ?? (gate.lane !== undefined ? `lane-${gate.lane}` : deploymentName(gate.component!, gate.version!));
  assertDnsLabel(name, at('name'));
  return { name, target, versions };
}

/** Who reports the L7 metrics of `workload` in a stage's objects (see {@link MetricReporter}). */
export function reporterOf(
  manifests: readonly Manifest[],
  workload: Manifest | undefined,
  ambient: boolean,
  entry: boolean,
): MetricReporter | undefined {
  if (!ambient) return 'destination';
  const podLabels = workload?.spec?.template?.metadata?.labels ?? {};
  const ns = workload?.metadata.namespace;
  const nsWaypoint = manifests.some(
    (m) => m.kind === 'Namespace' && m.metadata.name === ns && m.metadata.labels?.[USE_WAYPOINT_NAMESPACE_LABEL],
  );
  const viaWaypoint = manifests.some(
    (m) =>
      m.kind === 'Service' &&
      m.metadata.namespace === ns &&
      m.spec?.selector &&
      labelsHold(m.spec.selector, podLabels) &&
      (m.metadata.labels?.[USE_WAYPOINT_LABEL] !== undefined || nsWaypoint),
  );
  if (viaWaypoint) return 'waypoint';
  return entry ? 'source' : undefined;
}

/** The PromQL of one workload's measures over `window`. */
export function workloadQueries(
  reporter: MetricReporter,
  namespace: string,
  workload: string,
  window: string,
): Record<GateQuery['measure'], string> {
  const sel = `reporter="${reporter}",destination_workload_namespace="${namespace}",destination_workload="${workload}"`;
  const total = `sum(rate(istio_requests_total{${sel}}[${window}]))`;
  return {
    requests: `sum(increase(istio_requests_total{${sel}}[${window}]))`,
    // `or vector(0)`: no 5xx series at all is 0 errors, while no traffic at all stays empty (not enough data).
    'success-rate': `100 * (1 - ((sum(rate(istio_requests_total{${sel},response_code=~"5.."}[${window}])) or vector(0)) / ${total}))`,
    'p99-latency': `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[${window}])))`,
  };
}

/** The workloads behind a gate's component versions and who reports each; throws if none does (ambient). */
function gateWorkloads(
  app: ApplicationSpec,
  stage: StageSpec,
  manifests: readonly Manifest[],
  ambient: boolean,
  versions: [string, string][],
  i: number,
): ResolvedGate['workloads'][number][] {
  return versions.map(([component, version]) => {
    const workload = deploymentName(component, version);
    const object = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === workload);
    const reporter = reporterOf(manifests, object, ambient, component === app.entryComponent);
    if (reporter === undefined) {
      throw new ReleaseConfigError(
        { stage: stage.name, component, field: `gates[${i}]` },
        `${component} ${version} is reached through no waypoint, so ambient mode reports no L7 metrics for it`,
        'Gate the components its lane sends through a waypoint, or the entry component.',
      );
    }
    return { workload, component, version, reporter };
  });
}

/** One workload's queries: requests always, then success rate and p99 latency if the gate bounds them. */
function gateQueries(
  gate: GateSpec,
  w: ResolvedGate['workloads'][number],
  namespace: string,
  window: string,
  minRequests: number,
): GateQuery[] {
  const q = workloadQueries(w.reporter, namespace, w.workload, window);
  return [
    { workload: w.workload, measure: 'requests' as const, promql: q.requests, bound: minRequests },
    ...(gate.minSuccessRatePercent !== undefined
      ? [
          {
            workload: w.workload,
            measure: 'success-rate' as const,
            promql: q['success-rate'],
            bound: gate.minSuccessRatePercent,
          },
        ]
      : []),
    ...(gate.maxP99LatencyMs !== undefined
      ? [
          {
            workload: w.workload,
            measure: 'p99-latency' as const,
            promql: q['p99-latency'],
            bound: gate.maxP99LatencyMs,
          },
        ]
      : []),
  ];
}

/** The gates of a stage against its objects: the workloads, who reports them, the queries. */
export function resolveGates(
  app: ApplicationSpec,
  stage: StageSpec,
  manifests: readonly Manifest[],
  ambient: boolean,
): ResolvedGate[] {
  return (stage.gates ?? []).map((gate, i) => {
    const { name, target, versions } = gateTargets(app, stage, gate, i);
    const window = gate.window ?? DEFAULT_WINDOW;
    const minRequests = gate.minRequests ?? DEFAULT_MIN_REQUESTS;
    const workloads = gateWorkloads(app, stage, manifests, ambient, versions, i);
    const queries: GateQuery[] = workloads.flatMap((w) => gateQueries(gate, w, app.namespace, window, minRequests));
    return {
      stage: stage.name,
      name,
      target,
      namespace: app.namespace,
      window,
      minRequests,
      ...(gate.minSuccessRatePercent !== undefined ? { minSuccessRatePercent: gate.minSuccessRatePercent } : {}),
      ...(gate.maxP99LatencyMs !== undefined ? { maxP99LatencyMs: gate.maxP99LatencyMs } : {}),
      workloads,
      queries,
    };
  });
}
