import type { MeshContextOptions } from '../model/defaults';
import type { AuthorizationVerdict } from './authorization';
import type { HopMirror, HopRetries, SimulatedRequest } from './traffic-simulator';
import type { ShapedRequest, ShapedResponse } from './routing/gateway-api-filters';
import type { HopLoadBalancing } from './routing/destination-load-balancing';
import type { HopEndpointPicker } from './routing/inference-pool';

// What explain (./explain.ts) answers: the nodes of a request's path, each with its verdicts.

/** A copy of a hop's requests sent to another workload (`mirror`, `mirrors`): responses discarded. */
export interface ExplainMirror extends HopMirror {
  /** `app` label of the pods receiving the copies. */
  readonly component: string;
  /** `version` label of those pods. @default - unversioned */
  readonly version?: string;
  /** Whether Istio authorization lets the caller's identity send the copy (the mirroring proxy sends it as the caller). */
  readonly authorization?: AuthorizationVerdict;
  /**
   * The real calls the mirrored pods make while serving the copies (a dark launch still writes to
   * its storage); each `share` is the percentage of the original requests whose copy makes it.
   */
  readonly calls: readonly ExplainNode[];
}

/** One workload a request (or a share of it) reaches, and the calls it makes from there. */
export interface ExplainNode {
  /** `app` label of the pods. */
  readonly component: string;
  /** `version` label of the pods. @default - unversioned */
  readonly version?: string;
  /** Deployments whose pods serve this hop. */
  readonly deployments: readonly string[];
  /** The waypoint (`namespace/name`) the hop goes through (ambient mode). @default - none: sent to the pods directly */
  readonly waypoint?: string;
  /** Service, subset and port the hop went to. */
  readonly service: string;
  readonly subset?: string;
  readonly port: number;
  /** Protocol of the Service port (`http`, `tcp`). */
  readonly protocol: string;
  /** Percentage of the caller's requests taking this hop. */
  readonly weight: number;
  /** Percentage of the original requests reaching this hop (product of the weights on the path). */
  readonly share: number;
  /** The VirtualService route that decided, `<name>/<route>`, or `service` without one. */
  readonly rule: string;
  /** The name of the route's match that held (Envoy's route is named `<route>.<match>`). @default - the match has no name */
  readonly match?: string;
  /** Whether Istio authorization lets the caller make this hop (present when the stage has AuthorizationPolicies). */
  readonly authorization?: AuthorizationVerdict;
  /** The ServiceEntry (`namespace/name`) that defines the host, when it is not a Service. @default - a Service */
  readonly serviceEntry?: string;
  /** The proxy answers itself instead (redirect, direct response, 503 and why). @default - forwarded */
  readonly answer?: string;
  /** The DestinationRule's connection pool for these pods (subset policy over the rule's, as Istio merges them). @default - none set */
  readonly connectionPool?: Readonly<Record<string, unknown>>;
  /** The DestinationRule's outlier detection for these pods. @default - none set */
  readonly outlierDetection?: Readonly<Record<string, unknown>>;
  /** Route timeout as written. @default - none: Istio sets no timeout */
  readonly timeout?: string;
  /** Retry policy of the hop (HTTP); `istioDefault` when the route sets none. @default - none: not an HTTP hop */
  readonly retries?: HopRetries;
  /** Copies of this hop's requests sent elsewhere, with their percentage. @default - none */
  readonly mirrors?: readonly ExplainMirror[];
  /** The request as the backend receives it, when a filter rewrote it. @default - as sent */
  readonly request?: ShapedRequest;
  /** Headers the proxy sets, adds or removes on the answer. @default - none */
  readonly response?: ShapedResponse;
  /** `Set-Cookie` values the route adds to the response of a request sent here (a sticky split). @default - none */
  readonly setCookies?: readonly string[];
  /** The load balancing the proxy uses for this destination (the cluster's policy, the route's hash policies), when a DestinationRule sets it. @default - none set: Istio's default (LEAST_REQUEST) */
  readonly loadBalancing?: HopLoadBalancing;
  /** The endpoint picker that chooses the pod of an InferencePool backend (Envoy ext_proc; its choice is not modelled). @default - none */
  readonly endpointPicker?: HopEndpointPicker;
  /** Route matches that did not hold for a reason the request does not show (a JWT claim match without validated claims). @default - none */
  readonly matchNotes?: readonly string[];
  /** Fields that shaped this hop but are not evaluated (`not modelled: <field>`). @default - none */
  readonly notModelled?: readonly string[];
  /** Calls this workload makes, each routed as its own mesh request. */
  readonly calls: readonly ExplainNode[];
}

/** Options of {@link explainRequest}: the cluster, and what the workloads do with the request's headers. */
export interface ExplainOptions extends MeshContextOptions {
  /**
   * Whether every workload copies the entry request's headers (cookie included) onto the calls it
   * makes. Istio does not: a header reaches an inner hop only if the application forwards it.
   * @default false - inner calls carry no header of the entry request
   */
  readonly propagateHeaders?: boolean;
}

/** The path of one entry request through a stage. */
export interface Explanation {
  readonly gateway: string;
  readonly request: SimulatedRequest;
  /** Whether the inner calls were evaluated with the entry request's headers ({@link ExplainOptions.propagateHeaders}). */
  readonly headersPropagated: boolean;
  readonly hops: readonly ExplainNode[];
}

/** The path of one call from a workload's pods to a Service. */
export interface CallExplanation {
  /** The calling workload, its namespace and the principal its pods present over mTLS. */
  readonly from: { readonly workload: string; readonly namespace: string; readonly principal: string };
  /** The Service called (`name.namespace`) and the port. */
  readonly service: string;
  readonly port: number;
  readonly request: SimulatedRequest;
  readonly hops: readonly ExplainNode[];
}

/** A call a workload makes, inferred from its container environment. */
export interface InferredCall {
  readonly service: string;
  /** Namespace of the Service. */
  readonly namespace: string;
  readonly port: number;
  /** The environment variable it was inferred from. */
  readonly env: string;
}
