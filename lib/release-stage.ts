import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalyzeOptions, analyzeMesh, formatFinding } from './analyze/mesh-analyzer';
import { PeerAuthenticationSpecMtlsMode } from '../imports/security.istio.io';
import { istioKinds } from './istio-api';
import { IngressGateway } from './ingress-gateway';
import { MeshPolicies } from './mesh-policies';
import { MeshService } from './mesh-service';
import { ResolvedStage, resolveStage } from './resolve-stage';
import { ApplicationSpec, StageSpec } from './spec';

/** Label every object of a release carries; `kubectl apply --prune -l` selects on it. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** Order of kinds in a stage file: what others depend on comes first. */
const KIND_ORDER = [
  'Namespace', 'ServiceAccount', 'ExternalSecret',
  // Allowances before workloads start and before routes use them (allow rules precede deny-all).
  'AuthorizationPolicy', 'NetworkPolicy',
  'PersistentVolumeClaim', 'Service', 'Deployment', 'PodDisruptionBudget',
  'Rollout', 'DestinationRule', 'Gateway', 'VirtualService',
  // Last: clients are told to use mTLS (DestinationRule ISTIO_MUTUAL) before servers demand it.
  'PeerAuthentication',
];

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
export class ReleaseStage extends Chart {
  /** The validated stage with its derived routes. */
  public readonly resolved: ResolvedStage;
  /** Stage name (= chart id and file name). */
  public readonly stageName: string;
  public readonly namespaceObject: kplus.Namespace;
  public readonly services: readonly MeshService[];
  public readonly ingress: IngressGateway;
  /** ExternalSecrets for the Secrets this stage's workloads read. @default - none */
  public readonly externalSecrets: readonly ApiObject[];
  /** Authorization and network policies. */
  public readonly policies: MeshPolicies;
  private rendered?: any[];
  private analysis?: string[];
  /** @default - none when the stage sets no mTLS mode */
  public readonly peerAuthentication?: ApiObject;

  constructor(scope: Construct, props: ReleaseStageProps) {
    const resolved = resolveStage(props.application, props.stage);
    super(scope, props.stage.name, { labels: { [PART_OF_LABEL]: props.application.name } });
    this.resolved = resolved;
    this.stageName = props.stage.name;
    const app = props.application;
    const namespace = app.namespace;

    this.namespaceObject = new kplus.Namespace(this, 'Namespace', {
      metadata: { name: namespace, labels: { 'istio-injection': 'enabled' } },
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
      namespace,
      virtualServiceName: `${entry.name}-ingress`,
      destinationHost: entry.host,
      routes: resolved.gatewayRoutes,
      subsets: resolved.versionRouting,
      istioApiVersion: app.istioApiVersion,
      bindMesh: app.gateway.bindMesh,
    });

    // What `istioctl analyze` would call an error fails synth (cdk8s runs this before writing).
    this.node.addValidation({
      validate: () => this.analyzerErrors(),
    });
  }

  /** The manifests, grouped by kind (see KIND_ORDER), in construct order within a kind. */
  public override toJson(): any[] {
    return byKind(super.toJson());
  }

  /** The stage's one-sentence description. */
  public get description(): string {
    return this.resolved.spec.description;
  }

  /** Analyzer options for this application's cluster and identities. */
  public get analyzeOptions(): AnalyzeOptions {
    return analyzeOptions(this.resolved.app);
  }

  /**
   * The manifests, rendered once and without cdk8s validation. cdk8s validates the whole app on
   * every `chart.toJson()` (so a synth of S stages validates S times); the analyzer and the
   * synth-time checks use this instead, so their cost stays linear in the number of stages.
   * Call it once the chart is complete.
   */
  public get manifests(): readonly any[] {
    this.rendered ??= renderChart(this);
    return this.rendered;
  }

  private analyzerErrors(): string[] {
    this.analysis ??= analyzeMesh(this.manifests, analyzeOptions(this.resolved.app))
      .filter((f) => f.severity === 'error')
      .map((f) => `stage '${this.stageName}': ${formatFinding(f)}`);
    return this.analysis;
  }
}

/** Analyzer options matching an application's cluster and identities. */
export function analyzeOptions(app: ApplicationSpec): AnalyzeOptions {
  return { clusterDomain: app.clusterDomain, trustDomain: app.security?.trustDomain, ingressPrincipal: app.security?.ingressGateway?.principal };
}

/** A chart's objects rendered once, without cdk8s's whole-app validation, grouped by kind. */
export function renderChart(chart: Chart): any[] {
  return byKind(chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart).map((o) => o.toJson()));
}

/** Objects grouped by kind (see KIND_ORDER), in their original order within a kind. */
export function byKind(objects: any[]): any[] {
  const rank = (o: any) => {
    const i = KIND_ORDER.indexOf(o.kind);
    return i === -1 ? KIND_ORDER.length : i;
  };
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i)
    .map(({ o }) => o);
}
