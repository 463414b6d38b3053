import type { MeshContext } from '../model/defaults';
import type { ReleaseFlavour } from '../model/flavour';
import type { InstallationProfile } from '../model/installation-profile';
import type { ResolvedIngress } from './ingress';
import type {
  ApplicationSpec,
  ComponentSpec,
  PortSpec,
  RetrySpec,
  StageSpec,
  VersionTrafficPolicy,
  WorkloadSpec,
} from '../model/spec';

/** One deployed version of a component in a stage. */
export interface DeployedVersion {
  readonly version: string;
  /** DestinationRule subset name (`v1-0`). */
  readonly subset: string;
  /** Deployment name (`voting-app-1-0`). */
  readonly deploymentName: string;
  /** The version's own ServiceAccount (= its Deployment name): its identity in authorization policies. */
  readonly serviceAccount: string;
  readonly workload: WorkloadSpec;
}

/** A destination of a route: a version of the component on one port, with its share. */
export interface RouteDestination {
  readonly version: string;
  readonly port: number;
  /** Percentage; undefined when the route has a single destination. */
  readonly weight?: number;
  /** A `Set-Cookie` value the response gets when the route sends the request here (a sticky split). @default - none */
  readonly setCookie?: string;
}

/** One condition set of a route (all fields must hold). */
export interface RouteMatch {
  /** Caller pod labels (mesh traffic only). */
  readonly sourceLabels?: Readonly<Record<string, string>>;
  /** Destination port, set only when the Service has several ports of the route's protocol. */
  readonly port?: number;
  /** Header conditions, keyed by lower-case header name. */
  readonly headers?: Readonly<
    Record<string, { readonly exact?: string; readonly prefix?: string; readonly regex?: string }>
  >;
  /** Path condition. */
  readonly uri?: { readonly exact?: string; readonly prefix?: string };
}

/** An ordered route: the first route with a holding match (or no match) takes the request. */
export interface Route {
  /** Route name (HTTP routes only; Istio TCP routes are unnamed). */
  readonly name: string;
  /** Alternatives; empty means every request. */
  readonly matches: readonly RouteMatch[];
  readonly destinations: readonly RouteDestination[];
  /** Timeout of the call (HTTP only). @default - none */
  readonly timeout?: string;
  /** Retries of the call (HTTP only). @default - Istio's */
  readonly retries?: RetrySpec;
  /** A share of the requests copied to another version of the same component. @default - none */
  readonly mirror?: { readonly version: string; readonly port: number; readonly percent: number };
}

/** A component as it runs in one stage, with its routing table. */
export interface ResolvedComponent {
  readonly spec: ComponentSpec;
  readonly name: string;
  /** Fully qualified Service host. */
  readonly host: string;
  /** Deployed versions, in ascending version order. */
  readonly versions: readonly DeployedVersion[];
  /** Service ports: the union over the deployed versions, by port number. */
  readonly ports: readonly PortSpec[];
  /** Connection pool and outlier detection for every version (DestinationRule level). @default - Istio's */
  readonly trafficPolicy?: VersionTrafficPolicy;
  /** Per version where it differs (DestinationRule subset level), by version. @default - none */
  readonly versionTrafficPolicies?: Readonly<Record<string, VersionTrafficPolicy>>;
  /** Mesh HTTP routes (empty without version routing). */
  readonly httpRoutes: readonly Route[];
  /** Mesh TCP routes (empty without version routing). */
  readonly tcpRoutes: readonly Route[];
}

/** One version of one component. */
export interface VersionRef {
  readonly component: string;
  readonly version: string;
}

/**
 * A call a stage allows: from a caller version in some lane (or the ingress gateway) to a callee
 * version of the same lane (or a version a service route sends to), on the callee's ports.
 * Authorization and network policies admit exactly these and nothing else.
 */
export interface VersionEdge {
  /** The caller version, or `ingress` for the ingress gateway. */
  readonly from: VersionRef | typeof INGRESS_PEER;
  readonly to: VersionRef;
  /** Ports on the callee, ascending. */
  readonly ports: readonly number[];
}

/** The peer name of the ingress gateway in {@link VersionEdge}. */
export const INGRESS_PEER = 'ingress';

/** Security settings of an application with every default resolved. */
export interface ResolvedSecurity {
  /** Emit AuthorizationPolicies. */
  readonly authorization: boolean;
  /** Emit NetworkPolicies. */
  readonly networkPolicies: boolean;
  /** Namespace of the ingress gateway pods: `ResolvedStage.ingress.namespace`, kept for existing readers. */
  readonly ingressNamespace: string;
  /** Labels of the ingress gateway pods: `ResolvedStage.ingress.podLabels`, kept for existing readers. */
  readonly ingressPodLabels: Readonly<Record<string, string>>;
  /** Namespace of istiod. */
  readonly istiodNamespace: string;
  /** Labels of the istiod pods. */
  readonly istiodPodLabels: Readonly<Record<string, string>>;
  /** The namespace label that enrols the application's pods for sidecar injection. */
  readonly injectionLabel: { readonly key: string; readonly value: string };
  /** The metrics scraper allowed on 15020. @default - none */
  readonly metricsScraper?: { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> };
  /** Name of the installation profile the facts come from. */
  readonly profile: string;
}

/** A stage with every reference checked and every route derived. */
export interface ResolvedStage {
  readonly app: ApplicationSpec;
  readonly spec: StageSpec;
  /** The traffic API and data plane the stage was resolved for. */
  readonly flavour: ReleaseFlavour;
  /** Where and how Istio is installed (the application's profile, else istioctl's default). */
  readonly installation: InstallationProfile;
  /** The ingress gateway: its pods, identity, port and hosts, resolved once for the Gateway, the policies and the analyzer. */
  readonly ingress: ResolvedIngress;
  /** Cluster domain, trust domain and ingress identity, resolved once for every object of the stage. */
  readonly context: MeshContext;
  /** Security settings, resolved once. */
  readonly security: ResolvedSecurity;
  readonly versionRouting: boolean;
  /** Deployed components, in application order. */
  readonly components: readonly ResolvedComponent[];
  /** The entry component. */
  readonly entry: ResolvedComponent;
  /** HTTP port of the entry component the gateway sends users to. */
  readonly entryPort: number;
  /** Routes of the gateway-bound VirtualService. */
  readonly gatewayRoutes: readonly Route[];
  /** Every call the stage allows, version to version, in a stable order. */
  readonly edges: readonly VersionEdge[];
}
