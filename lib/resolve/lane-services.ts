import { deploymentName } from '../model/names';
import { ReleaseConfigError } from '../model/errors';
import type { EnvValue, LaneSpec, PortSpec } from '../model/spec';
import type { DeployedVersion, ResolvedComponent, ResolvedStage } from './resolved-stage';
import { HTTP_FAMILY } from './stage-checks';
import { escapeRegex } from './entry-match';
import { defaultLaneName } from './route-lists';

/**
 * Lanes without `sourceLabels` (the Gateway API flavour). A waypoint cannot match on the caller
 * (istio/istio#51565) and an HTTPRoute cannot name a DestinationRule subset, so a caller stays in
 * its lane by the name it dials: every caller version dials, for each callee that follows the
 * lanes, the Service `<callee>-lane-<lane>` of its lane, read from its own environment (the
 * value that named the callee's Service is rewritten). The lane Service is pinned to the lane's
 * version of the callee: for an HTTP callee by an HTTPRoute whose parent is the lane Service
 * (GAMMA, served by the waypoint) and whose backend is the version's own Service, for a TCP
 * callee by the lane Service's selector. Moving a lane to another version is therefore a route
 * or selector change: its callers keep their environment and are not restarted.
 */

/** A Service that one lane's callers dial to reach one callee. */
export interface LaneService {
  /** Service name: `<callee>-lane-<lane>`. */
  readonly name: string;
  readonly component: string;
  readonly lane: string;
  /** The lane's version of the callee; undefined without version routing (the Service then selects every pod of the component). */
  readonly version?: string;
  /** The callee's ports (the Service's ports). */
  readonly ports: readonly PortSpec[];
  /** The Service has an HTTP port and version routing: an HTTPRoute pins it, so its traffic goes through the waypoint. */
  readonly viaWaypoint: boolean;
}

/** What the Gateway API flavour derives from a stage's lanes. */
export interface LanePlan {
  /** Lane Services, by callee (application order), then lane (stage order). */
  readonly services: readonly LaneService[];
  /** Per caller version (`component@version`): callee component -> the Service it dials. */
  readonly dials: ReadonlyMap<string, ReadonlyMap<string, LaneService>>;
}

/** The name of the Service that lane `lane`'s callers dial to reach `component`. */
export function laneServiceName(component: string, lane: string): string {
  return `${component}-lane-${lane}`;
}

const key = (component: string, version: string) => `${component}@${version}`;

/** The lane whose Services a caller version dials: its first lane, or the default lane (the sidecar flavour's default route) for a version in no lane. */
function dialLane(stage: ResolvedStage, component: string, version: string): LaneSpec {
  const lanes = stage.spec.lanes;
  const own = lanes.find((l) => l.versions[component] === version);
  if (own) return own;
  const target = defaultLaneName(stage.spec.entry);
  return lanes.find((l) => l.name === target)!;
}

/** The lane Services of a stage and which one each caller version dials. */
export function planLanes(stage: ResolvedStage): LanePlan {
  const services = new Map<string, LaneService>();
  const dials = new Map<string, Map<string, LaneService>>();
  const byName = new Map(stage.components.map((c) => [c.name, c]));
  const taken = new Set(stage.components.flatMap((c) => [c.name, ...c.versions.map((d) => d.deploymentName)]));
  for (const caller of stage.components) {
    for (const d of caller.versions) {
      const lane = dialLane(stage, caller.name, d.version);
      const own = new Map<string, LaneService>();
      for (const calleeName of d.workload.calls ?? caller.spec.calls ?? []) {
        const callee = byName.get(calleeName);
        // Not deployed in this stage, or routed per request on its own Service (serviceRoutes).
        if (!callee || stage.spec.serviceRoutes?.[calleeName] !== undefined) continue;
        const name = laneServiceName(calleeName, lane.name);
        const svc = services.get(name) ?? newLaneService(stage, lane, callee, name, taken);
        services.set(name, svc);
        own.set(calleeName, svc);
      }
      dials.set(key(caller.name, d.version), own);
    }
  }
  const order = (s: LaneService) => laneServiceOrder(stage, s);
  return { services: [...services.values()].sort((a, b) => order(a).localeCompare(order(b))), dials };
}

/** The lane Service `name` that `lane`'s callers dial to reach `callee`; throws when its name is taken or too long. */
function newLaneService(
  stage: ResolvedStage,
  lane: LaneSpec,
  callee: ResolvedComponent,
  name: string,
  taken: ReadonlySet<string>,
): LaneService {
  const calleeName = callee.name;
  const version = stage.versionRouting ? (lane.versions[calleeName] ?? callee.versions[0].version) : undefined;
  const at = {
    stage: stage.spec.name,
    component: calleeName,
    field: `lanes[${stage.spec.lanes.indexOf(lane)}].name`,
  };
  if (taken.has(name))
    throw new ReleaseConfigError(
      at,
      `the lane Service '${name}' would have the name of a component or version Service`,
      'Rename the lane.',
    );
  // Lane names may be 63 characters long; the Service name built from them may not.
  if (name.length > 63)
    throw new ReleaseConfigError(
      at,
      `the lane Service '${name}' would be longer than 63 characters (a Service name is a DNS-1035 label)`,
      'Shorten the lane name.',
    );
  const ports =
    version === undefined
      ? callee.ports
      : callee.ports.filter((p) =>
          callee.versions.find((v) => v.version === version)!.workload.ports.some((q) => q.port === p.port),
        );
  return {
    name,
    component: calleeName,
    lane: lane.name,
    version,
    ports,
    viaWaypoint: stage.versionRouting && ports.some((p) => HTTP_FAMILY.has(p.protocol)),
  };
}

/** The sort key of a lane Service: its callee's place in the application, then its lane's in the stage. */
function laneServiceOrder(stage: ResolvedStage, s: LaneService): string {
  return `${stage.components
    .findIndex((c) => c.name === s.component)
    .toString()
    .padStart(4, '0')}:${stage.spec.lanes
    .findIndex((l) => l.name === s.lane)
    .toString()
    .padStart(4, '0')}`;
}

/**
 * The version's environment with every value that names a callee's Service (`name`,
 * `name.namespace`, `name.namespace.svc[.<cluster domain>]`, alone or as the host of a URL or
 * `host:port`) naming the caller's lane Service instead, in the same form.
 * Throws when a lane-pinned callee is named by no value: the flavour could not keep that call in its lane.
 */
export function laneEnvironment(
  stage: ResolvedStage,
  component: ResolvedComponent,
  d: DeployedVersion,
  plan: LanePlan,
): Readonly<Record<string, EnvValue>> | undefined {
  const dials = plan.dials.get(key(component.name, d.version)) ?? new Map<string, LaneService>();
  if (dials.size === 0) return d.workload.env;
  const env: Record<string, EnvValue> = { ...(d.workload.env ?? {}) };
  const ns = escapeRegex(stage.app.namespace);
  const domain = escapeRegex(stage.context.clusterDomain);
  for (const [callee, svc] of dials) {
    const pattern = new RegExp(`(^|//|@)${escapeRegex(callee)}(?=(\\.${ns}(\\.svc(\\.${domain})?)?)?(:|/|$))`);
    const named = Object.entries(env).filter(([, v]) => typeof v === 'string' && pattern.test(v));
    if (named.length === 0) {
      throw new ReleaseConfigError(
        { stage: stage.spec.name, component: component.name, field: `versions["${d.version}"].env` },
        `version ${d.version} calls '${callee}' but no environment value names its Service, so the gateway-api-ambient flavour cannot point it at its lane's Service '${svc.name}'`,
        `Have the workload read the callee's host from an environment variable set to '${callee}' (the flavour rewrites it), or route '${callee}' with serviceRoutes`,
      );
    }
    for (const [name, value] of named) env[name] = (value as string).replace(pattern, `$1${svc.name}`);
  }
  return env;
}

/** The Service of one version (`<component>-<version>`): what HTTPRoutes name as a backend. */
export function versionServiceName(component: string, version: string): string {
  return deploymentName(component, version);
}
