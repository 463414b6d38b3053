import { ApiObject } from 'cdk8s';
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

/** Properties of a {@link ReleaseStage}. */
export interface ReleaseStageProps {
  /** The application: components and every version they ship. */
  readonly application: ApplicationSpec;
  /** The stage: which versions run and how traffic flows. */
  readonly stage: StageSpec;
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
  public readonly ingress: IngressGateway;
  /** ExternalSecrets for the Secrets this stage's workloads read. @default - none */
  public readonly externalSecrets: readonly ApiObject[];
  /** Authorization and network policies. */
  public readonly policies: MeshPolicies;
  /** @default - none when the stage sets no mTLS mode */
  public readonly peerAuthentication?: ApiObject;

  constructor(scope: Construct, props: ReleaseStageProps) {
    const resolved = resolveStage(props.application, props.stage);
    super(scope, props.stage.name, { [PART_OF_LABEL]: props.application.name });
    this.resolved = resolved;
    const app = props.application;
    const namespace = app.namespace;

    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: namespace, labels: { [resolved.security.injectionLabel.key]: resolved.security.injectionLabel.value } },
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
      selector: resolved.security.ingressPodLabels,
      namespace,
      virtualServiceName: `${entry.name}-ingress`,
      destinationHost: entry.host,
      routes: resolved.gatewayRoutes,
      subsets: resolved.versionRouting,
      istioApiVersion: app.istioApiVersion,
      bindMesh: app.gateway.bindMesh,
    });
  }

  /** The stage's one-sentence description. */
  public get description(): string {
    return this.resolved.spec.description;
  }

  /** The installation's ingress gateway pods, which the stage's Gateway selects. */
  public override get ingressGateway(): IngressGatewayPods {
    return { namespace: this.resolved.security.ingressNamespace, podLabels: this.resolved.security.ingressPodLabels };
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
