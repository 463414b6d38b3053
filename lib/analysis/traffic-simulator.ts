/**
 * Evaluates manifests the way Istio routes a request: the Gateway server and virtual host for the
 * Host (or, in the mesh, the VirtualService of the called Service), its routes in order with their
 * matches (RE2 regexes as full matches, method, authority, scheme, query, withoutHeaders,
 * sourceLabels, sourceNamespace, per-match gateways, ports), relative weights, then DestinationRule
 * subsets narrowing the Service selector, down to the workloads whose pods receive the request.
 * What it cannot evaluate it names on the answer (`Hop.notModelled`), it never guesses silently.
 * It reads the objects that will be applied, not the stage data, so it checks what will actually run.
 */
import { istioSetCookies } from './routing/response-cookies';
import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import { Manifest, namespaceOf } from './manifest';
import { ManifestIndex } from './manifest-index';
import { endpointNotes } from './routing/endpoints';
import { hostMatches, hostWithoutPort, resolveShortName, specificity } from './routing/hosts';
import { findGateway, gatewayPorts, ingressRoutes, portProtocol, proxyRoutes, routesOf } from './routing/gateway';
import { apiIngressRoutes, findApiGateway, grpcRoutesOf, meshApiRoutes } from './routing/gateway-api';
import { ApiHopContext, apiIngressHops, apiMeshHops, possibleApiHops } from './routing/gateway-api-backends';
import { visibleVirtualServices } from './routing/visibility';
import { ingressGatewayName, ingressNotRouted, routingConfig, routeSemanticsOf } from './routing/ingress';
import { HTTP_ROUTE_NOT_MODELLED, matchIsCatchAll, proxyMatchHolds, requestMatchHolds, RequestView, RouteRef, RoutingProxy, SimulatedRequest, viewOf } from './routing/match';
import { tcpMatchHolds, tlsMatchHolds } from './routing/l4-match';
import type { Hop, SimulatorOptions } from './routing/hop';
import { HopMirror, HopRetries, ISTIO_DEFAULT_RETRIES, routeMirrors, routeRetries, routeTimeout } from './routing/policies';

export type { SimulatedRequest } from './routing/match';
export { hostMatches } from './routing/hosts';
export type { HopMirror, HopRetries } from './routing/policies';
export type { Hop, SimulatorOptions } from './routing/hop';

/** A mesh VirtualService host as a client namespace sees it, with its rank (specificity) and place in Istio's order. */
interface MeshHost {
  readonly vs: Manifest;
  readonly host: string;
  readonly rank: number;
  readonly order: number;
}

interface MeshHosts {
  readonly exact: Map<string, MeshHost>;
  readonly wildcards: MeshHost[];
}

export class TrafficSimulator {
  private readonly index: ManifestIndex;
  private readonly defaultRetries: HopRetries | undefined;

  /** @param clusterDomain the cluster domain of fully qualified hosts. @default 'cluster.local' */
  constructor(manifests: readonly Manifest[], clusterDomain = DEFAULT_CLUSTER_DOMAIN, options: SimulatorOptions = {}) {
    // Ingresses of class istio are routed as the Gateway and VirtualServices istiod derives from them.
    this.index = ManifestIndex.of(routingConfig(manifests, clusterDomain), clusterDomain);
    this.defaultRetries = options.istioDefaults === true ? ISTIO_DEFAULT_RETRIES : undefined;
  }

  /** A request arriving at the ingress gateway `gateway` (`namespace/name` or name). */
  public ingress(named: string, request: SimulatedRequest = {}): Hop[] {
    const gateway = this.gatewayRef(named);
    // A Gateway API Gateway (class istio) routes by its attached HTTPRoutes (routing/gateway-api.ts).
    const api = findGateway(this.index, gateway) ? undefined : findApiGateway(this.index, gateway);
    if (api) return apiIngressHops(this.apiContext(true), api, request);
    const plan = ingressRoutes(this.index, gateway, request);
    if (plan.answer) return [this.answer(plan.answer, plan.rule ?? gateway, plan.notModelled)];
    const notes = [...plan.notModelled];
    const view = viewOf(request);
    if (plan.kind === 'tcp' || plan.kind === 'tls') {
      const hops = this.evaluateL4(plan.candidates.flat(), plan.proxy, plan.kind, request.sni ?? view.headers[':authority'], notes);
      return hops ?? [this.answer(`connection closed: no ${plan.kind} route of gateway '${gateway}' matches`, gateway, notes)];
    }
    for (const candidate of plan.candidates) {
      const hops = this.evaluateHttp(candidate, view, plan.proxy, notes);
      if (hops) return hops;
    }
    throw new Error(`no route of gateway '${gateway}' matches the request: Envoy answers 404 (NR)${notes.length > 0 ? `; not modelled: ${[...new Set(notes)].join(', ')}` : ''}`);
  }

  /**
   * A call from a pod with `sourceLabels` to Service `service` on `port` (in `namespace`).
   * HTTP ports use the VirtualService's http routes, TLS ports its tls routes, other ports its
   * tcp routes; where no VirtualService applies, the Service's pods receive it.
   */
  public call(sourceLabels: Readonly<Record<string, string>>, service: string, port: number, request: SimulatedRequest = {}, namespace?: string): Hop[] {
    let call = this.meshCall(sourceLabels, service, port, request.sourceNamespace, namespace);
    if (call.protocol === 'http' && !call.sniffed && request.host !== undefined) {
      // On a declared HTTP port the sidecar has one route configuration for the port: the Host picks the virtual host.
      const chosen = this.virtualHostForHost(call.svc, port, request.host, call.proxy.namespace);
      if (chosen === 'passthrough') return [this.serviceHop(call.svc, port, [...call.notes, `Host '${request.host}' names no Service or VirtualService host on port ${port}: the sidecar sends the call to the address dialled (PassthroughCluster)`], true)];
      if (chosen?.svc && chosen.svc !== call.svc) call = this.meshCall(sourceLabels, chosen.svc.metadata.name, port, request.sourceNamespace, namespaceOf(chosen.svc));
      if (chosen?.vs) call = { ...call, vs: chosen.vs };
    }
    const { svc, proxy, vs, api, protocol, notes } = call;
    // A GRPCRoute of the Service routes its HTTP/2 calls too (Istio merges it into the Service's routes): not evaluated, so no destination is stated.
    const grpc = protocol === 'http' ? grpcRoutesOf(this.index, svc) : [];
    if (grpc.length > 0) return [this.answer(`not modelled: GRPCRoute ${grpc.join(', ')} routes Service '${svc.metadata.name}'`, 'service', [...notes, ...grpc.map((g) => `GRPCRoute ${g}`)])];
    const view = viewOf({ ...request, host: request.host ?? this.index.serviceHost(svc) });
    if (!vs && api && protocol === 'http') return apiMeshHops(this.apiContext(false), api, view, notes, port);
    if (!vs) return [this.serviceHop(svc, port, notes, protocol === 'http')];
    if (protocol === 'http') {
      const routes = proxyRoutes(vs, proxy);
      if (routes.length === 0) return [this.serviceHop(svc, port, notes, true)];
      const hops = this.evaluateHttp(routes, view, proxy, notes);
      if (!hops) throw new Error(`no route of VirtualService '${vs.metadata.name}' matches a call from ${JSON.stringify(sourceLabels)} on port ${port}: Envoy answers 404 (NR)`);
      return hops;
    }
    const kind = protocol === 'tls' ? 'tls' : 'tcp';
    if ((vs.spec?.[kind] ?? []).length === 0) return [this.serviceHop(svc, port, notes, false)];
    return this.evaluateL4(routesOf(vs, kind), proxy, kind, request.sni ?? this.index.serviceHost(svc), notes) ?? [this.serviceHop(svc, port, notes, false)];
  }

  /**
   * Every destination a caller could reach on `service`:`port`, whatever its request: each route
   * whose request-independent conditions (port, sourceLabels, sourceNamespace, gateways) fit the
   * caller, up to the first route certain to match. Used to compare routing with authorization.
   */
  public possibleCalls(sourceLabels: Readonly<Record<string, string>>, service: string, port: number, namespace?: string, sourceNamespace?: string): Hop[] {
    const { svc, proxy, vs, api, protocol, notes } = this.meshCall(sourceLabels, service, port, sourceNamespace, namespace);
    if (!vs && api && protocol === 'http') return possibleApiHops(this.apiContext(false), api, notes);
    const routes = !vs ? [] : protocol === 'http' ? proxyRoutes(vs, proxy) : routesOf(vs, protocol);
    if (routes.length === 0) return [this.serviceHop(svc, port, notes, protocol === 'http')];
    return this.possibleRoutes(routes, proxy, notes);
  }

  /**
   * Every destination a gateway could send any request to, over its servers of the route kinds
   * given: HTTP only by default (what the release notes draw); add 'tcp' and 'tls' for the
   * servers that route TCP connections and TLS passthrough. A Gateway API Gateway (class istio;
   * `namespace/name` or name) gives the rules of the HTTPRoutes attached to its HTTP and HTTPS
   * listeners, up to the first that holds for every request; another class (a waypoint) throws.
   */
  public possibleIngress(named: string, kinds: readonly ('http' | 'tcp' | 'tls')[] = ['http']): Hop[] {
    const gateway = this.gatewayRef(named);
    // A Gateway API Gateway (class istio): every HTTP and HTTPS listener port, its attached HTTPRoutes' rules in Istio's order.
    const api = findGateway(this.index, gateway) ? undefined : findApiGateway(this.index, gateway);
    if (api) return kinds.includes('http') ? this.possibleApiIngress(api) : [];
    const ports = gatewayPorts(this.index, gateway);
    const plans = ports.length > 0 ? ports.map((port) => ingressRoutes(this.index, gateway, { port })) : [ingressRoutes(this.index, gateway, {})];
    return plans.filter((p) => p.answer === undefined && kinds.includes(p.kind))
      .flatMap((plan) => plan.candidates.flatMap((c) => this.possibleRoutes(c, plan.proxy, plan.notModelled)));
  }

  /** A Gateway reference, or an Ingress of class istio (`namespace/name`) as the Gateway istiod derives from it. */
  private gatewayRef(ref: string): string {
    if (findGateway(this.index, ref) || findApiGateway(this.index, ref)) return ref;
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
    const ing = this.index.ofKind('Ingress').find((i) => i.metadata.name === name && (ns === undefined || namespaceOf(i) === ns));
    if (!ing) return ref;
    if (findGateway(this.index, ingressGatewayName(ing))) return ingressGatewayName(ing);
    throw new Error(ingressNotRouted(ing, this.index.ofKind('IngressClass')));
  }

  /** Every destination of the HTTPRoutes attached to a Gateway API Gateway, over its HTTP and HTTPS listener ports, each port once. */
  private possibleApiIngress(gw: Manifest): Hop[] {
    const listeners: any[] = (gw.spec?.listeners ?? []).filter((l: any) => ['HTTP', 'HTTPS'].includes(String(l.protocol).toUpperCase()));
    const ports = [...new Set(listeners.map((l) => l.port as number))];
    return ports.flatMap((port) => {
      const https = String(listeners.find((l) => l.port === port)?.protocol).toUpperCase() === 'HTTPS';
      const plan = apiIngressRoutes(this.index, gw, { port, ...(https ? { scheme: 'https' } : {}) });
      if (plan.answer !== undefined) return [];
      return plan.candidates.flatMap((c) => possibleApiHops(this.apiContext(true), c, plan.notModelled));
    });
  }

  /** The Service called, the caller's proxy, the VirtualService that applies (if any) and the port's protocol. */
  private meshCall(sourceLabels: Readonly<Record<string, string>>, service: string, port: number, sourceNamespace: string | undefined, namespace: string | undefined) {
    const svc = namespace !== undefined ? this.index.service(service, namespace) : this.index.services.find((x) => x.metadata.name === service);
    if (!svc) throw new Error(`no Service '${service}'${namespace !== undefined ? ` in namespace '${namespace}'` : ''}: name a Service of the manifests`);
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    if (!svcPort) throw new Error(`Service '${service}' has no port ${port}: call one of ${(svc.spec?.ports ?? []).map((p: any) => p.port).join(', ')}`);
    const notes: string[] = [];
    const proxy: RoutingProxy = { labels: sourceLabels, namespace: sourceNamespace ?? namespaceOf(svc), gateways: ['mesh'], port };
    if (this.index.ofKind('Sidecar').length > 0) notes.push('Sidecar (egress host scoping)');
    const vs = this.meshVirtualService(svc, proxy.namespace);
    const api = meshApiRoutes(this.index, svc, proxy.namespace, port, notes);
    if (vs && api) notes.push(`HTTPRoute ${api.from.map((r) => `${namespaceOf(r)}/${r.metadata.name}`).join(', ')} also routes Service '${service}': VirtualService ${namespaceOf(vs)}/${vs.metadata.name} is evaluated; which one Istio's sidecar takes (namespace and creation order of both) is not modelled`);
    let protocol = portProtocol(svcPort);
    if (protocol === 'sniffed') {
      // Istio sniffs an undeclared port: HTTP traffic takes the http routes, other traffic the tcp routes.
      protocol = (vs?.spec?.http ?? []).length > 0 || (vs?.spec?.tcp ?? []).length === 0 ? 'http' : 'tcp';
      notes.push(`protocol of Service '${service}' port ${port} is not declared: sniffed, taken as ${protocol.toUpperCase()}`);
    }
    return { svc, proxy, vs, api: api?.routes, protocol: protocol as 'http' | 'tcp' | 'tls', sniffed: portProtocol(svcPort) === 'sniffed', notes };
  }

  /**
   * The virtual host a Host header picks on a declared HTTP port of the sidecar (route
   * configuration `<port>`: pilot/pkg/networking/core/httproute.go, domains from
   * generateVirtualHostDomains): a mesh VirtualService's exact host, else a Service of the port by
   * its names (`name` in the caller's namespace, `name.namespace`, `name.namespace.svc`, the fully
   * qualified name; an ExternalName alias for its concrete Service), else a wildcard VirtualService
   * host. Undefined when the Host names the called Service itself; 'passthrough' when it names nothing.
   */
  private virtualHostForHost(svc: Manifest, port: number, host: string, clientNs: string): { svc?: Manifest; vs?: Manifest } | 'passthrough' | undefined {
    const h = hostWithoutPort(host).replace(/\.$/, '');
    const own = this.index.serviceForHost(h, clientNs);
    if (own === svc || h === svc.spec?.clusterIP) return undefined;
    const hosts = this.meshHosts(clientNs);
    const exact = hosts.exact.get(h);
    const hasPort = (s: Manifest | undefined) => (s?.spec?.ports ?? []).some((p: any) => p.port === port);
    if (exact) {
      const target = this.index.serviceForIstioHost(h, clientNs);
      return { svc: hasPort(target) ? target : svc, vs: exact.vs };
    }
    if (own) {
      const concrete = own.spec?.type === 'ExternalName' ? this.index.serviceForHost(String(own.spec?.externalName ?? '').replace(/\.$/, ''), namespaceOf(own)) : own;
      if (concrete && hasPort(concrete)) return { svc: concrete };
    }
    const wildcard = hosts.wildcards.filter((w) => hostMatches(w.host, h)).sort((a, b) => b.rank - a.rank || a.order - b.order)[0];
    if (wildcard) return { vs: wildcard.vs };
    return 'passthrough';
  }

  /**
   * The VirtualService a sidecar in `clientNamespace` uses for a Service (pilot/pkg/model/virtualservice.go
   * SelectVirtualServices, route.go separateVSHostsAndServices): bound to `mesh`, visible to the
   * client (exportTo; its own namespace's first, then exported to it, then public, each by creation
   * time), an exact host before the most specific wildcard host.
   */
  private meshVirtualService(svc: Manifest, clientNamespace: string): Manifest | undefined {
    const fqdn = this.index.serviceHost(svc);
    const hosts = this.meshHosts(clientNamespace);
    // The most specific host wins; among equals, the first in Istio's order.
    let best = hosts.exact.get(fqdn.toLowerCase());
    for (const w of hosts.wildcards) {
      if (hostMatches(w.host, fqdn) && (!best || w.rank > best.rank || (w.rank === best.rank && w.order < best.order))) best = w;
    }
    return best?.vs;
  }

  /**
   * The hosts of the mesh VirtualServices a client namespace sees, resolved once per namespace:
   * exact hosts by name (first in Istio's order wins), wildcards in a list. Scanning every
   * VirtualService for every call made the analyzer quadratic in the number of services.
   */
  private meshHosts(clientNamespace: string): MeshHosts {
    let hosts = this.meshHostsByNamespace.get(clientNamespace);
    if (hosts) return hosts;
    hosts = { exact: new Map(), wildcards: [] };
    let order = 0;
    for (const vs of visibleVirtualServices(this.index, clientNamespace, 'mesh')) {
      for (const h of vs.spec?.hosts ?? []) {
        // Istio rejects host `*` on a mesh-bound VirtualService (pkg/config/validation/validation.go validateVirtualService).
        if (h === '*') continue;
        const host = resolveShortName(h, namespaceOf(vs), this.index.clusterDomain);
        const entry = { vs, host, rank: specificity(host), order: order++ };
        if (host.startsWith('*')) hosts.wildcards.push(entry);
        else if (!hosts.exact.has(host.toLowerCase())) hosts.exact.set(host.toLowerCase(), entry);
      }
    }
    this.meshHostsByNamespace.set(clientNamespace, hosts);
    return hosts;
  }

  private readonly meshHostsByNamespace = new Map<string, MeshHosts>();

  private apiContext(gateway: boolean): ApiHopContext {
    return { index: this.index, gateway, pods: (svc) => this.pods(svc, {}), defaultRetries: this.defaultRetries };
  }

  /** The first route whose match holds (Envoy takes routes in order), as hops; undefined when none does. */
  private evaluateHttp(routes: readonly RouteRef[], req: RequestView, proxy: RoutingProxy, notes: string[]): Hop[] | undefined {
    for (const r of routes) {
      const matches: any[] | undefined = r.route.match?.length ? r.route.match : undefined;
      const holds = (m: any, j: number) => proxyMatchHolds(m, proxy, namespaceOf(r.vs)) && requestMatchHolds(m, req, `${r.at}.match[${j}]`, notes, routeSemanticsOf(r.vs));
      if (matches && !matches.some(holds)) continue;
      return this.routeHops(r, proxy, notes);
    }
    return undefined;
  }

  private evaluateL4(routes: readonly RouteRef[], proxy: RoutingProxy, kind: 'tcp' | 'tls', sni: string | undefined, notes: string[]): Hop[] | undefined {
    for (const r of routes) {
      const matches: any[] | undefined = r.route.match?.length ? r.route.match : undefined;
      const holds = (m: any, j: number) => kind === 'tls'
        ? tlsMatchHolds(m, proxy, namespaceOf(r.vs), sni, `${r.at}.match[${j}]`, notes)
        : tcpMatchHolds(m, proxy, namespaceOf(r.vs), `${r.at}.match[${j}]`, notes);
      if (kind === 'tls' ? !(matches ?? []).some(holds) : matches && !matches.some(holds)) continue;
      return this.routeHops(r, proxy, notes);
    }
    return undefined;
  }

  private possibleRoutes(routes: readonly RouteRef[], proxy: RoutingProxy, notes: readonly string[]): Hop[] {
    const hops: Hop[] = [];
    for (const r of routes) {
      const matches: any[] | undefined = r.route.match?.length ? r.route.match : undefined;
      const fits = (m: any) => proxyMatchHolds(m, proxy, namespaceOf(r.vs));
      if (matches && !matches.some(fits)) continue;
      hops.push(...this.routeHops(r, proxy, [...notes]).filter((h) => h.answer === undefined));
      if (!matches || matches.some((m) => fits(m) && matchIsCatchAll(m))) break;
    }
    return hops;
  }

  /** The destinations of a matched route, weights normalised, with its timeout, retries and mirrors (route.go applyHTTPRouteDestination). */
  private routeHops(r: RouteRef, proxy: RoutingProxy, notes: string[]): Hop[] {
    const own = [...notes, ...HTTP_ROUTE_NOT_MODELLED.filter((f) => r.route[f] !== undefined).map((f) => `${r.at}.${f}`)];
    if (r.route.redirect) return [this.answer(`${r.route.redirect.redirectCode ?? 301} redirect to ${r.route.redirect.scheme ?? ''}${r.route.redirect.scheme ? '://' : ''}${r.route.redirect.authority ?? '<same host>'}${r.route.redirect.uri ?? '<same path>'}`, r.rule, own)];
    if (r.route.directResponse) return [this.answer(`${r.route.directResponse.status} direct response`, r.rule, own)];
    if (r.route.delegate) return [this.answer(`delegated to VirtualService ${r.route.delegate.namespace ?? namespaceOf(r.vs)}/${r.route.delegate.name}`, r.rule, [...own, `${r.at}.delegate`])];
    const route: any[] = r.route.route ?? [];
    if (route.length === 0) return [this.answer('503: the route has no destination', r.rule, own)];
    const policies = / http\[\d+\]$/.test(r.at) ? this.httpPolicies(r, proxy, own) : {};
    // One destination takes everything whatever its weight; several share by weight (Envoy weighted clusters).
    const total = route.reduce((sum, d) => sum + (d.weight ?? 0), 0);
    return route.map((d) => {
      const weight = route.length === 1 ? 100 : total === 0 ? 0 : Math.round(((d.weight ?? 0) * 10000) / total) / 100;
      const cookies = istioSetCookies(d.headers);
      const notes = [...own, ...(cookies.other ? [`${r.at}.route[].headers`] : []), ...(total === 0 && route.length > 1 ? [`${r.at}.route (every weight is 0: Envoy rejects the route)`] : [])];
      const hop = this.destinationHop(d.destination ?? {}, weight, r, proxy, notes);
      return hop.answer === undefined ? { ...hop, ...policies, ...(cookies.cookies.length > 0 ? { setCookies: cookies.cookies } : {}) } : hop;
    });
  }

  /**
   * Timeout, retries and mirrors of an HTTP route that forwards (route.go applyHTTPRouteDestination;
   * redirects and direct responses have none). Mirror destinations resolve as route destinations
   * do (LookupDestinationCluster: port, subset); Envoy sends the copy with `-shadow` appended to
   * the Host and discards its response.
   */
  private httpPolicies(r: RouteRef, proxy: RoutingProxy, notes: string[]): Pick<Hop, 'timeout' | 'retries' | 'mirrors'> {
    const timeout = routeTimeout(r.route);
    const mirrors = routeMirrors(r.route, r.at).map((m): HopMirror => {
      const h = this.destinationHop(m.destination, 100, r, proxy, []);
      notes.push(...(h.notModelled ?? []).filter((n) => !notes.includes(n)));
      return {
        service: h.service, ...(h.subset !== undefined ? { subset: h.subset } : {}), port: h.port, percent: m.percent, deployments: h.deployments,
        ...(h.serviceEntry !== undefined ? { serviceEntry: h.serviceEntry } : {}), ...(h.answer !== undefined ? { answer: h.answer } : {}),
      };
    });
    const retries = routeRetries(r.route, r.at, notes) ?? this.defaultRetries;
    return { ...(timeout !== undefined ? { timeout } : {}), ...(retries !== undefined ? { retries } : {}), ...(mirrors.length > 0 ? { mirrors } : {}) };
  }

  /** A destination as a hop: host resolved in the VirtualService's namespace, port, subset narrowing the selector. */
  private destinationHop(dest: any, weight: number, r: RouteRef, proxy: RoutingProxy, routeNotes: readonly string[]): Hop {
    const host: string = dest.host ?? '';
    const notes = [...routeNotes];
    const hop = (service: string, port: number, deployments: string[], more: Partial<Hop> = {}): Hop => ({
      service, ...(dest.subset !== undefined ? { subset: dest.subset } : {}), port, weight, deployments, rule: r.rule, ...more,
      ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}),
    });
    const svc = this.index.serviceForIstioHost(host, namespaceOf(r.vs));
    if (!svc) {
      const se = this.index.serviceEntryFor(host, proxy.namespace);
      if (!se) return hop(host, dest.port?.number ?? proxy.port ?? 0, [], { answer: `503: host '${host}' is neither a Service nor a ServiceEntry host visible from namespace '${proxy.namespace}' (no cluster)` });
      const sePorts: any[] = se.spec?.ports ?? [];
      const selector = se.spec?.workloadSelector?.labels;
      if (!selector) notes.push(`ServiceEntry ${namespaceOf(se)}/${se.metadata.name} endpoints (outside the manifests)`);
      if (dest.subset !== undefined) notes.push(`${r.at} subset '${dest.subset}' of a ServiceEntry host`);
      const port = dest.port?.number ?? (sePorts.length === 1 ? sePorts[0].number : proxy.port ?? 0);
      const pods = selector ? this.index.workloadsSelected(namespaceOf(se), selector).map((w) => w.metadata.name) : [];
      return hop(host, port, pods, { serviceEntry: `${namespaceOf(se)}/${se.metadata.name}` });
    }
    const ports: any[] = svc.spec?.ports ?? [];
    // No destination port: the Service's only port, else the port the request arrived on (route.go GetDestinationCluster).
    const port: number = dest.port?.number ?? (ports.length === 1 ? ports[0].port : proxy.port ?? 0);
    if (!ports.some((p) => p.port === port)) return hop(svc.metadata.name, port, [], { answer: `503: port ${port} is not a port of Service '${svc.metadata.name}' (no cluster)` });
    const selective = this.index.ofKind('DestinationRule').find((x) => x.spec?.workloadSelector !== undefined
      && this.index.serviceForIstioHost(x.spec?.host ?? '', namespaceOf(x)) === svc);
    if (selective) notes.push(`DestinationRule ${namespaceOf(selective)}/${selective.metadata.name} workloadSelector (rules for selected clients)`);
    let subsetLabels: Record<string, string> = {};
    if (dest.subset !== undefined) {
      const labels = this.index.destinationSubsets(svc, proxy.namespace)?.get(dest.subset);
      if (!labels) return hop(svc.metadata.name, port, [], { answer: `503: subset '${dest.subset}' of host '${host}' is not defined by a DestinationRule visible from namespace '${proxy.namespace}' (no cluster)` });
      subsetLabels = labels;
    }
    notes.push(...endpointNotes(this.index, svc));
    return hop(svc.metadata.name, port, this.pods(svc, subsetLabels));
  }

  /**
   * No route applies: Envoy's default route sends to every pod of the Service, on HTTP with Istio's
   * default retry policy and no timeout (route.go BuildDefaultHTTPOutboundRoute).
   */
  private serviceHop(svc: Manifest, port: number, given: readonly string[], http: boolean): Hop {
    const notes = [...given, ...endpointNotes(this.index, svc)];
    return {
      service: svc.metadata.name, port, weight: 100, deployments: this.pods(svc, {}), rule: 'service',
      ...(http && this.defaultRetries ? { retries: this.defaultRetries } : {}), ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}),
    };
  }

  private answer(answer: string, rule: string, notes: readonly string[]): Hop {
    return { service: '', port: 0, weight: 100, deployments: [], rule, answer, ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}) };
  }

  /** Workloads with serving pods behind the Service and subset. */
  private pods(svc: Manifest, subsetLabels: Record<string, string>): string[] {
    return this.index.podsBehind(svc, subsetLabels, true).map((d) => d.metadata.name);
  }
}

