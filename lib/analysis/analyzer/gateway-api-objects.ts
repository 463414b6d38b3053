import { Manifest, namespaceOf } from '../manifest';
import { ManifestIndex } from '../manifest-index';
import { AnalysisContext, list } from './context';

/**
 * Lookups of Gateway API (gateway.networking.k8s.io, v1.5.1) objects and of ambient-mode labels
 * shared by the Gateway API and ambient rules. They read the objects given (ctx.input), as the
 * project rules do.
 */

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** Istio's controller for the `istio` class (pilot/pkg/features/pilot.go PILOT_GATEWAY_API_CONTROLLER_NAME). */
export const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';
/**
 * Istio 1.30's built-in classes, usable without a GatewayClass object (gatewaycommon/classinfo.go
 * GetBuiltinGatewayClasses with the default flags; istio-east-west needs AMBIENT_ENABLE_MULTI_NETWORK).
 */
export const BUILTIN_CLASSES: Readonly<Record<string, string>> = {
  'istio': ISTIO_GATEWAY_CONTROLLER,
  'istio-remote': 'istio.io/unmanaged-gateway',
  'istio-waypoint': 'istio.io/mesh-controller',
};

/** Objects of a Gateway API kind (any served version) among the input. */
export function gatewayApiObjects(ctx: AnalysisContext, kind: string): Manifest[] {
  return ctx.input.filter((m) => m.kind === kind && String(m.apiVersion ?? '').startsWith(`${GATEWAY_API_GROUP}/`));
}

/** The Kubernetes Service `namespace/name` among the input (the manifest index the project rules share, built once per analysis). */
export function serviceNamed(ctx: AnalysisContext, namespace: string, name: string): Manifest | undefined {
  const svc = ManifestIndex.of(ctx.input, ctx.clusterDomain).service(name, namespace);
  return svc?.apiVersion === 'v1' ? svc : undefined;
}

/** The labels of a namespace, with the `kubernetes.io/metadata.name` label the API server adds (gateway/conversion.go toNamespaceSet). */
export function namespaceLabels(ctx: AnalysisContext, namespace: string): Record<string, string> {
  return { ...(ctx.namespace(namespace)?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

/** Istio's NamespaceInAmbientMode (analyzers/util/in_mesh.go): `istio.io/dataplane-mode: ambient`, no sidecar injection label. */
export function namespaceInAmbient(ctx: AnalysisContext, namespace: string): boolean {
  const labels = ctx.namespace(namespace)?.metadata.labels ?? {};
  return labels['istio-injection'] !== 'enabled' && !labels['istio.io/rev'] && labels['istio.io/dataplane-mode'] === 'ambient';
}

/** A pod (or pod template) in ambient mode: its own dataplane-mode label or redirection annotation, else its namespace's. */
export function podInAmbient(ctx: AnalysisContext, namespace: string, labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>): boolean {
  if (labels['istio.io/dataplane-mode'] === 'none') return false;
  return labels['istio.io/dataplane-mode'] === 'ambient' || annotations['ambient.istio.io/redirection'] === 'enabled' || namespaceInAmbient(ctx, namespace);
}

/**
 * The waypoint (`namespace/name`) a Service uses, as Istio resolves it (serviceregistry/ambient/waypoints.go
 * fetchWaypointForTarget/getUseWaypoint): the Service's `istio.io/use-waypoint` label (`none` opts out),
 * else its namespace's; `istio.io/use-waypoint-namespace` names another namespace.
 */
export function waypointOf(ctx: AnalysisContext, svc: Manifest): string | undefined {
  const own = svc.metadata.labels ?? {};
  const ns = namespaceOf(svc);
  const use = (labels: Record<string, string>): string | undefined | null => {
    const name = labels['istio.io/use-waypoint'];
    if (name === undefined || name === '') return undefined;
    if (name === 'none') return null;
    return `${labels['istio.io/use-waypoint-namespace'] ?? ns}/${name}`;
  };
  const direct = use(own);
  if (direct !== undefined) return direct ?? undefined;
  return use(ctx.namespace(ns)?.metadata.labels ?? {}) ?? undefined;
}

/** The parentRefs of a route, each with its normalized group, kind and namespace (gateway/conversion.go toInternalParentReference). */
export interface ParentRef {
  readonly index: number;
  readonly kind: 'Gateway' | 'Service' | 'other';
  readonly name: string;
  readonly namespace: string;
  readonly sectionName?: string;
  readonly port?: number;
}

export function parentRefs(route: Manifest): ParentRef[] {
  return list(route.spec?.parentRefs).map((p: any, index: number) => {
    const group = p?.group ?? GATEWAY_API_GROUP;
    const kind = p?.kind ?? 'Gateway';
    const normalized = group === GATEWAY_API_GROUP && kind === 'Gateway' ? 'Gateway' : group === '' && kind === 'Service' ? 'Service' : 'other';
    return { index, kind: normalized, name: String(p?.name ?? ''), namespace: p?.namespace ?? namespaceOf(route),
      ...(p?.sectionName !== undefined ? { sectionName: String(p.sectionName) } : {}), ...(p?.port !== undefined ? { port: Number(p.port) } : {}) };
  });
}

/** The controller of a Gateway's class: a GatewayClass of the input, else Istio's built-in class of that name. */
export function controllerOf(ctx: AnalysisContext, gateway: Manifest): string | undefined {
  const className = String(gateway.spec?.gatewayClassName ?? '');
  const declared = gatewayApiObjects(ctx, 'GatewayClass').find((c) => c.metadata.name === className);
  return declared ? declared.spec?.controllerName : BUILTIN_CLASSES[className];
}
