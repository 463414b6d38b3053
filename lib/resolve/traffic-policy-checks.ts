import { ReleaseConfigError, show } from '../model/errors';
import type {
  ComponentTrafficPolicy,
  ConnectionPoolSpec,
  EntryRouteSpec,
  LaneSpec,
  OutlierDetectionSpec,
  RetrySpec,
  StageSpec,
  VersionTrafficPolicy,
} from '../model/stage-spec';
import type { DeployedVersion } from './resolved-stage';
import { targetsOf } from './route-lists';
import { RETRY_ON as ISTIO_RETRY_ON } from '../analysis/webhook/http-fault-retries';

/** Istio's duration form in the APIs we emit: a whole or decimal number of h, m, s or ms (`google.protobuf.Duration` as Istio writes it). */
const DURATION = /^([0-9]+(\.[0-9]+)?)(h|m|s|ms)$/;
const SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };

/** Envoy's retry conditions as Istio accepts them in `retryOn` (the webhook's list). */
const RETRY_ON = new Set(ISTIO_RETRY_ON);

/** The duration in seconds; throws naming the field when it is not one. */
export function durationSeconds(value: unknown, at: { stage: string; component?: string; field: string }): number {
  const m = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!m || Number(m[1]) <= 0) {
    throw new ReleaseConfigError(
      at,
      `${show(value)} is not a positive duration`,
      "Write it as a number and a unit: '500ms', '2s', '1m' or '1h'.",
    );
  }
  return Number(m[1]) * SECONDS[m[3]];
}

function wholeNumber(
  value: unknown,
  min: number,
  max: number,
  at: { stage: string; component?: string; field: string },
): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new ReleaseConfigError(
      at,
      `${show(value)} is not a whole number from ${min} to ${max}`,
      `Use a whole number from ${min} to ${max}.`,
    );
  }
}

/**
 * Checks a stage's traffic policies: known, deployed components and versions, version routing,
 * HTTP settings on components with an HTTP port, durations, whole-number limits, retry
 * conditions, and a per-try timeout no longer than the timeout (else no retry could ever run).
 */
export function checkTrafficPolicies(
  stage: StageSpec,
  deployed: ReadonlyMap<string, readonly DeployedVersion[]>,
  versionRouting: boolean,
  hasHttp: (component: string) => boolean,
): void {
  for (const [component, policy] of Object.entries(stage.trafficPolicies ?? {})) {
    const at = (field: string) => ({ stage: stage.name, component, field: `trafficPolicies['${component}']${field}` });
    const versions = deployed.get(component);
    if (!versions) {
      throw new ReleaseConfigError(
        at(''),
        `${show(component)} is not deployed in this stage`,
        `Set traffic policies for deployed components: ${[...deployed.keys()].join(', ')}.`,
      );
    }
    if (!versionRouting) {
      throw new ReleaseConfigError(
        at(''),
        'traffic policies need version routing (they live on the VirtualService routes and the DestinationRule)',
        'Enable versionRouting, or drop the policies.',
      );
    }
    checkRouteSettings(policy, hasHttp(component), at);
    checkVersionPolicy(policy, at);
    for (const [version, v] of Object.entries(policy.versions ?? {})) {
      if (!versions.some((d) => d.version === version)) {
        throw new ReleaseConfigError(
          at(`.versions['${version}']`),
          `version ${show(version)} is not deployed in this stage`,
          `Use one of ${versions.map((d) => d.version).join(', ')}.`,
        );
      }
      checkVersionPolicy(v, (field) => at(`.versions['${version}']${field}`));
    }
  }
}

function checkRouteSettings(
  policy: ComponentTrafficPolicy,
  http: boolean,
  at: (field: string) => { stage: string; component: string; field: string },
): void {
  if ((policy.timeout !== undefined || policy.retries !== undefined) && !http) {
    throw new ReleaseConfigError(
      at(policy.timeout !== undefined ? '.timeout' : '.retries'),
      'timeouts and retries apply to HTTP routes, and the component has no HTTP port',
      'Drop them, or use connection pool and outlier detection for TCP.',
    );
  }
  const timeout = policy.timeout !== undefined ? durationSeconds(policy.timeout, at('.timeout')) : undefined;
  const r: RetrySpec | undefined = policy.retries;
  if (r === undefined) return;
  wholeNumber(r.attempts, 1, 10, at('.retries.attempts'));
  if (r.perTryTimeout !== undefined) {
    const perTry = durationSeconds(r.perTryTimeout, at('.retries.perTryTimeout'));
    if (timeout !== undefined && perTry > timeout) {
      throw new ReleaseConfigError(
        at('.retries.perTryTimeout'),
        `per-try timeout ${r.perTryTimeout} is longer than the timeout ${policy.timeout}, so no retry can ever run`,
        'Make the per-try timeout shorter than the timeout (attempts × per-try timeout should fit in it).',
      );
    }
  }
  for (const [i, c] of (r.retryOn ?? []).entries()) {
    if (!RETRY_ON.has(c) && !/^[1-5][0-9]{2}$/.test(c)) {
      throw new ReleaseConfigError(
        at(`.retries.retryOn[${i}]`),
        `${show(c)} is not an Envoy retry condition or an HTTP status code`,
        `Use conditions such as ${[...RETRY_ON].slice(0, 6).join(', ')}, ..., or a status code like '503'.`,
      );
    }
  }
  if (r.retryOn !== undefined && r.retryOn.length === 0) {
    throw new ReleaseConfigError(
      at('.retries.retryOn'),
      'the list of retry conditions is empty',
      "List at least one condition, e.g. ['connect-failure', '503'], or leave retryOn out for Istio's default.",
    );
  }
}

function checkVersionPolicy(
  p: VersionTrafficPolicy,
  at: (field: string) => { stage: string; component: string; field: string },
): void {
  const pool: ConnectionPoolSpec | undefined = p.connectionPool;
  if (pool?.tcp?.maxConnections !== undefined)
    wholeNumber(pool.tcp.maxConnections, 1, 2147483647, at('.connectionPool.tcp.maxConnections'));
  if (pool?.tcp?.connectTimeout !== undefined)
    durationSeconds(pool.tcp.connectTimeout, at('.connectionPool.tcp.connectTimeout'));
  for (const key of [
    'http1MaxPendingRequests',
    'http2MaxRequests',
    'maxRequestsPerConnection',
    'maxRetries',
  ] as const) {
    const v = pool?.http?.[key];
    if (v !== undefined) wholeNumber(v, key === 'maxRetries' ? 0 : 1, 2147483647, at(`.connectionPool.http.${key}`));
  }
  if (pool?.http?.idleTimeout !== undefined)
    durationSeconds(pool.http.idleTimeout, at('.connectionPool.http.idleTimeout'));
  const o: OutlierDetectionSpec | undefined = p.outlierDetection;
  if (o === undefined) return;
  if (o.consecutive5xxErrors !== undefined)
    wholeNumber(o.consecutive5xxErrors, 1, 2147483647, at('.outlierDetection.consecutive5xxErrors'));
  if (o.interval !== undefined) durationSeconds(o.interval, at('.outlierDetection.interval'));
  if (o.baseEjectionTime !== undefined) durationSeconds(o.baseEjectionTime, at('.outlierDetection.baseEjectionTime'));
  if (o.maxEjectionPercent !== undefined)
    wholeNumber(o.maxEjectionPercent, 1, 100, at('.outlierDetection.maxEjectionPercent'));
}

/**
 * Checks the mirrors of the entry routes: a defined lane, a share above 0 and at most 100, and an
 * entry version other than every one the route sends to (a mirror to itself doubles the load).
 */
export function checkMirrors(
  stage: StageSpec,
  entry: readonly EntryRouteSpec[],
  lanes: readonly LaneSpec[],
  entryComponent: string,
  versionRouting: boolean,
): void {
  entry.forEach((route, i) => {
    if (!route.mirror) return;
    const at = (field: string) => ({
      stage: stage.name,
      component: entryComponent,
      field: `entry[${i}].mirror${field}`,
    });
    if (!versionRouting)
      throw new ReleaseConfigError(at(''), 'mirroring needs version routing', 'Enable versionRouting.');
    const lane = lanes.find((l) => l.name === route.mirror!.lane);
    if (!lane)
      throw new ReleaseConfigError(
        at('.lane'),
        `lane ${show(route.mirror.lane)} is not defined in this stage`,
        `Use one of ${lanes.map((l) => l.name).join(', ')}.`,
      );
    const p = route.mirror.percent;
    if (typeof p !== 'number' || !Number.isFinite(p) || p <= 0 || p > 100) {
      throw new ReleaseConfigError(
        at('.percent'),
        `${show(p)} is not a percentage above 0 and at most 100`,
        'Mirror a share such as 10 (or 0.5).',
      );
    }
    const targets = targetsOf(route).map((t) => lanes.find((l) => l.name === t.target)?.versions[entryComponent]);
    if (targets.includes(lane.versions[entryComponent])) {
      throw new ReleaseConfigError(
        at('.lane'),
        `lane '${lane.name}' enters through ${entryComponent} ${lane.versions[entryComponent]}, which this route already sends its requests to`,
        'Mirror to a lane with another entry version.',
      );
    }
  });
}
