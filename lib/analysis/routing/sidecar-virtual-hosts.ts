/**
 * The virtual hosts of a sidecar's outbound route configuration `<port>` and the one a Host
 * picks (istio/istio 1.30.3 pilot/pkg/networking/core/httproute.go BuildSidecarOutboundVirtualHosts,
 * generateVirtualHostDomains, dedupeDomains; route/route.go BuildSidecarVirtualHostWrapper,
 * separateVSHostsAndServices). The registry is what the egress listener imports with HTTP (or
 * sniffed) port `port`: Kubernetes Services and ServiceEntry hosts. VirtualServices come first,
 * in Istio's order: their hosts that name no registry host (on a port other than 80 only when
 * they also name one), then the registry hosts they name; then the registry hosts no
 * VirtualService names. A domain another virtual host took first is dropped, as is a short form
 * of a host that is itself a known host. Envoy picks the exact domain, else the longest wildcard.
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { portProtocol } from './gateway';
import { chooseDomain, hostMatches, hostWithoutPort, resolveShortName, specificity } from './hosts';
import type { EntryHost } from './service-entry-hosts';
import { entryAddresses, entryHosts, entryPort, entryProtocol, importsEntry } from './service-entry-hosts';
import type { EgressListener } from './sidecar-scope';
import { importsService, importsVirtualService } from './sidecar-scope';
import { visibleVirtualServices } from './visibility';

/** One virtual host: a Kubernetes Service, a ServiceEntry host, or a VirtualService host alone; with the VirtualService whose routes it carries. */
export interface SidecarVirtualHost {
  readonly name: string;
  readonly domains: readonly string[];
  readonly svc?: Manifest;
  readonly entry?: EntryHost;
  readonly vs?: Manifest;
}

/** A host of the registry for the port. */
interface Registered {
  readonly key: string;
  readonly svc?: Manifest;
  readonly entry?: EntryHost;
}

/** What one VirtualService contributes: its hosts that name no registry host, and the registry hosts it routes. */
interface Wrapper {
  readonly vs: Manifest;
  readonly hosts: readonly string[];
  readonly members: readonly Registered[];
}

const isHttp = (p: string) => p === 'http' || p === 'sniffed';

/** The virtual hosts of route configuration `<port>` of a sidecar in `clientNs` whose egress listener for the port is `listener`. */
export function sidecarVirtualHosts(
  index: ManifestIndex,
  clientNs: string,
  listener: EgressListener,
  port: number,
): SidecarVirtualHost[] {
  const registry = registryOf(index, clientNs, listener, port);
  const wrappers = wrappersOf(index, clientNs, listener, port, registry);
  const routed = new Set(wrappers.flatMap((w) => w.members.map((m) => m.key)));
  const out: SidecarVirtualHost[] = [];
  const names = new Set<string>();
  const claimed = new Set<string>();
  const add = (
    name: string,
    domains: readonly string[],
    alts: readonly string[],
    more: Partial<SidecarVirtualHost>,
  ) => {
    if (names.has(name)) return;
    names.add(name);
    const kept = domains.filter((d) => !claimed.has(d.toLowerCase()) && !(alts.includes(d) && registry.has(d)));
    kept.forEach((d) => claimed.add(d.toLowerCase()));
    if (kept.length > 0) out.push({ name: `${name}:${port}`, domains: kept, ...more });
  };
  const addRegistered = (r: Registered, vs: Manifest | undefined) => {
    const { domains, alts } = domainsOf(index, r, clientNs);
    add(r.key, domains, alts, { ...(r.svc ? { svc: r.svc } : { entry: r.entry }), ...(vs ? { vs } : {}) });
  };
  for (const w of wrappers) {
    for (const h of w.hosts) add(h, [h], [], { vs: w.vs });
    for (const m of w.members) addRegistered(m, w.vs);
  }
  for (const r of registry.values()) if (!routed.has(r.key)) addRegistered(r, undefined);
  return out;
}

/** Envoy's virtual host for a Host (IgnorePortInHostMatching): the one whose domain {@link chooseDomain} picks; undefined when none matches. */
export function pickVirtualHost(
  vhosts: readonly SidecarVirtualHost[],
  authority: string,
): SidecarVirtualHost | undefined {
  const domain = chooseDomain(
    vhosts.flatMap((v) => v.domains),
    hostWithoutPort(authority),
  );
  return domain === undefined ? undefined : vhosts.find((v) => v.domains.includes(domain));
}

/** The Services and ServiceEntry hosts the listener imports with HTTP or sniffed port `port`, by host (the first of a host wins). */
function registryOf(
  index: ManifestIndex,
  clientNs: string,
  listener: EgressListener,
  port: number,
): Map<string, Registered> {
  const registry = new Map<string, Registered>();
  for (const svc of index.services) {
    const declared: unknown[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    const hasPort = declared.some((p) => (p as { port?: number }).port === port && isHttp(portProtocol(p)));
    const key = index.serviceHost(svc);
    // ExternalName Services are aliases: their names are domains of the concrete Service (domainsOf).
    if (svc.spec?.type === 'ExternalName' || !hasPort || registry.has(key)) continue;
    if (importsService(index, listener, svc, clientNs)) registry.set(key, { key, svc });
  }
  for (const se of index.ofKind('ServiceEntry')) {
    const p = entryPort(se, port);
    if (!p || !isHttp(entryProtocol(p))) continue;
    for (const host of entryHosts(se)) {
      const entry = { se, host };
      if (!registry.has(host) && importsEntry(listener, entry, clientNs)) registry.set(host, { key: host, entry });
    }
  }
  return registry;
}

/** The VirtualServices the sidecar imports, bound to `mesh`, in Istio's order, with what each routes on the port. */
function wrappersOf(
  index: ManifestIndex,
  clientNs: string,
  listener: EgressListener,
  port: number,
  registry: ReadonlyMap<string, Registered>,
): Wrapper[] {
  const vss = visibleVirtualServices(index, clientNs, 'mesh').filter((vs) =>
    importsVirtualService(index, listener, vs),
  );
  const hostsOf = (vs: Manifest) =>
    (Array.isArray(vs.spec?.hosts) ? (vs.spec.hosts as unknown[]) : [])
      .map((h) => resolveShortName(String(h), namespaceOf(vs), index.clusterDomain))
      .filter((h) => h !== '*');
  const wildcardOwner = mostSpecificWildcards(
    vss.map((vs) => ({ vs, hosts: hostsOf(vs) })),
    registry,
  );
  const out: Wrapper[] = [];
  for (const vs of vss) {
    const hosts: string[] = [];
    const members: Registered[] = [];
    for (const h of hostsOf(vs)) {
      const matched = h.startsWith('*')
        ? [...registry.values()].filter((r) => hostMatches(h, r.key))
        : [registry.get(h)].filter((r): r is Registered => r !== undefined);
      if (matched.length === 0) hosts.push(h);
      members.push(...matched.filter((r) => !h.startsWith('*') || wildcardOwner.get(r.key) === vs));
    }
    // selectVirtualServices (ports other than 80) and buildSidecarVirtualHostsForVirtualService (port 80 without a registry host).
    if (members.length > 0 || (port === 80 && hosts.length > 0)) out.push({ vs, hosts, members });
  }
  return out;
}

/** For each registry host a wildcard VirtualService host covers: the VirtualService of the most specific such host (first in order on a tie). */
function mostSpecificWildcards(
  vss: readonly { vs: Manifest; hosts: readonly string[] }[],
  registry: ReadonlyMap<string, Registered>,
): Map<string, Manifest> {
  const owner = new Map<string, { vs: Manifest; rank: number }>();
  for (const { vs, hosts } of vss)
    for (const h of hosts.filter((x) => x.startsWith('*')))
      for (const key of registry.keys()) {
        const current = owner.get(key);
        if (hostMatches(h, key) && (!current || specificity(h) > current.rank))
          owner.set(key, { vs, rank: specificity(h) });
      }
  return new Map([...owner].map(([k, v]) => [k, v.vs]));
}

/** A registry host's domains (generateVirtualHostDomains) and which of them are short forms (GenerateAltVirtualHosts). */
function domainsOf(index: ManifestIndex, r: Registered, clientNs: string): { domains: string[]; alts: string[] } {
  const names = r.svc ? [r.key, ...aliasesOf(index, r.svc)] : [r.key];
  const alts = names.flatMap((n) => altHosts(n, clientNs, index.clusterDomain));
  let domains = names.flatMap((n) => [n, ...altHosts(n, clientNs, index.clusterDomain)]);
  // A headless Service (Kubernetes, resolution Passthrough) is also every name under its domains.
  if (r.svc?.spec?.clusterIP === 'None') domains = [...domains, ...domains.map((d) => `*.${d}`)];
  const ips: unknown = r.svc ? (r.svc.spec?.clusterIPs ?? [r.svc.spec?.clusterIP]) : entryAddresses(r.entry!.se);
  const addresses = (Array.isArray(ips) ? ips : []).map(String).filter((a) => a !== 'None' && a !== 'undefined');
  return { domains: [...domains, ...addresses], alts };
}

/** The fully qualified names of the ExternalName Services that are aliases of `svc`. */
function aliasesOf(index: ManifestIndex, svc: Manifest): string[] {
  return index.services
    .filter(
      (a) =>
        a.spec?.type === 'ExternalName' &&
        index.serviceForHost(String(a.spec?.externalName ?? '').replace(/\.$/, ''), namespaceOf(a)) === svc,
    )
    .map((a) => index.serviceHost(a));
}

/** The other Host forms of `host` for a proxy of `clientNs` (`<ns>.svc.<domain>`): `host.`, and for a cluster-local host its short names. */
function altHosts(host: string, clientNs: string, clusterDomain: string): string[] {
  const dotted = /^[0-9.]+$/.test(host) ? [] : [`${host}.`];
  const ih = host.indexOf('.svc.');
  const dot = host.indexOf('.');
  if (!host.endsWith(`.svc.${clusterDomain}`) || ih <= 0 || dot + 1 > ih) return dotted;
  const name = host.slice(0, dot);
  const nameNs = host.slice(0, ih);
  if (host.slice(dot + 1, ih) === clientNs) return [...dotted, name, `${nameNs}.svc`, nameNs];
  return [...dotted, nameNs, `${nameNs}.svc`];
}
