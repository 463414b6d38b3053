/**
 * Which routes an ingress gateway takes for a request, as istio/istio
 * pilot/pkg/networking/core/gateway.go builds them: the Gateway's server on the arrival port,
 * its `hosts` (`namespace/host` forms; `.` is the Gateway's namespace) intersected with each bound
 * VirtualService's hosts into virtual host domains, the routes of every VirtualService for one
 * domain appended in VirtualService order (buildGatewayHTTPRouteConfig), then Envoy's choice of the
 * domain by the Host header (exact, longest wildcard, `*`).
 */
import { labelsHold, Manifest, namespaceOf, podLabels } from '../manifest';
import { ManifestIndex } from '../manifest-index';
import { chooseDomain, hostIntersection, hostWithoutPort, resolveShortName } from './hosts';
import { proxyMatchHolds, RouteRef, RoutingProxy, SimulatedRequest, viewOf } from './match';
import { visibleVirtualServices } from './visibility';

/** How a port's traffic is routed: protocol from appProtocol, else the name's prefix (pkg/config/protocol/instance.go Parse). */
export function portProtocol(port: any): 'http' | 'tls' | 'tcp' | 'sniffed' {
  const declared = String(port.appProtocol ?? String(port.name ?? '').split('-')[0]).toLowerCase();
  if (['http', 'http2', 'grpc', 'grpc-web', 'h2c', 'kubernetes.io/h2c', 'kubernetes.io/ws', 'kubernetes.io/wss'].includes(declared)) return 'http';
  if (['https', 'tls'].includes(declared)) return 'tls';
  if (['tcp', 'mongo', 'redis', 'mysql', 'udp'].includes(declared)) return 'tcp';
  return 'sniffed';
}

/** The routes of one list (`http`, `tcp`, `tls`) of a VirtualService. */
export function routesOf(vs: Manifest, kind: 'http' | 'tcp' | 'tls'): RouteRef[] {
  return (vs.spec?.[kind] ?? []).map((route: any, i: number) => ({
    vs, route, at: `VirtualService ${namespaceOf(vs)}/${vs.metadata.name} ${kind}[${i}]`,
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
  return routesOf(vs, 'http').filter((r) => !r.route.match?.length || r.route.match.some((m: any) => proxyMatchHolds(m, proxy, namespaceOf(vs))));
}

/** The routes a gateway considers for a request: one list per candidate virtual host, in order. */
export interface IngressPlan {
  readonly kind: 'http' | 'tcp' | 'tls';
  readonly candidates: RouteRef[][];
  readonly proxy: RoutingProxy;
  readonly notModelled: string[];
  /** The gateway answers itself (no server on the port, HTTPS redirect, no virtual host). */
  readonly answer?: string;
  readonly rule?: string;
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

export function ingressRoutes(index: ManifestIndex, ref: string, request: SimulatedRequest): IngressPlan {
  const gw = findGateway(index, ref);
  if (!gw) return legacyPlan(index, ref);
  const gwNs = namespaceOf(gw);
  const fullName = `${gwNs}/${gw.metadata.name}`;
  const selector = gw.spec?.selector ?? {};
  // The gateway proxy's namespace decides exportTo; its pods are those the selector picks, in any namespace.
  const pod = Object.keys(selector).length > 0 ? index.workloads.find((w) => labelsHold(selector, podLabels(w))) : undefined;
  const proxyNs = pod ? namespaceOf(pod) : gwNs;
  const servers: any[] = gw.spec?.servers ?? [];
  const scheme = (request.scheme ?? viewOf(request).headers[':scheme']).toLowerCase();
  const port = request.port ?? servers.find((s) => (scheme === 'https' ? ['HTTPS'] : ['HTTP', 'HTTP2', 'GRPC']).includes(String(s.port?.protocol).toUpperCase()))?.port?.number ?? servers[0]?.port?.number;
  const proxy: RoutingProxy = { labels: pod ? podLabels(pod) : selector, namespace: proxyNs, gateways: [fullName], port };
  const notModelled: string[] = [];
  const onPort = servers.filter((s) => s.port?.number === port);
  if (onPort.length === 0) {
    const why = port === undefined ? 'has no server at all' : `has no server on port ${port}`;
    return { kind: 'http', candidates: [], proxy, notModelled, answer: `connection refused: Gateway ${fullName} ${why}`, rule: fullName };
  }
  const protocol = String(onPort[0].port?.protocol ?? 'HTTP').toUpperCase();
  const mode = String(onPort[0].tls?.mode ?? '').toUpperCase();
  for (const s of onPort) {
    for (const f of ['bind', 'defaultEndpoint']) if (s[f] !== undefined) notModelled.push(`Gateway ${fullName} server.${f}`);
    if (s.tls && Object.keys(s.tls).some((k) => !['httpsRedirect', 'mode', 'credentialName'].includes(k))) notModelled.push(`Gateway ${fullName} server.tls (certificates and TLS versions)`);
  }
  const kind = mode.includes('PASSTHROUGH') ? 'tls' : ['HTTP', 'HTTPS', 'HTTP2', 'GRPC'].includes(protocol) ? 'http' : 'tcp';
  if (kind === 'http' && protocol === 'HTTPS' && scheme !== 'https') {
    return { kind, candidates: [], proxy, notModelled, answer: `connection reset: the server on port ${port} terminates TLS; send --scheme https`, rule: fullName };
  }
  if (kind === 'http' && onPort.some((s) => s.tls?.httpsRedirect) && scheme !== 'https') {
    return { kind, candidates: [], proxy, notModelled, answer: '301 redirect to https (server.tls.httpsRedirect)', rule: fullName };
  }
  const vss = visibleVirtualServices(index, proxyNs, fullName);
  const domains = new Map<string, RouteRef[]>();
  for (const server of onPort) {
    for (const vs of vss) {
      const vsNs = namespaceOf(vs);
      const routes = kind === 'http' ? proxyRoutes(vs, proxy) : routesOf(vs, kind);
      if (routes.length === 0) continue;
      for (const raw of server.hosts ?? []) {
        const [hostNs, serverHost] = String(raw).includes('/') ? String(raw).split('/', 2) : ['*', String(raw)];
        if (hostNs !== '*' && (hostNs === '.' ? gwNs : hostNs) !== vsNs) continue;
        for (const h of vs.spec?.hosts ?? []) {
          const domain = hostIntersection(serverHost, resolveShortName(h, vsNs, index.clusterDomain));
          if (domain === undefined) continue;
          const list = domains.get(domain) ?? [];
          if (!list.some((r) => r.vs === vs)) list.push(...routes);
          domains.set(domain, list);
        }
      }
    }
  }
  if (kind !== 'http') {
    const all = [...new Set([...domains.values()].flat())];
    return { kind, candidates: [all], proxy, notModelled };
  }
  const view = viewOf(request);
  const host = view.headers[':authority'];
  if (host === undefined) return { kind, candidates: [...domains.values()], proxy, notModelled };
  const domain = chooseDomain(domains.keys(), hostWithoutPort(host));
  if (domain === undefined) {
    // Envoy answers 404 (no virtual host); thrown, as before, so a caller cannot mistake it for a route.
    throw new Error(`no VirtualService bound to gateway '${ref}' serves host '${host}' on port ${port}: Envoy answers 404; send a Host the Gateway ${fullName} and a VirtualService both serve`);
  }
  return { kind, candidates: [domains.get(domain)!], proxy, notModelled };
}

/** No Gateway object of that name in the manifests: VirtualServices naming it, hosts as written. */
function legacyPlan(index: ManifestIndex, ref: string): IngressPlan {
  const bound = index.ofKind('VirtualService').filter((v) => (v.spec?.gateways ?? []).some((g: string) => g === ref || g.endsWith(`/${ref}`)));
  if (bound.length === 0) throw new Error(`no Gateway '${ref}' and no VirtualService bound to it: name a Gateway of the manifests (namespace/name or name)`);
  const proxy: RoutingProxy = { labels: {}, namespace: namespaceOf(bound[0]), gateways: [ref.includes('/') ? ref : `${namespaceOf(bound[0])}/${ref}`], port: undefined };
  return { kind: 'http', candidates: bound.map((vs) => routesOf(vs, 'http')), proxy, notModelled: [`Gateway '${ref}' (not in the manifests: servers and hosts not checked)`] };
}
