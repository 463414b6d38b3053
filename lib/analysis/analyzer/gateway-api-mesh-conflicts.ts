// VM0016: Services routed both by a GAMMA HTTPRoute and by a mesh VirtualService.
import { VM0016 } from './catalogue';
import { namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { list } from './context';
import { gatewayApiObjects, parentRefs, serviceNamed } from './gateway-api-objects';
import { hostToFqdn } from './hosts';

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
export function meshRouteConflicts(ctx: AnalysisContext): void {
  const meshVs = ctx.input.filter(
    (m) =>
      m.kind === 'VirtualService' &&
      String(m.apiVersion).startsWith('networking.istio.io/') &&
      (list(m.spec?.gateways).length === 0 || list(m.spec?.gateways).includes('mesh')),
  );
  for (const route of gatewayApiObjects(ctx, 'HTTPRoute')) {
    for (const p of parentRefs(route).filter((x) => x.kind === 'Service' && serviceNamed(ctx, x.namespace, x.name))) {
      const fqdn = `${p.name}.${p.namespace}.svc.${ctx.clusterDomain}`;
      for (const vs of meshVs.filter((v) =>
        list(v.spec?.hosts).some((h: unknown) => hostToFqdn(namespaceOf(v), String(h), ctx.clusterDomain) === fqdn),
      )) {
        ctx.report(VM0016.messages.bothRoute, route, `spec.parentRefs[${p.index}]`, {
          hostAndPort: `${fqdn}${p.port !== undefined ? ` port ${p.port}` : ''}`,
          virtualService: `${namespaceOf(vs)}/${vs.metadata.name}`,
          namespace: namespaceOf(route),
        });
      }
    }
  }
}
