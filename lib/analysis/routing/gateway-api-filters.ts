/**
 * What the filters of a matched HTTPRoute rule do to a request and its answer, as Istio 1.30
 * converts them (istio/istio pilot/pkg/config/kube/gateway/conversion.go createHeadersFilter,
 * createRewriteFilter, createRedirectFilter, createCorsFilter) and Envoy applies them
 * (route_components.proto request_headers_to_add/remove, prefix_rewrite, host_rewrite_literal,
 * RedirectAction; extensions/filters/http/cors): header modifiers (rule level, then backendRef
 * level), URLRewrite of host and path, RequestRedirect's Location, and CORS (a preflight from an
 * allowed origin is answered by the proxy; unmatched preflights go on to the backend, Istio's
 * `unmatchedPreflights: IGNORE`).
 */
import { re2FullMatch } from './string-match';
import type { BackendAnswer } from './backend-answer';

/** The request as the backend receives it, when a filter changed it. */
export interface ShapedRequest {
  /** Every request header after the modifiers, names lower-cased (`host` is the Host / :authority). */
  readonly headers: Readonly<Record<string, string>>;
  readonly path: string;
}

/** What the filters put on the response: with the backend's headers stated by the request, every header the client gets. */
export interface ShapedResponse {
  /** Headers the proxy sets or adds, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers the proxy removes from the backend's response. */
  readonly removed: readonly string[];
}

/** A request as the filters see it: lower-cased headers (with `host`), the path with its query. */
export interface FilterRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly fullPath: string;
  readonly path: string;
  readonly scheme: string;
  /** The port the request arrived on (gateway listener, or the Service port called). */
  readonly port: number | undefined;
  /** What the request says the backend answers (backend-answer.ts). @default - not known */
  readonly backend?: BackendAnswer;
}

/** The prefix a PathPrefix match matched, for ReplacePrefixMatch. */
export type MatchedPrefix = string | undefined;

/** Envoy's prefix rewrite with Istio's handling of `/` (no doubled slash, never an empty path). */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const rest = prefix === '/' ? path.slice(1) : path.slice(prefix.length);
  if (replacement === '/' || replacement === '') return rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}`;
  if (replacement.endsWith('/') && rest.startsWith('/')) return `${replacement}${rest.slice(1)}`;
  return `${replacement}${rest}`;
}

/** The query string of a path (`?a=b`), or ''. */
function queryOf(fullPath: string): string {
  const q = fullPath.indexOf('?');
  return q === -1 ? '' : fullPath.slice(q);
}

/** Header modifiers (HTTPHeaderFilter): set overwrites, add appends with a comma, remove drops; names case-insensitive. */
export function modifyHeaders(headers: Record<string, string>, f: any): void {
  for (const h of f?.set ?? []) headers[String(h.name).toLowerCase()] = String(h.value);
  for (const h of f?.add ?? []) {
    const name = String(h.name).toLowerCase();
    headers[name] = headers[name] !== undefined ? `${headers[name]},${h.value}` : String(h.value);
  }
  for (const name of f?.remove ?? []) delete headers[String(name).toLowerCase()];
}

/** The request after the rule's and the backendRef's RequestHeaderModifier and the rule's URLRewrite; undefined when nothing changes it. */
export function shapeRequest(
  ruleFilters: readonly any[],
  backendFilters: readonly any[],
  req: FilterRequest,
  prefix: MatchedPrefix,
): ShapedRequest | undefined {
  const changing = [...ruleFilters, ...backendFilters].some(
    (f) => f?.type === 'RequestHeaderModifier' || f?.type === 'URLRewrite',
  );
  if (!changing) return undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (!k.startsWith(':')) headers[k] = v;
  let path = req.fullPath;
  for (const f of [...ruleFilters, ...backendFilters]) {
    if (f?.type === 'RequestHeaderModifier') modifyHeaders(headers, f.requestHeaderModifier);
    if (f?.type === 'URLRewrite') {
      const u = f.urlRewrite ?? {};
      if (u.hostname !== undefined) headers.host = String(u.hostname);
      if (u.path?.type === 'ReplaceFullPath') path = `${u.path.replaceFullPath}${queryOf(req.fullPath)}`;
      if (u.path?.type === 'ReplacePrefixMatch' && prefix !== undefined)
        path = `${replacePrefix(req.path, prefix, String(u.path.replacePrefixMatch))}${queryOf(req.fullPath)}`;
    }
  }
  return { headers, path };
}

/** The rule's and backendRef's ResponseHeaderModifier effects; undefined without one. */
export function shapeResponse(ruleFilters: readonly any[], backendFilters: readonly any[]): ShapedResponse | undefined {
  const modifiers = [...ruleFilters, ...backendFilters].filter((f) => f?.type === 'ResponseHeaderModifier');
  if (modifiers.length === 0) return undefined;
  const headers: Record<string, string> = {};
  const removed: string[] = [];
  for (const f of modifiers) {
    modifyHeaders(headers, f.responseHeaderModifier);
    for (const name of f.responseHeaderModifier?.remove ?? []) removed.push(String(name).toLowerCase());
  }
  return { headers, removed };
}

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

/**
 * A RequestRedirect's Location (createRedirectFilter): scheme and hostname as written or the
 * request's; the port as written, else the new scheme's default port when a scheme is written
 * (FROM_PROTOCOL_DEFAULT), else the port the request arrived on (FROM_REQUEST_PORT); a scheme's
 * default port is left out; the path replaced in full or by prefix, or kept.
 */
export function redirectLocation(x: any, req: FilterRequest, prefix: MatchedPrefix): string {
  const scheme = String(x.scheme ?? req.scheme).toLowerCase();
  const host = String(x.hostname ?? (hostOnly(req.headers.host ?? req.headers[':authority'] ?? '') || '{host}'));
  const port: number | undefined = x.port ?? (x.scheme !== undefined ? DEFAULT_PORT[scheme] : req.port);
  const shownPort = port === undefined || port === DEFAULT_PORT[scheme] ? '' : `:${port}`;
  let path = req.fullPath;
  if (x.path?.type === 'ReplaceFullPath') path = `${x.path.replaceFullPath}${queryOf(req.fullPath)}`;
  if (x.path?.type === 'ReplacePrefixMatch' && prefix !== undefined)
    path = `${replacePrefix(req.path, prefix, String(x.path.replacePrefixMatch))}${queryOf(req.fullPath)}`;
  return `${scheme}://${host}${shownPort}${path}`;
}

function hostOnly(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(0, authority.indexOf(']') + 1);
  const colon = authority.lastIndexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}

/** Whether an origin is allowed by a CORS filter's allowOrigins, as Istio converts them (exact, `*`, prefix `x*`, other wildcards as regex). */
function originAllowed(allow: readonly string[], origin: string): boolean {
  return allow.some((o) => {
    if (o === '*') return re2FullMatch('[a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s?#]+', origin);
    if (!o.includes('*')) return o === origin;
    if (o.indexOf('*') === o.length - 1) return origin.startsWith(o.slice(0, -1));
    return re2FullMatch(
      o
        .split('*')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*'),
      origin,
    );
  });
}

/** What the CORS filter does: a preflight it answers (headers of the 200), or headers it adds to the backend's answer. */
export interface CorsEffect {
  readonly preflight?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * An allow-methods or allow-headers answer: the configured list; a wildcard `*` with credentials
 * answers what the preflight asked for (the Fetch standard gives `*` no wildcard meaning with credentials).
 */
function listHeader(
  name: string,
  configured: readonly string[] | undefined,
  asked: string | undefined,
  credentials: boolean,
): Record<string, string> {
  const list = (configured ?? []).map(String);
  if (list.length === 0) return {};
  if (list.includes('*') && credentials && asked !== undefined) return { [name]: asked };
  return { [name]: list.join(',') };
}

/** The CORS filter of a rule for a request (Envoy cors filter with Istio's policy); undefined when it does nothing. */
export function corsEffect(ruleFilters: readonly any[], req: FilterRequest, method: string): CorsEffect | undefined {
  const cors = ruleFilters.find((f) => f?.type === 'CORS')?.cors;
  const origin = req.headers.origin;
  if (!cors || origin === undefined || !originAllowed((cors.allowOrigins ?? []).map(String), origin)) return undefined;
  const credentials: Record<string, string> =
    cors.allowCredentials === true ? { 'access-control-allow-credentials': 'true' } : {};
  const expose: Record<string, string> =
    (cors.exposeHeaders ?? []).length > 0 ? { 'access-control-expose-headers': cors.exposeHeaders.join(',') } : {};
  if (method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    return {
      preflight: {
        'access-control-allow-origin': origin,
        ...listHeader(
          'access-control-allow-methods',
          cors.allowMethods,
          req.headers['access-control-request-method'],
          cors.allowCredentials === true,
        ),
        ...listHeader(
          'access-control-allow-headers',
          cors.allowHeaders,
          req.headers['access-control-request-headers'],
          cors.allowCredentials === true,
        ),
        ...expose,
        ...(cors.maxAge > 0 ? { 'access-control-max-age': String(cors.maxAge) } : {}),
        ...credentials,
      },
    };
  }
  return { headers: { 'access-control-allow-origin': origin, ...credentials, ...expose } };
}
