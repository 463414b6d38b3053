import { RE2JS } from 're2js';
import { durationNanos, durationProblem } from './durations';
import { headerValueProblem } from './header-value';
import { fault, retries } from './http-fault-retries';
import { labelProblems } from './labels';
import { isDns1123Label } from './names';
import type { WebhookCheck } from './report';
import { list, present } from './report';
import { destinationProblems, gatewayNames, routeDestinations } from './virtual-service';

const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*'];
const TCHARS = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;

/** validateHTTPRoute (pkg/config/validation/virtualservice.go and validation.go). */
export function httpRoute(c: WebhookCheck, r: any, at: string, delegate: boolean): void {
  conflicts(c, r, at, delegate);
  list(r.match).forEach((m, i) => match(c, m, `${at}.match[${i}]`));
  headerOperations(c, r.headers, `${at}.headers`);
  cors(c, r.corsPolicy, `${at}.corsPolicy`);
  fault(c, r.fault, `${at}.fault`);
  if (present(r.mirrorPercent) && r.mirrorPercent > 100)
    c.report(`${at}.mirrorPercent`, `mirror_percent must have a max value of 100 (it has ${r.mirrorPercent})`);
  const mp = r.mirrorPercentage?.value;
  if (mp !== undefined && (mp > 100 || mp < 0))
    c.report(
      `${at}.mirrorPercentage`,
      `mirror_percentage must have a ${mp > 100 ? 'max value of 100' : 'min value of 0'} (it has ${mp})`,
    );
  for (const p of destinationProblems(r.mirror)) c.report(`${at}.mirror`, p);
  list(r.mirrors).forEach((m, i) => {
    if (!present(m)) return c.report(`${at}.mirrors[${i}]`, 'mirror cannot be null');
    if (!present(m.destination)) c.report(`${at}.mirrors[${i}]`, 'destination is required for mirrors');
    for (const p of destinationProblems(m.destination)) c.report(`${at}.mirrors[${i}].destination`, p);
    const v = m.percentage?.value;
    if (v !== undefined && (v > 100 || v < 0))
      c.report(
        `${at}.mirrors[${i}].percentage`,
        `mirror percentage must have a ${v > 100 ? 'max value of 100' : 'min value of 0'} (it has ${v})`,
      );
  });
  redirect(c, r.redirect, `${at}.redirect`);
  directResponse(c, r.directResponse, `${at}.directResponse`);
  retries(c, r.retries, `${at}.retries`);
  rewrite(c, r, `${at}.rewrite`);
  routeDestinations(c, list(r.route), `${at}.route`);
  list(r.route).forEach((d, i) => headerOperations(c, d?.headers, `${at}.route[${i}].headers`));
  if (present(r.timeout)) {
    const p = durationProblem(r.timeout);
    if (p) c.report(`${at}.timeout`, p);
  }
}

function conflicts(c: WebhookCheck, r: any, at: string, delegate: boolean): void {
  const routes = list(r.route).length > 0;
  if (!delegate && present(r.delegate)) {
    if (present(r.redirect)) c.report(at, `root HTTP route ${r.name ?? ''} must not specify redirect`);
    if (present(r.route)) c.report(at, `root HTTP route ${r.name ?? ''} must not specify route`);
    return;
  }
  if (delegate && present(r.delegate)) c.report(at, 'delegate HTTP route cannot contain delegate');
  for (const [other, word] of [
    ['redirect', 'redirect'],
    ['directResponse', 'direct_response'],
  ] as const) {
    if (!present(r[other])) continue;
    if (routes) c.report(at, `HTTP route cannot contain both route and ${word}`);
    if (present(r.fault)) c.report(at, `HTTP route cannot contain both fault and ${word}`);
    if (present(r.rewrite)) c.report(at, `HTTP route rule cannot contain both rewrite and ${word}`);
    if (other === 'redirect' && present(r.directResponse))
      c.report(at, 'HTTP route rule cannot contain both direct_response and redirect');
    break;
  }
  if (!present(r.redirect) && !present(r.directResponse) && !routes && !present(r.delegate))
    c.report(at, 'HTTP route, redirect or direct_response is required');
  if (present(r.mirror) && list(r.mirrors).length > 0)
    c.report(at, 'HTTP route cannot contain both mirror and mirrors');
}

/** Go's regexp (RE2) compiles it: re2js is the same syntax. */
export function regexProblem(re: string, where: string): string | undefined {
  if (re.length > 1024) return `"${where}": regex is too large, max length allowed is 1024`;
  try {
    RE2JS.compile(re);
    return undefined;
  } catch (err) {
    return `"${where}": ${(err as Error).message}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
  }
}

function stringMatch(c: WebhookCheck, sm: any, where: string, at: string, emptyPrefixOk = false): void {
  if (!present(sm)) return;
  if (sm.prefix !== undefined && sm.prefix === '' && !emptyPrefixOk)
    c.report(at, `"${where}": prefix string match should not be empty`);
  if (sm.regex !== undefined) {
    const p =
      sm.regex === '' ? `"${where}": regex string match should not be empty` : regexProblem(String(sm.regex), where);
    if (p) c.report(at, p);
  }
}

const PSEUDO_HEADERS = [':method', ':scheme', ':authority', ':path', ':status'];

/** jwt.ToRoutingClaim: `@request.auth.claims.a.b` or `@request.auth.claims[a][b]`. */
export function isJwtClaimRoute(name: string): boolean {
  const prefix = '@request.auth.claims';
  if (!name.toLowerCase().startsWith(prefix)) return false;
  const rest = name.slice(prefix.length);
  return (rest.startsWith('.') && rest.length > 1) || (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2);
}

/** ValidateHTTPHeaderNameOrJwtClaimRoute. */
function headerNameOrClaim(c: WebhookCheck, name: string, at: string): void {
  if (name === '') return c.report(at, 'header name cannot be empty');
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.includes(name)) return;
  if (!TCHARS.test(name)) c.report(at, `header name ${name} is not a valid header name`);
}

function match(c: WebhookCheck, m: any, at: string): void {
  if (!present(m)) return;
  for (const [name, h] of Object.entries(m.headers ?? {})) {
    if (h === null) c.report(`${at}.headers`, `header match ${name} cannot be null`);
    headerNameOrClaim(c, name, `${at}.headers`);
    stringMatch(c, h, 'headers', `${at}.headers.${name}`);
  }
  for (const [name, h] of Object.entries(m.withoutHeaders ?? {})) {
    headerNameOrClaim(c, name, `${at}.withoutHeaders`);
    if ((h as any)?.regex !== '*') stringMatch(c, h, 'withoutHeaders', `${at}.withoutHeaders.${name}`);
  }
  stringMatch(c, m.uri, 'uri', `${at}.uri`, true);
  for (const f of ['scheme', 'method', 'authority']) stringMatch(c, m[f], f, `${at}.${f}`);
  for (const [k, q] of Object.entries(m.queryParams ?? {})) stringMatch(c, q, 'queryParams', `${at}.queryParams.${k}`);
  if (m.port !== undefined && m.port !== 0 && !(m.port >= 1 && m.port <= 65535))
    c.report(`${at}.port`, `port number ${m.port} must be in the range 1..65535`);
  for (const p of labelProblems(m.sourceLabels)) c.report(`${at}.sourceLabels`, p);
  gatewayNames(c, list(m.gateways).map(String), `${at}.gateways`);
  if (m.sourceNamespace && !isDns1123Label(String(m.sourceNamespace)))
    c.report(`${at}.sourceNamespace`, `sourceNamespace match ${m.sourceNamespace} is invalid`);
}

function headerOperations(c: WebhookCheck, headers: any, at: string): void {
  for (const side of ['request', 'response'] as const) {
    const ops = headers?.[side];
    for (const kind of ['add', 'set'] as const) {
      for (const [name, value] of Object.entries(ops?.[kind] ?? {})) {
        operationName(c, name, side === 'request', `${at}.${side}.${kind}`);
        const problem = headerValueProblem(String(value ?? ''));
        if (problem) c.report(`${at}.${side}.${kind}.${name}`, problem);
      }
    }
    for (const name of list(ops?.remove)) operationName(c, String(name), false, `${at}.${side}.remove`);
  }
}

/** ValidateHTTPHeaderOperationName, and ValidateHTTPHeaderWithAuthorityOperationName for request add and set (which may set the authority). */
function operationName(c: WebhookCheck, name: string, authorityAllowed: boolean, at: string): void {
  if (name === '') return c.report(at, 'header name cannot be empty');
  if (authorityAllowed) {
    if (name.startsWith(':') && name.toLowerCase() !== ':authority')
      c.report(at, `invalid header "${name}": header cannot have ":" prefix`);
    return;
  }
  if (name.toLowerCase() === 'host') return c.report(at, `invalid header "${name}": cannot set Host header`);
  if (name.startsWith(':')) c.report(at, `invalid header "${name}": header cannot have ":" prefix`);
}

function cors(c: WebhookCheck, p: any, at: string): void {
  if (!present(p)) return;
  for (const o of list(p.allowOrigins))
    if (!o || !['exact', 'prefix', 'regex'].some((k) => o[k]))
      c.report(`${at}.allowOrigins`, `'${JSON.stringify(o)}' is not a valid match type for CORS allow origins`);
  for (const m of list(p.allowMethods))
    if (!CORS_METHODS.includes(String(m))) c.report(`${at}.allowMethods`, `"${m}" is not a supported HTTP method`);
  for (const f of ['allowHeaders', 'exposeHeaders']) {
    for (const h of list(p[f]).map(String)) {
      if (h === '') c.report(`${at}.${f}`, 'header name cannot be empty');
      else if (h !== '*' && !TCHARS.test(h)) c.report(`${at}.${f}`, `header name ${h} is not a valid header name`);
    }
  }
  if (present(p.maxAge)) {
    const ns = durationNanos(p.maxAge);
    if (ns !== undefined && ns % 1e9 !== 0)
      c.report(`${at}.maxAge`, 'max_age duration is accurate only to seconds precision');
    else {
      const d = durationProblem(p.maxAge);
      if (d) c.report(`${at}.maxAge`, d);
    }
  }
}

function redirect(c: WebhookCheck, r: any, at: string): void {
  if (!present(r)) return;
  if (!r.uri && !r.authority && !present(r.port) && !present(r.derivePort) && !r.scheme)
    return c.report(at, 'redirect must specify URI, authority, scheme, or port');
  if (r.redirectCode && (r.redirectCode < 300 || r.redirectCode > 399))
    return c.report(`${at}.redirectCode`, `${r.redirectCode} is not a valid redirect code, must be 3xx`);
  if (r.scheme && r.scheme !== 'http' && r.scheme !== 'https')
    return c.report(`${at}.scheme`, 'invalid redirect scheme, must be "http" or "https"');
  if (r.port > 65535) c.report(`${at}.port`, `port number ${r.port} must be in the range 1..65535`);
}

const MB = 1024 * 1024;

/** validateHTTPDirectResponse: an HTTP status, a body under 1 MB (a base64 `bytes` body counted decoded). */
function directResponse(c: WebhookCheck, d: any, at: string): void {
  if (!present(d)) return;
  const status = d.status ?? 0;
  if (status < 200 || status > 600) c.report(`${at}.status`, `HTTP status ${status} is not in range 200-599`);
  const body = d.body;
  if (!present(body)) return;
  const size =
    body.string !== undefined
      ? Buffer.byteLength(String(body.string))
      : body.bytes !== undefined
        ? Buffer.from(String(body.bytes), 'base64').length
        : 0;
  if (size > MB)
    c.report(`${at}.body`, 'large direct_responses may impact control plane performance, must be less than 1MB');
}

function rewrite(c: WebhookCheck, route: any, at: string): void {
  const r = route.rewrite;
  if (!present(r)) return;
  if (r.uri && present(r.uriRegexRewrite))
    return c.report(at, 'rewrite may only contain one of URI or UriRegexRewrite');
  if (!r.uri && !present(r.uriRegexRewrite) && !r.authority)
    return c.report(
      at,
      'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified',
    );
  const rr = r.uriRegexRewrite;
  if (present(rr)) {
    if (!rr.match || !rr.rewrite)
      return c.report(
        `${at}.uriRegexRewrite`,
        'UriRegexRewrite has errors: UriRegexRewrite requires both Rewrite and Match fields to be specified',
      );
    const p = regexProblem(String(rr.match), 'uriRegexRewrite');
    if (p) c.report(`${at}.uriRegexRewrite.match`, `UriRegexRewrite has errors: ${p}`);
  }
  if (r.authority) {
    const names = ['set', 'add']
      .flatMap((k) => Object.keys(route.headers?.request?.[k] ?? {}))
      .map((n) => n.toLowerCase());
    if (names.some((n) => n === ':authority' || n === 'host'))
      c.report(at, 'authority header cannot be set with rewrite authority');
  }
}
