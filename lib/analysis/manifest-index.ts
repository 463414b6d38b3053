import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import { isWorkload, labelsHold, Manifest, namespaceOf, podLabels } from './manifest';

const NETWORKING = 'networking.istio.io/';
const SECURITY = 'security.istio.io/';

/**
 * One index of a set of manifests, shared by the simulator, the analyzer, explain and the
 * transition check: Services by namespace and name (and by host), workloads by the `app` label
 * of their pods, DestinationRule subsets per Service and Istio objects by kind. Built once per
 * manifest list and cluster domain ({@link ManifestIndex.of}), so every lookup is a map hit.
 */
export class ManifestIndex {
  /** The index of `manifests`, built on first use and reused for the same list and cluster domain. */
  public static of(manifests: readonly Manifest[], clusterDomain = DEFAULT_CLUSTER_DOMAIN): ManifestIndex {
    let byDomain = cache.get(manifests);
    if (!byDomain) cache.set(manifests, (byDomain = new Map()));
    let index = byDomain.get(clusterDomain);
    if (!index) byDomain.set(clusterDomain, (index = new ManifestIndex(manifests, clusterDomain)));
    return index;
  }

  /** Every object (null documents dropped). */
  public readonly objects: readonly Manifest[];
  /** Deployments and Argo Rollouts, in manifest order. */
  public readonly workloads: readonly Manifest[];
  private readonly kinds = new Map<string, Manifest[]>();
  private readonly servicesByKey = new Map<string, Manifest>();
  private readonly workloadsByApp = new Map<string, Manifest[]>();
  private readonly workloadsByName = new Map<string, Manifest>();
  private subsetsByService?: Map<Manifest, ReadonlyMap<string, Record<string, string>>>;

  private constructor(manifests: readonly Manifest[], public readonly clusterDomain: string) {
    this.objects = manifests.filter((m) => m && typeof m === 'object' && typeof m.kind === 'string' && m.metadata);
    const workloads: Manifest[] = [];
    for (const m of this.objects) {
      const kind = this.kindKey(m);
      let list = this.kinds.get(kind);
      if (!list) this.kinds.set(kind, (list = []));
      list.push(m);
      if (m.kind === 'Service') {
        const key = `${namespaceOf(m)}/${m.metadata.name}`;
        if (!this.servicesByKey.has(key)) this.servicesByKey.set(key, m);
      } else if (isWorkload(m)) {
        workloads.push(m);
        const key = `${namespaceOf(m)}|${podLabels(m).app ?? ''}`;
        this.workloadsByApp.set(key, [...(this.workloadsByApp.get(key) ?? []), m]);
        if (!this.workloadsByName.has(m.metadata.name)) this.workloadsByName.set(m.metadata.name, m);
      }
    }
    this.workloads = workloads;
  }

  /** Objects of a kind: `Service`, `Namespace`, or an Istio kind (`VirtualService`, `AuthorizationPolicy`, ...). */
  public ofKind(kind: string): readonly Manifest[] {
    return this.kinds.get(kind) ?? [];
  }

  /** Every Service. */
  public get services(): readonly Manifest[] {
    return this.ofKind('Service');
  }

  /** The Service `name` in `namespace`. */
  public service(name: string, namespace: string): Manifest | undefined {
    return this.servicesByKey.get(`${namespace}/${name}`);
  }

  /**
   * The Service a host names, as Istio resolves a host written in an object of `namespace`:
   * a short name in that namespace, `name.namespace`, `name.namespace.svc`, or the fully
   * qualified `name.namespace.svc.<cluster domain>`.
   */
  public serviceForHost(host: string, namespace: string): Manifest | undefined {
    const parts = String(host).toLowerCase().split('.');
    if (parts.length === 1) return this.service(parts[0], namespace);
    const suffix = parts.slice(2).join('.');
    if (suffix !== '' && suffix !== 'svc' && suffix !== `svc.${this.clusterDomain}`) return undefined;
    return this.service(parts[0], parts[1]);
  }

  /** A Deployment or Rollout by name. */
  public workload(name: string): Manifest | undefined {
    return this.workloadsByName.get(name);
  }

  /**
   * The workloads whose pods a Service sends to: pod labels holding the Service selector and the
   * subset's labels (a subset narrows the Service, it never replaces its selector).
   * `servingOnly` leaves out workloads scaled to zero.
   */
  public podsBehind(svc: Manifest, subsetLabels: Readonly<Record<string, string>> = {}, servingOnly = false): Manifest[] {
    const pods = this.workloadsSelected(namespaceOf(svc), { ...(svc.spec?.selector ?? {}), ...subsetLabels });
    return servingOnly ? pods.filter((w) => (w.spec?.replicas ?? 1) > 0) : pods;
  }

  /** The workloads of `namespace` whose pods carry every label of `matchLabels` (a policy or PDB selector). */
  public workloadsSelected(namespace: string, matchLabels: Readonly<Record<string, string>>): Manifest[] {
    const candidates = matchLabels.app !== undefined ? this.workloadsByApp.get(`${namespace}|${matchLabels.app}`) ?? [] : this.workloads.filter((w) => namespaceOf(w) === namespace);
    return candidates.filter((w) => labelsHold(matchLabels, podLabels(w)));
  }

  /** The subsets (name → labels) the first DestinationRule for a Service defines, if any. */
  public subsets(svc: Manifest): ReadonlyMap<string, Record<string, string>> | undefined {
    if (!this.subsetsByService) {
      this.subsetsByService = new Map();
      for (const dr of this.ofKind('DestinationRule')) {
        const target = this.serviceForHost(dr.spec?.host ?? '', namespaceOf(dr));
        if (target && !this.subsetsByService.has(target)) {
          this.subsetsByService.set(target, new Map((dr.spec?.subsets ?? []).map((s: any) => [s.name, s.labels ?? {}])));
        }
      }
    }
    return this.subsetsByService.get(svc);
  }

  /** Istio objects are indexed by kind only when their apiVersion is Istio's (a foreign `Gateway` is not Istio's). */
  private kindKey(m: Manifest): string {
    const istio = m.apiVersion?.startsWith(NETWORKING) || m.apiVersion?.startsWith(SECURITY);
    const istioKind = ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'AuthorizationPolicy', 'PeerAuthentication'].includes(m.kind);
    return istioKind && !istio ? `${m.apiVersion}/${m.kind}` : m.kind;
  }
}

const cache = new WeakMap<readonly Manifest[], Map<string, ManifestIndex>>();
