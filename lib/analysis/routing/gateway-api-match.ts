/**
 * Gateway API v1 HTTPRoute matches as Istio 1.30 compiles them (istio/istio
 * pilot/pkg/config/kube/gateway/conversion.go convertHTTPRoute, createURIMatch, createHeadersMatch,
 * createQueryParamsMatch, createMethodMatch, sortHTTPRoutes; route_collections.go HTTPRoute
 * collection and mergeHTTPRoutes) and Envoy evaluates them (route_components.proto RouteMatch
 * path, path_separated_prefix, safe_regex).
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { RequestView } from './match';
import { re2FullMatch } from './string-match';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** Whether an object is of the Gateway API group (`gateway.networking.k8s.io/<version>`). */
export function isGatewayApi(m: Manifest, kind: string): boolean {
  return m.kind === kind && String(m.apiVersion ?? '').startsWith(`${GATEWAY_API_GROUP}/`);
}

/** One match of one rule of an HTTPRoute: Istio splits every rule into one route per match. */
export interface ApiRoute {
  readonly route: Manifest;
  readonly rule: any;
  /** The match, with the CRD defaults of path filled in; undefined for a rule written with `matches: []`. */
  readonly match: PathMatch | undefined;
  /** `HTTPRoute ns/name rules[i]`, for messages. */
  readonly at: string;
  /** `<HTTPRoute>/<rule name or index>`. */
  readonly name: string;
}

interface PathMatch {
  readonly pathType: 'Exact' | 'PathPrefix' | 'RegularExpression';
  /** The path as Istio writes it into the VirtualService (PathPrefix without its trailing `/`). */
  readonly path: string;
  readonly headers: ReadonlyMap<string, any>;
  readonly queryParams: ReadonlyMap<string, any>;
  readonly method: string | undefined;
}

/** The CRD default of an absent `matches`: one match, `path: {type: PathPrefix, value: /}` (httproute_types.go HTTPRouteRule.Matches). */
const DEFAULT_MATCHES = [{}];

/** The routes of HTTPRoutes as one list, rule by rule, match by match, in the routes' given order. */
export function flattenRoutes(routes: readonly Manifest[]): ApiRoute[] {
  const out: ApiRoute[] = [];
  for (const route of routes) {
    (route.spec?.rules ?? []).forEach((rule: any, i: number) => {
      const at = `HTTPRoute ${namespaceOf(route)}/${route.metadata.name} rules[${i}]`;
      const name = `${route.metadata.name}/${rule.name ?? i}`;
      const matches: any[] = rule.matches === undefined || rule.matches === null ? DEFAULT_MATCHES : rule.matches;
      if (matches.length === 0) out.push({ route, rule, match: undefined, at, name });
      for (const m of matches) out.push({ route, rule, match: pathMatchOf(m ?? {}), at, name });
    });
  }
  return out;
}

/** A match with the CRD defaults (path type PathPrefix, value `/`; header and query type Exact); the first of repeated names wins (spec). */
function pathMatchOf(m: any): PathMatch {
  const pathType = m.path?.type ?? 'PathPrefix';
  let path = String(m.path?.value ?? '/');
  // createURIMatch: "When specified, a trailing `/` is ignored."
  if (pathType === 'PathPrefix' && path !== '/') path = path.replace(/\/$/, '');
  const headers = new Map<string, any>();
  for (const h of m.headers ?? [])
    if (!headers.has(String(h.name).toLowerCase())) headers.set(String(h.name).toLowerCase(), h);
  const queryParams = new Map<string, any>();
  for (const q of m.queryParams ?? []) if (!queryParams.has(String(q.name))) queryParams.set(String(q.name), q);
  return { pathType, path, headers, queryParams, method: m.method };
}

/** Istio's rank of a path type (conversion.go getURIRank): Exact, then prefix, then regex. */
const RANK = { Exact: 3, PathPrefix: 2, RegularExpression: 1 } as const;

/**
 * Istio's order of the merged routes of one host (conversion.go sortHTTPRoutes, a stable sort over
 * routes already ordered by creation time, namespace and name, sortRoutesByCreationTime): path
 * rank, longer path value, a method match, more header matches, more query matches; routes
 * without a match last. Ties keep the given order (oldest route first, then rule and match order).
 */
export function sortApiRoutes(routes: readonly ApiRoute[]): ApiRoute[] {
  const indexed = routes.map((r, i) => ({ r, i }));
  indexed.sort((a, b) => compareMatches(a.r.match, b.r.match) || a.i - b.i);
  return indexed.map((x) => x.r);
}

function compareMatches(a: PathMatch | undefined, b: PathMatch | undefined): number {
  if (!a || !b) return !a && !b ? 0 : !a ? 1 : -1;
  return (
    RANK[b.pathType] - RANK[a.pathType] ||
    b.path.length - a.path.length ||
    Number(b.method !== undefined) - Number(a.method !== undefined) ||
    b.headers.size - a.headers.size ||
    b.queryParams.size - a.queryParams.size
  );
}

/** HTTPRoutes in Istio's merge order: creation time, then namespace, then name (sortRoutesByCreationTime). */
export function sortRoutesByCreation(routes: readonly Manifest[]): Manifest[] {
  const time = (m: Manifest) => String((m.metadata as any).creationTimestamp ?? '');
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...routes].sort(
    (a, b) => cmp(time(a), time(b)) || cmp(namespaceOf(a), namespaceOf(b)) || cmp(a.metadata.name, b.metadata.name),
  );
}

/**
 * Whether a route's match holds for the request. Exact and RegularExpression compare the path
 * without its query string, a regex as a full RE2 match (Envoy safe_regex, as VirtualService
 * regexes); PathPrefix is Envoy's path_separated_prefix (route.go TranslateRouteMatch for gateway
 * semantics): the path equals the prefix or continues it with `/`, so `/foo` holds for `/foo` and
 * `/foo/bar`, not `/foobar`. Header names are case-insensitive, query parameter names are not.
 */
export function apiMatchHolds(m: PathMatch | undefined, req: RequestView): boolean {
  if (!m) return true;
  if (m.pathType === 'Exact' && req.path !== m.path) return false;
  if (m.pathType === 'PathPrefix' && m.path !== '/' && req.path !== m.path && !req.path.startsWith(`${m.path}/`))
    return false;
  if (m.pathType === 'RegularExpression' && !re2FullMatch(m.path, req.path)) return false;
  if (m.method !== undefined && req.headers[':method'] !== m.method) return false;
  for (const [name, h] of m.headers) if (!valueHolds(h, req.headers[name])) return false;
  for (const [name, q] of m.queryParams) if (!valueHolds(q, req.query[name])) return false;
  return true;
}

/** Whether a match holds for every request (path prefix `/`, nothing else), or the rule has none. */
export function apiMatchIsCatchAll(m: PathMatch | undefined): boolean {
  return (
    !m ||
    (m.pathType === 'PathPrefix' &&
      m.path === '/' &&
      m.method === undefined &&
      m.headers.size === 0 &&
      m.queryParams.size === 0)
  );
}

/** A header or query match: Exact (default) or RegularExpression (RE2, full match: Istio's StringMatch regex). */
function valueHolds(m: any, value: string | undefined): boolean {
  if (value === undefined) return false;
  return m.type === 'RegularExpression' ? re2FullMatch(String(m.value), value) : value === String(m.value);
}

/** The rule filter types Istio converts (conversion.go convertHTTPRoute); any other fails the whole HTTPRoute (InvalidFilter). */
export const ISTIO_RULE_FILTERS: ReadonlySet<string> = new Set([
  'RequestHeaderModifier',
  'ResponseHeaderModifier',
  'RequestRedirect',
  'RequestMirror',
  'URLRewrite',
  'CORS',
]);
/** The backendRef filter types Istio converts (buildHTTPDestination); any other fails the whole HTTPRoute. */
export const ISTIO_BACKEND_FILTERS: ReadonlySet<string> = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier']);
