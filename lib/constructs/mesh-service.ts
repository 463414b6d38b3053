import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import type { DestinationRuleSpecSubsetsTrafficPolicy } from '../../imports/networking.istio.io';
import { DestinationRuleSpecTrafficPolicyTlsMode } from '../../imports/networking.istio.io';
import type { IstioApiVersion } from './istio-api';
import { istioKinds } from './istio-api';
import { httpRoutes, tcpRoutes, trafficPolicy } from './istio-routes';
import type { ResolvedComponent, Route } from '../resolve/resolved-stage';
import type { PortSpec, VersionTrafficPolicy, WorkloadSpec } from '../model/spec';
import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import { deploymentName, serviceHost, subsetName, versionServiceAccount } from '../model/names';
import { VersionedDeployment } from './versioned-deployment';

/** Service ports for declared ports: same number on the container, TCP, the Istio protocol as `appProtocol`. */
export function servicePorts(ports: readonly PortSpec[]): k8s.ServicePort[] {
  return ports.map((p) => ({
    name: p.name,
    port: p.port,
    targetPort: k8s.IntOrString.fromNumber(p.port),
    protocol: 'TCP',
    appProtocol: p.protocol,
  }));
}

/** One version of a {@link MeshService}: a Deployment, its ServiceAccount and its DestinationRule subset. */
export interface MeshServiceVersion {
  /** Version: the `version` label of its pods. */
  readonly version: string;
  /** What the version's pods run. */
  readonly workload: WorkloadSpec;
  /** Name of its Deployment. @default - `<component>-<version with dashes>` (`voting-app-1-0`) */
  readonly deploymentName?: string;
  /** Name of its ServiceAccount, its identity in authorization policies. @default - the Deployment's name */
  readonly serviceAccount?: string;
  /** Name of its DestinationRule subset. @default - `v<version with dashes>` (`v1-0`) */
  readonly subset?: string;
}

/** Properties of a {@link MeshService}. */
export interface MeshServiceProps {
  /** Component name: the Service, the `app` label and the container name. */
  readonly name: string;
  /** Namespace of every object. */
  readonly namespace: string;
  /** The versions that run, each a Deployment. */
  readonly versions: readonly MeshServiceVersion[];
  /** Service ports. @default - every port of the versions' workloads, by port number, ascending */
  readonly ports?: readonly PortSpec[];
  /** Fully qualified host of the Service. @default - `<name>.<namespace>.svc.cluster.local` */
  readonly host?: string;
  /** Mesh HTTP routes of the VirtualService, first match wins. @default - none (the VirtualService has no HTTP routes) */
  readonly httpRoutes?: readonly Route[];
  /** Mesh TCP routes of the VirtualService. @default - none */
  readonly tcpRoutes?: readonly Route[];
  /** Connection pool and outlier detection of every version (DestinationRule level). @default - Istio's */
  readonly trafficPolicy?: VersionTrafficPolicy;
  /** Per version where it differs (subset level), by version. @default - none */
  readonly versionTrafficPolicies?: Readonly<Record<string, VersionTrafficPolicy>>;
  /** Emit a DestinationRule with version subsets and a mesh VirtualService. @default true */
  readonly versionRouting?: boolean;
  /** Client TLS mode of the DestinationRule. @default - not set (Istio auto mTLS) */
  readonly tlsMode?: 'ISTIO_MUTUAL';
  /** Istio API version. @default 'v1' */
  readonly istioApiVersion?: IstioApiVersion;
  /** Emit no mesh VirtualService (another object, e.g. a gateway+mesh one, routes this host). @default false */
  readonly skipVirtualService?: boolean;
}

/** The {@link MeshServiceProps} of a resolved component: what a ReleaseStage passes. */
export function meshServiceProps(c: ResolvedComponent, namespace: string): MeshServiceProps {
  return {
    name: c.name,
    namespace,
    host: c.host,
    ports: c.ports,
    versions: c.versions,
    httpRoutes: c.httpRoutes,
    tcpRoutes: c.tcpRoutes,
    trafficPolicy: c.trafficPolicy,
    versionTrafficPolicies: c.versionTrafficPolicies,
  };
}

/** A version with every default resolved. */
type ResolvedVersion = Required<Omit<MeshServiceVersion, 'workload'>> & { readonly workload: WorkloadSpec };

/**
 * A component in the mesh: its Service (selecting `app` only), one Deployment per deployed
 * version, the PersistentVolumeClaims they own and, with version routing, a DestinationRule
 * (one subset per version) and a mesh VirtualService that keeps each lane's calls in the lane.
 */
export class MeshService extends Construct {
  /** Service name (= component name). */
  public readonly name: string;
  /** Fully qualified host used by DestinationRules and VirtualServices. */
  public readonly host: string;
  /** Namespace of every object. */
  public readonly namespace: string;
  /** The Service's ports. */
  public readonly ports: readonly PortSpec[];
  /** Whether the DestinationRule and VirtualService are emitted. */
  public readonly versionRouting: boolean;
  public readonly service: k8s.KubeService;
  public readonly deployments: readonly VersionedDeployment[];
  public readonly claims: readonly kplus.PersistentVolumeClaim[];
  /** One identity per deployed version (its SPIFFE principal in authorization policies), in version order. */
  public readonly serviceAccounts: readonly kplus.ServiceAccount[];
  /** @default - none without version routing */
  public readonly destinationRule?: ApiObject;
  /** @default - none without version routing */
  public readonly virtualService?: ApiObject;

  constructor(scope: Construct, id: string, props: MeshServiceProps) {
    super(scope, id);
    const name = props.name;
    this.name = name;
    this.namespace = props.namespace;
    this.host = props.host ?? serviceHost(name, props.namespace, DEFAULT_CLUSTER_DOMAIN);
    this.ports = props.ports ?? workloadPorts(props.versions);
    this.versionRouting = props.versionRouting ?? true;
    const versions: ResolvedVersion[] = props.versions.map((v) => ({
      version: v.version,
      workload: v.workload,
      deploymentName: v.deploymentName ?? deploymentName(name, v.version),
      serviceAccount: v.serviceAccount ?? v.deploymentName ?? versionServiceAccount(name, v.version),
      subset: v.subset ?? subsetName(v.version),
    }));

    // One identity per version, so that policies can tell a lane's versions apart: app 2.0 is a
    // different caller from app 1.0 (per lane would not do: one version may serve several lanes).
    this.serviceAccounts = versions.map(
      (d) =>
        new kplus.ServiceAccount(this, `ServiceAccount-${d.version}`, {
          metadata: { name: d.serviceAccount, namespace: this.namespace, labels: { app: name, version: d.version } },
          // None of the components calls the Kubernetes API.
          automountToken: false,
        }),
    );
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: this.metadata(),
      spec: { type: 'ClusterIP', selector: { app: name }, ports: servicePorts(this.ports) },
    });
    const claims = this.addClaims(versions);
    this.claims = [...claims.values()];
    this.deployments = versions.map(
      (d, i) =>
        new VersionedDeployment(this, `Deployment-${d.version}`, {
          component: name,
          version: d.version,
          name: d.deploymentName,
          namespace: this.namespace,
          workload: d.workload,
          claim: d.workload.persistentVolume ? claims.get(d.workload.persistentVolume.claimName) : undefined,
          serviceAccount: this.serviceAccounts[i],
        }),
    );
    if (this.versionRouting) {
      this.destinationRule = this.addDestinationRule(props, versions);
      this.virtualService = props.skipVirtualService ? undefined : this.addVirtualService(props);
    }
  }

  private metadata() {
    return { name: this.name, namespace: this.namespace, labels: { app: this.name } };
  }

  /** One claim per claim name the versions mount. */
  private addClaims(versions: readonly ResolvedVersion[]): Map<string, kplus.PersistentVolumeClaim> {
    const claims = new Map<string, kplus.PersistentVolumeClaim>();
    for (const d of versions) {
      const pv = d.workload.persistentVolume;
      if (!pv || claims.has(pv.claimName)) continue;
      claims.set(
        pv.claimName,
        new kplus.PersistentVolumeClaim(this, `Claim-${pv.claimName}`, {
          metadata: { name: pv.claimName, namespace: this.namespace, labels: { app: this.name } },
          accessModes: [pv.accessMode as kplus.PersistentVolumeAccessMode],
          storage: Size.gibibytes(pv.sizeGiB),
          storageClassName: pv.storageClassName,
          volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
        }),
      );
    }
    return claims;
  }

  private addDestinationRule(props: MeshServiceProps, versions: readonly ResolvedVersion[]): ApiObject {
    const { DestinationRule } = istioKinds(props.istioApiVersion);
    const perVersion = props.versionTrafficPolicies;
    return new DestinationRule(this, 'DestinationRule', {
      metadata: this.metadata(),
      spec: {
        host: this.host,
        ...(props.tlsMode || props.trafficPolicy
          ? {
              trafficPolicy: {
                ...trafficPolicy(props.trafficPolicy),
                ...(props.tlsMode
                  ? { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } }
                  : {}),
              },
            }
          : {}),
        // A subset's policy replaces the DestinationRule's field by field (connectionPool,
        // outlierDetection, tls: istio/istio pilot/pkg/networking/util MergeSubsetTrafficPolicy),
        // so only what differs is set and TLS stays inherited from the rule.
        subsets: versions.map((d) => ({
          name: d.subset,
          labels: { version: d.version },
          // Same shape at both levels for the fields set here (the bindings only differ in enum types).
          ...(perVersion?.[d.version]
            ? { trafficPolicy: trafficPolicy(perVersion[d.version]) as DestinationRuleSpecSubsetsTrafficPolicy }
            : {}),
        })),
      },
    });
  }

  private addVirtualService(props: MeshServiceProps): ApiObject {
    const { VirtualService } = istioKinds(props.istioApiVersion);
    const http = props.httpRoutes ?? [];
    const tcp = props.tcpRoutes ?? [];
    return new VirtualService(this, 'VirtualService', {
      metadata: this.metadata(),
      spec: {
        hosts: [this.host],
        gateways: ['mesh'],
        ...(http.length > 0 ? { http: httpRoutes(http, this.host) } : {}),
        ...(tcp.length > 0 ? { tcp: tcpRoutes(tcp, this.host) } : {}),
      },
    });
  }
}

/** Every port of the versions' workloads, by port number (the first version's declaration of a number wins). */
function workloadPorts(versions: readonly MeshServiceVersion[]): PortSpec[] {
  const byNumber = new Map<number, PortSpec>();
  for (const v of versions) for (const p of v.workload.ports) if (!byNumber.has(p.port)) byNumber.set(p.port, p);
  return [...byNumber.values()].sort((a, b) => a.port - b.port);
}
