/**
 * What a matched HTTPRoute rule does with a request, as Istio 1.30 converts it (istio/istio
 * pilot/pkg/config/kube/gateway/conversion.go convertHTTPRoute, buildHTTPDestination,
 * buildDestination, createRedirectFilter, createMirrorFilter): an HTTPRoute with a hard conversion
 * error (see {@link unprogrammedReason}) is not programmed at all; a RequestRedirect answers; a
 * rule without backendRefs answers 404, one whose backendRefs all weigh 0 answers 500; otherwise the
 * backendRefs of weight above 0 share by weight (default 1), each a Service and `port`; a
 * backendRef to another namespace needs a ReferenceGrant there at a gateway (Istio does not
 * enforce grants for mesh routes: convertHTTPRoute's `enforceRefGrant` is `!mesh`). Timeouts,
 * retry and RequestMirror become the hop's timeout, retries and mirrors; header modifiers,
 * URLRewrite, CORS and backendRef filters are named in `notModelled`. Each backendRef becomes a hop
 * in gateway-api-backend-refs.ts.
 */
import type { Hop } from './hop';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import { apiIngressRoutes } from './gateway-api';
import type { ApiRoute } from './gateway-api-match';
import { apiMatchHolds, apiMatchIsCatchAll, ISTIO_BACKEND_FILTERS, ISTIO_RULE_FILTERS } from './gateway-api-match';
import type { RequestView, SimulatedRequest } from './match';
import { viewOf } from './match';
import type { HopMirror, HopRetries } from './policies';
import { isZeroDuration } from './policies';
import type { FilterRequest } from './gateway-api-filters';
import { corsEffect, redirectLocation } from './gateway-api-filters';
import type { BackendContext, FilterSpec } from './gateway-api-backend-refs';
import { backendHop, forwardHop } from './gateway-api-backend-refs';

export interface ApiHopContext extends BackendContext {
  /** Retries for a rule without `retry` (Istio's default, when the answers show defaults). */
  readonly defaultRetries: HopRetries | undefined;
}

/** A request arriving at a Gateway API Gateway: the first rule in Istio's order whose match holds on the chosen virtual host; none: 404. */
export function apiIngressHops(ctx: ApiHopContext, gw: Manifest, request: SimulatedRequest): Hop[] {
  const plan = apiIngressRoutes(ctx.index, gw, request);
  if (plan.answer !== undefined) return [proxyAnswer(plan.answer, plan.rule, plan.notModelled)];
  const view = viewOf(request);
  for (const routes of plan.candidates) {
    const r = programmed(routes).find((x) => apiMatchHolds(x.match, view));
    if (r) return apiRouteHops(ctx, r, plan.notModelled, filterRequestOf(view, plan.proxy.port));
  }
  const dropped = unprogrammedNote(plan.candidates.flat());
  return [
    proxyAnswer(
      `404: no HTTPRoute rule attached to Gateway ${plan.rule} matches the request (Envoy answers 404, NR)${dropped}`,
      plan.rule,
      plan.notModelled,
    ),
  ];
}

/** A mesh call routed by the HTTPRoutes of the called Service (sorted): the first rule whose match holds; none: 404. */
export function apiMeshHops(
  ctx: ApiHopContext,
  routes: readonly ApiRoute[],
  view: RequestView,
  notes: readonly string[],
  port?: number,
): Hop[] {
  const r = programmed(routes).find((x) => apiMatchHolds(x.match, view));
  if (r) return apiRouteHops(ctx, r, notes, filterRequestOf(view, port));
  const names = [...new Set(routes.map((x) => `${namespaceOf(x.route)}/${x.route.metadata.name}`))].join(', ');
  return [
    proxyAnswer(
      `404: no rule of HTTPRoute ${names} matches the call (Envoy answers 404, NR)${unprogrammedNote(routes)}`,
      routes[0]?.name ?? 'service',
      notes,
    ),
  ];
}

/** Every destination the HTTPRoutes of a Service could send a call to, up to the first rule that holds for every request. */
export function possibleApiHops(ctx: ApiHopContext, routes: readonly ApiRoute[], notes: readonly string[]): Hop[] {
  const hops: Hop[] = [];
  for (const r of programmed(routes)) {
    hops.push(...apiRouteHops(ctx, r, notes, undefined).filter((h) => h.answer === undefined));
    if (apiMatchIsCatchAll(r.match)) break;
  }
  return hops;
}

function proxyAnswer(answer: string, rule: string, notes: readonly string[]): Hop {
  return {
    service: '',
    port: 0,
    weight: 100,
    deployments: [],
    rule,
    answer,
    ...(notes.length > 0 ? { notModelled: [...new Set(notes)] } : {}),
  };
}

/** The request as the filters read it. */
function filterRequestOf(view: RequestView, port: number | undefined): FilterRequest {
  return {
    headers: view.headers,
    fullPath: view.fullPath,
    path: view.path,
    scheme: view.headers[':scheme'] ?? 'http',
    port,
    ...(view.backend !== undefined ? { backend: view.backend } : {}),
  };
}

/**
 * Why Istio programs none of an HTTPRoute's rules, if it does not: convertHTTPRoute's hard errors
 * make computeRoute keep no route at all (route_collections.go computeRoute; conversion.go): an
 * unsupported rule or backendRef filter type (InvalidFilter), a Service backendRef named with a
 * dot (a hostname, not the Service's name) or without a port (InvalidDestination).
 */
function unprogrammedReason(route: Manifest): string | undefined {
  if (!UNPROGRAMMED.has(route)) UNPROGRAMMED.set(route, conversionError(route));
  return UNPROGRAMMED.get(route);
}

/** Per HTTPRoute object, its conversion error (every request of a simulation asks again). */
const UNPROGRAMMED = new WeakMap<Manifest, string | undefined>();

function conversionError(route: Manifest): string | undefined {
  for (const [i, rule] of (route.spec?.rules ?? []).entries()) {
    for (const f of rule?.filters ?? [])
      if (!ISTIO_RULE_FILTERS.has(f?.type)) return `rules[${i}] has the unsupported filter type '${f?.type}'`;
    for (const b of rule?.backendRefs ?? []) {
      for (const f of b?.filters ?? [])
        if (!ISTIO_BACKEND_FILTERS.has(f?.type))
          return `rules[${i}] has a backendRef filter of the unsupported type '${f?.type}'`;
      if ((b?.group ?? '') !== '' || (b?.kind ?? 'Service') !== 'Service') continue;
      if (String(b?.name ?? '').includes('.'))
        return `rules[${i}] names the backend Service '${b.name}' by a hostname, not its name`;
      if (b?.port === undefined)
        return `rules[${i}] has a backendRef to Service '${b?.name}' without the port a Service requires`;
    }
  }
  return undefined;
}

const programmed = (routes: readonly ApiRoute[]) => routes.filter((x) => unprogrammedReason(x.route) === undefined);

/** The HTTPRoutes among `routes` Istio does not program, and why, for a 404's text. */
function unprogrammedNote(routes: readonly ApiRoute[]): string {
  const dropped = [...new Set(routes.map((x) => x.route))].filter((r) => unprogrammedReason(r) !== undefined);
  return dropped
    .map((r) => `; HTTPRoute ${namespaceOf(r)}/${r.metadata.name} is not programmed: ${unprogrammedReason(r)}`)
    .join('');
}

/** What a matched rule does: a redirect or CORS preflight answers, no (weighted) backendRefs answer 404/500, else one hop per backendRef. */
function apiRouteHops(
  ctx: ApiHopContext,
  r: ApiRoute,
  routeNotes: readonly string[],
  req: FilterRequest | undefined,
): Hop[] {
  const filters: any[] = r.rule.filters ?? [];
  // The backend's headers, when the request states them, make the modifiers' effect known.
  const notes = [...routeNotes, ...(req?.backend?.headers ? [] : ruleHeaderNotes(r, filters))];
  const prefix = r.match?.pathType === 'PathPrefix' ? r.match.path : undefined;
  const redirect = filters.find((f) => f.type === 'RequestRedirect')?.requestRedirect;
  if (redirect)
    return [
      ruleAnswer(
        r,
        notes,
        req
          ? `${redirect.statusCode ?? 302} redirect to ${redirectLocation(redirect, req, prefix)}`
          : redirectText(redirect),
      ),
    ];
  const cors = req ? corsEffect(filters, req, req.headers[':method'] ?? 'GET') : undefined;
  if (cors?.preflight)
    return [
      ruleAnswer(r, notes, '200: CORS preflight answered by the proxy (corsPolicy)', {
        response: { headers: cors.preflight, removed: [] },
      }),
    ];
  // conversion.go convertHTTPRoute: no backendRefs at all is a 404 direct response, all of weight 0 a 500.
  if ((r.rule.backendRefs ?? []).length === 0)
    return [
      ruleAnswer(r, notes, '404: the rule has no backendRefs (Istio 1.30 answers 404: conversion.go convertHTTPRoute)'),
    ];
  const refs: any[] = (r.rule.backendRefs ?? []).filter((b: any) => (b.weight ?? 1) > 0);
  if (refs.length === 0)
    return [
      ruleAnswer(r, notes, '500: every backendRef of the rule has weight 0 (Gateway API: implementations return 500)'),
    ];
  const total = refs.reduce((sum, b) => sum + (b.weight ?? 1), 0);
  const policies = rulePolicies(ctx, r, notes);
  return refs.map((b) => {
    const weight = refs.length === 1 ? 100 : Math.round(((b.weight ?? 1) * 10000) / total) / 100;
    return forwardHop(ctx, r, b, { weight, notes, policies, filters, req, prefix, cors });
  });
}

/** The rule's ResponseHeaderModifier filters, named in notModelled. */
function ruleHeaderNotes(r: ApiRoute, filters: readonly FilterSpec[]): string[] {
  const notes: string[] = [];
  filters.forEach((f, i) => {
    // An added response header joins one the backend may send itself, which is not known.
    if (f.type === 'ResponseHeaderModifier')
      notes.push(
        `${r.at}.filters[${i}] (ResponseHeaderModifier: applied to the backend's own response headers, which are not known)`,
      );
  });
  return notes;
}

/** A hop the proxy answers itself for the rule (redirect, preflight, 404, 500), with the rule's notes. */
function ruleAnswer(r: ApiRoute, notes: readonly string[], text: string, more: Partial<Hop> = {}): Hop {
  const all = [...new Set(notes)];
  return {
    service: '',
    port: 0,
    weight: 100,
    deployments: [],
    rule: r.name,
    answer: text,
    ...more,
    ...(all.length > 0 ? { notModelled: all } : {}),
  };
}

/** The redirect as the client sees it (HTTPRequestRedirectFilter: statusCode default 302; unset parts keep the request's). */
function redirectText(x: any): string {
  const path =
    x.path?.type === 'ReplaceFullPath'
      ? x.path.replaceFullPath
      : x.path?.type === 'ReplacePrefixMatch'
        ? `${x.path.replacePrefixMatch}<rest of the path>`
        : '<same path>';
  return `${x.statusCode ?? 302} redirect to ${x.scheme ? `${x.scheme}://` : ''}${x.hostname ?? '<same host>'}${x.port !== undefined ? `:${x.port}` : ''}${path}`;
}

/**
 * Timeout, retries and mirrors of a forwarding rule (convertHTTPRoute): `timeouts.request` is
 * the route timeout (0 is none); `timeouts.backendRequest` is the per-try timeout with `retry`,
 * else the route timeout; `retry` is Envoy's policy with attempts 2 by default and the
 * connection failures plus the listed codes.
 */
function rulePolicies(ctx: ApiHopContext, r: ApiRoute, notes: string[]): Pick<Hop, 'timeout' | 'retries' | 'mirrors'> {
  const zero = (d: unknown) => d === undefined || d === null || isZeroDuration(String(d));
  const request = r.rule.timeouts?.request;
  const backend = r.rule.timeouts?.backendRequest;
  let retries: HopRetries | undefined;
  const retry = r.rule.retry;
  if (retry) {
    const attempts = Number(retry.attempts ?? 2);
    const retryOn =
      attempts === 0
        ? ''
        : ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', ...(retry.codes ?? []).map(String)].join(
            ',',
          );
    retries = { attempts, retryOn, ...(!zero(backend) ? { perTryTimeout: String(backend) } : {}) };
    if (retry.backoff !== undefined) notes.push(`${r.at}.retry.backoff`);
  }
  const timeout = !zero(request) ? String(request) : !retry && !zero(backend) ? String(backend) : undefined;
  const mirrors = (r.rule.filters ?? [])
    .filter((f: any) => f.type === 'RequestMirror' && f.requestMirror?.backendRef)
    .map((f: any): HopMirror => {
      const m = f.requestMirror;
      const percent =
        m.percent !== undefined
          ? Number(m.percent)
          : m.fraction !== undefined
            ? (Number(m.fraction.numerator) * 100) / Number(m.fraction.denominator ?? 100)
            : 100;
      const h = backendHop(ctx, m.backendRef, namespaceOf(r.route), 100, r.name, []);
      return {
        service: h.service,
        port: h.port,
        percent,
        deployments: h.deployments,
        ...(h.answer !== undefined ? { answer: h.answer } : {}),
      };
    })
    .filter((m: HopMirror) => m.percent > 0);
  retries ??= ctx.defaultRetries;
  return {
    ...(timeout !== undefined ? { timeout } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}
