/**
 * VirtualService match conditions as Istio compiles them into Envoy routes
 * (istio/istio pilot/pkg/networking/core/route/route.go TranslateRoute, sourceMatchHTTP,
 * TranslateRouteMatch) and Envoy evaluates them (envoy docs: route_components.proto RouteMatch,
 * HeaderMatcher, QueryParameterMatcher).
 */
import type { Manifest } from '../manifest';
import { labelsHold } from '../manifest';
import { isPresenceMatch, stringMatchHolds } from './string-match';
import { claimMatchHolds, claimPath, NO_JWT } from './jwt-claim-match';
import type { ClaimContext } from './jwt-claim-match';
import type { BackendAnswer } from './backend-answer';
import { backendAnswerOf } from './backend-answer';

/** An HTTP request as the proxy sees it. */
export interface SimulatedRequest {
  /** Request headers; names are matched case-insensitively. @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request path, optionally with `?query`; the query is not part of the path. @default '/' */
  readonly path?: string;
  /**
   * Query parameters besides those in `path` (`path`'s win), as a client sends them: characters a
   * query cannot carry (a space, `&`, `=`, non-ASCII) percent-encoded. @default - those in path
   */
  readonly query?: Readonly<Record<string, string>>;
  /** HTTP method (`:method`). @default 'GET' */
  readonly method?: string;
  /** Host (`:authority`), with or without port. @default - the Host or :authority header */
  readonly host?: string;
  /** `:scheme`. @default 'http' */
  readonly scheme?: string;
  /** Port the request arrives on at the gateway. @default - the gateway's HTTP (or, with scheme https, HTTPS) server port */
  readonly port?: number;
  /** SNI of a TLS connection. @default - the host */
  readonly sni?: string;
  /** Namespace of the calling pod (sourceNamespace, exportTo). @default - the called Service's namespace */
  readonly sourceNamespace?: string;
  /**
   * Claims of the JWT a RequestAuthentication validated (the jwt_authn payload; nested objects,
   * lists of strings), for `@request.auth.claims` matches at a gateway.
   * @default - none: the request carries no validated JWT
   */
  readonly claims?: Readonly<Record<string, unknown>>;
  /**
   * The headers the backend puts on its response (names case-insensitive): an HTTPRoute hop then
   * shows the response the client gets, the route's response header modifiers applied to them
   * (VirtualService routes do not read them yet).
   * @default - not known: response header modifiers are named not modelled
   */
  readonly backendResponseHeaders?: Readonly<Record<string, string>>;
  /**
   * How long the backend takes to answer (`1s`, `500ms`): longer than the route timeout or the
   * per-try timeout, an HTTPRoute hop is Envoy's 504 (VirtualService routes do not read it yet).
   * @default - not known: the hop shows the timeout only
   */
  readonly backendDelay?: string;
}

/** Who is routing: the proxy's labels and namespace, the gateway names it serves (`ns/name` or `mesh`) and its listener port. */
export interface RoutingProxy {
  readonly labels: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly gateways: readonly string[];
  readonly port: number | undefined;
}

/** Request-independent part of a match (route.go TranslateRoute: port, then sourceMatchHTTP). */
export function proxyMatchHolds(m: any, proxy: RoutingProxy, vsNamespace: string): boolean {
  if (m === undefined) return true;
  if (m.port !== undefined && m.port !== 0 && m.port !== proxy.port) return false;
  // With per-match gateways, sourceLabels and sourceNamespace are not consulted (route.go sourceMatchHTTP).
  if (Array.isArray(m.gateways) && m.gateways.length > 0) {
    return m.gateways.some((g: string) => proxy.gateways.includes(qualifyGateway(g, vsNamespace)));
  }
  if (!labelsHold(m.sourceLabels, proxy.labels)) return false;
  return m.sourceNamespace === undefined || m.sourceNamespace === '' || m.sourceNamespace === proxy.namespace;
}

/** A gateway reference of a VirtualService as Istio resolves it: `mesh`, `ns/name`, or a name in the VirtualService's namespace. */
export function qualifyGateway(ref: string, vsNamespace: string): string {
  if (ref === 'mesh' || ref.includes('/')) return ref;
  return `${vsNamespace}/${ref}`;
}

/** Parts of the request the matchers read. */
export interface RequestView {
  readonly headers: Readonly<Record<string, string>>;
  /** `:path` without the query string. */
  readonly path: string;
  /** `:path` as sent, with the query string. */
  readonly fullPath: string;
  readonly query: Readonly<Record<string, string>>;
  /** The JWT claims the routing proxy sees (jwt-claim-match.ts). */
  readonly jwt: ClaimContext;
  /** What the request says the backend answers (backend-answer.ts). */
  readonly backend?: BackendAnswer;
}

/**
 * A query parameter name or value as it appears in `:path`. Envoy matches query parameters as
 * they appear there, not percent-decoded (router config_impl.cc: QueryParamsMulti::parseQueryString,
 * which does not decode), and a path carries no literal space: a client sends `%20` (or `+`).
 */
function percentEncoded(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~!$'()*+,;:@/?%]/gu, (c) => encodeURIComponent(c));
}

/** The request's pseudo-headers and headers, lower-cased, and its path split from the query. */
export function viewOf(req: SimulatedRequest): RequestView {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  const fullPath = req.path ?? '/';
  const q = fullPath.indexOf('?');
  const fromPath: Record<string, string> = {};
  if (q !== -1) {
    for (const pair of fullPath
      .slice(q + 1)
      .split('&')
      .filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      // Envoy's QueryParameterMatcher reads the first value of a repeated parameter.
      if (!(name in fromPath)) fromPath[name] = eq === -1 ? '' : pair.slice(eq + 1);
    }
  }
  const given = Object.entries(req.query ?? {}).map(([k, v]) => [percentEncoded(k), percentEncoded(v)]);
  const query = { ...Object.fromEntries(given), ...fromPath };
  const host = req.host ?? headers[':authority'] ?? headers.host;
  const backend = backendAnswerOf(req);
  return {
    headers: {
      ...headers,
      ':method': req.method ?? headers[':method'] ?? 'GET',
      ':scheme': req.scheme ?? headers[':scheme'] ?? 'http',
      ...(host !== undefined ? { ':authority': host, host } : {}),
      ':path': fullPath,
    },
    path: q === -1 ? fullPath : fullPath.slice(0, q),
    fullPath,
    query,
    jwt: { absent: NO_JWT, misses: [] },
    ...(backend !== undefined ? { backend } : {}),
  };
}

/**
 * The request-dependent part of an HTTP match (route.go TranslateRouteMatch). A JWT claim match
 * that fails for want of claims is recorded on `req.jwt` (the hop states it).
 */
export function requestMatchHolds(m: any, req: RequestView, at: string, semantics: RouteSemantics = 'istio'): boolean {
  if (m === undefined) return true;
  if (m.uri !== undefined && !uriHolds(m.uri, req, m.ignoreUriCase === true, semantics)) return false;
  for (const [name, cond] of Object.entries<any>(m.headers ?? {})) {
    const claim = claimPath(name);
    if (claim !== undefined) {
      if (!claimMatchHolds(claim, cond, req.jwt, false, `${at}.headers[${name}]`)) return false;
      continue;
    }
    if (!stringMatchHolds(cond, req.headers[name.toLowerCase()])) return false;
  }
  for (const [name, cond] of Object.entries<any>(m.withoutHeaders ?? {})) {
    const claim = claimPath(name);
    if (claim !== undefined) {
      if (!claimMatchHolds(claim, cond, req.jwt, true, `${at}.withoutHeaders[${name}]`)) return false;
      continue;
    }
    // Inverted; a missing header is treated as empty unless the match is a presence test (route.go TranslateRouteMatch).
    const value = req.headers[name.toLowerCase()];
    const held = isPresenceMatch(cond) ? value !== undefined : stringMatchHolds(cond, value ?? '');
    if (held) return false;
  }
  for (const [pseudo, field] of [
    [':method', 'method'],
    [':authority', 'authority'],
    [':scheme', 'scheme'],
  ] as const) {
    if (m[field] !== undefined && !stringMatchHolds(m[field], req.headers[pseudo])) return false;
  }
  for (const [name, cond] of Object.entries<any>(m.queryParams ?? {})) {
    if (!stringMatchHolds(cond, req.query[name])) return false;
  }
  return true;
}

/**
 * Envoy path matching: `exact` and `regex` compare the path without its query string, `prefix`
 * the start of `:path`; `ignoreUriCase` makes exact and prefix case-insensitive and does not
 * apply to regexes (route_components.proto RouteMatch path, prefix, safe_regex, case_sensitive).
 */
function uriHolds(uri: any, req: RequestView, ignoreCase: boolean, semantics: RouteSemantics): boolean {
  if (uri.exact !== undefined) return stringMatchHolds({ exact: uri.exact }, req.path, ignoreCase);
  if (uri.prefix !== undefined && semantics !== 'istio' && uri.prefix !== '/')
    return pathSeparatedPrefixHolds(String(uri.prefix).replace(/\/$/, ''), req.path, ignoreCase);
  if (uri.prefix !== undefined) return stringMatchHolds({ prefix: uri.prefix }, req.fullPath, ignoreCase);
  if (uri.regex !== undefined) return stringMatchHolds({ regex: uri.regex }, req.path);
  return true;
}

/**
 * How a VirtualService's prefix matches are compiled: Istio's own as Envoy prefixes; those istiod
 * derives from an Ingress (`ingress`) or with Gateway API semantics (`gateway`, the
 * `internal.istio.io/route-semantics` annotation) as Envoy `path_separated_prefix` (the prefix
 * without a trailing `/`, matching the path itself or the path followed by `/...`; route.go
 * TranslateRouteMatch, UseIngressSemantics, UseGatewaySemantics).
 */
export type RouteSemantics = 'istio' | 'ingress' | 'gateway';

function pathSeparatedPrefixHolds(prefix: string, path: string, ignoreCase: boolean): boolean {
  const [p, v] = ignoreCase ? [prefix.toLowerCase(), path.toLowerCase()] : [prefix, path];
  return v === p || v.startsWith(`${p}/`);
}

/** Whether a match holds for every request (only request-independent conditions, or `uri: prefix: /`). */
export function matchIsCatchAll(m: any): boolean {
  return Object.keys(m ?? {}).every(
    (k) =>
      ['port', 'sourceLabels', 'sourceNamespace', 'gateways', 'name', 'statPrefix', 'ignoreUriCase'].includes(k) ||
      (k === 'uri' && m.uri?.prefix === '/'),
  );
}

/**
 * HTTP route fields the simulator does not evaluate: they shape the request or its answer, not
 * where it goes. (timeout, retries and mirrors are evaluated: routing/policies.ts; rewrite and
 * headers too when the request is known: routing/virtual-service-shaping.ts.)
 */
export const HTTP_ROUTE_NOT_MODELLED = ['rewrite', 'fault', 'corsPolicy', 'headers'];

/** One route of a VirtualService, with where it came from. */
export interface RouteRef {
  readonly vs: Manifest;
  readonly route: any;
  /** `VirtualService ns/name http[i]`, for messages. */
  readonly at: string;
  /** `<VirtualService>/<route name or index>`. */
  readonly rule: string;
}
