import type { MeshContext } from '../../model/defaults';
import { DEFAULT_INGRESS_POD_LABELS, DEFAULT_ISTIO_NAMESPACE } from '../../model/defaults';
import type { Manifest } from '../manifest';
import { isWorkload, labelsHold, namespaceOf, objectKey } from '../manifest';
import type { AnalyzerCode } from './catalogue';
import type { Level, MessageTemplate } from './define-code';
import { renderMessage } from './define-code';
import { HostRegistry, serviceExportTo } from './hosts';
import { at, listAt, objectAt } from '../manifest-kinds';
import { defaultIngressGateway, expandLists, IGNORED_NAMESPACES, kindKey } from './analysis-input';

/** One analyzer finding, in the spirit of `istioctl analyze`. */
export interface Finding {
  /** Istio analyzer code where one exists (IST0101), else a project code (VM0001): always a code of the catalogue. */
  readonly code: AnalyzerCode;
  /** Istio's level of the code (see the catalogue). */
  readonly level: Level;
  /** `Kind namespace/name` (`Kind name` for an object without namespace). */
  readonly object: string;
  /** Path of the offending field. */
  readonly field: string;
  readonly message: string;
}

/** The mesh settings Istio's analyzers read from the MeshConfig (defaults as Istio's). */
export interface AnalyzerMeshConfig {
  /** Istio's ingressControllerMode OFF: no default ingress gateway is assumed. @default false */
  readonly ingressControllerOff?: boolean;
  /** Name of the default ingress gateway Service (and Pod prefix). @default 'istio-ingressgateway' */
  readonly ingressService?: string;
  /**
   * Where the default ingress gateway runs and the labels of its pods, for a mesh whose ingress
   * gateway is not Istio's default one (Istio assumes istio-system and `istio: ingressgateway`).
   * @default - Istio's
   */
  readonly ingressGateway?: { readonly namespace?: string; readonly podLabels?: Readonly<Record<string, string>> };
  /** Mesh root namespace (mesh-wide policies). @default 'istio-system' */
  readonly rootNamespace?: string;
  /**
   * The proxies capture DNS and allocate ServiceEntry addresses (proxyMetadata ISTIO_META_DNS_CAPTURE
   * and ISTIO_META_DNS_AUTO_ALLOCATE or PILOT_ENABLE_IP_AUTOALLOCATE set to "true"). @default false
   */
  readonly dnsAutoAllocate?: boolean;
  /** meshConfig.defaultProviders.accessLogging. @default - none */
  readonly defaultAccessLogProviders?: readonly string[];
  /** Names of the meshConfig.extensionProviders that are Lightstep providers. @default - none */
  readonly lightstepProviders?: readonly string[];
  /** meshConfig.defaultConfig.image.imageType (`distroless`, ...). @default - none */
  readonly proxyImageType?: string;
}

const POD_TEMPLATE_KINDS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'ReplicationController',
]);

/** A pod, or the pods a workload's template will create (offline, a template stands for its pods). */
export interface PodView {
  readonly source: Manifest;
  /** True for a `Pod` object, false for a workload's pod template. */
  readonly isPod: boolean;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: any;
}

/**
 * What every rule reads: the objects (Lists expanded, Istio's ignored namespaces dropped, Istio's
 * default ingress gateway added as `istioctl analyze` adds it), by kind, the pods, the hosts
 * Services and ServiceEntries declare, and the findings reported so far.
 */
export class AnalysisContext {
  /** Every object, Istio's default resources included. */
  public readonly objects: readonly Manifest[];
  /** The objects given (Lists expanded, ignored namespaces dropped), without the default resources. */
  public readonly input: readonly Manifest[];
  public readonly pods: readonly PodView[];
  public readonly hosts: HostRegistry;
  public readonly rootNamespace: string;
  public readonly dnsAutoAllocate: boolean;
  public readonly clusterDomain: string;
  private readonly reportedFindings: Finding[] = [];
  private readonly kinds = new Map<string, Manifest[]>();
  private readonly reported = new Set<string>();

  constructor(
    manifests: readonly Manifest[],
    public readonly mesh: MeshContext,
    public readonly meshConfig: AnalyzerMeshConfig,
    defaultResources: boolean,
  ) {
    this.clusterDomain = mesh.clusterDomain;
    this.rootNamespace = meshConfig.rootNamespace ?? DEFAULT_ISTIO_NAMESPACE;
    this.dnsAutoAllocate = meshConfig.dnsAutoAllocate ?? false;
    const input = expandLists(manifests).filter(
      (m) => !IGNORED_NAMESPACES.has(m.kind === 'Namespace' ? m.metadata.name : (m.metadata.namespace ?? '')),
    );
    const defaults =
      defaultResources && !meshConfig.ingressControllerOff
        ? defaultIngressGateway(
            meshConfig.ingressService ?? 'istio-ingressgateway',
            meshConfig.ingressGateway?.namespace ?? DEFAULT_ISTIO_NAMESPACE,
            meshConfig.ingressGateway?.podLabels ?? DEFAULT_INGRESS_POD_LABELS,
          )
        : [];
    this.input = input;
    this.objects = [...input, ...defaults];
    for (const m of this.objects) {
      const key = kindKey(m);
      let list = this.kinds.get(key);
      if (!list) this.kinds.set(key, (list = []));
      list.push(m);
    }
    this.pods = this.objects.flatMap((m) => podView(m) ?? []);
    this.hosts = new HostRegistry(this.clusterDomain);
    for (const se of this.ofKind('ServiceEntry')) {
      this.hosts.add(namespaceOf(se), list(se.spec?.hosts).map(String), list(se.spec?.exportTo).map(String), {
        ports: list(se.spec?.ports),
        workloadLabels: se.spec?.workloadSelector?.labels,
      });
    }
    for (const svc of this.ofKind('Service')) {
      // As read: schema validation reports a port that is not a number or a name that is not a string.
      const ports = listAt(svc.spec, 'ports').map((p) => ({
        number: at(p, 'port') as number,
        name: at(p, 'name') as string | undefined,
      }));
      this.hosts.add(
        namespaceOf(svc),
        [svc.metadata.name],
        serviceExportTo(annotations(svc)['networking.istio.io/exportTo']),
        { ports },
      );
    }
  }

  /** Objects of a kind; Istio kinds only with an Istio apiVersion (a Gateway API `Gateway` is not Istio's). */
  public ofKind(kind: string): readonly Manifest[] {
    return this.kinds.get(kind) ?? [];
  }

  /** The Namespace object `name`, if the input has it. */
  public namespace(name: string): Manifest | undefined {
    return this.ofKind('Namespace').find((n) => n.metadata.name === name);
  }

  /** Pods (and pod templates) carrying every label of `selector`, in `namespace` if given. */
  public podsSelected(selector: Readonly<Record<string, string>>, namespace?: string): PodView[] {
    // A selector naming an `app` tests only the pods of that app (a scan of every pod per
    // selecting object was quadratic in the release's size).
    const app = selector.app;
    let candidates = this.pods;
    if (typeof app === 'string') {
      if (!this.podsByApp) {
        this.podsByApp = new Map();
        for (const p of this.pods) {
          if (typeof p.labels.app !== 'string') continue;
          if (this.podsByApp.has(p.labels.app)) this.podsByApp.get(p.labels.app)!.push(p);
          else this.podsByApp.set(p.labels.app, [p]);
        }
      }
      candidates = this.podsByApp.get(app) ?? [];
    }
    return candidates.filter(
      (p) => (namespace === undefined || p.namespace === namespace) && labelsHold(selector, p.labels),
    );
  }

  private podsByApp?: Map<string, PodView[]>;

  /** The findings reported so far, in order. */
  public get findings(): readonly Finding[] {
    return this.reportedFindings;
  }

  /**
   * Records a finding of a catalogue template with its parameters (none for a template without
   * placeholders), at its code's level. Like Istio (diag.Messages.SortedDedupedCopy), an Istio
   * finding with the code, object and message of an earlier one is dropped (project findings also
   * differ by field).
   */
  public report<P>(template: MessageTemplate<P>, m: Manifest | string, field: string, ...params: ParamsOf<P>): void {
    const finding = makeFinding(template, typeof m === 'string' ? m : objectKey(m), field, ...params);
    const key = `${finding.code}|${finding.object}|${finding.message}${finding.code.startsWith('IST') ? '' : `|${field}`}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.reportedFindings.push(finding);
  }
}

/** A template's parameters as the rest of a call: nothing for a template without placeholders. */
export type ParamsOf<P> = keyof P extends never ? [] : [params: P];

/** The one way to make a finding: a catalogue template, the object (`Kind namespace/name`) and field, and the template's parameters. */
export function makeFinding<P>(
  template: MessageTemplate<P>,
  object: string,
  field: string,
  ...params: ParamsOf<P>
): Finding {
  const message = renderMessage(template, (params[0] ?? {}) as P);
  return { code: template.code as AnalyzerCode, level: template.level, object, field, message };
}

/** `metadata.annotations` of any object. */
export function annotations(m: Manifest): Record<string, string> {
  return (objectAt(m.metadata, 'annotations') ?? {}) as Record<string, string>;
}

/** Istio's IsIstioControlPlane: an `istio` label, or `release: istio` (util/config.go). */
export function isIstioControlPlane(m: Manifest): boolean {
  const labels = m.metadata.labels ?? {};
  return labels.istio !== undefined || labels.release === 'istio';
}

/** A list field, or none when the field is not a list (malformed input must not crash the analysis). */
export function list<T = any>(value: unknown): T[] {
  return Array.isArray(value) ? value : [];
}

function podView(m: Manifest): PodView | undefined {
  if (m.kind === 'Pod' && m.apiVersion === 'v1') {
    return {
      source: m,
      isPod: true,
      namespace: namespaceOf(m),
      labels: m.metadata.labels ?? {},
      annotations: annotations(m),
      spec: m.spec ?? {},
    };
  }
  if (POD_TEMPLATE_KINDS.has(m.kind) || isWorkload(m)) {
    const template = m.spec?.template ?? {};
    return {
      source: m,
      isPod: false,
      namespace: namespaceOf(m),
      labels: template.metadata?.labels ?? {},
      annotations: template.metadata?.annotations ?? {},
      spec: template.spec ?? {},
    };
  }
  return undefined;
}
