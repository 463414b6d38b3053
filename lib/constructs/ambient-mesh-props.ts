// The props of AmbientMesh (the ambient flavour's traffic half) and how a resolved stage builds them.
import type { GatewaySpec, PortSpec, VersionTrafficPolicy, WorkloadSpec } from '../model/spec';
import type { LanePlan } from '../resolve/lane-services';
import type { ResolvedStage, Route } from '../resolve/resolved-stage';
import type { IstioApiVersion } from './istio-api';

/** A component as the ambient flavour routes it. */
export interface AmbientComponent {
  /** Component name: its Service and the `app` label. */
  readonly name: string;
  /** Its Service's ports. */
  readonly ports: readonly PortSpec[];
  /** The versions that run (only their ports are read here). */
  readonly versions: readonly {
    readonly version: string;
    readonly workload: Pick<WorkloadSpec, 'ports'>;
    readonly deploymentName?: string;
  }[];
  /** Per-request routes on its own Service (GAMMA HTTPRoutes, served by the waypoint). @default - none: lanes pin its callers */
  readonly serviceRoutes?: readonly Route[];
  /** Request timeout of the routes that pin its lane Services. @default - none */
  readonly timeout?: string;
  /** Connection pool and outlier detection of every version. @default - Istio's */
  readonly trafficPolicy?: VersionTrafficPolicy;
  /** Per version where it differs, by version. @default - none */
  readonly versionTrafficPolicies?: Readonly<Record<string, VersionTrafficPolicy>>;
}

/** Properties of {@link AmbientMesh}. */
export interface AmbientMeshProps {
  /** Namespace of every object (the entry Gateway's pods run there too). */
  readonly namespace: string;
  /** The entry Gateway: name, hosts, port (HTTP only). */
  readonly gateway: GatewaySpec;
  /** The components that run. */
  readonly components: readonly AmbientComponent[];
  /** The component users reach through the Gateway. */
  readonly entryComponent: string;
  /** Routes of the entry HTTPRoute, ending with the default route. */
  readonly entryRoutes: readonly Route[];
  /** The lane Services and who dials which. @default - no lane Services */
  readonly lanes?: LanePlan;
  /** Route to version Services (else to each component's Service as a whole). @default true */
  readonly versionRouting?: boolean;
  /** Kubernetes cluster domain of the DestinationRule hosts. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Istio API version of the DestinationRules. @default 'v1' */
  readonly istioApiVersion?: IstioApiVersion;
  /** Stage name, for errors. @default - none */
  readonly stageName?: string;
}

/** The {@link AmbientMeshProps} of a resolved stage: what a ReleaseStage passes. */
export function ambientMeshProps(stage: ResolvedStage, lanes: LanePlan): AmbientMeshProps {
  const policies = stage.spec.trafficPolicies ?? {};
  return {
    namespace: stage.app.namespace,
    gateway: stage.app.gateway,
    components: stage.components.map((c) => ({
      name: c.name,
      ports: c.ports,
      versions: c.versions,
      trafficPolicy: c.trafficPolicy,
      versionTrafficPolicies: c.versionTrafficPolicies,
      ...(stage.spec.serviceRoutes?.[c.name] !== undefined ? { serviceRoutes: c.httpRoutes } : {}),
      ...(policies[c.name]?.timeout !== undefined ? { timeout: policies[c.name].timeout } : {}),
    })),
    entryComponent: stage.entry.name,
    entryRoutes: stage.gatewayRoutes,
    lanes,
    versionRouting: stage.versionRouting,
    clusterDomain: stage.context.clusterDomain,
    istioApiVersion: stage.app.istioApiVersion,
    stageName: stage.spec.name,
  };
}
