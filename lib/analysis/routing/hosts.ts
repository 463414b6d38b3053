/**
 * Istio host names (istio/istio pkg/config/host/name.go): case-insensitive, `*` alone or a leading
 * `*.` wildcard, short names resolved in the namespace of the object that writes them
 * (pkg/config/model.go ResolveShortnameToFQDN), and Envoy's virtual host choice by the Host
 * header: exact domain first, then the longest `*.suffix`, then `*` (envoy docs
 * api-v3/config/route/v3/route_components.proto VirtualHost.domains).
 */

/** Whether Istio host `pattern` covers `host` (either may be a wildcard; pkg/config/host Name.Matches). */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*' || p === h) return true;
  if (p.startsWith('*')) {
    if (h.startsWith('*')) return h.slice(1).endsWith(p.slice(1));
    return h.endsWith(p.slice(1));
  }
  return false;
}

/** The more specific of two intersecting hosts (pkg/config/host Names.Intersection), or undefined when they do not intersect. */
export function hostIntersection(a: string, b: string): string | undefined {
  if (hostMatches(a, b)) return b.toLowerCase();
  if (hostMatches(b, a)) return a.toLowerCase();
  return undefined;
}

/**
 * A VirtualService, DestinationRule or ServiceEntry host as a fully qualified name: a name
 * without dots is `<name>.<namespace>.svc.<cluster domain>`; anything else is taken as written
 * (Istio does not expand `name.namespace`).
 */
export function resolveShortName(host: string, namespace: string, clusterDomain: string): string {
  const h = String(host).toLowerCase();
  if (h.includes('.') || h.startsWith('*')) return h;
  return `${h}.${namespace}.svc.${clusterDomain}`;
}

/** The request's Host without a port (`example.com:8080` → `example.com`; IPv6 brackets kept). */
export function hostWithoutPort(authority: string): string {
  const a = authority.toLowerCase();
  if (a.startsWith('[')) return a.slice(0, a.indexOf(']') + 1);
  const colon = a.lastIndexOf(':');
  return colon === -1 ? a : a.slice(0, colon);
}

/**
 * Envoy's choice among virtual host domains for `host`: an exact domain, else the longest
 * suffix wildcard (`*.example.com`), else `*`. Returns the chosen domain or undefined (404).
 */
export function chooseDomain(domains: Iterable<string>, host: string): string | undefined {
  const h = host.toLowerCase();
  let best: string | undefined;
  for (const d of domains) {
    const dl = d.toLowerCase();
    if (dl === h) return d;
    if (dl === '*') {
      if (best === undefined) best = d;
    } else if (dl.startsWith('*') && h.endsWith(dl.slice(1)) && h.length > dl.length - 1) {
      if (best === undefined || best === '*' || dl.length > best.length) best = d;
    }
  }
  return best;
}

/** Sort key so that more specific hosts come first: exact before wildcard, longer wildcards before shorter. */
export function specificity(host: string): number {
  if (host === '*') return 0;
  if (host.startsWith('*')) return host.length;
  return Number.MAX_SAFE_INTEGER;
}
