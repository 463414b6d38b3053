import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import type { Manifest } from './manifest';
import { isServing, isWorkload, labelsHold, namespaceOf, podLabels } from './manifest';
import { hostMatches, resolveShortName, specificity } from './routing/hosts';
import { objectAt, objectsAt } from './manifest-kinds';
import { exportedTo, sortByCreation } from './config-precedence';
import { endpointSliceWorkloads } from './endpoint-slices';

// Re-exported for the routing modules that import them from here.
export { exportedTo, sortByCreation } from './config-precedence';
export { endpointSlicesOf } from './endpoint-slices';

const NETWORKING = 'networking.istio.io/';
const SECURITY = 'security.istio.io/';

/**
 * One index of a set of manifests, shared by the simulator, the analyzer, explain and the
 * transition check: Services by namespace and name (and by DNS name or Istio host), workloads
 * (every pod controller, Pods, Rollouts) by the `app` label of their pods, ServiceEntries,
 * DestinationRule subsets merged per Service as Istio merges them, and Istio objects by kind.
 * Built once per manifest list and cluster domain ({@link ManifestIndex.of}), so lookups are map hits.
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
  /** Pod controllers (Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs), Pods and Argo Rollouts, in manifest order. */
  public readonly workloads: readonly Manifest[];
  private readonly kinds = new Map<string, Manifest[]>();
  private readonly servicesByKey = new Map<string, Manifest>();
  private readonly workloadsByApp = new Map<string, Manifest[]>();
  private readonly workloadsByName = new Map<string, Manifest>();
  private servicesByFqdn?: Map<string, Manifest>;
  private readonly mergedSubsets = new Map<string, ReadonlyMap<string, Record<string, string>> | undefined>();
  private ruleHosts?: {
    exact: Map<string, Manifest[]>;
    wildcard: { dr: Manifest; host: string }[];
    order: Map<Manifest, number>;
  };

  private constructor(
    manifests: readonly Manifest[],
    public readonly clusterDomain: string,
  ) {
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
        if (this.workloadsByApp.has(key)) this.workloadsByApp.get(key)!.push(m);
        else this.workloadsByApp.set(key, [m]);
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

  /** The fully qualified Istio host of a Service: `<name>.<namespace>.svc.<cluster domain>`. */
  public serviceHost(svc: Manifest): string {
    return `${svc.metadata.name}.${namespaceOf(svc)}.svc.${this.clusterDomain}`.toLowerCase();
  }

  /**
   * The Service an Istio host names, as Istio resolves it (pkg/config/model.go
   * ResolveShortnameToFQDN): a name without dots is short for `<name>.<namespace>.svc.<domain>`;
   * anything else must be the fully qualified host (Istio does not expand `name.namespace`).
   */
  public serviceForIstioHost(host: string, namespace: string): Manifest | undefined {
    if (!this.servicesByFqdn) {
      this.servicesByFqdn = new Map();
      for (const svc of this.services)
        if (!this.servicesByFqdn.has(this.serviceHost(svc))) this.servicesByFqdn.set(this.serviceHost(svc), svc);
    }
    return this.servicesByFqdn.get(resolveShortName(host, namespace, this.clusterDomain));
  }

  /**
   * The ServiceEntry visible from `namespace` that declares `host` as written (a route destination's
   * cluster is `outbound|port||<host>`, built per declared host: a host a wildcard host covers has none).
   */
  public serviceEntryDeclaring(host: string, namespace: string): Manifest | undefined {
    const h = resolveShortName(host, namespace, this.clusterDomain).toLowerCase();
    return this.ofKind('ServiceEntry')
      .filter((se) => exportedTo(se, namespace))
      .find((se) => (se.spec?.hosts ?? []).some((x: string) => x.toLowerCase() === h));
  }

  /**
   * The subsets (name → labels) of the DestinationRules that apply to traffic from `clientNamespace`
   * to `svc`, merged as Istio merges them (pilot/pkg/model/destination_rule.go mergeDestinationRule):
   * rules without a workloadSelector for the same host in one namespace are concatenated, the first
   * subset of a name wins. The namespace chosen is the client's, then the Service's, then any
   * other exporting to the client (push_context.go destinationRule); within it the most specific
   * host (exact before wildcard). Undefined when no DestinationRule applies.
   */
  public destinationSubsets(
    svc: Manifest,
    clientNamespace: string,
  ): ReadonlyMap<string, Record<string, string>> | undefined {
    const key = `${clientNamespace}|${namespaceOf(svc)}/${svc.metadata.name}`;
    if (this.mergedSubsets.has(key)) return this.mergedSubsets.get(key);
    const chosen = this.applyingRules(svc, clientNamespace);
    let merged: Map<string, Record<string, string>> | undefined;
    if (chosen) {
      merged = new Map();
      for (const dr of chosen)
        for (const s of dr.spec?.subsets ?? []) if (!merged.has(s.name)) merged.set(s.name, s.labels ?? {});
    }
    this.mergedSubsets.set(key, merged);
    return merged;
  }

  /**
   * The traffic policy that applies to traffic from `clientNamespace` to `svc` (and `subset`): the
   * first policy of the applying DestinationRules, with the subset's policy replacing it field by
   * field (connectionPool, outlierDetection, loadBalancer, tls), as pilot/pkg/networking/util
   * MergeSubsetTrafficPolicy does. Undefined when no DestinationRule sets one.
   */
  public trafficPolicy(
    svc: Manifest,
    subset: string | undefined,
    clientNamespace: string,
  ): Record<string, unknown> | undefined {
    const rules = this.applyingRules(svc, clientNamespace) ?? [];
    const top = rules.map((dr) => dr.spec?.trafficPolicy).find((p) => p !== undefined);
    const own =
      subset === undefined
        ? undefined
        : objectAt(
            rules.flatMap((dr) => objectsAt(dr.spec, 'subsets')).find((x) => x.name === subset),
            'trafficPolicy',
          );
    if (top === undefined && own === undefined) return undefined;
    const merged: Record<string, unknown> = { ...(top ?? {}) };
    for (const field of ['connectionPool', 'outlierDetection', 'loadBalancer', 'tls'] as const)
      if (own?.[field] !== undefined) merged[field] = own[field];
    return merged;
  }

  /** The DestinationRules of one namespace and host that apply to traffic from `clientNamespace` to `svc`, in creation order. */
  private applyingRules(svc: Manifest, clientNamespace: string): Manifest[] | undefined {
    return this.rulesForHost(this.serviceHost(svc), namespaceOf(svc), clientNamespace);
  }

  /**
   * The DestinationRules of one namespace and host that apply to traffic from `clientNamespace` to
   * the fully qualified `host` (a Service's or a ServiceEntry's, defined in `hostNamespace`), in
   * creation order; undefined when none does.
   */
  public rulesForHost(host: string, hostNamespace: string, clientNamespace: string): Manifest[] | undefined {
    const rules = sortByCreation(this.rulesCovering(host));
    const visible = (dr: Manifest) => namespaceOf(dr) === clientNamespace || exportedTo(dr, clientNamespace);
    const groups = [
      rules.filter((dr) => namespaceOf(dr) === clientNamespace),
      rules.filter((dr) => namespaceOf(dr) === hostNamespace && visible(dr)),
      rules.filter((dr) => visible(dr)),
    ];
    const hostOf = (dr: Manifest) => resolveShortName(dr.spec?.host ?? '', namespaceOf(dr), this.clusterDomain);
    for (const group of groups) {
      if (group.length === 0) continue;
      // The most specific host wins; the rules of that host in that namespace merge, in creation order.
      const best = group.reduce((a, b) => (specificity(hostOf(b)) > specificity(hostOf(a)) ? b : a));
      return group.filter((dr) => hostOf(dr) === hostOf(best) && namespaceOf(dr) === namespaceOf(best));
    }
    return undefined;
  }

  /**
   * The DestinationRules without a workloadSelector whose host covers `fqdn`, in manifest order:
   * exact hosts by map, wildcard hosts tested one by one (a scan of every rule per Service was
   * quadratic in the release's size).
   */
  private rulesCovering(fqdn: string): Manifest[] {
    if (!this.ruleHosts) {
      const hosts = {
        exact: new Map<string, Manifest[]>(),
        wildcard: [] as { dr: Manifest; host: string }[],
        order: new Map<Manifest, number>(),
      };
      this.ofKind('DestinationRule').forEach((dr, i) => {
        if (dr.spec?.workloadSelector !== undefined) return;
        const host = resolveShortName(dr.spec?.host ?? '', namespaceOf(dr), this.clusterDomain);
        hosts.order.set(dr, i);
        if (host.startsWith('*')) hosts.wildcard.push({ dr, host });
        else if (hosts.exact.has(host)) hosts.exact.get(host)!.push(dr);
        else hosts.exact.set(host, [dr]);
      });
      this.ruleHosts = hosts;
    }
    const { exact, wildcard, order } = this.ruleHosts;
    const covering = wildcard.filter((w) => hostMatches(w.host, fqdn)).map((w) => w.dr);
    const found = exact.get(fqdn) ?? [];
    return covering.length === 0 ? found : [...found, ...covering].sort((a, b) => order.get(a)! - order.get(b)!);
  }

  /** A workload (Deployment, StatefulSet, Rollout, ...) by name. */
  public workload(name: string): Manifest | undefined {
    return this.workloadsByName.get(name);
  }

  /**
   * The workloads whose pods a Service sends to: pod labels holding the Service selector and the
   * subset's labels (a subset narrows the Service, it never replaces its selector).
   * `servingOnly` leaves out workloads scaled to zero.
   */
  public podsBehind(
    svc: Manifest,
    subsetLabels: Readonly<Record<string, string>> = {},
    servingOnly = false,
  ): Manifest[] {
    // Both must hold: a subset label of a key the selector also sets, with another value, selects nothing.
    const selector: Record<string, string> = svc.spec?.selector ?? {};
    const selected =
      Object.keys(selector).length === 0
        ? endpointSliceWorkloads(this, svc)
        : this.workloadsSelected(namespaceOf(svc), selector);
    const pods = selected.filter((w) => labelsHold(subsetLabels, podLabels(w)));
    return servingOnly ? pods.filter(isServing) : pods;
  }

  /** The workloads of `namespace` whose pods carry every label of `matchLabels` (a policy or PDB selector). */
  public workloadsSelected(namespace: string, matchLabels: Readonly<Record<string, string>>): Manifest[] {
    const candidates =
      matchLabels.app !== undefined
        ? (this.workloadsByApp.get(`${namespace}|${matchLabels.app}`) ?? [])
        : this.workloads.filter((w) => namespaceOf(w) === namespace);
    return candidates.filter((w) => labelsHold(matchLabels, podLabels(w)));
  }

  /**
   * The subsets (name → labels) the DestinationRules for a Service define, merged as Istio merges
   * them, seen from the Service's own namespace (see {@link destinationSubsets}); undefined without one.
   */
  public subsets(svc: Manifest): ReadonlyMap<string, Record<string, string>> | undefined {
    return this.destinationSubsets(svc, namespaceOf(svc));
  }

  /** Istio objects are indexed by kind only when their apiVersion is Istio's (a foreign `Gateway` is not Istio's). */
  private kindKey(m: Manifest): string {
    const istio = m.apiVersion?.startsWith(NETWORKING) || m.apiVersion?.startsWith(SECURITY);
    const istioKind = [
      'VirtualService',
      'DestinationRule',
      'Gateway',
      'ServiceEntry',
      'Sidecar',
      'AuthorizationPolicy',
      'PeerAuthentication',
    ].includes(m.kind);
    return istioKind && !istio ? `${m.apiVersion}/${m.kind}` : m.kind;
  }
}

const cache = new WeakMap<readonly Manifest[], Map<string, ManifestIndex>>();
