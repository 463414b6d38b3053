import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { DestinationRuleSpecSubsetsTrafficPolicy, DestinationRuleSpecTrafficPolicyTlsMode } from '../../imports/networking.istio.io';
import { IstioApiVersion, istioKinds } from './istio-api';
import { httpRoutes, tcpRoutes, trafficPolicy } from './istio-routes';
import { ResolvedComponent } from '../resolve/resolved-stage';
import { PortSpec } from '../model/spec';
import { VersionedDeployment } from './versioned-deployment';

/** Service ports for declared ports: same number on the container, TCP, the Istio protocol as `appProtocol`. */
export function servicePorts(ports: readonly PortSpec[]): k8s.ServicePort[] {
  return ports.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromNumber(p.port), protocol: 'TCP', appProtocol: p.protocol }));
}

/** Properties of a {@link MeshService}. */
export interface MeshServiceProps {
  /** The component as it runs in the stage: versions, ports and routes. */
  readonly component: ResolvedComponent;
  /** Namespace of every object. */
  readonly namespace: string;
  /** Emit a DestinationRule with version subsets and a mesh VirtualService. @default true */
  readonly versionRouting?: boolean;
  /** Client TLS mode of the DestinationRule. @default - not set (Istio auto mTLS) */
  readonly tlsMode?: 'ISTIO_MUTUAL';
  /** Istio API version. @default 'v1' */
  readonly istioApiVersion?: IstioApiVersion;
  /** Emit no mesh VirtualService (another object, e.g. a gateway+mesh one, routes this host). @default false */
  readonly skipVirtualService?: boolean;
}

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
    const c = props.component;
    this.name = c.name;
    this.host = c.host;
    const metadata = { name: c.name, namespace: props.namespace, labels: { app: c.name } };

    // One identity per version, so that policies can tell a lane's versions apart: app 2.0 is a
    // different caller from app 1.0 (per lane would not do: one version may serve several lanes).
    this.serviceAccounts = c.versions.map((d) => new kplus.ServiceAccount(this, `ServiceAccount-${d.version}`, {
      metadata: { name: d.serviceAccount, namespace: props.namespace, labels: { app: c.name, version: d.version } },
      // None of the components calls the Kubernetes API.
      automountToken: false,
    }));

    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: { app: c.name },
        ports: servicePorts(c.ports),
      },
    });

    const claims = new Map<string, kplus.PersistentVolumeClaim>();
    for (const d of c.versions) {
      const pv = d.workload.persistentVolume;
      if (!pv || claims.has(pv.claimName)) continue;
      claims.set(pv.claimName, new kplus.PersistentVolumeClaim(this, `Claim-${pv.claimName}`, {
        metadata: { name: pv.claimName, namespace: props.namespace, labels: { app: c.name } },
        accessModes: [pv.accessMode as kplus.PersistentVolumeAccessMode],
        storage: Size.gibibytes(pv.sizeGiB),
        storageClassName: pv.storageClassName,
        volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
      }));
    }
    this.claims = [...claims.values()];

    this.deployments = c.versions.map((d, i) => new VersionedDeployment(this, `Deployment-${d.version}`, {
      component: c.name,
      version: d.version,
      name: d.deploymentName,
      namespace: props.namespace,
      workload: d.workload,
      claim: d.workload.persistentVolume ? claims.get(d.workload.persistentVolume.claimName) : undefined,
      serviceAccount: this.serviceAccounts[i],
    }));

    if (props.versionRouting ?? true) {
      const { DestinationRule, VirtualService } = istioKinds(props.istioApiVersion);
      this.destinationRule = new DestinationRule(this, 'DestinationRule', {
        metadata,
        spec: {
          host: c.host,
          ...(props.tlsMode || c.trafficPolicy ? {
            trafficPolicy: {
              ...trafficPolicy(c.trafficPolicy),
              ...(props.tlsMode ? { tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL } } : {}),
            },
          } : {}),
          // A subset's policy replaces the DestinationRule's field by field (connectionPool,
          // outlierDetection, tls: istio/istio pilot/pkg/networking/util MergeSubsetTrafficPolicy),
          // so only what differs is set and TLS stays inherited from the rule.
          subsets: c.versions.map((d) => ({
            name: d.subset,
            labels: { version: d.version },
            // Same shape at both levels for the fields set here (the bindings only differ in enum types).
            ...(c.versionTrafficPolicies?.[d.version] ? { trafficPolicy: trafficPolicy(c.versionTrafficPolicies[d.version]) as DestinationRuleSpecSubsetsTrafficPolicy } : {}),
          })),
        },
      });
      this.virtualService = props.skipVirtualService ? undefined : new VirtualService(this, 'VirtualService', {
        metadata,
        spec: {
          hosts: [c.host],
          gateways: ['mesh'],
          ...(c.httpRoutes.length > 0 ? { http: httpRoutes(c.httpRoutes, c.host) } : {}),
          ...(c.tcpRoutes.length > 0 ? { tcp: tcpRoutes(c.tcpRoutes, c.host) } : {}),
        },
      });
    }
  }
}
