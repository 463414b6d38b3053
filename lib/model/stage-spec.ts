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
  readonly header?: { readonly name: string; readonly exact?: string; readonly prefix?: string; readonly regex?: string };
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

/** One ordered entry route: matching requests go to one lane, or are split between lanes. */
export interface EntryRouteSpec {
  /** Route name (DNS-1123 label), shown in Istio's stats and access logs. @default - derived from the target lane */
  readonly name?: string;
  /** Alternative matches (any one suffices). @default - matches every request (the default route) */
  readonly match?: readonly EntryMatch[];
  /** Lane name, or weighted lanes. */
  readonly to: string | readonly WeightedLane[];
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
}
