import { labelSelectorHolds, Manifest, namespaceOf } from '../manifest';
import { ISTIO_BACKEND_FILTERS, ISTIO_RULE_FILTERS } from '../routing/gateway-api-match';
import { AnalysisContext, list } from './context';
import { controllerOf, gatewayApiObjects, GATEWAY_API_GROUP, ISTIO_GATEWAY_CONTROLLER, namespaceLabels, ParentRef, parentRefs, serviceNamed } from './gateway-api-objects';
import { hostNamesMatch, hostToFqdn } from './hosts';

/**
 * The project's Gateway API rules (VM0011..VM0016): what Istio 1.30 writes into an HTTPRoute's
 * status (pilot/pkg/config/kube/gateway/conversion.go referenceAllowed, buildDestination;
 * conditions.go createRouteStatus), read offline from the manifests, plus the routes Istio
 * silently ignores or overrides. Reasons are those of gateway-api v1.5.1 apis/v1/shared_types.go.
 */
export function gatewayApiRules(ctx: AnalysisContext): void {
  for (const route of gatewayApiObjects(ctx, 'HTTPRoute')) {
    const parents = parentRefs(route);
    for (const p of parents) {
      if (p.kind === 'Gateway') gatewayParent(ctx, route, p);
      if (p.kind === 'Service' && !serviceNamed(ctx, p.namespace, p.name)) {
        ctx.report('VM0013', route, `spec.parentRefs[${p.index}]`,
          `Accepted=False, reason NoMatchingParent: parent service: "${p.name}" not found in namespace ${p.namespace}; create the Service or fix the parentRef`);
      }
    }
    // Istio checks ReferenceGrants only when it builds the route for a Gateway (convertHTTPRoute enforceRefGrant = !mesh).
    const forGateway = parents.some((p) => p.kind === 'Gateway' && istioGateway(ctx, p) !== undefined);
    list(route.spec?.rules).forEach((rule: any, i: number) => {
      filters(ctx, route, rule?.filters, `spec.rules[${i}].filters`, ISTIO_RULE_FILTERS);
      list(rule?.backendRefs).forEach((b: any, j: number) => {
        filters(ctx, route, b?.filters, `spec.rules[${i}].backendRefs[${j}].filters`, ISTIO_BACKEND_FILTERS);
        backend(ctx, route, b, `spec.rules[${i}].backendRefs[${j}]`, forGateway);
      });
      // A RequestMirror filter's backendRef resolves the same way (createMirrorFilter → buildDestination).
      list(rule?.filters).forEach((f: any, k: number) => {
        if (f?.type === 'RequestMirror' && f.requestMirror?.backendRef) backend(ctx, route, f.requestMirror.backendRef, `spec.rules[${i}].filters[${k}].requestMirror.backendRef`, forGateway);
      });
    });
  }
  meshRouteConflicts(ctx);
}

function istioGateway(ctx: AnalysisContext, p: ParentRef): Manifest | undefined {
  const gw = gatewayApiObjects(ctx, 'Gateway').find((g) => g.metadata.name === p.name && namespaceOf(g) === p.namespace);
  return gw && controllerOf(ctx, gw) === ISTIO_GATEWAY_CONTROLLER ? gw : undefined;
}

/** Why Istio does not program a Gateway of another class (gatewaycommon/classinfo.go; gateway_collection.go GatewayCollection). */
const OTHER_CLASS: Readonly<Record<string, string>> = {
  'istio.io/mesh-controller': 'it is a waypoint: Istio does not bind routes to waypoint Gateways; for mesh traffic use a parentRef to the Service (kind: Service, group: "")',
  'istio.io/unmanaged-gateway': 'its class is istio-remote, which this control plane does not program',
};

/** VM0014, VM0015, VM0013 for a Gateway parentRef. */
function gatewayParent(ctx: AnalysisContext, route: Manifest, p: ParentRef): void {
  const at = `spec.parentRefs[${p.index}]`;
  const gw = gatewayApiObjects(ctx, 'Gateway').find((g) => g.metadata.name === p.name && namespaceOf(g) === p.namespace);
  if (!gw) {
    ctx.report('VM0014', route, at, `parent Gateway ${p.namespace}/${p.name} does not exist, so no controller accepts the route and it carries no traffic: create the Gateway or fix the parentRef`);
    return;
  }
  const controller = controllerOf(ctx, gw);
  if (controller !== ISTIO_GATEWAY_CONTROLLER) {
    const why = OTHER_CLASS[controller ?? ''] ?? `its class '${gw.spec?.gatewayClassName}' is not an Istio class (istio), so another controller (or none) handles it`;
    ctx.report('VM0015', route, at, `Istio ignores this parentRef to Gateway ${p.namespace}/${p.name} and writes no status for it: ${why}; use gatewayClassName: istio for an Istio ingress`);
    return;
  }
  const denied = listenerVerdicts(ctx, route, gw, p);
  if (denied) ctx.report('VM0013', route, at, `Accepted=False, reason ${denied.reason}: ${denied.message} (Gateway ${p.namespace}/${p.name}); ${FIX[denied.reason]}`);
}

const FIX: Readonly<Record<string, string>> = {
  NoMatchingParent: 'name an existing listener (sectionName) or port',
  NotAllowedByListeners: 'allow the route\'s namespace or kind in the listener\'s allowedRoutes',
  NoMatchingListenerHostname: 'use a hostname the listener serves, or widen the listener hostname',
};

/**
 * The verdict of every listener on the route (referenceAllowed), collapsed as createRouteStatus
 * does: one listener accepting is enough; else the reason closest to acceptance (NotAllowedByListeners,
 * then NoMatchingListenerHostname, then NoMatchingParent), the messages of that reason joined.
 */
function listenerVerdicts(ctx: AnalysisContext, route: Manifest, gw: Manifest, p: ParentRef): { reason: string; message: string } | undefined {
  const rank = ['NotAllowedByListeners', 'NoMatchingListenerHostname', 'NoMatchingParent'];
  const errors: { reason: string; message: string }[] = [];
  for (const l of list(gw.spec?.listeners)) {
    const e = listenerVerdict(ctx, route, gw, l, p);
    if (!e) return undefined;
    errors.push(e);
  }
  if (errors.length === 0) return { reason: 'NoMatchingParent', message: 'the Gateway has no listeners' };
  const best = rank.find((r) => errors.some((e) => e.reason === r)) ?? errors[0].reason;
  return { reason: best, message: [...new Set(errors.filter((e) => e.reason === best).map((e) => e.message))].join('; ') };
}

function listenerVerdict(ctx: AnalysisContext, route: Manifest, gw: Manifest, l: any, p: ParentRef): { reason: string; message: string } | undefined {
  if (p.port !== undefined && p.port !== l?.port) return { reason: 'NoMatchingParent', message: `port ${p.port} not found` };
  if (p.sectionName !== undefined && p.sectionName !== l?.name) return { reason: 'NoMatchingParent', message: `sectionName "${p.sectionName}" not found` };
  const routeNs = namespaceOf(route);
  const listenerHost = l?.hostname !== undefined ? String(l.hostname) : '*';
  const hostnames: string[] = list(route.spec?.hostnames).map(String);
  const hostMatched = (hostnames.length ? hostnames : ['*']).some((h) => hostNamesMatch(listenerHost, h));
  if (!hostMatched) return { reason: 'NoMatchingListenerHostname', message: `no hostnames matched parent hostname "${l?.hostname ?? ''}"` };
  if (!namespaceAllowed(ctx, namespaceOf(gw), routeNs, l?.allowedRoutes)) {
    return { reason: 'NotAllowedByListeners', message: `hostnames matched parent hostname "${l?.hostname ?? ''}", but namespace "${routeNs}" is not allowed by the parent` };
  }
  if (!kindAllowed(l)) return { reason: 'NotAllowedByListeners', message: `kind ${GATEWAY_API_GROUP}/v1/HTTPRoute is not allowed` };
  return undefined;
}

/** namespacesFromSelector: From Same (default), All, or Selector against the Namespace labels. */
function namespaceAllowed(ctx: AnalysisContext, gatewayNs: string, routeNs: string, allowed: any): boolean {
  const from = allowed?.namespaces?.from ?? 'Same';
  if (from === 'Same') return routeNs === gatewayNs;
  if (from === 'All' || !allowed.namespaces.selector) return true;
  return labelSelectorHolds(allowed.namespaces.selector, namespaceLabels(ctx, routeNs));
}

/** generateSupportedKinds: HTTP and HTTPS listeners take HTTPRoute (and GRPCRoute), narrowed by allowedRoutes.kinds. */
function kindAllowed(l: any): boolean {
  if (!['HTTP', 'HTTPS'].includes(l?.protocol)) return false;
  const kinds = list(l?.allowedRoutes?.kinds);
  return kinds.length === 0 || kinds.some((k: any) => k?.kind === 'HTTPRoute' && (k?.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP);
}

/** VM0011 InvalidFilter: a filter type Istio does not convert is a hard error (conversion.go; conditions.go puts route errors in ResolvedRefs). */
function filters(ctx: AnalysisContext, route: Manifest, given: unknown, at: string, supported: ReadonlySet<string>): void {
  list(given).forEach((f: any, k: number) => {
    if (supported.has(f?.type)) return;
    ctx.report('VM0011', route, `${at}[${k}].type`, `ResolvedRefs=False, reason InvalidFilter: unsupported filter type "${f?.type}"; use one of ${[...supported].join(', ')} here; ${DROPPED}`);
  });
}

/** An InvalidDestination is a hard conversion error (computeRoute): no rule of the route is programmed. */
const DROPPED = 'until then Istio programs none of this route\'s rules';

/**
 * VM0011 and VM0012 for one backendRef (buildHTTPDestination/buildDestination; a weight-0 backend
 * is skipped). Requests for a backend without cluster get 500: networking/core/route/route.go sets
 * ClusterNotFoundResponseCode INTERNAL_SERVER_ERROR on Gateway API routes.
 */
function backend(ctx: AnalysisContext, route: Manifest, b: any, at: string, enforceGrant: boolean): void {
  if (b?.weight === 0) return;
  const routeNs = namespaceOf(route);
  const group = b?.group ?? '';
  const kind = b?.kind ?? 'Service';
  const name = String(b?.name ?? '');
  const ns = b?.namespace ?? routeNs;
  const fail = (reason: string, message: string, fix: string, field = at) => ctx.report('VM0011', route, field, `ResolvedRefs=False, reason ${reason}: ${message}; ${fix}`);
  if (enforceGrant && ns !== routeNs && !referenceGranted(ctx, routeNs, ns, group, kind, name)) {
    fail('RefNotPermitted', `backendRef ${name}/${ns} not accessible to a HTTPRoute in namespace "${routeNs}" (missing a ReferenceGrant?)`,
      `add a ReferenceGrant in namespace ${ns} from HTTPRoute in ${routeNs} to ${kind} ${name}`, `${at}.namespace`);
    return;
  }
  const service = group === '' && kind === 'Service';
  const serviceImport = group === 'multicluster.x-k8s.io' && kind === 'ServiceImport';
  if (group === 'networking.istio.io' && kind === 'Hostname') {
    if (b?.namespace !== undefined) fail('InvalidDestination', 'namespace may not be set with Hostname type', `drop the namespace; ${DROPPED}`, `${at}.namespace`);
    return;
  }
  if (!service && !serviceImport) {
    const message = group === 'inference.networking.k8s.io' && kind === 'InferencePool'
      ? 'InferencePool is not enabled. To enable, set ENABLE_GATEWAY_API_INFERENCE_EXTENSION to true in istiod'
      : `referencing unsupported backendRef: group "${group}" kind "${kind}"`;
    fail('InvalidKind', message, 'reference a Service (group "", kind Service)', `${at}.kind`);
    return;
  }
  if (name.includes('.')) {
    fail('InvalidDestination', 'service name invalid; the name of the Service must be used, not the hostname.', `use the Service's name, not '${name}'; ${DROPPED}`, `${at}.name`);
    return;
  }
  const svc = serviceNamed(ctx, ns, name);
  if (!svc) {
    fail('BackendNotFound', `backend(${name}.${ns}.svc.${ctx.clusterDomain}) not found`, 'create the Service or fix the name; requests for this backend get 500', `${at}.name`);
    return;
  }
  const ports = list(svc.spec?.ports).map((x: any) => x?.port);
  if (b?.port !== undefined && !ports.includes(b.port)) {
    ctx.report('VM0012', route, `${at}.port`, `Service ${ns}/${name} has no port ${b.port} (it has ${ports.join(', ') || 'none'}): Istio accepts the route (ResolvedRefs stays True) but routes to a cluster that does not exist, so requests for it get 500; use one of the Service's ports`);
  }
}

/**
 * A ReferenceGrant (v1beta1 or v1) in the target namespace allowing HTTPRoute from the route's
 * namespace to this kind and name (gatewaycommon/references.go ReferenceGrantsCollection:
 * a `to` without name allows every object of the kind).
 */
function referenceGranted(ctx: AnalysisContext, fromNs: string, toNs: string, group: string, kind: string, name: string): boolean {
  return gatewayApiObjects(ctx, 'ReferenceGrant').filter((g) => namespaceOf(g) === toNs).some((g) =>
    list(g.spec?.from).some((f: any) => f?.group === GATEWAY_API_GROUP && f?.kind === 'HTTPRoute' && f?.namespace === fromNs)
    && list(g.spec?.to).some((t: any) => (t?.group ?? '') === group && t?.kind === kind && (t?.name === undefined || t.name === name)));
}

/**
 * VM0016: a Service routed both by an HTTPRoute (parentRef the Service, GAMMA) and a mesh
 * VirtualService. Istio turns the HTTPRoute into a mesh VirtualService of the route's namespace
 * (route_collections.go HTTPRouteCollection) and never merges it with the user's
 * (model/virtualservice_controller.go mergeVirtualServices skips Gateway-semantics ones). A sidecar
 * builds one virtual host per host and port and drops later duplicates (networking/core/httproute.go
 * "duplicate domain from virtual service"), taking the routes in the order of
 * model/virtualservice.go SelectVirtualServices: Gateway API routes of the sidecar's own namespace
 * first, else by creation time. A waypoint concatenates both (listener_waypoint.go
 * buildWaypointInboundHTTPRouteConfig), so the first one's catch-all shadows the other.
 */
function meshRouteConflicts(ctx: AnalysisContext): void {
  const meshVs = ctx.input.filter((m) => m.kind === 'VirtualService' && String(m.apiVersion).startsWith('networking.istio.io/')
    && (list(m.spec?.gateways).length === 0 || list(m.spec?.gateways).includes('mesh')));
  for (const route of gatewayApiObjects(ctx, 'HTTPRoute')) {
    for (const p of parentRefs(route).filter((x) => x.kind === 'Service' && serviceNamed(ctx, x.namespace, x.name))) {
      const fqdn = `${p.name}.${p.namespace}.svc.${ctx.clusterDomain}`;
      for (const vs of meshVs.filter((v) => list(v.spec?.hosts).some((h: any) => hostToFqdn(namespaceOf(v), String(h), ctx.clusterDomain) === fqdn))) {
        ctx.report('VM0016', route, `spec.parentRefs[${p.index}]`,
          `${fqdn}${p.port !== undefined ? ` port ${p.port}` : ''} is routed both by this HTTPRoute and by the mesh VirtualService ${namespaceOf(vs)}/${vs.metadata.name}: Istio does not merge them; each sidecar keeps one and drops the other (sidecars in namespace ${namespaceOf(route)} take the HTTPRoute unless the VirtualService's exportTo names that namespace or '.', others the one created first), and a waypoint chains both so the first catch-all wins: route this host with one API`);
      }
    }
  }
}
