/**
 * Host names as Istio's analyzers resolve them (pkg/config/analysis/analyzers/util/hosts.go,
 * service_lookup.go, pkg/config/host/name.go): short names become FQDNs in the namespace of the
 * object that writes them, visibility is a scope (`*`, a namespace) per FQDN, and wildcards match
 * by suffix.
 */

/** `*`: exported to every namespace; `.`: exported to the object's own namespace. */
export const EXPORT_TO_ALL = '*';
export const EXPORT_TO_LOCAL = '.';

/**
 * Istio's ConvertHostToFQDN: a host that is neither a wildcard nor dotted is a short name in
 * `namespace` (`reviews` → `reviews.<ns>.svc.<domain>`); anything else is kept as written.
 */
export function hostToFqdn(namespace: string, host: string, clusterDomain: string): string {
  return !host.startsWith('*') && !host.includes('.') ? `${host}.${namespace}.svc.${clusterDomain}` : host;
}

/** Istio's GetFullNameFromFQDN: `name.namespace.svc.<domain>` → `{ name, namespace }`, else undefined. */
export function serviceNameOfFqdn(
  fqdn: string,
  clusterDomain: string,
): { name: string; namespace: string } | undefined {
  const suffix = `.svc.${clusterDomain}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const head = fqdn.slice(0, -suffix.length);
  const dot = head.lastIndexOf('.');
  if (dot <= 0 || dot === head.length - 1) return undefined;
  return { name: head.slice(0, dot), namespace: head.slice(dot + 1) };
}

/** Istio's GetResourceNameFromHost: the Service a host names, short names in `namespace`. */
export function resourceNameOfHost(namespace: string, host: string, clusterDomain: string): string {
  const full = serviceNameOfFqdn(host, clusterDomain);
  return full ? `${full.namespace}/${full.name}` : `${namespace}/${host}`;
}

/** Istio's host.Name.Matches: equal, or one side a wildcard whose suffix the other ends with. */
export function hostNamesMatch(a: string, b: string): boolean {
  const aWild = a.startsWith('*');
  const bWild = b.startsWith('*');
  if (aWild && bWild) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return a === b;
}

/** A host visible in a scope: Istio's ScopedFqdn `scope/fqdn`. */
export interface ScopedHost {
  readonly scope: string;
  readonly fqdn: string;
}

/** The ports a destination host offers, and the object that declares it. */
export interface HostEntry {
  readonly ports: readonly { readonly number: number; readonly name?: string }[];
  /** Pod labels of a ServiceEntry's workloadSelector (none for a Kubernetes Service). */
  readonly workloadLabels?: Readonly<Record<string, string>>;
}

/**
 * The hosts a set of ServiceEntries and Services declare, by scope (Istio's
 * InitServiceEntryHostMap): a ServiceEntry per its `exportTo`, a Service per its
 * `networking.istio.io/exportTo` annotation, both `*` when unset.
 */
export class HostRegistry {
  private readonly entries = new Map<string, HostEntry>();

  constructor(private readonly clusterDomain: string) {}

  /** Declares `hosts` written in `namespace`, visible per `exportTo`. */
  public add(namespace: string, hosts: readonly string[], exportTo: readonly string[], entry: HostEntry): void {
    const scopes =
      exportTo.length === 0 || exportTo.includes(EXPORT_TO_ALL)
        ? [EXPORT_TO_ALL]
        : exportTo.map((e) => (e === EXPORT_TO_LOCAL ? namespace : e));
    for (const h of hosts) {
      for (const scope of scopes) this.entries.set(`${scope}/${hostToFqdn(namespace, h, this.clusterDomain)}`, entry);
    }
  }

  /**
   * Istio's GetDestinationHost: the entry a host written in `namespace` (by an object exported
   * per `exportTo`) reaches: exported to all, then in the object's scopes, then wildcard entries.
   */
  public lookup(namespace: string, exportTo: readonly string[], host: string): HostEntry | undefined {
    const fqdn = hostToFqdn(namespace, host, this.clusterDomain);
    const exact = this.entries.get(`${EXPORT_TO_ALL}/${fqdn}`);
    if (exact) return exact;
    const scopes = exportTo.length === 0 ? [namespace] : exportTo.map((e) => (e === EXPORT_TO_LOCAL ? namespace : e));
    for (const scope of scopes) {
      const scoped = this.entries.get(`${scope}/${fqdn}`);
      if (scoped) return scoped;
    }
    const bare = host.startsWith('*') ? host.slice(1) : host;
    for (const [key, entry] of this.entries) {
      const slash = key.indexOf('/');
      const scope = key.slice(0, slash);
      const declared = key.slice(slash + 1);
      if (!declared.startsWith('*') || (scope !== EXPORT_TO_ALL && scope !== namespace)) continue;
      if (bare.endsWith(declared.slice(1))) return entry;
    }
    return undefined;
  }
}

/** Scopes of a Service from its `networking.istio.io/exportTo` annotation (comma-separated). */
export function serviceExportTo(annotation: string | undefined): string[] {
  return annotation ? annotation.split(',').map((s) => s.trim()) : [];
}
