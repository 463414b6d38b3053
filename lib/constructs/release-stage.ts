import { ApiObject } from 'cdk8s';
import type { ReleaseFlavour } from '../model/flavour';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { MeshContext } from '../model/defaults';
import { DEFAULT_EXTERNAL_SECRET_REFRESH_INTERVAL, DEFAULT_EXTERNAL_SECRET_STORE_KIND } from '../model/defaults';
import { PeerAuthenticationSpecMtlsMode } from '../../imports/security.istio.io';
import { istioKinds } from './istio-api';
import type { IngressGateway } from './ingress-gateway';
import type { MeshPolicies } from './mesh-policies';
import type { MeshService } from './mesh-service';
import type { ResolvedStage } from '../resolve/resolved-stage';
import { resolveStage } from '../resolve/resolve-stage';
import type { ApplicationSpec, StageSpec } from '../model/spec';
import type { AcceptedFinding } from '../model/application-spec';
import type { IngressGatewayPods } from './stage-chart';
import { PART_OF_LABEL, StageChart } from './stage-chart';
import type { AmbientMesh } from './ambient-mesh';
import type { AmbientPolicies } from './ambient-policies';
import { DATAPLANE_MODE_LABEL } from '../analysis/ambient-mode';
import type { ResolvedGate } from '../release/gates/gates';
import { gateTargets, resolveGates } from '../release/gates/gates';
import { STAGE_FLAVOURS } from './stage-flavours';

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
    super(scope, id, {
      stageName: props.stage.name,
      labels: { [PART_OF_LABEL]: props.application.name },
      outputDirectory: props.outputDirectory,
    });
    this.resolved = resolved;
    this.flavour = resolved.flavour;
    const namespace = props.application.namespace;
    // The flavour was an input to resolution; here it only picks the constructs that write it.
    const flavour = STAGE_FLAVOURS[resolved.flavour];
    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: namespace, labels: flavour.namespaceLabels(resolved) },
    });
    this.peerAuthentication = peerAuthentication(this, resolved);
    this.externalSecrets = externalSecrets(this, resolved);
    const objects = flavour.build(this, resolved);
    this.services = objects.services;
    this.ingress = objects.ingress;
    this.policies = objects.policies;
    this.ambient = objects.ambient;
    this.ambientPolicies = objects.ambientPolicies;
    if (objects.accepted?.length) this.accept(...objects.accepted);
    this.limitations.push(...(objects.limitations ?? []));
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

/** The namespace's PeerAuthentication, when the stage sets an mTLS mode. */
function peerAuthentication(scope: Construct, stage: ResolvedStage): ApiObject | undefined {
  if (!stage.spec.mtls) return undefined;
  const { PeerAuthentication } = istioKinds(stage.app.istioApiVersion);
  return new PeerAuthentication(scope, 'PeerAuthentication', {
    metadata: { name: 'default', namespace: stage.app.namespace },
    spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode[stage.spec.mtls] } },
  });
}

/** ExternalSecrets for the Secrets the stage's workloads read (from a store: the manifests carry no credential). */
function externalSecrets(scope: Construct, stage: ResolvedStage): ApiObject[] {
  const referenced = new Set(
    stage.components
      .flatMap((c) => c.versions)
      .flatMap((d) => Object.values(d.workload.env ?? {}))
      .flatMap((v) => (typeof v === 'string' ? [] : [v.secretName])),
  );
  return (stage.app.externalSecrets ?? [])
    .filter((e) => referenced.has(e.targetSecretName))
    .map(
      (e) =>
        new ApiObject(scope, `ExternalSecret-${e.targetSecretName}`, {
          apiVersion: 'external-secrets.io/v1',
          kind: 'ExternalSecret',
          metadata: { name: e.targetSecretName, namespace: stage.app.namespace },
          spec: {
            refreshInterval: e.refreshInterval ?? DEFAULT_EXTERNAL_SECRET_REFRESH_INTERVAL,
            secretStoreRef: { name: e.storeName, kind: e.storeKind ?? DEFAULT_EXTERNAL_SECRET_STORE_KIND },
            target: { name: e.targetSecretName, creationPolicy: 'Owner' },
            data: e.keys.map((key) => ({ secretKey: key, remoteRef: { key: e.remoteKey, property: key } })),
          },
        }),
    );
}
