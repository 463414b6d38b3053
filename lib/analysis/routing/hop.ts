/** The simulator's answer: where (a share of) a request ends up, and how much it says. */
import type { HopMirror, HopRetries } from './policies';
import type { ShapedRequest, ShapedResponse } from './gateway-api-filters';
import type { HopLoadBalancing } from './destination-load-balancing';
import type { HopEndpointPicker } from './inference-pool';

/** Where (a share of) a request ends up. */
export interface Hop {
  /** Service name (the host, for a ServiceEntry; empty when the proxy answers itself). */
  readonly service: string;
  /** DestinationRule subset. @default - no subset (the whole Service) */
  readonly subset?: string;
  /** Destination port. */
  readonly port: number;
  /** Percentage of the matching requests (weights normalised over the route, as Envoy's weighted clusters). */
  readonly weight: number;
  /** Workloads (Deployments, StatefulSets, Rollouts, ...) whose pods receive it. */
  readonly deployments: readonly string[];
  /** `<VirtualService>/<route name or index>` that matched, or `service` without a VirtualService. */
  readonly rule: string;
  /** The name of the route's match that held (Envoy's route is named `<route>.<match>`). @default - the match has no name */
  readonly match?: string;
  /** The ServiceEntry (`namespace/name`) that defines the host, when it is not a Service. @default - a Service */
  readonly serviceEntry?: string;
  /** The proxy answers instead of forwarding (redirect, direct response, 404, 503 and why). @default - forwarded */
  readonly answer?: string;
  /** Route timeout as written (`0s` disables it). @default - none: Istio sets no timeout (route.go setTimeout) */
  readonly timeout?: string;
  /**
   * Envoy's retry policy for the hop (HTTP only). @default - the route sets none: Istio's default
   * (ISTIO_DEFAULT_RETRIES) applies on HTTP, and is put here only with `istioDefaults`
   */
  readonly retries?: HopRetries;
  /** Copies of the request sent elsewhere (`mirror`, `mirrors`). @default - none */
  readonly mirrors?: readonly HopMirror[];
  /** The request as the backend receives it, when a filter rewrote it (headers, URLRewrite host and path). @default - as sent */
  readonly request?: ShapedRequest;
  /** Headers the proxy sets, adds or removes on the answer (response header modifiers, CORS). @default - none */
  readonly response?: ShapedResponse;
  /** `Set-Cookie` values the route adds to the response when it sends the request here (a sticky split). @default - none */
  readonly setCookies?: readonly string[];
  /** The load balancing the proxy uses for this destination, when a DestinationRule sets it (or the route hashes). @default - none set: Istio's default (LEAST_REQUEST) */
  readonly loadBalancing?: HopLoadBalancing;
  /** The endpoint picker that chooses the pod of an InferencePool backend (Envoy ext_proc; its choice is not modelled). @default - none */
  readonly endpointPicker?: HopEndpointPicker;
  /**
   * Envoy finds no route for the request and answers 404 (NR): no virtual host serves its Host, or
   * no route of the virtual host matches; `answer` says which. @default false
   */
  readonly noRoute?: boolean;
  /** Route matches that did not hold for a reason the request does not show (a JWT claim match without validated claims). @default - none */
  readonly matchNotes?: readonly string[];
  /** Fields that decided or shaped this answer but are not evaluated: `not modelled: <field>`. @default - none */
  readonly notModelled?: readonly string[];
}

/** How much the answers say. */
export interface SimulatorOptions {
  /** The cluster domain of fully qualified hosts. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /**
   * The mesh's outboundTrafficPolicy mode (meshConfig.outboundTrafficPolicy.mode): where a sidecar
   * sends traffic to a host its Sidecar scope does not import; a Sidecar's own mode overrides it.
   * @default - the `mesh` key of ConfigMap istio-system/istio in the manifests, else 'ALLOW_ANY' (Istio's default)
   */
  readonly outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Put Istio's default retry policy on HTTP hops whose route sets none (explain does). @default false */
  readonly istioDefaults?: boolean;
}

/** A call in the mesh: who calls (the pod's labels and namespace) and which Service port. */
export interface MeshCallTarget {
  /** Labels of the calling pod (VirtualService sourceLabels, the Sidecar that selects it). */
  readonly sourceLabels: Readonly<Record<string, string>>;
  /** Namespace of the calling pod (sourceNamespace, exportTo, Sidecar scope). @default - the request's sourceNamespace, else the Service's namespace */
  readonly sourceNamespace?: string;
  /** Name of the Service called. */
  readonly service: string;
  /** Namespace of the Service. @default - the first Service of that name */
  readonly namespace?: string;
  /** Port of the Service called. */
  readonly port: number;
}
