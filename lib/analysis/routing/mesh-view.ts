/**
 * What one sidecar sees of the mesh on one port: the Services and VirtualServices its Sidecar
 * scope imports (sidecar-scope.ts), the VirtualService of an imported Service, and the virtual
 * host a Host header picks in its route configuration `<port>` (pilot/pkg/networking/core/route/route.go
 * BuildSidecarVirtualHostWrapper, separateVSHostsAndServices).
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { portProtocol } from './gateway';
import { hostMatches, hostWithoutPort, resolveShortName, specificity } from './hosts';
import type { EgressListener } from './sidecar-scope';
import { importsHttpRoute, importsService, importsVirtualService } from './sidecar-scope';
import { visibleVirtualServices } from './visibility';

/** A mesh VirtualService host as a client namespace sees it, with its rank (specificity) and place in Istio's order. */
interface MeshHost {
  readonly vs: Manifest;
  readonly host: string;
  readonly rank: number;
  readonly order: number;
}

/** The virtual host a Host picks: a Service (with the VirtualService routing it, if any), or a VirtualService alone. */
export type VirtualHostChoice = { readonly svc?: Manifest; readonly vs?: Manifest } | 'passthrough' | undefined;

export class MeshView {
  private readonly exact = new Map<string, MeshHost>();
  private readonly wildcards: MeshHost[] = [];
  /** The Services the listener imports, by fully qualified host. */
  private readonly imported = new Map<string, Manifest>();

  /** `listener` undefined: the Sidecar has no egress listener for the port, so nothing is imported on it. */
  constructor(
    private readonly index: ManifestIndex,
    private readonly clientNs: string,
    private readonly listener: EgressListener | undefined,
  ) {
    if (!listener) return;
    for (const svc of index.services) {
      const fqdn = index.serviceHost(svc);
      if (importsService(index, listener, svc, clientNs) && !this.imported.has(fqdn)) this.imported.set(fqdn, svc);
    }
    let order = 0;
    for (const vs of visibleVirtualServices(index, clientNs, 'mesh')) {
      if (!importsVirtualService(index, listener, vs)) continue;
      for (const h of vs.spec?.hosts ?? []) {
        // Istio rejects host `*` on a mesh-bound VirtualService (pkg/config/validation validateVirtualService).
        if (h === '*') continue;
        const host = resolveShortName(h, namespaceOf(vs), index.clusterDomain);
        const entry = { vs, host, rank: specificity(host), order: order++ };
        if (host.startsWith('*')) this.wildcards.push(entry);
        else if (!this.exact.has(host.toLowerCase())) this.exact.set(host.toLowerCase(), entry);
      }
    }
  }

  /** Whether the sidecar imports the Service on this port (it has an outbound cluster and listener for it). */
  public imports(svc: Manifest): boolean {
    return this.imported.get(this.index.serviceHost(svc)) === svc;
  }

  /** Whether the sidecar imports an HTTPRoute that routes the Service `svc`. */
  public importsRoute(route: Manifest, svc: Manifest): boolean {
    return this.listener !== undefined && importsHttpRoute(this.index, this.listener, route, svc);
  }

  /** Whether the sidecar has route configuration `<port>`: an imported Service has HTTP (or sniffed) port `port`. */
  public hasRouteConfig(port: number): boolean {
    return [...this.imported.values()].some((s) => this.httpPorts(s).includes(port));
  }

  /**
   * The VirtualService a sidecar uses for an imported Service (pilot/pkg/model/virtualservice.go
   * SelectVirtualServices, route.go separateVSHostsAndServices): bound to `mesh`, visible to the
   * client (exportTo; its own namespace's first, then exported to it, then public, each by creation
   * time), imported by its Sidecar, an exact host before the most specific wildcard host.
   */
  public virtualServiceFor(svc: Manifest): Manifest | undefined {
    const fqdn = this.index.serviceHost(svc);
    let best = this.exact.get(fqdn.toLowerCase());
    for (const w of this.wildcards) {
      const better = !best || w.rank > best.rank || (w.rank === best.rank && w.order < best.order);
      if (hostMatches(w.host, fqdn) && better) best = w;
    }
    return best?.vs;
  }

  /**
   * The virtual host a Host header picks on a declared HTTP port of the sidecar (domains from
   * generateVirtualHostDomains): an imported Service by its names (`name` in the caller's
   * namespace, `name.namespace`, `name.namespace.svc`, the fully qualified name; an ExternalName
   * alias for its concrete Service) or a VirtualService's exact host of such a Service, else a
   * VirtualService host that names no imported Service. Undefined when the Host names the called
   * Service itself; 'passthrough' when it names nothing (the `allow_any` virtual host).
   */
  public virtualHostForHost(svc: Manifest, port: number, host: string): VirtualHostChoice {
    const h = hostWithoutPort(host).replace(/\.$/, '').toLowerCase();
    const own = this.index.serviceForHost(h, this.clientNs);
    if (own === svc || h === svc.spec?.clusterIP) return undefined;
    const hasPort = (s: Manifest | undefined): s is Manifest =>
      s !== undefined && this.imports(s) && this.httpPorts(s).includes(port);
    // An ExternalName Service naming a Service of the manifests is an alias of it (its virtual host serves both names).
    const concrete = (s: Manifest | undefined) =>
      s?.spec?.type === 'ExternalName'
        ? this.index.serviceForHost(String(s.spec?.externalName ?? '').replace(/\.$/, ''), namespaceOf(s))
        : s;
    const exact = this.exact.get(h);
    const target = concrete(this.index.serviceForIstioHost(h, this.clientNs));
    if (exact && hasPort(target)) return { svc: target, vs: exact.vs };
    const named = concrete(own);
    if (hasPort(named)) return { svc: named };
    const vs = this.nonServiceHost(h, port);
    return vs ? { vs } : 'passthrough';
  }

  /**
   * The VirtualService whose host that names no imported Service is a virtual host domain for `h`
   * on `port`: such hosts ride on the ports of the VirtualService's imported Services, or on port
   * 80 alone when it has none (buildSidecarVirtualHostsForVirtualService); exact before the
   * longest wildcard (Envoy's domain choice).
   */
  public nonServiceHost(h: string, port: number): Manifest | undefined {
    const exact = this.exact.get(h);
    if (exact && !this.imported.has(h) && this.attachesOn(exact.vs, port)) return exact.vs;
    const wildcard = this.wildcards
      .filter((w) => hostMatches(w.host, h) && !this.namesImported(w.host) && this.attachesOn(w.vs, port))
      .sort((a, b) => b.rank - a.rank || a.order - b.order)[0];
    return wildcard?.vs;
  }

  /** Whether a wildcard host covers an imported Service (then it is no virtual host of its own). */
  private namesImported(wildcard: string): boolean {
    return [...this.imported.keys()].some((s) => hostMatches(wildcard, s));
  }

  private attachesOn(vs: Manifest, port: number): boolean {
    const written: unknown = vs.spec?.hosts;
    const hosts = (Array.isArray(written) ? written : []).map((x) =>
      resolveShortName(String(x), namespaceOf(vs), this.index.clusterDomain),
    );
    const services = [...this.imported.entries()]
      .filter(([fqdn]) => hosts.some((x) => hostMatches(x, fqdn)))
      .map(([, s]) => s);
    return services.length === 0 ? port === 80 : services.some((s) => this.httpPorts(s).includes(port));
  }

  private httpPorts(svc: Manifest): number[] {
    const ports: unknown[] = Array.isArray(svc.spec?.ports) ? svc.spec.ports : [];
    return ports.filter((p) => ['http', 'sniffed'].includes(portProtocol(p))).map((p) => (p as { port: number }).port);
  }
}
