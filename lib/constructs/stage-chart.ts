import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { analyzeMesh, Finding, formatFinding } from '../analysis/mesh-analyzer';
import { MeshContextOptions } from '../model/defaults';

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

/**
 * A chart that is one stage of a release, written to `<stageName>.k8s.yaml` (ReleaseStage,
 * RolloutStage, or your own). It renders its objects once, runs the mesh analyzer once (errors
 * fail cdk8s validation, warnings are printed by the synth-time checks) and orders its objects
 * by kind.
 */
export abstract class StageChart extends Chart {
  /** Stage name (= chart id and file name). */
  public readonly stageName: string;
  /** One sentence for reviewers (RELEASE.md). */
  public abstract readonly description: string;
  /** The cluster domain and identities the stage's objects run with: the analyzer, explain and the release notes read them. */
  public abstract readonly meshContext: MeshContextOptions;
  private rendered?: any[];
  private analysis?: Finding[];

  constructor(scope: Construct, stageName: string, labels: Record<string, string>) {
    super(scope, stageName, { labels });
    this.stageName = stageName;
    // What `istioctl analyze` would call an error fails synth (cdk8s runs this before writing).
    this.node.addValidation({
      validate: () => this.findings.filter((f) => f.severity === 'error').map((f) => `stage '${this.stageName}': ${formatFinding(f)}`),
    });
  }

  /**
   * The manifests, rendered once and without cdk8s validation. cdk8s validates the whole app on
   * every `chart.toJson()` (so a synth of S stages validates S times); the analyzer and the
   * synth-time checks use this instead, so their cost stays linear in the number of stages.
   * Read it once the chart is complete.
   */
  public get manifests(): readonly any[] {
    this.rendered ??= byKind(this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this).map((o) => o.toJson()));
    return this.rendered;
  }

  /** The mesh analyzer's findings for this stage, computed once. */
  public get findings(): readonly Finding[] {
    this.analysis ??= analyzeMesh(this.manifests, this.meshContext);
    return this.analysis;
  }

  /** The manifests, grouped by kind (see KIND_ORDER), in construct order within a kind. */
  public override toJson(): any[] {
    return byKind(super.toJson());
  }
}
