/**
 * The Gateway API routes of a mesh call (GAMMA): the HTTPRoutes and GRPCRoutes whose parentRef is
 * the called Service, consumer routes (the caller's namespace) before producer routes (the
 * Service's namespace), as Istio 1.30 selects them (route_collections.go; push_context.go
 * VirtualServicesForGateway and virtualservice.go SelectVirtualServices, "consumer override").
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { httpRoutes } from './gateway-api';
import type { ApiRoute } from './gateway-api-match';
import {
  flattenRoutes,
  GATEWAY_API_GROUP,
  isGatewayApi,
  sortApiRoutes,
  sortRoutesByCreation,
} from './gateway-api-match';

/** The fields of a route's parentRef these read (YAML as written: any of them may be missing). */
interface ParentRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly port?: number;
}

const grpcByIndex = new WeakMap<ManifestIndex, Manifest[]>();

/** The GRPCRoutes (`namespace/name`) whose parentRef is the Service (GAMMA); the GRPCRoutes are found once per index. */
export function grpcRoutesOf(index: ManifestIndex, svc: Manifest): string[] {
  let routes = grpcByIndex.get(index);
  if (!routes) grpcByIndex.set(index, (routes = index.objects.filter((r) => isGatewayApi(r, 'GRPCRoute'))));
  return routes
    .filter((r) =>
      (r.spec?.parentRefs ?? []).some(
        (p: ParentRef) =>
          p.kind === 'Service' &&
          (p.group ?? '') === '' &&
          p.name === svc.metadata.name &&
          (p.namespace ?? namespaceOf(r)) === namespaceOf(svc),
      ),
    )
    .map((r) => `${namespaceOf(r)}/${r.metadata.name}`);
}

/**
 * The HTTPRoutes (GAMMA) that route a mesh call to Service `svc` on `port` from `clientNs`:
 * those with a parentRef to the Service (group "", kind Service; `port`, when set, the called
 * port), merged and sorted as at a gateway. Consumer routes in the caller's namespace win over
 * producer routes in the Service's namespace; routes of any other namespace are consumer routes
 * of that namespace and do not apply (GAMMA; route.go buildSidecarVirtualHostsForVirtualService keeps
 * only routes of the proxy's or the destination's namespace). Only the
 * routes `imported` keeps are read (the caller's Sidecar scope). Undefined when none applies.
 */
export function meshApiRoutes(
  index: ManifestIndex,
  svc: Manifest,
  clientNs: string,
  port: number,
  notes: string[],
  imported: (route: Manifest) => boolean = () => true,
): { routes: ApiRoute[]; from: Manifest[] } | undefined {
  const svcNs = namespaceOf(svc);
  const refs = (r: Manifest) =>
    (r.spec?.parentRefs ?? []).filter(
      (p: ParentRef) =>
        (p.group ?? GATEWAY_API_GROUP) === '' &&
        p.kind === 'Service' &&
        p.name === svc.metadata.name &&
        (p.namespace ?? namespaceOf(r)) === svcNs,
    );
  // The caller's Sidecar scope imports an HTTPRoute by its namespace and the Service's host (sidecar-scope.ts importsHttpRoute).
  const parents = httpRoutes(index).filter((r) => refs(r).length > 0 && imported(r));
  const all = parents.filter((r) => refs(r).some((p: ParentRef) => p.port === undefined || p.port === port));
  // Istio keys mesh routes by namespace, port and host (route_collections.go): how routes of other ports of the host combine is not modelled.
  for (const r of parents.filter((x) => !all.includes(x) && [clientNs, svcNs].includes(namespaceOf(x)))) {
    notes.push(
      `HTTPRoute ${namespaceOf(r)}/${r.metadata.name} (routes Service '${svc.metadata.name}' on another port: taken as not applying to port ${port})`,
    );
  }
  if (all.length === 0) return undefined;
  // A route of a third namespace does not apply (route.go buildSidecarVirtualHostsForVirtualService: gateway
  // semantics keep only routes of the proxy's or the Service's namespace; TestSidecarRoutes "arbitrary rule").
  const consumer = all.filter((r) => namespaceOf(r) === clientNs);
  const chosen = consumer.length > 0 ? consumer : all.filter((r) => namespaceOf(r) === svcNs);
  if (chosen.length === 0) return undefined;
  return { routes: sortApiRoutes(flattenRoutes(sortRoutesByCreation(chosen))), from: chosen };
}
