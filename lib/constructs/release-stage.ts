import { ApiObject } from 'cdk8s';
import type { ReleaseFlavour } from '../model/flavour';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MeshContext } from '../model/defaults';
import { PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { istioKinds } from './istio-api';
import { IngressGateway } from './ingress-gateway';
import { MeshPolicies } from './mesh-policies';
import { MeshService } from './mesh-service';
import { ResolvedStage } from '../resolve/resolved-stage';
import { resolveStage } from '../resolve/resolve-stage';
import { ApplicationSpec, StageSpec } from '../model/spec';
import type { AcceptedFinding } from '../model/application-spec';
import { IngressGatewayPods, PART_OF_LABEL, StageChart } from './stage-chart';
import { AmbientMesh, GATEWAY_NAME_LABEL, USE_WAYPOINT_LABEL, WAYPOINT_NAME } from './ambient-mesh';
import { AmbientPolicies } from './ambient-policies';
import { laneEnvironment, planLanes } from '../resolve/lane-services';
import { DATAPLANE_MODE_LABEL } from '../analysis/ambient-mode';
import { ingressRouteName } from '../model/names';
import { gateTargets, resolveGates, ResolvedGate } from '../release/gates/gates';

export type { ReleaseFlavour };

/** The label that enrols a namespace's pods in ambient mode. */
export const AMBIENT_NAMESPACE_LABEL = DATAPLANE_MODE_LABEL;

/** Properties of a {@link ReleaseStage}. */
export interface ReleaseStageProps {
  /** The application: components and every version they ship. */
  readonly application: ApplicationSpec;
  /** The stage: which versions run and how traffic flows. */
  readonly stage: StageSpec;
  /** The traffic API and data plane the stage's objects are written for. @default 'istio-sidecar' */
  readonly flavour?: ReleaseFlavour;
  /** Directory of the stage's file, relative to the output directory (one RELEASE.md per directory). @default - the output directory itself */
  readonly outputDirectory?: string;
}

/**
 * One release stage as a chart: the complete desired state at that step, written to
 * `<stage name>.k8s.yaml`. The stage data is validated and resolved in the constructor,
 * so inconsistent data throws before anything is synthesized.
 */
export class ReleaseStage extends StageChart {
  /** The validated stage with its derived routes. */
  public readonly resolved: ResolvedStage;
  public readonly namespaceObject: kplus.Namespace;
  public readonly services: readonly MeshService[];
  /** The Istio Gateway and its VirtualService. @default - none in the gateway-api-ambient flavour (see `ambient`) */
  public readonly ingress?: IngressGateway;
  /** ExternalSecrets for the Secrets this stage's workloads read. @default - none */
  public readonly externalSecrets: readonly ApiObject[];
  /** Authorization and network policies. @default - none in the gateway-api-ambient flavour (see `ambientPolicies`) */
  public readonly policies?: MeshPolicies;
  /** @default - none when the stage sets no mTLS mode */
  public readonly peerAuthentication?: ApiObject;
  /** The traffic API and data plane. */
  public readonly flavour: ReleaseFlavour;
  /** The Gateway API objects (gateway-api-ambient flavour only). @default - none */
  public readonly ambient?: AmbientMesh;
  /** Ambient authorization and network policies (gateway-api-ambient flavour only). @default - none */
  public readonly ambientPolicies?: AmbientPolicies;

  /**
   * @param id the chart's id (`new ReleaseStage(app, props)`, without one, takes the stage name)
   */
  constructor(scope: Construct, id: string, props: ReleaseStageProps);
  /** @deprecated pass an id: `new ReleaseStage(scope, id, props)` */
  constructor(scope: Construct, props: ReleaseStageProps);
  constructor(scope: Construct, idOrProps: string | ReleaseStageProps, maybeProps?: ReleaseStageProps) {
    const [id, props] = typeof idOrProps === 'string' ? [idOrProps, maybeProps!] : [idOrProps.stage.name, idOrProps];
    const resolved = resolveStage(props.application, props.stage, { flavour: props.flavour });
    const ambient = resolved.flavour === 'gateway-api-ambient';
    const flavour = resolved.flavour;
    super(scope, id, { stageName: props.stage.name, labels: { [PART_OF_LABEL]: props.application.name }, outputDirectory: props.outputDirectory });
    this.resolved = resolved;
    this.flavour = flavour;
    const app = props.application;
    const namespace = app.namespace;

    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: namespace,
        labels: ambient ? { [AMBIENT_NAMESPACE_LABEL]: 'ambient' } : { [resolved.security.injectionLabel.key]: resolved.security.injectionLabel.value },
      },
    });

    if (props.stage.mtls) {
      const { PeerAuthentication } = istioKinds(app.istioApiVersion);
      this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', {
        metadata: { name: 'default', namespace },
        spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode[props.stage.mtls] } },
      });
    }

    // Secrets from a store, in the stages whose workloads read them; the manifests carry no credential.
    const referenced = new Set(resolved.components.flatMap((c) => c.versions).flatMap((d) => Object.values(d.workload.env ?? {}))
      .flatMap((v) => (typeof v === 'string' ? [] : [v.secretName])));
    this.externalSecrets = (app.externalSecrets ?? []).filter((e) => referenced.has(e.targetSecretName)).map((e) => new ApiObject(this, `ExternalSecret-${e.targetSecretName}`, {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: e.targetSecretName, namespace },
      spec: {
        refreshInterval: e.refreshInterval ?? '1h',
        secretStoreRef: { name: e.storeName, kind: e.storeKind ?? 'ClusterSecretStore' },
        target: { name: e.targetSecretName, creationPolicy: 'Owner' },
        data: e.keys.map((key) => ({ secretKey: key, remoteRef: { key: e.remoteKey, property: key } })),
      },
    }));

    if (ambient) {
      const lanes = planLanes(resolved);
      this.services = resolved.components.map((c) => new MeshService(this, c.name, {
        component: { ...c, versions: c.versions.map((d) => ({ ...d, workload: { ...d.workload, env: laneEnvironment(resolved, c, d, lanes) } })) },
        namespace,
        versionRouting: false,
      }));
      this.ambient = new AmbientMesh(this, 'Ambient', { stage: resolved, lanes });
      for (const s of this.services.filter((x) => this.ambient!.waypointServices.includes(x.name))) s.service.metadata.addLabel(USE_WAYPOINT_LABEL, WAYPOINT_NAME);
      this.ambientPolicies = new AmbientPolicies(this, 'Policies', { stage: resolved, lanes, gatewayName: app.gateway.name, waypointServices: this.ambient.waypointServices });
      if (this.ambientPolicies.waypointTermination) {
        // Offline, the analyzer sees no pods for the waypoint: Istio deploys them for the waypoint Gateway.
        this.accept({ code: 'IST0127', object: `AuthorizationPolicy ${namespace}/${WAYPOINT_NAME}`, reason: `selects the pods Istio deploys for the waypoint Gateway '${WAYPOINT_NAME}' (label ${GATEWAY_NAME_LABEL})` });
      }
      this.limitations.push(...this.ambient.limitations);
      checkGates(props);
      return;
    }

    this.services = resolved.components.map((component) => new MeshService(this, component.name, {
      component,
      namespace,
      versionRouting: resolved.versionRouting,
      tlsMode: props.stage.mtls ? 'ISTIO_MUTUAL' : undefined,
      istioApiVersion: app.istioApiVersion,
      skipVirtualService: app.gateway.bindMesh === true && component.name === app.entryComponent,
    }));

    this.policies = new MeshPolicies(this, 'Policies', { stage: resolved });

    const entry = this.services.find((s) => s.name === app.entryComponent)!;
    this.ingress = new IngressGateway(this, 'Ingress', {
      gateway: app.gateway,
      selector: resolved.ingress.podLabels,
      namespace,
      virtualServiceName: ingressRouteName(entry.name),
      destinationHost: entry.host,
      routes: resolved.gatewayRoutes,
      subsets: resolved.versionRouting,
      istioApiVersion: app.istioApiVersion,
      bindMesh: app.gateway.bindMesh,
    });
    checkGates(props);
  }

  /** The stage's metric gates with their PromQL, read from its objects (who reports each workload's metrics). */
  public override get gates(): readonly ResolvedGate[] {
    return resolveGates(this.resolved.app, this.resolved.spec, this.manifests, this.flavour === 'gateway-api-ambient');
  }

  /** The stage's one-sentence description. */
  public get description(): string {
    return this.resolved.spec.description;
  }

  /** The installation's ingress gateway pods, which the stage's Gateway selects. */
  public override get ingressGateway(): IngressGatewayPods {
    return { namespace: this.resolved.ingress.namespace, podLabels: this.resolved.ingress.podLabels };
  }

  /** The Warnings the application accepts (`acceptedFindings`), and any added with {@link accept}. */
  public override get acceptedFindings(): readonly AcceptedFinding[] {
    return [...(this.resolved.app.acceptedFindings ?? []), ...super.acceptedFindings];
  }

  /** The cluster and identities this stage's objects run with (the analyzer and release notes read them). */
  public get meshContext(): MeshContext {
    return this.resolved.context;
  }
}

/** Bad gate data fails the construction, after the rest of the stage data; the queries need the finished objects (ReleaseStage.gates). */
function checkGates(props: ReleaseStageProps): void {
  (props.stage.gates ?? []).forEach((g, i) => gateTargets(props.application, props.stage, g, i));
}
