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
 * URLRewrite, CORS and backendRef filters are named in `notModelled`.
 */
import { apiSetCookies } from './response-cookies';
import type { Hop } from './hop';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { apiIngressRoutes } from './gateway-api';
import type { ApiRoute } from './gateway-api-match';
import {
  apiMatchHolds,
  apiMatchIsCatchAll,
  GATEWAY_API_GROUP,
  isGatewayApi,
  ISTIO_BACKEND_FILTERS,
  ISTIO_RULE_FILTERS,
} from './gateway-api-match';
import type { RequestView, SimulatedRequest } from './match';
import { viewOf } from './match';
import type { HopMirror, HopRetries } from './policies';
import { isZeroDuration } from './policies';
import type { CorsEffect, FilterRequest, MatchedPrefix } from './gateway-api-filters';
import { corsEffect, redirectLocation, shapeRequest, shapeResponse } from './gateway-api-filters';

export interface ApiHopContext {
  readonly index: ManifestIndex;
  /** Whether the route is a gateway route (ReferenceGrants enforced) or a mesh route. */
  readonly gateway: boolean;
  /** The workloads with serving pods behind a Service. */
  readonly pods: (svc: Manifest) => string[];
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
  const notes = [...routeNotes, ...ruleHeaderNotes(r, filters)];
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

/** A filter of a rule or backendRef, as far as this file reads it (gateway-api-filters.ts reads the rest). */
type FilterSpec = { readonly type?: unknown };

/** A backendRef, as far as {@link forwardHop} reads it ({@link backendHop} reads the rest). */
type BackendRefSpec = { readonly filters?: readonly FilterSpec[]; readonly [field: string]: unknown };

/** What one forwarding hop of a rule needs besides the backendRef: its share and the rule's evaluated parts. */
interface ForwardParts {
  readonly weight: number;
  readonly notes: readonly string[];
  readonly policies: Pick<Hop, 'timeout' | 'retries' | 'mirrors'>;
  readonly filters: readonly FilterSpec[];
  readonly req: FilterRequest | undefined;
  readonly prefix: MatchedPrefix;
  readonly cors: CorsEffect | undefined;
}

/** One weighted backendRef of a forwarding rule as a hop: the backend, the rule's policies, the shaped request/response, sticky cookies. */
function forwardHop(ctx: ApiHopContext, r: ApiRoute, b: BackendRefSpec, x: ForwardParts): Hop {
  const own: string[] = [...x.notes];
  (b.filters ?? []).forEach((f, i) => {
    // A modifier that only adds Set-Cookie (a sticky split) is evaluated: the cookie is set whatever the backend answers.
    if (f.type === 'ResponseHeaderModifier' && apiSetCookies([f]).other)
      own.push(
        `${r.at}.backendRefs[].filters[${i}] (ResponseHeaderModifier: applied to the backend's own response headers, which are not known)`,
      );
  });
  const hop = backendHop(ctx, b, namespaceOf(r.route), x.weight, r.name, own);
  if (hop.answer !== undefined) return hop;
  const request = x.req ? shapeRequest(x.filters, b.filters ?? [], x.req, x.prefix) : undefined;
  const shaped = shapeResponse(x.filters, b.filters ?? []);
  const response = x.cors?.headers
    ? { headers: { ...(shaped?.headers ?? {}), ...x.cors.headers }, removed: shaped?.removed ?? [] }
    : shaped;
  // A sticky split's Set-Cookie: the cookie that sends the user back to this backend.
  const cookies = apiSetCookies(b.filters).cookies;
  return {
    ...hop,
    ...x.policies,
    ...(request ? { request } : {}),
    ...(response ? { response } : {}),
    ...(cookies.length > 0 ? { setCookies: cookies } : {}),
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

/** A backendRef as a hop: a Service (group "", kind Service) in its namespace (default the route's) and its `port`. */
function backendHop(
  ctx: ApiHopContext,
  b: any,
  routeNs: string,
  weight: number,
  rule: string,
  notes: readonly string[],
): Hop {
  const ns: string = b.namespace ?? routeNs;
  const name = String(b.name ?? '');
  const port: number = b.port ?? 0;
  const hop = (deployments: string[], answer?: string, more: string[] = []): Hop => {
    const all = [...new Set([...notes, ...more])];
    return {
      service: name,
      port,
      weight,
      deployments,
      rule,
      ...(answer !== undefined ? { answer } : {}),
      ...(all.length > 0 ? { notModelled: all } : {}),
    };
  };
  const group = b.group ?? '';
  const kind = b.kind ?? 'Service';
  if (group !== '' || kind !== 'Service') {
    // buildDestination: Istio's Hostname, MCS ServiceImport and InferencePool are backends it routes to; any other kind is InvalidDestinationKind, an empty destination (500).
    if (!KNOWN_BACKEND_KINDS.has(`${group}/${kind}`))
      return hop(
        [],
        `500: backendRef of kind ${group === '' ? '' : `${group}/`}${kind} is not a backend Istio supports (InvalidKind)`,
      );
    // buildDestination: a Hostname backend is the host as written (a ServiceEntry's), its port the backendRef's.
    if (`${group}/${kind}` === 'networking.istio.io/Hostname') return hostnameHop(ctx, b, routeNs, weight, rule, notes);
    return hop([], `not modelled: backendRef of kind ${group}/${kind}`, [`${rule} backendRef ${kind} ${ns}/${name}`]);
  }
  if (ctx.gateway && ns !== routeNs && !referenceGranted(ctx.index, routeNs, ns, name)) {
    return hop(
      [],
      `500: backendRef Service ${ns}/${name} is in another namespace and no ReferenceGrant in '${ns}' lets HTTPRoutes of '${routeNs}' refer to it`,
    );
  }
  const svc = ctx.index.service(name, ns);
  // The spec: a backendRef to a Service that does not exist gets 500 (httproute_types.go HTTPBackendRef).
  if (!svc) return hop([], `500: backendRef Service ${ns}/${name} does not exist`);
  if (b.port === undefined)
    return hop([], `500: backendRef Service ${ns}/${name} names no port (required for a Service)`);
  // route.go: Gateway API routes answer a missing cluster with 500 (ClusterNotFoundResponseCode), gateway and mesh alike.
  if (!(svc.spec?.ports ?? []).some((p: any) => p.port === port))
    return hop([], `500: port ${port} is not a port of Service '${name}' (no cluster)`);
  return hop(ctx.pods(svc));
}

/** A backendRef of kind Hostname (networking.istio.io): the Service whose host it is, else the ServiceEntry that declares it (its workloadSelector's pods). */
function hostnameHop(
  ctx: ApiHopContext,
  b: any,
  routeNs: string,
  weight: number,
  rule: string,
  notes: readonly string[],
): Hop {
  const host = String(b.name ?? '');
  const port: number = b.port ?? 0;
  const base = { service: host, port, weight, rule };
  // The host of a Service of the manifests is that Service (the registry has it): its pods on the backendRef's port.
  const svc = ctx.index.serviceForIstioHost(host, routeNs);
  if (svc) {
    const known = (svc.spec?.ports ?? []).some((p: any) => p.port === port);
    return {
      ...base,
      service: svc.metadata.name,
      deployments: known ? ctx.pods(svc) : [],
      ...(known ? {} : { answer: `500: port ${port} is not a port of Service '${svc.metadata.name}' (no cluster)` }),
      ...(notes.length > 0 ? { notModelled: [...notes] } : {}),
    };
  }
  const se = ctx.index.serviceEntryFor(host, routeNs);
  if (!se)
    return {
      ...base,
      deployments: [],
      answer: `500: no ServiceEntry visible from namespace '${routeNs}' declares host '${host}' (no cluster)`,
      ...(notes.length > 0 ? { notModelled: [...notes] } : {}),
    };
  const selector = se.spec?.workloadSelector?.labels;
  const own = [
    ...notes,
    ...(selector ? [] : [`ServiceEntry ${namespaceOf(se)}/${se.metadata.name} endpoints (outside the manifests)`]),
  ];
  const deployments = selector
    ? ctx.index.workloadsSelected(namespaceOf(se), selector).map((w) => w.metadata.name)
    : [];
  return {
    ...base,
    deployments,
    serviceEntry: `${namespaceOf(se)}/${se.metadata.name}`,
    ...(own.length > 0 ? { notModelled: [...new Set(own)] } : {}),
  };
}

/** The backend kinds (group/kind) Istio routes to besides Service (conversion.go buildDestination). */
const KNOWN_BACKEND_KINDS = new Set([
  'networking.istio.io/Hostname',
  'multicluster.x-k8s.io/ServiceImport',
  'inference.networking.k8s.io/InferencePool',
]);

/**
 * Whether a ReferenceGrant in `targetNs` lets HTTPRoutes of `fromNs` refer to Service `name`
 * (referencegrant_types.go: from group/kind/namespace; to group "", kind Service, name optional).
 */
function referenceGranted(index: ManifestIndex, fromNs: string, targetNs: string, name: string): boolean {
  return index.objects.some(
    (g) =>
      isGatewayApi(g, 'ReferenceGrant') &&
      namespaceOf(g) === targetNs &&
      (g.spec?.from ?? []).some(
        (f: any) => f.group === GATEWAY_API_GROUP && f.kind === 'HTTPRoute' && f.namespace === fromNs,
      ) &&
      (g.spec?.to ?? []).some(
        (t: any) => (t.group ?? '') === '' && t.kind === 'Service' && (t.name === undefined || t.name === name),
      ),
  );
}
