/**
 * A sidecar's call chosen by the virtual hosts of its route configuration for the port
 * (sidecar-virtual-hosts.ts): to a ServiceEntry host or address, or with a Host on a declared
 * HTTP port. The virtual host the Host picks decides: a Kubernetes Service (routed as a Service
 * call), a ServiceEntry host (its VirtualService's routes, else its own cluster
 * `outbound|port||host`), a VirtualService host alone (its routes), or none: the catch-all,
 * PassthroughCluster (ALLOW_ANY) or BlackHoleCluster (REGISTRY_ONLY; httproute.go
 * buildCatchAllVirtualHost). A ServiceEntry port that is not HTTP takes its own cluster; its
 * VirtualService tcp and tls routes are named, not evaluated.
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { defaultRouteLoadBalancing } from './destination-load-balancing';
import { portProtocol, proxyRoutes } from './gateway';
import type { Hop } from './hop';
import type { RoutingProxy, SimulatedRequest } from './match';
import { viewOf } from './match';
import type { RouteHops } from './route-hops';
import type { EntryHost } from './service-entry-hosts';
import { entryHop, entryHosts, entryPort, entryProtocol, importsEntry } from './service-entry-hosts';
import type { EgressListener, SidecarScope } from './sidecar-scope';
import { importsService, listenerNotes } from './sidecar-scope';
import type { SidecarVirtualHost } from './sidecar-virtual-hosts';
import { pickVirtualHost, sidecarVirtualHosts } from './sidecar-virtual-hosts';
import { reachesSniffedListener, sniffedVirtualHosts } from './sniffed-listener';
import { hostIntersection, resolveShortName } from './hosts';
import { visibleVirtualServices } from './visibility';

/** What the simulator lends a host call: its index and route hops, and how it routes a call to a Service. */
export interface HostCallContext {
  readonly index: ManifestIndex;
  readonly hops: RouteHops;
  /** A call to imported Service `svc` on the port, with the VirtualService its virtual host carries (if any). */
  serviceCall(svc: Manifest, vs: Manifest | undefined): Hop[];
}

/** One call: the caller's proxy and Sidecar scope, the port, what was dialled (a host or an address) and the ServiceEntry host it names, if any. */
export interface HostCall {
  readonly proxy: RoutingProxy;
  readonly scope: SidecarScope;
  readonly port: number;
  readonly dialled: string;
  readonly entry?: EntryHost;
  /** What a call to a Service does when no virtual host of the builder serves its Host (the Service call's own choice). @default - the catch-all */
  readonly fallback?: () => Hop[];
  readonly request: SimulatedRequest;
  readonly notes: string[];
}

const HTTP_LISTENER = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB'];
const UDS = 'unix://';

/** A call to a ServiceEntry host or address on `call.port`. */
export function callEntry(ctx: HostCallContext, call: HostCall): Hop[] {
  if (call.dialled.startsWith(UDS)) return callSocket(ctx, call);
  const listener = call.scope.listener(call.port);
  if (!listener)
    return [catchAll(ctx, call, `Sidecar ${call.scope.sidecar} has no egress listener for port ${call.port}`, false)];
  if (listener.protocol === 'HTTP_PROXY')
    return throughPortZero(
      ctx,
      call,
      listener,
      `route configuration '${call.port}' (HTTP_PROXY port of Sidecar ${call.scope.sidecar})`,
    );
  call.notes.push(...listenerNotes(listener, call.dialled));
  const declared = call.entry ? entryPort(call.entry.se, call.port) : undefined;
  const protocol = declared ? entryProtocol(declared) : undeclaredProtocol(ctx, call, listener);
  if (protocol === 'sniffed' && declared && reachesSniffedListener(call.entry!, call.dialled, listener))
    return routeSniffed(ctx, call, listener);
  if (protocol === 'sniffed' && declared)
    call.notes.push(
      `protocol of ServiceEntry ${entryName(call.entry!)} port ${call.port} is not declared: sniffed, taken as HTTP`,
    );
  if (protocol === 'http' || protocol === 'sniffed') return routeByHost(ctx, call, listener);
  const imported = call.entry !== undefined && declared !== undefined && importsEntry(listener, call.entry, ns(call));
  if (!imported) return [catchAll(ctx, call, notImported(call), false)];
  const vs = l4VirtualService(ctx.index, call, protocol === 'tls' ? 'tls' : 'tcp');
  if (vs)
    return [
      ctx.hops.answer(
        `not modelled: VirtualService ${namespaceOf(vs)}/${vs.metadata.name} ${protocol} routes for ServiceEntry host '${call.entry!.host}' are not evaluated`,
        vs.metadata.name,
        [...call.notes, `VirtualService ${namespaceOf(vs)}/${vs.metadata.name} ${protocol} routes`],
      ),
    ];
  return [entryRoute(ctx, call, call.entry!, false)];
}

/** The virtual host the request's Host (else what was dialled) picks in route configuration `<port>`, and where it sends the request. */
export function routeByHost(ctx: HostCallContext, call: HostCall, listener: EgressListener): Hop[] {
  const host = call.request.host ?? call.dialled;
  const chosen = pickVirtualHost(virtualHosts(ctx.index, call, listener), host);
  if (!chosen) {
    if (call.fallback) return call.fallback();
    return [catchAll(ctx, call, `Host '${host}' names no virtual host of route configuration '${call.port}'`, true)];
  }
  return routeChosen(ctx, call, chosen, host);
}

/** A request on the sniffed listener of the entry's address: route configuration `host:port` (sniffed-listener.ts), no catch-all. */
function routeSniffed(ctx: HostCallContext, call: HostCall, listener: EgressListener): Hop[] {
  const name = `${call.entry!.host}:${call.port}`;
  const host = call.request.host ?? call.dialled;
  const chosen = pickVirtualHost(sniffedVirtualHosts(virtualHosts(ctx.index, call, listener), call.entry!.host), host);
  if (!chosen) {
    const why = `404: route configuration '${name}' of the sniffed listener for ${call.dialled}:${call.port} has no virtual host for Host '${host}' (NR)`;
    return [{ ...ctx.hops.answer(why, 'sniffed listener', call.notes), noRoute: true }];
  }
  return routeChosen(ctx, call, chosen, host);
}

/** Where the chosen virtual host sends the request: its Service, its VirtualService's routes, else the entry's own cluster. */
function routeChosen(ctx: HostCallContext, call: HostCall, chosen: SidecarVirtualHost, host: string): Hop[] {
  if (chosen.svc) return ctx.serviceCall(chosen.svc, chosen.vs);
  if (chosen.vs) {
    const routes = proxyRoutes(chosen.vs, call.proxy);
    const hops = ctx.hops.evaluateHttp(routes, viewOf({ ...call.request, host }), call.proxy, call.notes);
    if (hops) return hops;
    if (routes.length > 0 || !chosen.entry) {
      const why = `no route of VirtualService '${chosen.vs.metadata.name}' (virtual host ${chosen.name}) matches the request: Envoy answers 404 (NR)`;
      return [{ ...ctx.hops.answer(why, chosen.vs.metadata.name, call.notes), noRoute: true }];
    }
  }
  return [entryRoute(ctx, call, chosen.entry!, true)];
}

/** The ServiceEntry host's own route (its cluster), with the load balancing its DestinationRules set (route.go hashForService). */
function entryRoute(ctx: HostCallContext, call: HostCall, entry: EntryHost, http: boolean): Hop {
  const hop = entryHop(ctx.index, entry, call.port, call.notes);
  const lb = defaultRouteLoadBalancing(ctx.index, entry.host, namespaceOf(entry.se), call.port, ns(call), http);
  return lb ? { ...hop, loadBalancing: lb } : hop;
}

/**
 * A call to a Unix domain socket path: the egress listener bound to it, which istiod builds when
 * it imports some host (listener.go buildSidecarOutboundListeners, one listener for its services),
 * with route configuration named by the path (buildSidecarOutboundHTTPListenerOpts); else nothing
 * listens there. Its route configuration is built for listener port 0, as an HTTP_PROXY port's.
 */
function callSocket(ctx: HostCallContext, call: HostCall): Hop[] {
  const listener = call.scope.socket(call.dialled);
  const none = `connection refused: no egress listener of ${call.scope.sidecar ? `Sidecar ${call.scope.sidecar}` : 'the sidecar'} is bound to '${call.dialled}'`;
  if (!listener || !importsAny(ctx.index, listener, ns(call)))
    return [ctx.hops.answer(none, 'no listener', call.notes)];
  if (listener.protocol !== undefined && !HTTP_LISTENER.includes(listener.protocol))
    return [
      ctx.hops.answer(`not modelled: ${listener.protocol} Unix domain socket listener '${call.dialled}'`, 'socket', [
        ...call.notes,
        `Sidecar ${call.scope.sidecar} ${listener.at} ${listener.protocol} socket`,
      ]),
    ];
  return throughPortZero(
    ctx,
    call,
    listener,
    `route configuration '${call.dialled}' (Unix domain socket of Sidecar ${call.scope.sidecar})`,
  );
}

/** Whether the listener imports any Service or ServiceEntry host, on any port (the listener is built for its services). */
function importsAny(index: ManifestIndex, listener: EgressListener, namespace: string): boolean {
  return (
    index.services.some((s) => importsService(index, listener, s, namespace)) ||
    index
      .ofKind('ServiceEntry')
      .some((se) => entryHosts(se).some((host) => importsEntry(listener, { se, host }, namespace)))
  );
}

/**
 * A request through an HTTP_PROXY egress port or a Unix domain socket. Its route configuration holds every port's virtual
 * hosts (httproute.go BuildSidecarOutboundVirtualHosts, listenerPort 0), with domains carrying the
 * port, and keeps the port-less ones of port 80 only (mergeAllVirtualHosts); it also sets
 * IgnorePortInHostMatching, so Envoy matches the Host without its port and only the port-80
 * virtual hosts can match (domains with a port never do). A host whose first HTTP port is not 80
 * lost its port-less domains to that port's virtual host, and VirtualService routes built for
 * listener port 0 are not evaluated: both are named, with no verdict.
 */
function throughPortZero(ctx: HostCallContext, call: HostCall, listener: EgressListener, config: string): Hop[] {
  const own = [
    `${listener.at}.port.protocol HTTP_PROXY`,
    ...(call.dialled.startsWith(UDS) ? [`${listener.at}.bind`] : []),
  ];
  const named = call.dialled.startsWith(UDS) ? listener.notModelled : listenerNotes(listener, call.dialled);
  const notes = [...call.notes, ...named.filter((n) => !own.some((o) => n.endsWith(o)))];
  const proxied: HostCall = { ...call, port: 80, notes };
  const host = call.request.host ?? call.dialled;
  const vhosts = virtualHosts(ctx.index, proxied, listener).filter(
    (v) => v.svc || v.entry || namesRegistry(ctx, v.vs!),
  );
  const chosen = pickVirtualHost(vhosts, host);
  if (!chosen) return [catchAll(ctx, { ...call, notes }, `Host '${host}' names no virtual host of ${config}`, true)];
  const unevaluated = chosen.vs
    ? `VirtualService ${namespaceOf(chosen.vs)}/${chosen.vs.metadata.name} routes in ${config}`
    : firstHttpPort(chosen) !== 80
      ? `virtual host ${chosen.name} of ${config}: port 80 is not the host's first HTTP port`
      : undefined;
  if (unevaluated) return [ctx.hops.answer(`not modelled: ${unevaluated}`, 'port 0', [...notes, unevaluated])];
  if (chosen.svc) return [ctx.hops.serviceHop(chosen.svc, 80, notes, true, ns(call))];
  return [entryRoute(ctx, proxied, chosen.entry!, true)];
}

/** Whether a VirtualService names a host of some Service or ServiceEntry (else selectVirtualServices drops it for a port other than 80). */
function namesRegistry(ctx: HostCallContext, vs: Manifest): boolean {
  const written: unknown[] = Array.isArray(vs.spec?.hosts) ? vs.spec.hosts : [];
  const hosts = written.map((h) => resolveShortName(String(h), namespaceOf(vs), ctx.index.clusterDomain));
  const known = [
    ...ctx.index.services.map((s) => ctx.index.serviceHost(s)),
    ...ctx.index.ofKind('ServiceEntry').flatMap(entryHosts),
  ];
  return hosts.some((h) => known.some((k) => hostIntersection(h, k) !== undefined));
}

/** The first HTTP (or sniffed) port a virtual host's Service or ServiceEntry declares. */
function firstHttpPort(v: SidecarVirtualHost): number | undefined {
  if (v.svc) {
    const ports: unknown[] = Array.isArray(v.svc.spec?.ports) ? v.svc.spec.ports : [];
    const p = ports.find((x) => ['http', 'sniffed'].includes(portProtocol(x)));
    return (p as { port?: number } | undefined)?.port;
  }
  const ports: unknown[] = Array.isArray(v.entry?.se.spec?.ports) ? v.entry!.se.spec.ports : [];
  const p = ports.find((x) => ['http', 'sniffed'].includes(entryProtocol(x as { protocol?: string })));
  return (p as { number?: number } | undefined)?.number;
}

/** A port the ServiceEntry does not declare: HTTP when the Sidecar's egress port says so or the port has a route configuration. */
function undeclaredProtocol(ctx: HostCallContext, call: HostCall, listener: EgressListener): 'http' | 'tcp' {
  if (listener.protocol !== undefined) return HTTP_LISTENER.includes(listener.protocol) ? 'http' : 'tcp';
  return virtualHosts(ctx.index, call, listener).length > 0 ? 'http' : 'tcp';
}

/** The virtual hosts of the caller's route configuration for the port, built once per namespace, Sidecar, listener and port. */
function virtualHosts(index: ManifestIndex, call: HostCall, listener: EgressListener): SidecarVirtualHost[] {
  let byKey = cache.get(index);
  if (!byKey) cache.set(index, (byKey = new Map()));
  const key = `${ns(call)}\0${call.scope.sidecar ?? ''}\0${listener.at}\0${call.port}`;
  let vhosts = byKey.get(key);
  if (!vhosts) byKey.set(key, (vhosts = sidecarVirtualHosts(index, ns(call), listener, call.port)));
  return vhosts;
}

const cache = new WeakMap<ManifestIndex, Map<string, SidecarVirtualHost[]>>();

/** The first VirtualService visible to the caller with `kind` routes whose host meets the ServiceEntry host (either covers the other). */
function l4VirtualService(index: ManifestIndex, call: HostCall, kind: 'tcp' | 'tls'): Manifest | undefined {
  return visibleVirtualServices(index, ns(call), 'mesh').find(
    (vs) =>
      (vs.spec?.[kind] ?? []).length > 0 &&
      (Array.isArray(vs.spec?.hosts) ? (vs.spec.hosts as unknown[]) : []).some(
        (h) =>
          hostIntersection(resolveShortName(String(h), namespaceOf(vs), index.clusterDomain), call.entry!.host) !==
          undefined,
      ),
  );
}

/** Why the sidecar does not know the host on the port. */
function notImported(call: HostCall): string {
  if (!call.entry) return `'${call.dialled}' is no host the sidecar knows on port ${call.port}`;
  if (!entryPort(call.entry.se, call.port))
    return `port ${call.port} is not a port of ServiceEntry ${entryName(call.entry)}`;
  return call.scope.sidecar !== undefined
    ? `Sidecar ${call.scope.sidecar} does not import '${call.entry.host}' on port ${call.port}`
    : `ServiceEntry ${entryName(call.entry)} is not exported to namespace '${ns(call)}' (exportTo)`;
}

/**
 * Traffic no virtual host or listener serves: with ALLOW_ANY to the address dialled
 * (PassthroughCluster), with REGISTRY_ONLY to BlackHoleCluster (502 on an HTTP route
 * configuration, else the connection is closed); with an egress proxy, not evaluated.
 */
function catchAll(ctx: HostCallContext, call: HostCall, why: string, http: boolean): Hop {
  if (call.scope.mode === 'REGISTRY_ONLY') {
    const answer = `${http ? '502' : 'connection closed'}: ${why} and outboundTrafficPolicy is REGISTRY_ONLY (BlackHoleCluster)`;
    return ctx.hops.answer(answer, 'BlackHoleCluster', call.notes);
  }
  const proxyNote = call.scope.egressProxy;
  if (proxyNote)
    return ctx.hops.answer(`not modelled: ${why}: ${proxyNote} receives it`, 'egressProxy', [...call.notes, proxyNote]);
  const notes = [...new Set(call.notes)];
  return {
    service: call.dialled,
    port: call.port,
    weight: 100,
    deployments: [],
    rule: `PassthroughCluster (${why}: to the address dialled)`,
    ...(notes.length > 0 ? { notModelled: notes } : {}),
  };
}

const ns = (call: HostCall) => call.proxy.namespace;
const entryName = (e: EntryHost) => `${namespaceOf(e.se)}/${e.se.metadata.name}`;
