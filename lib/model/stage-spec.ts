/**
 * The data a release is made of, part 2: the stages (which versions run and how traffic flows
 * between them). Plain, serialisable data.
 */

/** A set of component versions that call each other; entry traffic picks a lane. */
export interface LaneSpec {
  /** Lane name (DNS-1123 label); HTTP routes to the lane are named `lane-<name>`. */
  readonly name: string;
  /** The version of each component in the lane, keyed by component name. */
  readonly versions: Readonly<Record<string, string>>;
}

/** How a request is matched when it enters. All fields of one match must hold. */
export interface EntryMatch {
  /** A cookie with exactly this name and value, anywhere in the Cookie header. @default - any cookies */
  readonly cookie?: { readonly name: string; readonly value: string };
  /** A request header; `name` is lower-case. @default - any headers */
  readonly header?: {
    readonly name: string;
    readonly exact?: string;
    readonly prefix?: string;
    readonly regex?: string;
  };
  /** The request path. @default - any path */
  readonly uri?: { readonly exact?: string; readonly prefix?: string };
}

/** A share of entry traffic sent to a lane. */
export interface WeightedLane {
  /** Lane name. */
  readonly lane: string;
  /** Percentage of the traffic (integers over one route sum to 100). */
  readonly weight: number;
}

/**
 * Session affinity for a weighted split (as Flagger's): the response of a request the split sends
 * to a target sets a cookie naming it, and a route before the split sends requests carrying that
 * cookie back to the same target, so one user stays on one version.
 */
export interface StickySpec {
  /** Cookie name (an RFC 6265 token); its value is the target's subset name (`v2-0`). */
  readonly cookie: string;
  /** How long the user stays, in seconds (the cookie's Max-Age). @default 3600 */
  readonly maxAgeSeconds?: number;
}

/** One ordered entry route: matching requests go to one lane, or are split between lanes. */
export interface EntryRouteSpec {
  /** Route name (DNS-1123 label), shown in Istio's stats and access logs. @default - derived from the target lane */
  readonly name?: string;
  /** Alternative matches (any one suffices). @default - matches every request (the default route) */
  readonly match?: readonly EntryMatch[];
  /** Lane name, or weighted lanes. */
  readonly to: string | readonly WeightedLane[];
  /**
   * Copy a share of the matching requests to another lane (a dark launch): the copies go through
   * that lane end to end, and their responses are discarded. @default - no mirroring
   */
  readonly mirror?: MirrorSpec;
  /** Keep each user on the lane the split first sent them to (weighted `to` only). @default - every request re-drawn */
  readonly sticky?: StickySpec;
}

/** Traffic mirroring of an entry route (Istio `mirror` and `mirrorPercentage`). */
export interface MirrorSpec {
  /** The lane that receives the copies; its entry version must differ from the route's. */
  readonly lane: string;
  /** Percentage of the route's requests copied, more than 0 and at most 100 (fractions allowed). */
  readonly percent: number;
}

/** Retries of an HTTP call (Istio `HTTPRetry`). */
export interface RetrySpec {
  /** Retries after the first try, a whole number from 1 to 10. */
  readonly attempts: number;
  /** Timeout of each try, a duration such as `500ms` or `2s`; at most the route's timeout. @default - the route's timeout */
  readonly perTryTimeout?: string;
  /**
   * When to retry: Envoy retry conditions (`5xx`, `gateway-error`, `reset`, `connect-failure`,
   * `refused-stream`, `retriable-4xx`, gRPC `cancelled`, `deadline-exceeded`, `unavailable`, ...)
   * or HTTP status codes (`503`). @default - Istio's default (`connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes`)
   */
  readonly retryOn?: readonly string[];
}

/** Limits of the connections to a version (Istio `ConnectionPoolSettings`). */
export interface ConnectionPoolSpec {
  /** TCP limits. @default - Istio's */
  readonly tcp?: { readonly maxConnections?: number; readonly connectTimeout?: string };
  /** HTTP limits. @default - Istio's */
  readonly http?: {
    readonly http1MaxPendingRequests?: number;
    readonly http2MaxRequests?: number;
    readonly maxRequestsPerConnection?: number;
    readonly maxRetries?: number;
    readonly idleTimeout?: string;
  };
}

/** Ejection of failing pods from the load-balancing pool (Istio `OutlierDetection`). */
export interface OutlierDetectionSpec {
  /** Consecutive 5xx responses (or connection errors) that eject a pod. @default 5 */
  readonly consecutive5xxErrors?: number;
  /** How often the pool is scanned, a duration. @default '10s' */
  readonly interval?: string;
  /** Minimum ejection time, a duration (multiplied by the number of ejections). @default '30s' */
  readonly baseEjectionTime?: string;
  /** At most this percentage of the pool is ejected. @default 10 */
  readonly maxEjectionPercent?: number;
}

/** Connection pool and outlier detection of one version. */
export interface VersionTrafficPolicy {
  readonly connectionPool?: ConnectionPoolSpec;
  readonly outlierDetection?: OutlierDetectionSpec;
}

/** How calls to one component behave in a stage. */
export interface ComponentTrafficPolicy extends VersionTrafficPolicy {
  /** Timeout of every HTTP call to the component (its mesh routes, and the gateway's for the entry component), e.g. `3s`. @default - none (Istio's default: no timeout) */
  readonly timeout?: string;
  /** Retries of every HTTP call to the component. @default - Istio's default (2 attempts on connection failures) */
  readonly retries?: RetrySpec;
  /** Per version, where it differs from the component's connection pool and outlier detection (DestinationRule subset policies). @default - none */
  readonly versions?: Readonly<Record<string, VersionTrafficPolicy>>;
}

/** A share of a component's calls sent to one of its versions. */
export interface WeightedVersion {
  /** A deployed version of the component. */
  readonly version: string;
  /** Percentage (integers over one route sum to 100). */
  readonly weight: number;
}

/**
 * One ordered route for in-mesh calls to a component: matching requests go to one version, or
 * are split between versions. For canaries of an inner service (Bookinfo's reviews) whose
 * callers do not change version.
 */
export interface ServiceRouteSpec {
  /** Route name (DNS-1123 label). @default - 'default' for the route without match, else `entry-<index>` */
  readonly name?: string;
  /** Alternative matches on the request (headers the caller propagates, cookie, path). @default - every request */
  readonly match?: readonly EntryMatch[];
  /** A version, or weighted versions. */
  readonly to: string | readonly WeightedVersion[];
  /** Keep each user on the version the split first sent them to (weighted `to` only; callers must pass the Cookie and Set-Cookie headers on). @default - every request re-drawn */
  readonly sticky?: StickySpec;
}

/**
 * A metric gate: what must hold, over a window of live traffic, before the stage is promoted
 * (the next stage applied); otherwise the plan back is run. Read from Istio's standard metrics
 * of the destination workloads (see docs/progressive-delivery.md).
 */
export interface GateSpec {
  /** Gate name (DNS-1123 label). @default - `lane-<lane>` or `<component>-<version>` */
  readonly name?: string;
  /** Gate every HTTP component version of this lane (the canary lane). Give `lane`, or `component` and `version`. */
  readonly lane?: string;
  /** Gate one component's version (a weighted canary of `serviceRoutes`), with `version`. */
  readonly component?: string;
  /** The version of `component`. */
  readonly version?: string;
  /** Lowest share of requests answered without a 5xx, in percent (more than 0, at most 100). @default - not gated */
  readonly minSuccessRatePercent?: number;
  /** Highest 99th percentile of the request duration, in milliseconds. @default - not gated */
  readonly maxP99LatencyMs?: number;
  /** The window the rates are taken over, a Prometheus duration (`5m`, `1h`). @default '5m' */
  readonly window?: string;
  /** Fewer requests than this over the window (per workload) is not enough data to decide. @default 100 */
  readonly minRequests?: number;
}

/** mTLS mode of the namespace-wide PeerAuthentication. */
export type MtlsMode = 'STRICT' | 'PERMISSIVE';

/** One release stage: the complete desired state at that step. */
export interface StageSpec {
  /** Stage name: the chart id and the file `dist/<name>.k8s.yaml` (DNS-1123 label). */
  readonly name: string;
  /** One sentence on what the stage does, for reviewers. */
  readonly description: string;
  /** The versions that run, per component; versions in no lane run idle (kept for rollback). */
  readonly deployments: Readonly<Record<string, readonly string[]>>;
  /** The lanes, in priority order (the first lane a caller version belongs to wins). */
  readonly lanes: readonly LaneSpec[];
  /** Entry routes in order; the last one has no match and is the default. */
  readonly entry: readonly EntryRouteSpec[];
  /**
   * Pin traffic to versions with DestinationRule subsets and mesh VirtualServices.
   * Without it, each Service balances over every pod, so each component may run one version only.
   * @default true
   */
  readonly versionRouting?: boolean;
  /**
   * Routes for in-mesh calls to components, keyed by component: its version chosen per request
   * or by weight instead of by the caller's lane. Such a component needs no version in the lanes.
   * @default - every component follows the lanes
   */
  readonly serviceRoutes?: Readonly<Record<string, readonly ServiceRouteSpec[]>>;
  /** Namespace-wide PeerAuthentication mode; DestinationRules then use `ISTIO_MUTUAL`. @default - no PeerAuthentication (mesh default) */
  readonly mtls?: MtlsMode;
  /**
   * Timeouts, retries, connection pools and outlier detection, keyed by component (they need
   * version routing: they live on the VirtualService routes and the DestinationRule).
   * @default - Istio's defaults everywhere
   */
  readonly trafficPolicies?: Readonly<Record<string, ComponentTrafficPolicy>>;
  /** Metric gates the stage must pass before it is promoted. @default - none */
  readonly gates?: readonly GateSpec[];
}
