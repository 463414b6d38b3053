/**
 * HTTP/3 discovery on an Istio ingress gateway (istio/istio 1.30.3 pilot/pkg/model/gateway.go
 * mergeGateways, udpSupportedPort; pkg/config/gateway/gateway.go IsEligibleForHTTP3Upgrade;
 * core/gateway.go buildGatewayHTTPRouteConfig; route/route.go buildHTTP3AltSvcHeader). With
 * istiod's PILOT_ENABLE_QUIC_LISTENERS true, a server that terminates TLS (HTTPS, not passthrough)
 * on a port a Service of the gateway proxy also exposes over UDP gets a QUIC listener, and every
 * route of its route configuration adds the response header `alt-svc: h3=":<port>"; ma=86400`.
 * The flag is read from the istiod Deployment's environment; without istiod in the manifests it
 * is taken as its default (false), and the hop says so when the rest would advertise HTTP/3.
 */
import { labelsHold, namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import type { Hop } from './hop';
import { istiodFlag } from './istiod-flags';
import type { RoutingProxy } from './match';

const FLAG = 'PILOT_ENABLE_QUIC_LISTENERS';

/** The fields of a Gateway server read here (unchecked YAML). */
interface Server {
  readonly port?: { readonly number?: unknown; readonly protocol?: unknown };
  readonly tls?: { readonly mode?: unknown };
}

/** A Service port as written (unchecked YAML). */
type Fields = Readonly<Record<string, unknown>> | undefined;

/** The alt-svc value the server's routes add, if any, and what explain assumed to decide it. */
export interface Http3Advert {
  readonly altSvc?: string;
  readonly note?: string;
}

/** Whether the routes of `server` (on gateway proxy `proxy`) advertise HTTP/3, and the header they add. */
export function http3Advert(index: ManifestIndex, server: Server, proxy: RoutingProxy): Http3Advert {
  const port = Number(server?.port?.number);
  const tlsMode = String(server?.tls?.mode ?? 'SIMPLE').toUpperCase();
  const terminates = String(server?.port?.protocol ?? '').toUpperCase() === 'HTTPS' && !tlsMode.endsWith('PASSTHROUGH');
  if (!terminates || !udpPortOfProxy(index, proxy, port)) return {};
  const altSvc = `h3=":${port}"; ma=86400`;
  const flag = istiodFlag(index, FLAG);
  if (flag === undefined)
    return {
      note: `HTTP/3 (alt-svc ${altSvc}): istiod's ${FLAG} is not in the manifests, taken as its default false, so no alt-svc header`,
    };
  return flag ? { altSvc } : {};
}

/** The hops with the alt-svc response header added (Envoy APPEND_IF_EXISTS_OR_ADD). */
export function withAltSvc(hops: Hop[], altSvc: string | undefined): Hop[] {
  if (altSvc === undefined) return hops;
  return hops.map((h) => {
    const headers = { ...(h.response?.headers ?? {}) };
    headers['alt-svc'] = headers['alt-svc'] !== undefined ? `${headers['alt-svc']}, ${altSvc}` : altSvc;
    return { ...h, response: { headers, removed: h.response?.removed ?? [] } };
  });
}

/** Whether a Service selecting the gateway proxy's pods exposes `port` over UDP (udpSupportedPort). */
function udpPortOfProxy(index: ManifestIndex, proxy: RoutingProxy, port: number): boolean {
  return index.services.some(
    (svc) =>
      namespaceOf(svc) === proxy.namespace &&
      svc.spec?.selector !== undefined &&
      labelsHold(svc.spec.selector, proxy.labels) &&
      (Array.isArray(svc.spec?.ports) ? svc.spec.ports : []).some(
        (p: Fields) => Number(p?.port) === port && String(p?.protocol ?? '').toUpperCase() === 'UDP',
      ),
  );
}
