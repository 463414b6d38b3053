/**
 * The per-route policies of an HTTP route that do not decide where a request goes but how it is
 * sent: timeout, retries and mirrors, as Istio compiles them into the Envoy RouteAction
 * (istio/istio pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination, setTimeout,
 * MirrorPercent, MirrorPercentByPolicy; pilot/pkg/networking/core/route/retry/retry.go ConvertPolicy)
 * and the VirtualService reference (istio.io/latest/docs/reference/config/networking/virtual-service/).
 */

/** The retry policy Envoy applies to a route. */
export interface HopRetries {
  /** Retries after the first try (Istio's `attempts`, Envoy's `num_retries`); 0 disables retrying. */
  readonly attempts: number;
  /** Timeout of each try. @default - none: every try is bounded by the route timeout only */
  readonly perTryTimeout?: string;
  /** Retry conditions as written (status codes among them); '' when retries are disabled. */
  readonly retryOn: string;
  /** True when the route sets no `retries` and Istio's default policy applies. @default - the route's own */
  readonly istioDefault?: boolean;
}

/** Istio's retry policy for a route without `retries` (retry.go defaultNumRetries, defaultRetryOn). */
export const ISTIO_DEFAULT_RETRIES: HopRetries = {
  attempts: 2,
  retryOn: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  istioDefault: true,
};

/**
 * The retry policy an HTTP route sets (retry.go ConvertPolicy); undefined when it sets none, and
 * Istio's default applies ({@link ISTIO_DEFAULT_RETRIES}: mesh config `defaultHttpRetryPolicy` is
 * not in the manifests and is taken as unset); `attempts` 0
 * disables retries; an empty `retryOn` keeps the default conditions. Settings that only change the
 * pacing or host choice of retries (backoff, retryRemoteLocalities, retryIgnorePreviousHosts) are
 * pushed to `notModelled`.
 */
export function routeRetries(route: any, at: string, notModelled: string[]): HopRetries | undefined {
  const r = route.retries;
  if (r === undefined || r === null) return undefined;
  for (const field of ['backoff', 'retryRemoteLocalities', 'retryIgnorePreviousHosts']) {
    if (r[field] !== undefined) notModelled.push(`${at}.retries.${field}`);
  }
  const attempts = Number(r.attempts ?? 0);
  if (!(attempts > 0)) return { attempts: 0, retryOn: '' };
  const retryOn = String(r.retryOn ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .join(',');
  return {
    attempts,
    ...(r.perTryTimeout !== undefined ? { perTryTimeout: String(r.perTryTimeout) } : {}),
    retryOn: retryOn === '' ? ISTIO_DEFAULT_RETRIES.retryOn : retryOn,
  };
}

/** The route's timeout as written; undefined when it sets none (Istio's default: disabled, route.go setTimeout). */
export function routeTimeout(route: any): string | undefined {
  return route.timeout === undefined || route.timeout === null ? undefined : String(route.timeout);
}

/** Whether a duration (`0s`, `0.000s`, `0ms`) is zero: Envoy reads a zero route timeout as no timeout. */
export function isZeroDuration(text: string): boolean {
  const parts = text.match(/[0-9.]+/g) ?? [];
  return parts.length > 0 && parts.every((p) => Number(p) === 0);
}

/** A copy of the request sent to another destination; its response is discarded, so it is not a share of the request. */
export interface HopMirror {
  /** Service name (the host, for a ServiceEntry). */
  readonly service: string;
  /** DestinationRule subset. @default - no subset (the whole Service) */
  readonly subset?: string;
  readonly port: number;
  /** Percentage of this hop's requests copied. */
  readonly percent: number;
  /** Workloads whose pods receive the copies. */
  readonly deployments: readonly string[];
  /** The ServiceEntry (`namespace/name`) that defines the host. @default - a Service */
  readonly serviceEntry?: string;
  /** Why no copy is delivered (no cluster for the host, port or subset). @default - delivered */
  readonly answer?: string;
}

/** One mirror of a route before its destination is resolved: the destination and the share copied. */
export interface MirrorSpec {
  readonly destination: any;
  /** Percentage of the route's requests copied (Envoy request_mirror_policies runtime_fraction). */
  readonly percent: number;
  /** Where it was written, for messages. */
  readonly field: string;
}

/**
 * The mirrors of an HTTP route (route.go applyHTTPRouteDestination): `mirror` with
 * `mirrorPercentage.value`, else the deprecated integer `mirrorPercent` (`mirror_percent`), else
 * 100%; then each of `mirrors` with its own `percentage.value`, else 100%. An explicit 0% mirrors
 * nothing; a `mirrors` entry without a destination is skipped. Istio rejects a route with both
 * `mirror` and `mirrors` (pkg/config/validation/virtualservice.go); were it applied, both would mirror.
 */
export function routeMirrors(route: any, at: string): MirrorSpec[] {
  const out: MirrorSpec[] = [];
  if (route.mirror) {
    const percent = mirrorPercentOf(route);
    if (percent > 0) out.push({ destination: route.mirror, percent, field: `${at}.mirror` });
  }
  (Array.isArray(route.mirrors) ? route.mirrors : []).forEach((m: any, i: number) => {
    if (!m?.destination) return;
    const percent = m.percentage !== undefined && m.percentage !== null ? fractional(m.percentage.value) : 100;
    if (percent > 0) out.push({ destination: m.destination, percent, field: `${at}.mirrors[${i}]` });
  });
  return out;
}

/** route.go MirrorPercent: mirrorPercentage first, then the deprecated integer, else 100. */
function mirrorPercentOf(route: any): number {
  if (route.mirrorPercentage !== undefined && route.mirrorPercentage !== null)
    return fractional(route.mirrorPercentage.value);
  const legacy = route.mirrorPercent ?? route.mirror_percent;
  if (legacy !== undefined && legacy !== null) return Math.trunc(Number(legacy));
  return 100;
}

/** A percentage as Envoy gets it: truncated to parts per million (route.go translatePercentToFractionalPercent). */
function fractional(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.trunc(n * 10000) / 10000 : 0;
}
