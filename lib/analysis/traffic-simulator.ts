// Kept in one file: one class, TrafficSimulator, whose entry points (ingress, call, possible*) and private
// steps share its index, route hops and mesh views; the routing itself already lives in routing/.
/**
 * Evaluates manifests the way Istio routes a request: the Gateway server and virtual host for the
 * Host (or, in the mesh, the VirtualService of the called Service), its routes in order with their
 * matches (RE2 regexes as full matches, method, authority, scheme, query, withoutHeaders,
 * sourceLabels, sourceNamespace, per-match gateways, ports), relative weights, then DestinationRule
 * subsets narrowing the Service selector, down to the workloads whose pods receive the request.
 * In the mesh, the caller's Sidecar scope decides what its proxy knows (routing/sidecar-scope.ts):
 * a host it does not import goes to PassthroughCluster or BlackHoleCluster (outboundTrafficPolicy).
 * What it cannot evaluate it names on the answer (`Hop.notModelled`), it never guesses silently.
 * It reads the objects that will be applied, not the stage data, so it checks what will actually run.
 */
import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import type { Manifest } from './manifest';
import { namespaceOf } from './manifest';
import { ManifestIndex } from './manifest-index';
import { findGateway, gatewayPorts, ingressRoutes, portProtocol, proxyRoutes, routesOf } from './routing/gateway';
import { apiIngressRoutes, findApiGateway } from './routing/gateway-api';
import { grpcRoutesOf, meshApiRoutes } from './routing/gateway-api-mesh';
import type { ApiRoute } from './routing/gateway-api-match';
import type { ApiHopContext } from './routing/gateway-api-backends';
import { apiIngressHops, apiMeshHops, possibleApiHops } from './routing/gateway-api-backends';
import { ingressGatewayName, ingressNotRouted, routingConfig } from './routing/ingress';
import type { RoutingProxy, SimulatedRequest } from './routing/match';
import { gatewayClaims, SIDECAR_CLAIMS, withClaimMisses } from './routing/jwt-claim-match';
import { viewOf } from './routing/match';
import type { Hop, MeshCallTarget, SimulatorOptions } from './routing/hop';
import { ISTIO_DEFAULT_RETRIES } from './routing/policies';
import { MeshView } from './routing/mesh-view';
import { RouteHops } from './routing/route-hops';
import type { SidecarScope } from './routing/sidecar-scope';
import { meshOutboundMode, sidecarScope } from './routing/sidecar-scope';
import type { HostCall, HostCallContext } from './routing/sidecar-host-call';
import { callEntry, routeByHost } from './routing/sidecar-host-call';
import type { EntryHost } from './routing/service-entry-hosts';
import { withAltSvc } from './routing/gateway-http3';

export type { SimulatedRequest } from './routing/match';
export { hostMatches } from './routing/hosts';
export type { HopMirror, HopRetries } from './routing/policies';
export type { Hop, MeshCallTarget, SimulatorOptions } from './routing/hop';

/** A mesh call resolved: the Service, the caller's proxy and Sidecar scope, the routes that apply, the port's protocol. */
interface MeshCall {
  readonly svc: Manifest;
  readonly port: number;
  readonly proxy: RoutingProxy;
  readonly scope: SidecarScope;
  readonly view: MeshView;
  readonly vs: Manifest | undefined;
  readonly api: readonly ApiRoute[] | undefined;
  readonly protocol: 'http' | 'tcp' | 'tls';
  readonly sniffed: boolean;
  readonly notes: string[];
}

export class TrafficSimulator {
  private readonly index: ManifestIndex;
  private readonly hops: RouteHops;
  private readonly outbound: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  private readonly views = new Map<string, MeshView>();

  constructor(manifests: readonly Manifest[], options: SimulatorOptions = {}) {
    const clusterDomain = options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
    // Ingresses of class istio are routed as the Gateway and VirtualServices istiod derives from them.
    this.index = ManifestIndex.of(routingConfig(manifests, clusterDomain), clusterDomain);
    this.hops = new RouteHops(this.index, options.istioDefaults === true ? ISTIO_DEFAULT_RETRIES : undefined);
    // The mesh config's mode: given, else the `istio` ConfigMap's, else Istio's default.
    this.outbound = options.outboundTrafficPolicy ?? meshOutboundMode(this.index) ?? 'ALLOW_ANY';
  }

  /** A request arriving at the ingress gateway `gateway` (`namespace/name` or name). */
  public ingress(named: string, request: SimulatedRequest = {}): Hop[] {
    const gateway = this.gatewayRef(named);
    // A Gateway API Gateway (class istio) routes by its attached HTTPRoutes (routing/gateway-api.ts).
    const api = findGateway(this.index, gateway) ? undefined : findApiGateway(this.index, gateway);
    if (api) return apiIngressHops(this.apiContext(true), api, request);
    const plan = ingressRoutes(this.index, gateway, request);
    if (plan.answer) {
      const answer = this.hops.answer(plan.answer, plan.rule ?? gateway, plan.notModelled);
      return [plan.noRoute ? { ...answer, noRoute: true } : answer];
    }
    const notes = [...plan.notModelled];
    // JWT claims exist at the gateway only where a RequestAuthentication has Envoy validate the token.
    const view = { ...viewOf(request), jwt: gatewayClaims(this.index, request.claims, plan.proxy) };
    if (plan.kind === 'tcp' || plan.kind === 'tls') {
      const hops = this.hops.evaluateL4(
        plan.candidates.flat(),
        plan.proxy,
        plan.kind,
        request.sni ?? view.headers[':authority'],
        notes,
      );
      return (
        hops ?? [
          this.hops.answer(`connection closed: no ${plan.kind} route of gateway '${gateway}' matches`, gateway, notes),
        ]
      );
    }
    for (const candidate of plan.candidates) {
      const hops = this.hops.evaluateHttp(candidate, view, plan.proxy, notes);
      if (hops) return withClaimMisses(withAltSvc(hops, plan.altSvc), view.jwt);
    }
    const why = `no route of gateway '${gateway}' matches the request: Envoy answers 404 (NR)${notes.length > 0 ? `; not modelled: ${[...new Set(notes)].join(', ')}` : ''}`;
    return withClaimMisses([{ ...this.hops.answer(why, gateway, notes), noRoute: true }], view.jwt);
  }

  /**
   * A call from a pod with `sourceLabels` to Service `service` on `port` (in `namespace`).
   * HTTP ports use the VirtualService's http routes, TLS ports its tls routes, other ports its
   * tcp routes; where no VirtualService applies, the Service's pods receive it. A Service the
   * caller's Sidecar does not import goes where outboundTrafficPolicy sends unknown traffic.
   */
  public call(target: MeshCallTarget, request: SimulatedRequest = {}): Hop[] {
    const { sourceLabels, service, port, namespace } = target;
    const sourceNamespace = target.sourceNamespace ?? request.sourceNamespace;
    const call = this.meshCall(sourceLabels, service, port, sourceNamespace, namespace);
    const declaredHttp = call.protocol === 'http' && !call.sniffed && call.view.hasRouteConfig(port);
    const listener = call.scope.listener(port);
    if (declaredHttp && request.host !== undefined && listener) {
      // The route configuration's virtual hosts (Services, ServiceEntry hosts, VirtualService hosts; routing/sidecar-virtual-hosts.ts)
      // pick by Host; when none does, as before: the called Service's own, a VirtualService host alone, or the catch-all.
      const host = {
        ...this.hostCall(sourceLabels, call.proxy.namespace, port, service, undefined, request),
        notes: [...call.notes],
        fallback: () => this.serviceByHost(call, sourceNamespace, request),
      };
      return routeByHost(this.hostContext(host), host, listener);
    }
    return this.serviceByHost(call, sourceNamespace, request);
  }

  /** A call to a Service: on a declared HTTP port with a Host, the virtual host of MeshView the Host picks; else the Service's own routes, when the sidecar imports it. */
  private serviceByHost(resolved: MeshCall, sourceNamespace: string | undefined, request: SimulatedRequest): Hop[] {
    let call = resolved;
    const { port } = call;
    const sourceLabels = call.proxy.labels;
    const declaredHttp = call.protocol === 'http' && !call.sniffed && call.view.hasRouteConfig(port);
    if (declaredHttp && request.host !== undefined) {
      // On a declared HTTP port the sidecar has one route configuration for the port: the Host picks the virtual host.
      const chosen = call.view.virtualHostForHost(call.svc, port, request.host);
      if (chosen === 'passthrough') {
        return [
          this.unknownHost(
            call,
            `Host '${request.host}' names no Service or VirtualService host on port ${port}`,
            true,
          ),
        ];
      }
      if (chosen?.svc && chosen.svc !== call.svc) {
        call = this.meshCall(sourceLabels, chosen.svc.metadata.name, port, sourceNamespace, namespaceOf(chosen.svc));
      }
      if (chosen?.vs) call = { ...call, vs: chosen.vs };
      if (chosen !== undefined) return this.routeCall(call, sourceLabels, request);
    }
    const scoped = this.inScope(call);
    if (!('svc' in scoped)) return [scoped.hop];
    call = scoped;
    return this.routeCall(call, sourceLabels, request);
  }

  /**
   * A call to ServiceEntry host `entry` (or to `dialled`, an address or host of none) on `port`,
   * from a pod with `sourceLabels` in `sourceNamespace`: the virtual host of the sidecar's route
   * configuration for the port its Host picks, or, on a port that is not HTTP, the entry's cluster.
   */
  public callHost(
    target: { sourceLabels: Readonly<Record<string, string>>; sourceNamespace: string; port: number; dialled: string },
    entry: EntryHost | undefined,
    request: SimulatedRequest = {},
  ): Hop[] {
    const { sourceLabels, sourceNamespace, port, dialled } = target;
    const call = this.hostCall(sourceLabels, sourceNamespace, port, dialled, entry, request);
    return callEntry(this.hostContext(call), call);
  }

  /**
   * Every destination a caller could reach on `service`:`port`, whatever its request: each route
   * whose request-independent conditions (port, sourceLabels, sourceNamespace, gateways) fit the
   * caller, up to the first route certain to match. Used to compare routing with authorization.
   */
  public possibleCalls(target: MeshCallTarget): Hop[] {
    const { port } = target;
    let call = this.meshCall(target.sourceLabels, target.service, port, target.sourceNamespace, target.namespace);
    const scoped = this.inScope(call);
    if (!('svc' in scoped)) return [scoped.hop];
    call = scoped;
    const { svc, proxy, vs, api, protocol, notes } = call;
    if (!vs && api && protocol === 'http') return possibleApiHops(this.apiContext(false), api, notes);
    const routes = !vs ? [] : protocol === 'http' ? proxyRoutes(vs, proxy) : routesOf(vs, protocol);
    if (routes.length === 0) return [this.hops.serviceHop(svc, port, notes, protocol === 'http', proxy.namespace)];
    return this.hops.possibleRoutes(routes, proxy, notes);
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
    const plans =
      ports.length > 0
        ? ports.map((port) => ingressRoutes(this.index, gateway, { port }))
        : [ingressRoutes(this.index, gateway, {})];
    return plans
      .filter((p) => p.answer === undefined && kinds.includes(p.kind))
      .flatMap((plan) => plan.candidates.flatMap((c) => this.hops.possibleRoutes(c, plan.proxy, plan.notModelled)));
  }

  /** The routes of a resolved mesh call: GRPCRoute (not modelled), HTTPRoute, the VirtualService's, or the Service's own. */
  private routeCall(call: MeshCall, sourceLabels: Readonly<Record<string, string>>, request: SimulatedRequest): Hop[] {
    const { svc, port, proxy, vs, api, protocol, notes } = call;
    // A GRPCRoute of the Service routes its HTTP/2 calls too (Istio merges it into the Service's routes): not evaluated, so no destination is stated.
    const grpc = protocol === 'http' ? grpcRoutesOf(this.index, svc) : [];
    if (grpc.length > 0)
      return [
        this.hops.answer(
          `not modelled: GRPCRoute ${grpc.join(', ')} routes Service '${svc.metadata.name}'`,
          'service',
          [...notes, ...grpc.map((g) => `GRPCRoute ${g}`)],
        ),
      ];
    const view = {
      ...viewOf({ ...request, host: request.host ?? this.index.serviceHost(svc) }),
      jwt: SIDECAR_CLAIMS(),
    };
    if (!vs && api && protocol === 'http') return apiMeshHops(this.apiContext(false), api, view, notes, port);
    if (!vs) return [this.hops.serviceHop(svc, port, notes, protocol === 'http', proxy.namespace)];
    if (protocol === 'http') {
      const routes = proxyRoutes(vs, proxy);
      if (routes.length === 0) return [this.hops.serviceHop(svc, port, notes, true, proxy.namespace)];
      const hops = this.hops.evaluateHttp(routes, view, proxy, notes);
      const why = `no route of VirtualService '${vs.metadata.name}' matches a call from ${JSON.stringify(sourceLabels)} on port ${port}: Envoy answers 404 (NR)`;
      return withClaimMisses(hops ?? [{ ...this.hops.answer(why, vs.metadata.name, notes), noRoute: true }], view.jwt);
    }
    const kind = protocol === 'tls' ? 'tls' : 'tcp';
    if ((vs.spec?.[kind] ?? []).length === 0) return [this.hops.serviceHop(svc, port, notes, false, proxy.namespace)];
    return (
      this.hops.evaluateL4(routesOf(vs, kind), proxy, kind, request.sni ?? this.index.serviceHost(svc), notes) ?? [
        this.hops.serviceHop(svc, port, notes, false, proxy.namespace),
      ]
    );
  }

  /**
   * The call as the caller's sidecar knows it: as it is when the Service is imported; else with the
   * VirtualService whose host that names no imported Service serves it, if one does; else the hop
   * a call outside the Sidecar scope takes.
   */
  private inScope(call: MeshCall): MeshCall | { readonly hop: Hop } {
    if (call.view.imports(call.svc)) return call;
    const http = call.protocol === 'http' && call.view.hasRouteConfig(call.port);
    const vs = http ? call.view.nonServiceHost(this.index.serviceHost(call.svc), call.port) : undefined;
    return vs ? { ...call, vs } : { hop: this.notImported(call) };
  }

  /** A call to a Service the caller's sidecar does not import on the port: no listener or virtual host of its own. */
  private notImported(call: MeshCall): Hop {
    const why =
      call.scope.sidecar !== undefined
        ? `Sidecar ${call.scope.sidecar} does not import '${this.index.serviceHost(call.svc)}' on port ${call.port}`
        : `Service '${this.index.serviceHost(call.svc)}' is not exported to namespace '${call.proxy.namespace}'` +
          ' (networking.istio.io/exportTo)';
    return this.unknownHost(call, why, call.protocol === 'http' && call.view.hasRouteConfig(call.port));
  }

  /**
   * Traffic the sidecar has no route for (pilot/pkg/networking/core/listener.go, httproute.go
   * buildCatchAllVirtualHost): with ALLOW_ANY it goes to the address dialled (PassthroughCluster:
   * the Service's pods, no Istio routing); with REGISTRY_ONLY to BlackHoleCluster (502 from the
   * `block_all` virtual host on an HTTP route configuration, else the connection is closed).
   */
  private unknownHost(call: MeshCall, why: string, http: boolean): Hop {
    const notes = [...call.notes];
    if (call.scope.mode === 'REGISTRY_ONLY') {
      const answer = `${http ? '502' : 'connection closed'}: ${why} and outboundTrafficPolicy is REGISTRY_ONLY (BlackHoleCluster)`;
      return this.hops.answer(answer, 'BlackHoleCluster', notes);
    }
    // With an egress proxy, traffic the sidecar does not know goes there instead: not evaluated.
    const proxyNote = call.scope.egressProxy;
    if (proxyNote)
      return this.hops.answer(`not modelled: ${why}: ${proxyNote} receives it`, 'egressProxy', [...notes, proxyNote]);
    const deployments = this.hops.pods(call.svc, {});
    const hop: Hop = {
      service: call.svc.metadata.name,
      port: call.port,
      weight: 100,
      deployments,
      rule: `PassthroughCluster (${why})`,
    };
    return notes.length > 0 ? { ...hop, notModelled: [...new Set(notes)] } : hop;
  }

  /** A Gateway reference, or an Ingress of class istio (`namespace/name`) as the Gateway istiod derives from it. */
  private gatewayRef(ref: string): string {
    if (findGateway(this.index, ref) || findApiGateway(this.index, ref)) return ref;
    const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
    const ing = this.index
      .ofKind('Ingress')
      .find((i) => i.metadata.name === name && (ns === undefined || namespaceOf(i) === ns));
    if (!ing) return ref;
    if (findGateway(this.index, ingressGatewayName(ing))) return ingressGatewayName(ing);
    throw new Error(ingressNotRouted(ing, this.index.ofKind('IngressClass')));
  }

  /** Every destination of the HTTPRoutes attached to a Gateway API Gateway, over its HTTP and HTTPS listener ports, each port once. */
  private possibleApiIngress(gw: Manifest): Hop[] {
    const listeners: any[] = (gw.spec?.listeners ?? []).filter((l: any) =>
      ['HTTP', 'HTTPS'].includes(String(l.protocol).toUpperCase()),
    );
    const ports = [...new Set(listeners.map((l) => l.port as number))];
    return ports.flatMap((port) => {
      const https = String(listeners.find((l) => l.port === port)?.protocol).toUpperCase() === 'HTTPS';
      const plan = apiIngressRoutes(this.index, gw, { port, ...(https ? { scheme: 'https' } : {}) });
      if (plan.answer !== undefined) return [];
      return plan.candidates.flatMap((c) => possibleApiHops(this.apiContext(true), c, plan.notModelled));
    });
  }

  /** The Service called, the caller's proxy and Sidecar scope, the VirtualService that applies (if any) and the port's protocol. */
  private meshCall(
    sourceLabels: Readonly<Record<string, string>>,
    service: string,
    port: number,
    sourceNamespace: string | undefined,
    namespace: string | undefined,
  ): MeshCall {
    const svc =
      namespace !== undefined
        ? this.index.service(service, namespace)
        : this.index.services.find((x) => x.metadata.name === service);
    if (!svc)
      throw new Error(
        `no Service '${service}'${namespace !== undefined ? ` in namespace '${namespace}'` : ''}: name a Service of the manifests`,
      );
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    if (!svcPort)
      throw new Error(
        `Service '${service}' has no port ${port}: call one of ${(svc.spec?.ports ?? []).map((p: any) => p.port).join(', ')}`,
      );
    const notes: string[] = [];
    const proxy: RoutingProxy = {
      labels: sourceLabels,
      namespace: sourceNamespace ?? namespaceOf(svc),
      gateways: ['mesh'],
      port,
    };
    const scope = sidecarScope(this.index, sourceLabels, proxy.namespace, this.outbound);
    const view = this.view(proxy.namespace, scope, port);
    notes.push(...(scope.listener(port)?.notModelled ?? []));
    const vs = view.imports(svc) ? view.virtualServiceFor(svc) : undefined;
    const api = meshApiRoutes(this.index, svc, proxy.namespace, port, notes, (r) => view.importsRoute(r, svc));
    if (vs && api)
      notes.push(
        `HTTPRoute ${api.from.map((r) => `${namespaceOf(r)}/${r.metadata.name}`).join(', ')} also routes Service '${service}': VirtualService ${namespaceOf(vs)}/${vs.metadata.name} is evaluated; which one Istio's sidecar takes (namespace and creation order of both) is not modelled`,
      );
    let protocol = portProtocol(svcPort);
    if (protocol === 'sniffed') {
      // Istio sniffs an undeclared port: HTTP traffic takes the http routes, other traffic the tcp routes.
      protocol = (vs?.spec?.http ?? []).length > 0 || (vs?.spec?.tcp ?? []).length === 0 ? 'http' : 'tcp';
      notes.push(
        `protocol of Service '${service}' port ${port} is not declared: sniffed, taken as ${protocol.toUpperCase()}`,
      );
    }
    const sniffed = portProtocol(svcPort) === 'sniffed';
    return {
      svc,
      port,
      proxy,
      scope,
      view,
      vs,
      api: api?.routes,
      protocol: protocol as MeshCall['protocol'],
      sniffed,
      notes,
    };
  }

  /** What a sidecar of `namespace` with `scope` sees on `port`, once (scanning every VirtualService per call is quadratic). */
  private view(namespace: string, scope: SidecarScope, port: number): MeshView {
    const listener = scope.listener(port);
    const key = `${namespace}\0${scope.sidecar ?? ''}\0${listener?.at ?? 'none'}`;
    let view = this.views.get(key);
    if (!view) this.views.set(key, (view = new MeshView(this.index, namespace, listener)));
    return view;
  }

  /** A host call's proxy and Sidecar scope. */
  private hostCall(
    labels: Readonly<Record<string, string>>,
    namespace: string,
    port: number,
    dialled: string,
    entry: EntryHost | undefined,
    request: SimulatedRequest,
  ): HostCall {
    const proxy: RoutingProxy = { labels, namespace, gateways: ['mesh'], port };
    const scope = sidecarScope(this.index, labels, namespace, this.outbound);
    return { proxy, scope, port, dialled, ...(entry ? { entry } : {}), request, notes: [] };
  }

  /** What a host call needs of the simulator: a Service its Host picks is routed as a call to that Service. */
  private hostContext(call: HostCall): HostCallContext {
    const { labels, namespace } = call.proxy;
    return {
      index: this.index,
      hops: this.hops,
      serviceCall: (svc, vs) => {
        const c = this.meshCall(labels, svc.metadata.name, call.port, namespace, namespaceOf(svc));
        return this.routeCall(vs ? { ...c, vs } : c, labels, call.request);
      },
    };
  }

  private apiContext(gateway: boolean): ApiHopContext {
    return {
      index: this.index,
      gateway,
      pods: (svc) => this.hops.pods(svc, {}),
      defaultRetries: this.hops.defaultRetries,
    };
  }
}
