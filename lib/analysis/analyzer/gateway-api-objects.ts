import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import { ManifestIndex } from '../manifest-index';
import type { AnalysisContext } from './context';
import * as ambient from '../ambient-mode';
import { GATEWAY_API_GROUP, isGatewayApi } from '../routing/gateway-api-match';
import { at, listAt } from '../manifest-kinds';

/**
 * Lookups of Gateway API (gateway.networking.k8s.io, v1.5.1) objects and of ambient-mode labels
 * shared by the Gateway API and ambient rules. They read the objects given (ctx.input), as the
 * project rules do.
 */

export { GATEWAY_API_GROUP };
/** Istio's controller for the `istio` class (pilot/pkg/features/pilot.go PILOT_GATEWAY_API_CONTROLLER_NAME). */
export const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';
/**
 * Istio 1.30's built-in classes, usable without a GatewayClass object (gatewaycommon/classinfo.go
 * GetBuiltinGatewayClasses with the default flags; istio-east-west needs AMBIENT_ENABLE_MULTI_NETWORK).
 */
export const BUILTIN_CLASSES: Readonly<Record<string, string>> = {
  istio: ISTIO_GATEWAY_CONTROLLER,
  'istio-remote': 'istio.io/unmanaged-gateway',
  'istio-waypoint': 'istio.io/mesh-controller',
};

/** Objects of a Gateway API kind (any served version) among the input. */
export function gatewayApiObjects(ctx: AnalysisContext, kind: string): Manifest[] {
  return ctx.input.filter((m) => isGatewayApi(m, kind));
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

/** The namespace labels the analysis reads (the input's Namespaces). */
const labelsOf = (ctx: AnalysisContext) => (ns: string) => ctx.namespace(ns)?.metadata.labels ?? {};

/** Istio's NamespaceInAmbientMode, on the input's Namespaces (ambient-mode.ts). */
export function namespaceInAmbient(ctx: AnalysisContext, namespace: string): boolean {
  return ambient.namespaceInAmbient(labelsOf(ctx), namespace);
}

/** A pod (or pod template) in ambient mode, on the input's Namespaces (ambient-mode.ts). */
export function podInAmbient(
  ctx: AnalysisContext,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>>,
): boolean {
  return ambient.podInAmbient(labelsOf(ctx), namespace, labels, annotations);
}

/** The waypoint (`namespace/name`) a Service uses, on the input's Namespaces (ambient-mode.ts). */
export function waypointOf(ctx: AnalysisContext, svc: Manifest): string | undefined {
  return ambient.waypointOf(labelsOf(ctx), svc);
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
  return listAt(route.spec, 'parentRefs').map((p, index) => {
    const group = at(p, 'group') ?? GATEWAY_API_GROUP;
    const kind = at(p, 'kind') ?? 'Gateway';
    const normalized =
      group === GATEWAY_API_GROUP && kind === 'Gateway'
        ? 'Gateway'
        : group === '' && kind === 'Service'
          ? 'Service'
          : 'other';
    const sectionName = at(p, 'sectionName');
    const port = at(p, 'port');
    return {
      index,
      kind: normalized,
      name: String(at(p, 'name') ?? ''),
      namespace: String(at(p, 'namespace') ?? namespaceOf(route)),
      ...(sectionName !== undefined ? { sectionName: String(sectionName) } : {}),
      ...(port !== undefined ? { port: Number(port) } : {}),
    };
  });
}

/** The controller of a Gateway's class: a GatewayClass of the input, else Istio's built-in class of that name. */
export function controllerOf(ctx: AnalysisContext, gateway: Manifest): string | undefined {
  const className = String(gateway.spec?.gatewayClassName ?? '');
  const declared = gatewayApiObjects(ctx, 'GatewayClass').find((c) => c.metadata.name === className);
  return declared ? declared.spec?.controllerName : BUILTIN_CLASSES[className];
}
