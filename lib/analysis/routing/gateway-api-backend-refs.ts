/**
 * The backendRefs of a forwarding HTTPRoute rule as hops, as Istio 1.30 converts them (istio/istio
 * pilot/pkg/config/kube/gateway/conversion.go buildHTTPDestination, buildDestination): a Service
 * and `port` (a backendRef to another namespace needs a ReferenceGrant there at a gateway), an
 * Istio Hostname (a Service's host or a ServiceEntry's), or a kind Istio does not route to (500).
 * Split out of gateway-api-backends.ts, which decides what a matched rule does.
 */
import { apiSetCookies } from './response-cookies';
import { inferencePoolHop } from './inference-pool';
import type { Hop } from './hop';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import type { ApiRoute } from './gateway-api-match';
import { GATEWAY_API_GROUP, isGatewayApi } from './gateway-api-match';
import type { CorsEffect, FilterRequest, MatchedPrefix } from './gateway-api-filters';
import { shapeRequest, shapeResponse } from './gateway-api-filters';
import { clientResponse, timeoutAnswer } from './backend-answer';

/** What resolving a backendRef reads: the manifests, where the route is attached, the pods behind a Service. */
export interface BackendContext {
  readonly index: ManifestIndex;
  /** Whether the route is a gateway route (ReferenceGrants enforced) or a mesh route. */
  readonly gateway: boolean;
  /** The workloads with serving pods behind a Service. */
  readonly pods: (svc: Manifest) => string[];
}

/** A filter of a rule or backendRef, as far as the hop builders read it (gateway-api-filters.ts reads the rest). */
export type FilterSpec = { readonly type?: unknown };

/** A backendRef, as far as {@link forwardHop} reads it ({@link backendHop} reads the rest). */
type BackendRefSpec = { readonly filters?: readonly FilterSpec[]; readonly [field: string]: unknown };

/** What one forwarding hop of a rule needs besides the backendRef: its share and the rule's evaluated parts. */
export interface ForwardParts {
  readonly weight: number;
  readonly notes: readonly string[];
  readonly policies: Pick<Hop, 'timeout' | 'retries' | 'mirrors'>;
  readonly filters: readonly FilterSpec[];
  readonly req: FilterRequest | undefined;
  readonly prefix: MatchedPrefix;
  readonly cors: CorsEffect | undefined;
}

/** One weighted backendRef of a forwarding rule as a hop: the backend, the rule's policies, the shaped request/response, sticky cookies. */
export function forwardHop(ctx: BackendContext, r: ApiRoute, b: BackendRefSpec, x: ForwardParts): Hop {
  const own: string[] = [...x.notes];
  (b.filters ?? []).forEach((f, i) => {
    // A modifier that only adds Set-Cookie (a sticky split) is evaluated: the cookie is set whatever the backend answers.
    if (f.type === 'ResponseHeaderModifier' && apiSetCookies([f]).other && !x.req?.backend?.headers)
      own.push(
        `${r.at}.backendRefs[].filters[${i}] (ResponseHeaderModifier: applied to the backend's own response headers, which are not known)`,
      );
  });
  const hop = backendHop(ctx, b, namespaceOf(r.route), x.weight, r.name, own);
  if (hop.answer !== undefined) return hop;
  const request = x.req ? shapeRequest(x.filters, b.filters ?? [], x.req, x.prefix) : undefined;
  const backendHeaders = x.req?.backend?.headers;
  const shaped = backendHeaders
    ? clientResponse(backendHeaders, x.filters, b.filters ?? [])
    : shapeResponse(x.filters, b.filters ?? []);
  const response = x.cors?.headers
    ? { headers: { ...(shaped?.headers ?? {}), ...x.cors.headers }, removed: shaped?.removed ?? [] }
    : shaped;
  // A sticky split's Set-Cookie: the cookie that sends the user back to this backend.
  const cookies = apiSetCookies(b.filters).cookies;
  // A backend slower than the route's timeouts: Envoy answers 504 (the request did reach it).
  const late = timeoutAnswer(x.policies, x.req?.backend);
  return {
    ...hop,
    ...x.policies,
    ...(late !== undefined ? { answer: late } : {}),
    ...(request ? { request } : {}),
    ...(response ? { response } : {}),
    ...(cookies.length > 0 ? { setCookies: cookies } : {}),
  };
}

/** A backendRef as a hop: a Service (group "", kind Service) in its namespace (default the route's) and its `port`. */
export function backendHop(
  ctx: BackendContext,
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
    // An InferencePool: its shadow Service's cluster, the pod chosen by its endpoint picker (inference-pool.ts).
    if (`${group}/${kind}` === 'inference.networking.k8s.io/InferencePool')
      return inferencePoolHop(ctx.index, { name, namespace: ns, weight, rule, notes });
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
  ctx: BackendContext,
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
  const se = ctx.index.serviceEntryDeclaring(host, routeNs);
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
