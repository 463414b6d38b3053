// Kept in one file: one class, RouteHops, whose methods share the index and build one route's hops together.
/**
 * A matched route as hops: the first route whose match holds (HTTP, TCP, TLS), its destinations
 * with weights normalised, timeout, retries and mirrors, each destination resolved to a Service
 * (port, DestinationRule subset narrowing the selector) or a ServiceEntry, down to the workloads
 * whose pods receive the request; and the answers the proxy gives itself (redirect, direct
 * response, 503), as hops that forward nothing.
 */
import { namespaceOf } from '../manifest';
import type { Manifest } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { endpointNotes } from './endpoints';
import type { Hop } from './hop';
import { tcpMatchHolds, tlsMatchHolds } from './l4-match';
import { HTTP_ROUTE_NOT_MODELLED, matchIsCatchAll, proxyMatchHolds, requestMatchHolds } from './match';
import type { RequestView, RouteRef, RoutingProxy } from './match';
import { routeMirrors, routeRetries, routeTimeout } from './policies';
import type { HopMirror, HopRetries } from './policies';
import { istioSetCookies } from './response-cookies';
import { destinationLoadBalancing, routeHashPolicies, serviceLoadBalancing } from './destination-load-balancing';
import { clusterNotFound, routeSemanticsOf } from './ingress';
import { meshXForwardedHost } from './sidecar-scope';
import { shapeVsRequest, shapeVsResponse } from './virtual-service-shaping';
import type { ShapingInput } from './virtual-service-shaping';

/** The redirect codes Envoy's RedirectAction takes (route.go applyRedirect). */
const ISTIO_REDIRECT_CODES: readonly number[] = [301, 302, 303, 307, 308];

/** The route fields the simulator applies when it knows the request (virtual-service-shaping.ts). */
const SHAPED_FIELDS = ['rewrite', 'headers'];

/** Why a response header operation is named: it applies to the backend's own headers, which are not known (as for Gateway API filters). */
const BACKEND_HEADERS = " (applied to the backend's own response headers, which are not known)";

/** Builds a destination's hop (subset, weight, rule and the notes so far filled in). */
type HopOf = (service: string, port: number, deployments: string[], more?: Partial<Hop>) => Hop;

export class RouteHops {
  constructor(
    private readonly index: ManifestIndex,
    public readonly defaultRetries: HopRetries | undefined,
  ) {}

  /** The first route whose match holds (Envoy takes routes in order), as hops; undefined when none does. */
  public evaluateHttp(
    routes: readonly RouteRef[],
    req: RequestView,
    proxy: RoutingProxy,
    notes: string[],
  ): Hop[] | undefined {
    for (const r of routes) {
      const matches: any[] | undefined = r.route.match?.length ? r.route.match : undefined;
      const holds = (m: any, j: number) =>
        proxyMatchHolds(m, proxy, namespaceOf(r.vs)) &&
        requestMatchHolds(m, req, `${r.at}.match[${j}]`, routeSemanticsOf(r.vs));
      const held = matches ? matches.findIndex(holds) : -1;
      if (matches && held === -1) continue;
      this.xForwardedHost ??= meshXForwardedHost(this.index);
      const hops = this.routeHops(r, proxy, notes, {
        req,
        match: matches?.[held],
        xForwardedHost: this.xForwardedHost,
      });
      // The match's name is part of Envoy's route name (route.go TranslateRoute: `<route>.<match>`).
      const name = matches?.[held]?.name;
      return typeof name === 'string' && name !== '' ? hops.map((h) => ({ ...h, match: name })) : hops;
    }
    return undefined;
  }

  /** Whether the mesh config appends x-forwarded-host on a host rewrite (read once). */
  private xForwardedHost: boolean | undefined;

  public evaluateL4(
    routes: readonly RouteRef[],
    proxy: RoutingProxy,
    kind: 'tcp' | 'tls',
    sni: string | undefined,
    notes: string[],
  ): Hop[] | undefined {
    for (const r of routes) {
      const matches: any[] | undefined = r.route.match?.length ? r.route.match : undefined;
      const holds = (m: any, j: number) =>
        kind === 'tls'
          ? tlsMatchHolds(m, proxy, namespaceOf(r.vs), sni, `${r.at}.match[${j}]`, notes)
          : tcpMatchHolds(m, proxy, namespaceOf(r.vs), `${r.at}.match[${j}]`, notes);
      if (kind === 'tls' ? !(matches ?? []).some(holds) : matches && !matches.some(holds)) continue;
      return this.routeHops(r, proxy, notes);
    }
    return undefined;
  }

  public possibleRoutes(routes: readonly RouteRef[], proxy: RoutingProxy, notes: readonly string[]): Hop[] {
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

  /**
   * The destinations of a matched route, weights normalised, with its timeout, retries and mirrors
   * (route.go applyHTTPRouteDestination). With the request (`shaping`), its rewrite and header
   * operations are applied; without (every route a proxy may take) they are named not modelled.
   */
  private routeHops(r: RouteRef, proxy: RoutingProxy, notes: string[], shaping?: ShapingInput): Hop[] {
    const unmodelled = HTTP_ROUTE_NOT_MODELLED.filter((f) => !shaping || !SHAPED_FIELDS.includes(f));
    const own = [...notes, ...unmodelled.filter((f) => r.route[f] !== undefined).map((f) => `${r.at}.${f}`)];
    // The proxy's own answers carry the route's response headers (Envoy applies them to direct responses and redirects).
    const response = shaping ? shapeVsResponse(r.route, undefined, false) : undefined;
    const answered = (text: string, more: readonly string[] = []) =>
      this.answer(text, r.rule, [...own, ...more], response ? { response } : {});
    const code = r.route.redirect?.redirectCode;
    if (r.route.redirect && code !== undefined && code !== 0 && !ISTIO_REDIRECT_CODES.includes(code)) {
      // route.go applyRedirect: another code leaves the route without an action; Envoy rejects that route configuration.
      const why = `redirectCode ${code} is not one Istio supports (${ISTIO_REDIRECT_CODES.join(', ')}): istiod writes ${r.rule} without an action, which Envoy rejects`;
      return [
        this.answer(`not modelled: ${why}; the proxy keeps the route configuration it had`, r.rule, [
          ...own,
          `${r.at}.redirect.redirectCode`,
        ]),
      ];
    }
    if (r.route.redirect)
      return [
        answered(
          `${r.route.redirect.redirectCode ?? 301} redirect to ${r.route.redirect.scheme ?? ''}${r.route.redirect.scheme ? '://' : ''}${r.route.redirect.authority ?? '<same host>'}${r.route.redirect.uri ?? '<same path>'}`,
        ),
      ];
    if (r.route.directResponse) return [answered(`${r.route.directResponse.status} direct response`)];
    if (r.route.delegate)
      return [
        this.answer(
          `delegated to VirtualService ${r.route.delegate.namespace ?? namespaceOf(r.vs)}/${r.route.delegate.name}`,
          r.rule,
          [...own, `${r.at}.delegate`],
        ),
      ];
    const route: any[] = r.route.route ?? [];
    if (route.length === 0) return [this.answer('503: the route has no destination', r.rule, own)];
    return this.forwardHops(r, proxy, own, shaping);
  }

  /** One hop per destination of a forwarding route: its share, the route's policies, the request and response as shaped, sticky cookies. */
  private forwardHops(r: RouteRef, proxy: RoutingProxy, own: string[], shaping: ShapingInput | undefined): Hop[] {
    const route: any[] = r.route.route ?? [];
    if (shaping && r.route.headers?.response !== undefined) own.push(`${r.at}.headers.response${BACKEND_HEADERS}`);
    const policies = / http\[\d+\]$/.test(r.at) ? this.httpPolicies(r, proxy, own) : {};
    // One destination takes everything whatever its weight; several share by weight (Envoy weighted clusters).
    const total = route.reduce((sum, d) => sum + (d.weight ?? 0), 0);
    const weighted = route.length > 1;
    // The route's hash policies, stated on each destination with its cluster's load balancing.
    const vsNs = namespaceOf(r.vs);
    const hashes = routeHashPolicies(this.index, route, vsNs, proxy.namespace, / http\[\d+\]$/.test(r.at));
    return route.map((d, i) => {
      const weight = route.length === 1 ? 100 : total === 0 ? 0 : Math.round(((d.weight ?? 0) * 10000) / total) / 100;
      const cookies = istioSetCookies(d.headers);
      const headerNote = shaping ? `${r.at}.route[${i}].headers.response${BACKEND_HEADERS}` : `${r.at}.route[].headers`;
      const notes = [
        ...own,
        ...((shaping ? istioSetCookies({ response: d.headers?.response }).other : cookies.other) ? [headerNote] : []),
        ...(total === 0 && route.length > 1 ? [`${r.at}.route (every weight is 0: Envoy rejects the route)`] : []),
      ];
      const hop = clusterNotFound(r.vs, this.destinationHop(d.destination ?? {}, weight, r, proxy, notes));
      if (hop.answer !== undefined) return hop;
      const lb = destinationLoadBalancing(this.index, d.destination ?? {}, hop.port, hashes, vsNs, proxy.namespace);
      const request = shaping ? shapeVsRequest(r.vs, r.route, d, weighted, shaping) : undefined;
      const response = shaping ? shapeVsResponse(r.route, d, weighted) : undefined;
      return {
        ...hop,
        ...policies,
        ...(request ? { request } : {}),
        ...(response ? { response } : {}),
        ...(cookies.cookies.length > 0 ? { setCookies: cookies.cookies } : {}),
        ...(lb ? { loadBalancing: lb } : {}),
      };
    });
  }

  /**
   * Timeout, retries and mirrors of an HTTP route that forwards (route.go applyHTTPRouteDestination;
   * redirects and direct responses have none). Mirror destinations resolve as route destinations
   * do (LookupDestinationCluster: port, subset); Envoy sends the copy with `-shadow` appended to
   * the Host and discards its response.
   */
  private httpPolicies(
    r: RouteRef,
    proxy: RoutingProxy,
    notes: string[],
  ): Pick<Hop, 'timeout' | 'retries' | 'mirrors'> {
    const timeout = routeTimeout(r.route);
    const mirrors = routeMirrors(r.route, r.at).map((m): HopMirror => {
      const h = this.destinationHop(m.destination, 100, r, proxy, []);
      notes.push(...(h.notModelled ?? []).filter((n) => !notes.includes(n)));
      return {
        service: h.service,
        ...(h.subset !== undefined ? { subset: h.subset } : {}),
        port: h.port,
        percent: m.percent,
        deployments: h.deployments,
        ...(h.serviceEntry !== undefined ? { serviceEntry: h.serviceEntry } : {}),
        ...(h.answer !== undefined ? { answer: h.answer } : {}),
      };
    });
    const retries = routeRetries(r.route, r.at, notes) ?? this.defaultRetries;
    return {
      ...(timeout !== undefined ? { timeout } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(mirrors.length > 0 ? { mirrors } : {}),
    };
  }

  /** A destination as a hop: host resolved in the VirtualService's namespace, port, subset narrowing the selector. */
  private destinationHop(
    dest: any,
    weight: number,
    r: RouteRef,
    proxy: RoutingProxy,
    routeNotes: readonly string[],
  ): Hop {
    const host: string = dest.host ?? '';
    const notes = [...routeNotes];
    // Reads `notes` when called, so notes pushed before a hop is built are on it.
    const hop: HopOf = (service, port, deployments, more = {}) => ({
      service,
      ...(dest.subset !== undefined ? { subset: dest.subset } : {}),
      port,
      weight,
      deployments,
      rule: r.rule,
      ...more,
      ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}),
    });
    const svc = this.index.serviceForIstioHost(host, namespaceOf(r.vs));
    if (!svc) return this.serviceEntryHop(dest, host, r, proxy, notes, hop);
    const ports: any[] = svc.spec?.ports ?? [];
    // No destination port: the Service's only port, else the port the request arrived on (route.go GetDestinationCluster).
    const port: number = dest.port?.number ?? (ports.length === 1 ? ports[0].port : (proxy.port ?? 0));
    if (!ports.some((p) => p.port === port))
      return hop(svc.metadata.name, port, [], {
        answer: `503: port ${port} is not a port of Service '${svc.metadata.name}' (no cluster)`,
      });
    const selective = this.workloadSelectorRuleNote(svc);
    if (selective) notes.push(selective);
    let subsetLabels: Record<string, string> = {};
    if (dest.subset !== undefined) {
      const labels = this.index.destinationSubsets(svc, proxy.namespace)?.get(dest.subset);
      if (!labels)
        return hop(svc.metadata.name, port, [], {
          answer: `503: subset '${dest.subset}' of host '${host}' is not defined by a DestinationRule visible from namespace '${proxy.namespace}' (no cluster)`,
        });
      subsetLabels = labels;
    }
    notes.push(...endpointNotes(this.index, svc));
    return hop(svc.metadata.name, port, this.pods(svc, subsetLabels));
  }

  /**
   * A destination whose host is no Service: a ServiceEntry visible from the proxy's namespace (its
   * declared port, workloads it selects), else a 503 (no cluster). Pushes its notes onto `notes`.
   */
  private serviceEntryHop(dest: any, host: string, r: RouteRef, proxy: RoutingProxy, notes: string[], hop: HopOf): Hop {
    // A destination names a cluster only when a ServiceEntry declares that very host: istiod names the route's
    // cluster after the destination host as written (route.go GetDestinationCluster) and builds clusters per
    // declared host (cluster.go buildOutboundClusters), so `foo.example.org` under `*.example.org` has none.
    const se = this.index.serviceEntryDeclaring(host, proxy.namespace);
    if (!se)
      return hop(host, dest.port?.number ?? proxy.port ?? 0, [], {
        answer: `503: host '${host}' is neither a Service nor a ServiceEntry host visible from namespace '${proxy.namespace}' (no cluster)`,
      });
    const sePorts: any[] = se.spec?.ports ?? [];
    const selector = se.spec?.workloadSelector?.labels;
    if (!selector) notes.push(`ServiceEntry ${namespaceOf(se)}/${se.metadata.name} endpoints (outside the manifests)`);
    if (dest.subset !== undefined) notes.push(`${r.at} subset '${dest.subset}' of a ServiceEntry host`);
    const port = dest.port?.number ?? (sePorts.length === 1 ? sePorts[0].number : (proxy.port ?? 0));
    const serviceEntry = `${namespaceOf(se)}/${se.metadata.name}`;
    // Clusters are built per declared port: another port names a cluster that does not exist.
    if (!sePorts.some((p) => p.number === port)) {
      return hop(host, port, [], {
        serviceEntry,
        answer: `503: port ${port} is not a port of ServiceEntry ${serviceEntry} (no cluster)`,
      });
    }
    const pods = selector ? this.index.workloadsSelected(namespaceOf(se), selector).map((w) => w.metadata.name) : [];
    return hop(host, port, pods, { serviceEntry });
  }

  /** The note for a DestinationRule of the Service with a workloadSelector (its rules apply to selected clients only, not modelled). */
  private workloadSelectorRuleNote(svc: Manifest): string | undefined {
    const selective = this.index
      .ofKind('DestinationRule')
      .find(
        (x) =>
          x.spec?.workloadSelector !== undefined &&
          this.index.serviceForIstioHost(x.spec?.host ?? '', namespaceOf(x)) === svc,
      );
    return selective
      ? `DestinationRule ${namespaceOf(selective)}/${selective.metadata.name} workloadSelector (rules for selected clients)`
      : undefined;
  }

  /**
   * No route applies: Envoy's default route sends to every pod of the Service, on HTTP with Istio's
   * default retry policy and no timeout (route.go BuildDefaultHTTPOutboundRoute), and the load
   * balancing the DestinationRules the caller in `clientNamespace` sees set.
   */
  public serviceHop(
    svc: Manifest,
    port: number,
    given: readonly string[],
    http: boolean,
    clientNamespace: string,
  ): Hop {
    const notes = [...given, ...endpointNotes(this.index, svc)];
    const lb = serviceLoadBalancing(this.index, svc, port, clientNamespace, http);
    return {
      service: svc.metadata.name,
      port,
      weight: 100,
      deployments: this.pods(svc, {}),
      rule: 'service',
      ...(http && this.defaultRetries ? { retries: this.defaultRetries } : {}),
      ...(lb ? { loadBalancing: lb } : {}),
      ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}),
    };
  }

  public answer(answer: string, rule: string, notes: readonly string[], more: Partial<Hop> = {}): Hop {
    return {
      service: '',
      port: 0,
      weight: 100,
      deployments: [],
      rule,
      answer,
      ...more,
      ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}),
    };
  }

  /** Workloads with serving pods behind the Service and subset. */
  public pods(svc: Manifest, subsetLabels: Record<string, string>): string[] {
    return this.index.podsBehind(svc, subsetLabels, true).map((d) => d.metadata.name);
  }
}
