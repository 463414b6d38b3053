import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { Finding } from '../analysis/analyzer';
import { analyzeMesh, formatFinding } from '../analysis/analyzer';
import type { FindingAcceptance } from '../analysis/analyzer/acceptance';
import { acceptFindings } from '../analysis/analyzer/acceptance';
import type { AcceptedFinding } from '../model/application-spec';
import type { MeshContextOptions } from '../model/defaults';
import type { ResolvedGate } from '../release/gates/gates';
import { assertConstructId, ReleaseConfigError } from '../model/errors';

/** `scope`, after checking the chart id and that no other stage of it has the stage name (cdk8s would throw a stack trace). */
function newStageScope(scope: Construct, id: string, stageName: string): Construct {
  assertConstructId(id, { stage: stageName, field: 'name' });
  const taken =
    scope.node.tryFindChild(id) !== undefined ||
    scope.node.children.some(
      (c) => c instanceof StageChart && (c as { readonly stageName?: string }).stageName === stageName,
    );
  if (taken) {
    throw new ReleaseConfigError(
      { stage: stageName, field: 'name' },
      `the stage name ${JSON.stringify(stageName)} is used twice`,
      'Give each stage of the release a unique name.',
    );
  }
  return scope;
}

/** Properties of a {@link StageChart}. */
export interface StageChartProps {
  /** Stage name: the file `<stageName>.k8s.yaml`. @default - the chart's id */
  readonly stageName?: string;
  /** Labels every object of the stage carries. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Directory of the stage's file relative to the output directory (each directory gets its own RELEASE.md). @default - the output directory itself */
  readonly outputDirectory?: string;
}

/** The ingress gateway pods a stage's Gateway selects. */
export interface IngressGatewayPods {
  readonly namespace?: string;
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** Label every object of a release carries; `kubectl apply --prune -l` selects on it. */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';

/** Order of kinds in a stage file: what others depend on comes first. */
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'ExternalSecret',
  // Allowances before workloads start and before routes use them (allow rules precede deny-all).
  'AuthorizationPolicy',
  'NetworkPolicy',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'PodDisruptionBudget',
  'Rollout',
  'DestinationRule',
  'Gateway',
  'VirtualService',
  'HTTPRoute',
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

/** Each stage's rendered manifests (see StageChart.manifests), until synth forgets them. */
const rendered = new WeakMap<StageChart, readonly any[]>();

/**
 * Forgets a stage's rendered manifests: synth does once it has checked and written the stage
 * (a later read renders them again, alike). Internal: the package does not export it.
 */
export function forgetRendered(stage: StageChart): void {
  rendered.delete(stage);
}

/**
 * A chart that is one stage of a release, written to `<stageName>.k8s.yaml` (ReleaseStage,
 * RolloutStage, or your own). It renders its objects once, runs the mesh analyzer once (Errors,
 * and Warnings the application does not accept, fail cdk8s validation; accepted Warnings and Info
 * are printed by the synth-time checks) and orders its objects by kind.
 */
export abstract class StageChart extends Chart {
  /** Stage name (= chart id and file name). */
  public readonly stageName: string;
  /** One sentence for reviewers (RELEASE.md). */
  public abstract readonly description: string;
  /** The cluster domain and identities the stage's objects run with: the analyzer, explain and the release notes read them. */
  public abstract readonly meshContext: MeshContextOptions;
  /** Directory of the stage's file relative to the output directory ('' for the output directory itself); each directory gets its own RELEASE.md. */
  public readonly outputDirectory: string;
  /**
   * What the stage data asks for that the stage's objects cannot express, one sentence each:
   * synth prints them as warnings, RELEASE.md lists them. @default - none
   */
  public readonly limitations: string[] = [];
  private analysis?: Finding[];
  private readonly extraAccepted: AcceptedFinding[] = [];

  constructor(scope: Construct, id: string, props: StageChartProps = {}) {
    const stageName = props.stageName ?? id;
    super(newStageScope(scope, id, stageName), id, { labels: { ...props.labels } });
    this.stageName = stageName;
    this.outputDirectory = props.outputDirectory ?? '';
    // What `istioctl analyze` calls an Error, and a Warning nobody accepted, fails synth (cdk8s runs this before writing).
    this.node.addValidation({
      validate: () => this.acceptance.failing.map((f) => `stage '${this.stageName}': ${formatFinding(f)}`),
    });
  }

  /** The metric gates the stage must pass before it is promoted (RELEASE.md and gates.json list them). @default - none */
  public get gates(): readonly ResolvedGate[] {
    return [];
  }

  /**
   * The manifests, rendered once and without cdk8s validation. cdk8s validates the whole app on
   * every `chart.toJson()` (so a synth of S stages validates S times); the analyzer and the
   * synth-time checks use this instead, so their cost stays linear in the number of stages.
   * Read it once the chart is complete.
   */
  public get manifests(): readonly any[] {
    let manifests = rendered.get(this);
    if (!manifests) {
      manifests = byKind(
        this.node
          .findAll()
          .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this)
          .map((o) => o.toJson()),
      );
      rendered.set(this, manifests);
    }
    return manifests;
  }

  /** The mesh analyzer's findings for this stage, computed once. */
  public get findings(): readonly Finding[] {
    // Stages carry no Secrets (credentials come from a store at run time), so Istio's check that a
    // Gateway's credentialName Secret exists would always fail here; `validate -f` still runs it.
    this.analysis ??= analyzeMesh(this.manifests, {
      ...this.meshContext,
      meshConfig: { ingressGateway: this.ingressGateway },
      skip: ['gateway.SecretAnalyzer'],
    });
    return this.analysis;
  }

  /**
   * The ingress gateway the stage's Gateway selects (namespace and pod labels), in place of
   * Istio's default one in the analysis. @default - Istio's default ingress gateway
   */
  public get ingressGateway(): IngressGatewayPods | undefined {
    return undefined;
  }

  /**
   * The analyzer Warnings this stage's application accepts. A ReleaseStage reads its
   * application's `acceptedFindings`; another StageChart overrides this getter.
   */
  public get acceptedFindings(): readonly AcceptedFinding[] {
    return this.extraAccepted;
  }

  /**
   * Accepts analyzer Warnings of this stage, for stages built without an ApplicationSpec (a
   * RolloutStage): the same entries as `ApplicationSpec.acceptedFindings`, a reason each.
   */
  public accept(...entries: AcceptedFinding[]): this {
    this.extraAccepted.push(...entries);
    return this;
  }

  /** The findings sorted by the allow-list: what fails synth, what is accepted, what is Info. */
  public get acceptance(): FindingAcceptance {
    return acceptFindings(this.findings, this.acceptedFindings);
  }

  /** The manifests, grouped by kind (see KIND_ORDER), in construct order within a kind. */
  public override toJson(): any[] {
    return byKind(super.toJson());
  }
}
