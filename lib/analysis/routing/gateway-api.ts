/**
 * Which HTTPRoutes (Gateway API v1) route a request at a gateway, as Istio 1.30 attaches and merges
 * them (istio/istio pilot/pkg/config/kube/gateway/: conversion.go toInternalParentReference,
 * referenceAllowed and the listener's allowedRoutes; route_collections.go HTTPRoute collection:
 * one VirtualService per parent and route hostname, merged by parent+host in mergeHTTPRoutes):
 * at a `Gateway` of class `istio` the listener on the arrival port and the Host's virtual host
 * (the intersection of listener `hostname` and route `hostnames`). The mesh side (GAMMA, routes
 * whose parentRef is the called Service) is gateway-api-mesh.ts.
 */
import type { Manifest } from '../manifest';
import { labelSelectorHolds, namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import type { ApiRoute } from './gateway-api-match';
import {
  flattenRoutes,
  GATEWAY_API_GROUP,
  isGatewayApi,
  sortApiRoutes,
  sortRoutesByCreation,
} from './gateway-api-match';
import { chooseDomain, hostIntersection, hostMatches, hostWithoutPort } from './hosts';
import type { RoutingProxy, SimulatedRequest } from './match';
import { viewOf } from './match';

/** The routes a Gateway API gateway considers for a request: one sorted list per candidate virtual host. */
export interface ApiIngressPlan {
  readonly candidates: ApiRoute[][];
  readonly proxy: RoutingProxy;
  readonly notModelled: string[];
  /** The gateway answers itself (no listener on the port, TLS expected, no virtual host). */
  readonly answer?: string;
  readonly rule: string;
}

/** The Gateway API `Gateway` a reference names (`namespace/name` or name), or undefined. Throws for a Gateway of another class. */
export function findApiGateway(index: ManifestIndex, ref: string): Manifest | undefined {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const gw = index.objects.find(
    (g) => isGatewayApi(g, 'Gateway') && g.metadata.name === name && (ns === undefined || namespaceOf(g) === ns),
  );
  if (gw && gw.spec?.gatewayClassName !== 'istio') {
    throw new Error(
      `Gateway ${namespaceOf(gw)}/${gw.metadata.name} has gatewayClassName '${gw.spec?.gatewayClassName}': only class 'istio' is evaluated`,
    );
  }
  return gw;
}

/** Every Gateway API `Gateway` of class `istio`. */
export function apiGateways(index: ManifestIndex): Manifest[] {
  return index.objects.filter((g) => isGatewayApi(g, 'Gateway') && g.spec?.gatewayClassName === 'istio');
}

/** The HTTPRoutes of the manifests, found once per index (every mesh call asks: gateway-api-mesh.ts). */
export function httpRoutes(index: ManifestIndex): Manifest[] {
  let routes = routesByIndex.get(index);
  if (!routes) routesByIndex.set(index, (routes = index.objects.filter((r) => isGatewayApi(r, 'HTTPRoute'))));
  return routes;
}

const routesByIndex = new WeakMap<ManifestIndex, Manifest[]>();

export function apiIngressRoutes(index: ManifestIndex, gw: Manifest, request: SimulatedRequest): ApiIngressPlan {
  const gwNs = namespaceOf(gw);
  const rule = `${gwNs}/${gw.metadata.name}`;
  const listeners: any[] = gw.spec?.listeners ?? [];
  const view = viewOf(request);
  const scheme = (request.scheme ?? view.headers[':scheme']).toLowerCase();
  const port: number | undefined =
    request.port ??
    listeners.find((l) => String(l.protocol).toUpperCase() === (scheme === 'https' ? 'HTTPS' : 'HTTP'))?.port ??
    listeners[0]?.port;
  // Istio deploys one proxy per Gateway, labelled with the Gateway's name, in its namespace.
  const proxy: RoutingProxy = {
    labels: { 'gateway.networking.k8s.io/gateway-name': gw.metadata.name },
    namespace: gwNs,
    gateways: [rule],
    port,
  };
  const notModelled: string[] = [];
  const plan = (answer?: string, candidates: ApiRoute[][] = []): ApiIngressPlan => ({
    candidates,
    proxy,
    notModelled,
    rule,
    ...(answer !== undefined ? { answer } : {}),
  });
  const onPort = listeners.filter((l) => l.port === port);
  if (onPort.length === 0)
    return plan(
      `connection refused: Gateway ${rule} has no listener ${port === undefined ? 'at all' : `on port ${port}`}`,
    );
  const http = onPort.filter((l) => ['HTTP', 'HTTPS'].includes(String(l.protocol).toUpperCase()));
  if (http.length === 0) {
    notModelled.push(
      `Gateway ${rule} listener protocol ${onPort[0].protocol} (only HTTP and HTTPS listeners are evaluated)`,
    );
    return plan(`not modelled: the listener on port ${port} is ${onPort[0].protocol}`);
  }
  if (String(http[0].protocol).toUpperCase() === 'HTTPS' && scheme !== 'https')
    return plan(`connection reset: the listener on port ${port} terminates TLS; send --scheme https`);
  for (const l of http)
    if (l.tls !== undefined) notModelled.push(`Gateway ${rule} listener '${l.name}' tls (certificates)`);
  if (String(http[0].protocol).toUpperCase() === 'HTTPS') {
    // Each HTTPS listener is its own TLS server, chosen by SNI; the Host then picks a virtual host of that listener only
    // (Istio 1.30 does not answer 421 for a Host of another listener: its conformance run skips HTTPRouteHTTPSListenerDetectMisdirectedRequests).
    const sni =
      request.sni ??
      (view.headers[':authority'] !== undefined ? hostWithoutPort(view.headers[':authority']) : undefined);
    const chosen = listenerForSni(http, sni);
    if (!chosen) return plan(`connection reset: no HTTPS listener on port ${port} serves SNI '${sni ?? ''}'`);
    return httpPlan(index, gw, [chosen], request, plan, notModelled);
  }
  return httpPlan(index, gw, http, request, plan, notModelled);
}

/** The HTTPS listener a TLS handshake with `sni` selects: exact hostname, else the longest wildcard, else one without hostname. */
function listenerForSni(listeners: readonly any[], sni: string | undefined): any | undefined {
  const named = (l: any) => String(l.hostname ?? '');
  if (sni !== undefined) {
    const exact = listeners.find((l) => named(l).toLowerCase() === sni.toLowerCase());
    if (exact) return exact;
    const wildcards = listeners
      .filter((l) => named(l).startsWith('*') && hostMatches(named(l), sni))
      .sort((a, b) => named(b).length - named(a).length);
    if (wildcards.length > 0) return wildcards[0];
  }
  return listeners.find((l) => named(l) === '');
}

/** The virtual hosts of the HTTP (or one HTTPS) listeners of a port, and the one the Host picks. */
function httpPlan(
  index: ManifestIndex,
  gw: Manifest,
  http: readonly any[],
  request: SimulatedRequest,
  plan: (answer?: string, candidates?: ApiRoute[][]) => ApiIngressPlan,
  notModelled: string[],
): ApiIngressPlan {
  const rule = `${namespaceOf(gw)}/${gw.metadata.name}`;
  const view = viewOf(request);
  const port = plan().proxy.port;
  const domains = new Map<string, Set<Manifest>>();
  // Istio writes one VirtualService per listener and route hostname (route_collections.go); where
  // several reduce to one virtual host, Envoy gets them one after another, not sorted as one list.
  const sources = new Map<string, Set<string>>();
  for (const listener of http) {
    for (const route of httpRoutes(index)) {
      if (!attaches(index, route, gw, listener, notModelled)) continue;
      const hostnames: string[] = route.spec?.hostnames?.length ? route.spec.hostnames : ['*'];
      for (const h of hostnames) {
        if (!allowedByIsolation(listener, http, h)) continue;
        const domain = hostIntersection(listener.hostname ?? '*', h);
        if (domain === undefined) continue;
        domains.set(domain, (domains.get(domain) ?? new Set()).add(route));
        sources.set(domain, (sources.get(domain) ?? new Set()).add(`${listener.name}\0${h.toLowerCase()}`));
      }
    }
  }
  const merged = (routes: Set<Manifest>) => sortApiRoutes(flattenRoutes(sortRoutesByCreation([...routes])));
  const host = view.headers[':authority'];
  if (host === undefined)
    return domains.size === 0
      ? plan(`404: no HTTPRoute is attached to Gateway ${rule} on port ${port}`)
      : plan(undefined, [...domains.values()].map(merged));
  const domain = chooseDomain(domains.keys(), hostWithoutPort(host));
  if (domain === undefined)
    return plan(
      `404: no HTTPRoute attached to Gateway ${rule} on port ${port} serves host '${host}' (no virtual host)`,
    );
  if (sources.get(domain)!.size > 1) {
    notModelled.push(
      `HTTPRoutes of different listeners or hostnames reduced to host '${domain}' on Gateway ${rule} (Istio concatenates one VirtualService per hostname; taken as one sorted list)`,
    );
  }
  return plan(undefined, [merged(domains.get(domain)!)]);
}

/**
 * Listener isolation (conversion.go hostnameAllowedByIsolation): a route hostname on a wildcard
 * (or hostname-less) listener is dropped when another listener of the same port and protocol has a
 * hostname at least as long that covers it, so that more specific listener alone serves it.
 */
function allowedByIsolation(listener: any, onPort: readonly any[], routeHost: string): boolean {
  const ours = String(listener.hostname ?? '');
  if (ours !== '' && !ours.startsWith('*')) return true;
  if (ours !== '' && hostIntersection(ours, routeHost) === undefined) return false;
  return !onPort.some((o) => {
    const check = String(o.hostname ?? '');
    return (
      o !== listener &&
      String(o.protocol).toUpperCase() === String(listener.protocol).toUpperCase() &&
      check !== '' &&
      check !== ours &&
      ours.length <= check.length &&
      hostMatches(check, routeHost)
    );
  });
}

/**
 * Whether an HTTPRoute attaches to a listener: a parentRef naming the Gateway (group and kind
 * default to the Gateway's, namespace to the route's; `sectionName` the listener's name, `port`
 * its port), a kind the listener allows (`allowedRoutes.kinds`, default HTTPRoute on HTTP and
 * HTTPS), and a namespace it allows (`allowedRoutes.namespaces.from`: Same by default, All, or
 * Selector over the Namespace objects' labels).
 */
function attaches(index: ManifestIndex, route: Manifest, gw: Manifest, listener: any, notes: string[]): boolean {
  const routeNs = namespaceOf(route);
  const gwNs = namespaceOf(gw);
  const named = (route.spec?.parentRefs ?? []).some(
    (p: any) =>
      (p.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP &&
      (p.kind ?? 'Gateway') === 'Gateway' &&
      p.name === gw.metadata.name &&
      (p.namespace ?? routeNs) === gwNs &&
      (p.sectionName === undefined || p.sectionName === listener.name) &&
      (p.port === undefined || p.port === listener.port),
  );
  if (!named) return false;
  const kinds: any[] = listener.allowedRoutes?.kinds ?? [];
  if (
    kinds.length > 0 &&
    !kinds.some((k) => (k.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && k.kind === 'HTTPRoute')
  )
    return false;
  const from = listener.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === gwNs;
  if (from === 'Selector') {
    const ns = index.ofKind('Namespace').find((n) => n.metadata.name === routeNs);
    if (!ns) {
      notes.push(
        `Gateway ${gwNs}/${gw.metadata.name} listener '${listener.name}' allowedRoutes selector: Namespace '${routeNs}' is not in the manifests (route taken as not attached)`,
      );
      return false;
    }
    return labelSelectorHolds(listener.allowedRoutes.namespaces.selector ?? {}, ns.metadata.labels ?? {});
  }
  return false;
}
