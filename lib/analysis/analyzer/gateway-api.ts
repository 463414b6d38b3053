import { VM0011, VM0012, VM0013, VM0014, VM0015 } from './catalogue';
import type { Manifest } from '../manifest';
import { labelSelectorHolds, namespaceOf } from '../manifest';
import { ISTIO_BACKEND_FILTERS, ISTIO_RULE_FILTERS } from '../routing/gateway-api-match';
import type { AnalysisContext } from './context';
import { list } from './context';
import type { ParentRef } from './gateway-api-objects';
import {
  controllerOf,
  gatewayApiObjects,
  GATEWAY_API_GROUP,
  ISTIO_GATEWAY_CONTROLLER,
  namespaceLabels,
  parentRefs,
  serviceNamed,
} from './gateway-api-objects';
import { meshRouteConflicts } from './gateway-api-mesh-conflicts';
import { hostNamesMatch } from './hosts';

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
        ctx.report(VM0013.messages.serviceNotFound, route, `spec.parentRefs[${p.index}]`, {
          name: p.name,
          namespace: p.namespace,
        });
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
        if (f?.type === 'RequestMirror' && f.requestMirror?.backendRef)
          backend(
            ctx,
            route,
            f.requestMirror.backendRef,
            `spec.rules[${i}].filters[${k}].requestMirror.backendRef`,
            forGateway,
          );
      });
    });
  }
  meshRouteConflicts(ctx);
}

function istioGateway(ctx: AnalysisContext, p: ParentRef): Manifest | undefined {
  const gw = gatewayApiObjects(ctx, 'Gateway').find(
    (g) => g.metadata.name === p.name && namespaceOf(g) === p.namespace,
  );
  return gw && controllerOf(ctx, gw) === ISTIO_GATEWAY_CONTROLLER ? gw : undefined;
}

/** Why Istio does not program a Gateway of another class (gatewaycommon/classinfo.go; gateway_collection.go GatewayCollection). */
const OTHER_CLASS: Readonly<Record<string, typeof VM0015.messages.waypoint>> = {
  'istio.io/mesh-controller': VM0015.messages.waypoint,
  'istio.io/unmanaged-gateway': VM0015.messages.remote,
};

/** VM0014, VM0015, VM0013 for a Gateway parentRef. */
function gatewayParent(ctx: AnalysisContext, route: Manifest, p: ParentRef): void {
  const at = `spec.parentRefs[${p.index}]`;
  const gw = gatewayApiObjects(ctx, 'Gateway').find(
    (g) => g.metadata.name === p.name && namespaceOf(g) === p.namespace,
  );
  if (!gw) {
    ctx.report(VM0014.messages.notFound, route, at, { gateway: `${p.namespace}/${p.name}` });
    return;
  }
  const controller = controllerOf(ctx, gw);
  if (controller !== ISTIO_GATEWAY_CONTROLLER) {
    const known = OTHER_CLASS[controller ?? ''];
    const gateway = `${p.namespace}/${p.name}`;
    if (known) ctx.report(known, route, at, { gateway });
    else ctx.report(VM0015.messages.otherClass, route, at, { gateway, className: String(gw.spec?.gatewayClassName) });
    return;
  }
  const denied = listenerVerdicts(ctx, route, gw, p);
  if (denied)
    ctx.report(VM0013.messages[denied.reason], route, at, {
      detail: denied.message,
      gateway: `${p.namespace}/${p.name}`,
    });
}

/** The reasons of a listener refusing a route, as Gateway API names them (their messages and fixes are VM0013's). */
type ListenerReason = 'NoMatchingParent' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname';

/**
 * The verdict of every listener on the route (referenceAllowed), collapsed as createRouteStatus
 * does: one listener accepting is enough; else the reason closest to acceptance (NotAllowedByListeners,
 * then NoMatchingListenerHostname, then NoMatchingParent), the messages of that reason joined.
 */
function listenerVerdicts(
  ctx: AnalysisContext,
  route: Manifest,
  gw: Manifest,
  p: ParentRef,
): { reason: ListenerReason; message: string } | undefined {
  const rank: ListenerReason[] = ['NotAllowedByListeners', 'NoMatchingListenerHostname', 'NoMatchingParent'];
  const errors: { reason: ListenerReason; message: string }[] = [];
  for (const l of list(gw.spec?.listeners)) {
    const e = listenerVerdict(ctx, route, gw, l, p);
    if (!e) return undefined;
    errors.push(e);
  }
  if (errors.length === 0) return { reason: 'NoMatchingParent', message: 'the Gateway has no listeners' };
  const best = rank.find((r) => errors.some((e) => e.reason === r)) ?? errors[0].reason;
  return {
    reason: best,
    message: [...new Set(errors.filter((e) => e.reason === best).map((e) => e.message))].join('; '),
  };
}

function listenerVerdict(
  ctx: AnalysisContext,
  route: Manifest,
  gw: Manifest,
  l: any,
  p: ParentRef,
): { reason: ListenerReason; message: string } | undefined {
  if (p.port !== undefined && p.port !== l?.port)
    return { reason: 'NoMatchingParent', message: `port ${p.port} not found` };
  if (p.sectionName !== undefined && p.sectionName !== l?.name)
    return { reason: 'NoMatchingParent', message: `sectionName "${p.sectionName}" not found` };
  const routeNs = namespaceOf(route);
  const listenerHost = l?.hostname !== undefined ? String(l.hostname) : '*';
  const hostnames: string[] = list(route.spec?.hostnames).map(String);
  const hostMatched = (hostnames.length ? hostnames : ['*']).some((h) => hostNamesMatch(listenerHost, h));
  if (!hostMatched)
    return {
      reason: 'NoMatchingListenerHostname',
      message: `no hostnames matched parent hostname "${l?.hostname ?? ''}"`,
    };
  if (!namespaceAllowed(ctx, namespaceOf(gw), routeNs, l?.allowedRoutes)) {
    return {
      reason: 'NotAllowedByListeners',
      message: `hostnames matched parent hostname "${l?.hostname ?? ''}", but namespace "${routeNs}" is not allowed by the parent`,
    };
  }
  if (!kindAllowed(l))
    return { reason: 'NotAllowedByListeners', message: `kind ${GATEWAY_API_GROUP}/v1/HTTPRoute is not allowed` };
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
  return (
    kinds.length === 0 ||
    kinds.some((k: any) => k?.kind === 'HTTPRoute' && (k?.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP)
  );
}

/** VM0011 InvalidFilter: a filter type Istio does not convert is a hard error (conversion.go; conditions.go puts route errors in ResolvedRefs). */
function filters(
  ctx: AnalysisContext,
  route: Manifest,
  given: unknown,
  at: string,
  supported: ReadonlySet<string>,
): void {
  list(given).forEach((f: any, k: number) => {
    if (supported.has(f?.type)) return;
    ctx.report(VM0011.messages.invalidFilter, route, `${at}[${k}].type`, {
      type: String(f?.type),
      supported: [...supported].join(', '),
    });
  });
}

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
  const unresolved = VM0011.messages;
  if (enforceGrant && ns !== routeNs && !referenceGranted(ctx, routeNs, ns, group, kind, name)) {
    ctx.report(unresolved.refNotPermitted, route, `${at}.namespace`, {
      name,
      namespace: String(ns),
      routeNamespace: routeNs,
      kind: String(kind),
    });
    return;
  }
  const service = group === '' && kind === 'Service';
  const serviceImport = group === 'multicluster.x-k8s.io' && kind === 'ServiceImport';
  if (group === 'networking.istio.io' && kind === 'Hostname') {
    if (b?.namespace !== undefined) ctx.report(unresolved.hostnameNamespace, route, `${at}.namespace`);
    return;
  }
  if (!service && !serviceImport) {
    if (group === 'inference.networking.k8s.io' && kind === 'InferencePool')
      ctx.report(unresolved.inferencePool, route, `${at}.kind`);
    else ctx.report(unresolved.unsupportedKind, route, `${at}.kind`, { group: String(group), kind: String(kind) });
    return;
  }
  if (name.includes('.')) {
    ctx.report(unresolved.hostnameAsName, route, `${at}.name`, { name });
    return;
  }
  const svc = serviceNamed(ctx, ns, name);
  if (!svc) {
    ctx.report(unresolved.backendNotFound, route, `${at}.name`, { host: `${name}.${ns}.svc.${ctx.clusterDomain}` });
    return;
  }
  const ports = list(svc.spec?.ports).map((x: any) => x?.port);
  if (b?.port !== undefined && !ports.includes(b.port)) {
    ctx.report(VM0012.messages.noPort, route, `${at}.port`, {
      service: `${ns}/${name}`,
      port: String(b.port),
      ports: ports.join(', ') || 'none',
    });
  }
}

/**
 * A ReferenceGrant (v1beta1 or v1) in the target namespace allowing HTTPRoute from the route's
 * namespace to this kind and name (gatewaycommon/references.go ReferenceGrantsCollection:
 * a `to` without name allows every object of the kind).
 */
function referenceGranted(
  ctx: AnalysisContext,
  fromNs: string,
  toNs: string,
  group: string,
  kind: string,
  name: string,
): boolean {
  return gatewayApiObjects(ctx, 'ReferenceGrant')
    .filter((g) => namespaceOf(g) === toNs)
    .some(
      (g) =>
        list(g.spec?.from).some(
          (f: any) => f?.group === GATEWAY_API_GROUP && f?.kind === 'HTTPRoute' && f?.namespace === fromNs,
        ) &&
        list(g.spec?.to).some(
          (t: any) => (t?.group ?? '') === group && t?.kind === kind && (t?.name === undefined || t.name === name),
        ),
    );
}
