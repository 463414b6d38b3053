/**
 * Which routes an ingress gateway takes for a request, as istio/istio
 * pilot/pkg/networking/core/gateway.go builds them: the Gateway's server on the arrival port,
 * its `hosts` (`namespace/host` forms; `.` is the Gateway's namespace) intersected with each bound
 * VirtualService's hosts into virtual host domains, the routes of every VirtualService for one
 * domain appended in VirtualService order (buildGatewayHTTPRouteConfig), then Envoy's choice of the
 * domain by the Host header (exact, longest wildcard, `*`).
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { CallTargetError } from '../target-error';
import { chooseDomain, hostIntersection, hostWithoutPort, resolveShortName } from './hosts';
import type { RouteRef, RoutingProxy, SimulatedRequest } from './match';
import { proxyMatchHolds } from './match';
import { visibleVirtualServices } from './visibility';
import type { MergedServer } from './gateway-merge';
import { serverForSni, serverHostName, serverKind, serversOnPort } from './gateway-merge';
import type { Arrival, IngressPlan } from './gateway-arrival';
import { arrivalAt } from './gateway-arrival';
import { sortVHostRoutes } from './gateway-route-order';
import { http3Advert } from './gateway-http3';

/** How a port's traffic is routed: protocol from appProtocol, else the name's prefix (pkg/config/protocol/instance.go Parse). */
export function portProtocol(port: any): 'http' | 'tls' | 'tcp' | 'sniffed' {
  const declared = String(port.appProtocol ?? String(port.name ?? '').split('-')[0]).toLowerCase();
  if (
    ['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'].includes(
      declared,
    )
  )
    return 'http';
  if (['https', 'tls'].includes(declared)) return 'tls';
  if (['tcp', 'mongo', 'redis', 'mysql', 'udp'].includes(declared)) return 'tcp';
  return 'sniffed';
}

/** The routes of one list (`http`, `tcp`, `tls`) of a VirtualService. */
export function routesOf(vs: Manifest, kind: 'http' | 'tcp' | 'tls'): RouteRef[] {
  return (vs.spec?.[kind] ?? []).map((route: any, i: number) => ({
    vs,
    route,
    at: `VirtualService ${namespaceOf(vs)}/${vs.metadata.name} ${kind}[${i}]`,
    rule: `${vs.metadata.name}/${route.name ?? (kind === 'http' ? i : `${kind}[${i}]`)}`,
  }));
}

/**
 * The HTTP routes a proxy gets from a VirtualService: those with a match that fits the proxy
 * (port, gateways, sourceLabels, sourceNamespace) or with no match (route.go TranslateRoute
 * returns nil otherwise). None left: the VirtualService adds nothing (BuildHTTPRoutesForVirtualService
 * "no routes matched"), so the Service's default route applies in the mesh.
 */
export function proxyRoutes(vs: Manifest, proxy: RoutingProxy): RouteRef[] {
  return routesOf(vs, 'http').filter(
    (r) => !r.route.match?.length || r.route.match.some((m: any) => proxyMatchHolds(m, proxy, namespaceOf(vs))),
  );
}

/** The Gateway a reference names (`namespace/name`, or a name unique enough), or undefined. */
export function findGateway(index: ManifestIndex, ref: string): Manifest | undefined {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  return index.ofKind('Gateway').find((g) => g.metadata.name === name && (ns === undefined || namespaceOf(g) === ns));
}

/** The server ports of a gateway, each once, in order. */
export function gatewayPorts(index: ManifestIndex, ref: string): number[] {
  const gw = findGateway(index, ref);
  return [...new Set<number>((gw?.spec?.servers ?? []).map((s: any) => s.port?.number))];
}

/** Which routes gateway `ref` considers for a request (gateway.go buildGatewayHTTPRouteConfig), or how it answers itself. */
export function ingressRoutes(index: ManifestIndex, ref: string, request: SimulatedRequest): IngressPlan {
  const gw = findGateway(index, ref);
  if (!gw) return legacyPlan(index, ref);
  const at = arrivalAt(index, gw, request);
  const { port, proxy, plan } = at;
  const onPort = serversOnPort(at.gateways, port);
  if (onPort.length === 0)
    return plan(
      'http',
      [],
      `connection refused: Gateway ${at.fullName} ${port === undefined ? 'has no server at all' : `has no server on port ${port}`}`,
    );
  noteUnmodelledServers(onPort, at.notModelled);
  const first = serverKind(onPort[0].server);
  if (first === 'tcp') return plan('tcp', [l4Routes(index, onPort, proxy, 'tcp')]);
  if (first === 'tls') return tlsPlan(index, onPort, at);
  if (first !== 'http') return terminatedPlan(index, ref, onPort, request, at);
  // A TLS handshake on a plain HTTP listener fails.
  if (at.scheme === 'https')
    return plan('http', [], `connection reset: the server on port ${port} is plain HTTP; send --scheme http`);
  return hostPlan(index, ref, onPort, at);
}

/** Notes the server fields of the port that the simulation does not evaluate (bind, defaultEndpoint, certificates). */
function noteUnmodelledServers(onPort: readonly MergedServer[], notModelled: string[]): void {
  for (const { server: s, gateway } of onPort) {
    for (const f of ['bind', 'defaultEndpoint'])
      if (s[f] !== undefined) notModelled.push(`Gateway ${gateway} server.${f}`);
    if (s.tls && Object.keys(s.tls).some((k) => !['httpsRedirect', 'mode', 'credentialName'].includes(k)))
      notModelled.push(`Gateway ${gateway} server.tls (certificates and TLS versions)`);
  }
}

/** The TLS routes of the port's TLS servers (passthrough: routed by SNI, not by HTTP virtual host). */
function tlsPlan(index: ManifestIndex, onPort: readonly MergedServer[], at: Arrival): IngressPlan {
  return at.plan('tls', [
    l4Routes(
      index,
      onPort.filter((s) => serverKind(s.server) === 'tls'),
      at.proxy,
      'tls',
    ),
  ]);
}

/** A port whose servers terminate TLS: the server the SNI picks, then its virtual hosts (or its TLS routes). */
function terminatedPlan(
  index: ManifestIndex,
  ref: string,
  onPort: readonly MergedServer[],
  request: SimulatedRequest,
  at: Arrival,
): IngressPlan {
  const { port, view, plan } = at;
  if (at.scheme !== 'https')
    return plan('http', [], `connection reset: the server on port ${port} terminates TLS; send --scheme https`);
  const { chosen, conflict } = serverForSni(
    onPort,
    request.sni ?? (view.headers[':authority'] !== undefined ? hostWithoutPort(view.headers[':authority']) : undefined),
  );
  if (conflict) return plan('http', [], `connection reset: ${conflict}`);
  if (!chosen)
    return plan(
      'http',
      [],
      `connection reset: no server on port ${port} serves SNI '${request.sni ?? view.headers[':authority'] ?? ''}'`,
    );
  if (serverKind(chosen.server) === 'tls') return tlsPlan(index, onPort, at);
  // A server that advertises HTTP/3 has its routes add alt-svc (gateway-http3.ts).
  const h3 = http3Advert(index, chosen.server, at.proxy);
  if (h3.note !== undefined) at.notModelled.push(h3.note);
  const planned = hostPlan(index, ref, [chosen], at);
  return h3.altSvc !== undefined ? { ...planned, altSvc: h3.altSvc } : planned;
}

/** The virtual hosts of the HTTP servers and the one Envoy picks by the Host (every one when no Host is sent). */
function hostPlan(index: ManifestIndex, ref: string, onPort: readonly MergedServer[], at: Arrival): IngressPlan {
  const { port, plan } = at;
  const vhosts = virtualHosts(index, onPort, at.proxy);
  const host = at.view.headers[':authority'];
  // No virtual host at all: Istio adds a blackhole `*` virtual host without routes (404 NR).
  if (vhosts.size === 0) return plan('http', [[]]);
  if (host === undefined)
    return plan(
      'http',
      [...vhosts.values()].map((v) => sortVHostRoutes(v.routes)),
    );
  const domain = chooseDomain(vhosts.keys(), hostWithoutPort(host));
  if (domain === undefined) {
    // Envoy answers 404 (no virtual host): an outcome marked noRoute, so a caller cannot mistake it for a route.
    const why = `no VirtualService bound to gateway '${ref}' serves host '${host}' on port ${port}: Envoy answers 404; send a Host the Gateway ${at.fullName} and a VirtualService both serve`;
    return { ...plan('http', [], why), noRoute: true };
  }
  const chosen = vhosts.get(domain)!;
  if (chosen.requireTls && at.scheme !== 'https')
    return plan('http', [], '301 redirect to https (server.tls.httpsRedirect)');
  return plan('http', [sortVHostRoutes(chosen.routes)]);
}

/** One virtual host of a route configuration: its routes in VirtualService order and whether it requires TLS (httpsRedirect). */
interface VirtualHost {
  readonly routes: RouteRef[];
  requireTls: boolean;
}

/**
 * The virtual hosts of the servers sharing one route configuration (gateway.go
 * buildGatewayHTTPRouteConfig): each server's hosts (`namespace/host` forms; `.` is the Gateway's
 * namespace) intersected with the hosts of every VirtualService bound to the server's Gateway; the
 * routes of every VirtualService for one domain appended; a server with httpsRedirect marks its
 * domains, and its own hosts, as requiring TLS.
 */
function virtualHosts(
  index: ManifestIndex,
  servers: readonly MergedServer[],
  proxy: RoutingProxy,
): Map<string, VirtualHost> {
  const vhosts = new Map<string, VirtualHost>();
  const seen = new Map<string, Set<Manifest>>();
  for (const { server, gateway, gatewayNamespace } of servers) {
    const redirect = server.tls?.httpsRedirect === true;
    for (const vs of visibleVirtualServices(index, proxy.namespace, gateway)) {
      const vsNs = namespaceOf(vs);
      const routes = proxyRoutes(vs, { ...proxy, gateways: [gateway] });
      for (const raw of server.hosts ?? []) {
        const [hostNs, serverHost] = String(raw).includes('/') ? String(raw).split('/', 2) : ['*', String(raw)];
        if (hostNs !== '*' && (hostNs === '.' ? gatewayNamespace : hostNs) !== vsNs) continue;
        for (const h of vs.spec?.hosts ?? []) {
          const domain = hostIntersection(serverHost, resolveShortName(h, vsNs, index.clusterDomain));
          if (domain === undefined) continue;
          const vhost = vhosts.get(domain) ?? { routes: [], requireTls: false };
          const vss = seen.get(domain) ?? new Set();
          if (!vss.has(vs)) vhost.routes.push(...routes);
          vss.add(vs);
          seen.set(domain, vss);
          vhost.requireTls ||= redirect;
          vhosts.set(domain, vhost);
        }
      }
    }
    if (!redirect) continue;
    for (const raw of server.hosts ?? []) {
      const domain = serverHostName(raw).toLowerCase();
      const vhost = vhosts.get(domain) ?? { routes: [], requireTls: true };
      vhost.requireTls = true;
      vhosts.set(domain, vhost);
    }
  }
  return vhosts;
}

/** The TCP or TLS routes of the VirtualServices bound to the servers' Gateways whose hosts meet a server's hosts. */
function l4Routes(
  index: ManifestIndex,
  servers: readonly MergedServer[],
  proxy: RoutingProxy,
  kind: 'tcp' | 'tls',
): RouteRef[] {
  const out: RouteRef[] = [];
  for (const { server, gateway, gatewayNamespace } of servers) {
    for (const vs of visibleVirtualServices(index, proxy.namespace, gateway)) {
      if (out.some((r) => r.vs === vs)) continue;
      const vsNs = namespaceOf(vs);
      const meets = (server.hosts ?? []).some((raw: string) => {
        const [hostNs, serverHost] = String(raw).includes('/') ? String(raw).split('/', 2) : ['*', String(raw)];
        if (hostNs !== '*' && (hostNs === '.' ? gatewayNamespace : hostNs) !== vsNs) return false;
        return (vs.spec?.hosts ?? []).some(
          (h: string) => hostIntersection(serverHost, resolveShortName(h, vsNs, index.clusterDomain)) !== undefined,
        );
      });
      if (meets) out.push(...routesOf(vs, kind));
    }
  }
  return out;
}

/** No Gateway object of that name in the manifests: VirtualServices naming it, hosts as written. */
function legacyPlan(index: ManifestIndex, ref: string): IngressPlan {
  const bound = index
    .ofKind('VirtualService')
    .filter((v) => (v.spec?.gateways ?? []).some((g: string) => g === ref || g.endsWith(`/${ref}`)));
  if (bound.length === 0)
    throw new CallTargetError(
      `no Gateway '${ref}' and no VirtualService bound to it: name a Gateway of the manifests (namespace/name or name)`,
    );
  const proxy: RoutingProxy = {
    labels: {},
    namespace: namespaceOf(bound[0]),
    gateways: [ref.includes('/') ? ref : `${namespaceOf(bound[0])}/${ref}`],
    port: undefined,
  };
  return {
    kind: 'http',
    candidates: bound.map((vs) => routesOf(vs, 'http')),
    proxy,
    notModelled: [`Gateway '${ref}' (not in the manifests: servers and hosts not checked)`],
  };
}
