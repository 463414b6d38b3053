/**
 * What a VirtualService HTTP route's `rewrite` and `headers` do to a request and its answer, as
 * Istio 1.30 compiles them (istio/istio pilot/pkg/networking/core/route/route.go TranslateRoute,
 * applyHTTPRouteDestination, processDestination, processWeightedDestination,
 * TranslateHeadersOperations) and Envoy applies them (route_components.proto prefix_rewrite,
 * regex_rewrite, host_rewrite_literal, append_x_forwarded_host, request_headers_to_add/remove:
 * removals before additions; a weighted cluster's headers before the route's, the route's host
 * rewrite over the cluster's).
 */
import type { Manifest } from '../manifest';
import type { ShapedRequest, ShapedResponse } from './gateway-api-filters';
import { replacePrefix } from './gateway-api-filters';
import { ROUTE_SEMANTICS_ANNOTATION, routeSemanticsOf } from './ingress';
import type { RequestView } from './match';
import { re2 } from './string-match';

/** A `headers.request` or `headers.response` of a VirtualService route or destination. */
interface HeaderOps {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly add?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly unknown[];
}

/** The `headers` of a route or destination. */
interface HeadersSpec {
  readonly request?: HeaderOps;
  readonly response?: HeaderOps;
}

/** A route as far as shaping reads it. */
export interface ShapedRoute {
  readonly headers?: HeadersSpec;
  readonly rewrite?: {
    readonly uri?: string;
    readonly authority?: string;
    readonly uriRegexRewrite?: { readonly match?: string; readonly rewrite?: string };
  };
}

/** A destination (`route[i]`) as far as shaping reads it. */
export interface ShapedDestination {
  readonly headers?: HeadersSpec;
}

/** An HTTPMatchRequest as far as the prefix rewrite reads it. */
interface MatchSpec {
  readonly uri?: { readonly prefix?: string; readonly exact?: string; readonly regex?: string };
}

/** One level of header operations (the route's or a destination's) as Envoy receives them. */
interface HeaderLevel {
  readonly remove: readonly string[];
  /** In order: `set` (overwrite) then `add` (append), names lower-cased. */
  readonly add: readonly { readonly name: string; readonly value: string; readonly append: boolean }[];
  /** `:authority` or `host` in `set` (else `add`): a host rewrite, not a header. */
  readonly authority?: string;
}

/** Envoy cannot change pseudo-headers or `host` by header operations (route.go isInternalHeader). */
const internal = (name: string) => name.startsWith(':') || name.toLowerCase() === 'host';
const isAuthority = (name: string) => [':authority', 'host'].includes(name.toLowerCase());

/** One side (request or response) of a `headers` field, as route.go TranslateHeadersOperations writes it. */
function levelOf(ops: HeaderOps | undefined): HeaderLevel {
  const add: { name: string; value: string; append: boolean }[] = [];
  const authorities: Record<string, string | undefined> = {};
  for (const [field, append] of [
    ['set', false],
    ['add', true],
  ] as const) {
    // Go sorts each map's headers by name (translateAppendHeaders).
    const entries = Object.entries(ops?.[field] ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    authorities[field] = entries
      .filter(([k]) => isAuthority(k))
      .map(([, v]) => String(v))
      .pop();
    for (const [name, value] of entries)
      if (!internal(name)) add.push({ name: name.toLowerCase(), value: String(value), append });
  }
  const remove = (ops?.remove ?? []).map(String).filter((n) => !internal(n));
  // An authority in `set` wins over one in `add`.
  const authority = authorities.set ?? authorities.add;
  return { remove: remove.map((n) => n.toLowerCase()), add, ...(authority !== undefined ? { authority } : {}) };
}

/** Envoy's evaluation of one level: removals first, then set and add (an added value joins the one there with a comma). */
function applyLevel(headers: Record<string, string>, level: HeaderLevel, removed?: string[]): void {
  for (const name of level.remove) {
    delete headers[name];
    removed?.push(name);
  }
  for (const h of level.add)
    headers[h.name] = h.append && headers[h.name] !== undefined ? `${headers[h.name]},${h.value}` : h.value;
}

/**
 * The levels in Envoy's order: one destination's operations join the route's (route.go
 * processDestination); several destinations are weighted clusters, whose headers Envoy applies
 * before the route's (processWeightedDestination).
 */
function levels(routeOps: HeaderOps | undefined, destOps: HeaderOps | undefined, weighted: boolean): HeaderLevel[] {
  const r = levelOf(routeOps);
  const d = levelOf(destOps);
  if (weighted) return [d, r];
  return [{ remove: [...r.remove, ...d.remove], add: [...r.add, ...d.add] }];
}

/** What shaping a destination's request reads: the request, the match that held, and the mesh's proxy headers. */
export interface ShapingInput {
  readonly req: RequestView;
  /** The HTTPMatchRequest that held (Envoy's prefix rewrite replaces what it matched). @default - a route without match */
  readonly match: MatchSpec | undefined;
  /** meshConfig.defaultConfig.proxyHeaders.xForwardedHost.enabled. */
  readonly xForwardedHost: boolean;
}

/** Whether istiod built the VirtualService with Gateway API semantics (internal.istio.io/route-semantics: gateway). */
function gatewaySemantics(vs: Manifest): boolean {
  return (
    (vs.metadata as { annotations?: Record<string, string> }).annotations?.[ROUTE_SEMANTICS_ANNOTATION] === 'gateway'
  );
}

/** The query string of a path (`?a=b`), or ''. */
function queryOf(fullPath: string): string {
  const q = fullPath.indexOf('?');
  return q === -1 ? '' : fullPath.slice(q);
}

/** How much of the path the match matched: an exact or regex path all of it, a prefix its length (path-separated without the trailing `/`). */
function matchedLength(vs: Manifest, match: MatchSpec | undefined, path: string): number {
  const uri = match?.uri;
  if (uri?.prefix !== undefined) {
    const separated = uri.prefix !== '/' && (gatewaySemantics(vs) || routeSemanticsOf(vs) === 'ingress');
    return (separated ? String(uri.prefix).replace(/\/$/, '') : String(uri.prefix)).length;
  }
  if (uri?.exact !== undefined || uri?.regex !== undefined) return path.length;
  return 1; // No uri match: route.go TranslateRouteMatch matches the prefix `/`.
}

/** The path after the route's `rewrite` (applyHTTPRouteDestination: uriRegexRewrite, else uri as a prefix rewrite). */
function rewrittenPath(vs: Manifest, rewrite: ShapedRoute['rewrite'], input: ShapingInput): string {
  const { req } = input;
  const regex = rewrite?.uriRegexRewrite;
  if (regex?.match !== undefined) {
    // Envoy regex_rewrite: every match in the path (without the query) is substituted, `\N` naming a group.
    const program = re2(String(regex.match));
    if (program instanceof Error) return req.fullPath;
    const substitution = String(regex.rewrite ?? '')
      .replace(/\$/g, '$$$$')
      .replace(/\\(\d)/g, '$$$1');
    return `${program.matcher(req.path).replaceAll(substitution)}${queryOf(req.fullPath)}`;
  }
  const uri = rewrite?.uri;
  if (uri === undefined || uri === '') return req.fullPath;
  const prefix = req.path.slice(0, matchedLength(vs, input.match, req.path));
  // With Gateway API semantics a rewrite to `/` removes the prefix without doubling or losing the `/`.
  if (gatewaySemantics(vs) && uri === '/' && input.match?.uri?.prefix !== undefined)
    return `${replacePrefix(req.path, prefix === '/' ? '' : prefix, '/')}${queryOf(req.fullPath)}`;
  return `${uri}${req.path.slice(prefix.length)}${queryOf(req.fullPath)}`;
}

/** The authority Envoy writes: the rewrite's, else the route's headers', else the destination's (route.go processDestination). */
function hostRewrite(route: ShapedRoute, dest: ShapedDestination | undefined): string | undefined {
  const given = route.rewrite?.authority;
  if (given !== undefined && given !== '') return String(given);
  return levelOf(route.headers?.request).authority ?? levelOf(dest?.headers?.request).authority;
}

/** The request as destination `dest` of `route` receives it; undefined when neither rewrite nor request headers change it. */
export function shapeVsRequest(
  vs: Manifest,
  route: ShapedRoute,
  dest: ShapedDestination | undefined,
  weighted: boolean,
  input: ShapingInput,
): ShapedRequest | undefined {
  if (route.rewrite === undefined && route.headers?.request === undefined && dest?.headers?.request === undefined)
    return undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.req.headers)) if (!k.startsWith(':')) headers[k] = v;
  for (const level of levels(route.headers?.request, dest?.headers?.request, weighted)) applyLevel(headers, level);
  const authority = hostRewrite(route, dest);
  if (authority !== undefined) {
    const original = headers.host;
    headers.host = authority;
    // append_x_forwarded_host is set only on routes with a rewrite (applyHTTPRouteDestination).
    if (route.rewrite !== undefined && input.xForwardedHost && original !== undefined)
      headers['x-forwarded-host'] =
        headers['x-forwarded-host'] !== undefined ? `${headers['x-forwarded-host']},${original}` : original;
  }
  return { headers, path: rewrittenPath(vs, route.rewrite, input) };
}

/** The response headers the proxy sets, adds or removes for `dest` (the route's and the destination's); undefined without any. */
export function shapeVsResponse(
  route: ShapedRoute,
  dest: ShapedDestination | undefined,
  weighted: boolean,
): ShapedResponse | undefined {
  if (route.headers?.response === undefined && dest?.headers?.response === undefined) return undefined;
  const headers: Record<string, string> = {};
  const removed: string[] = [];
  for (const level of levels(route.headers?.response, dest?.headers?.response, weighted))
    applyLevel(headers, level, removed);
  return { headers, removed: [...new Set(removed)].filter((n) => headers[n] === undefined) };
}
