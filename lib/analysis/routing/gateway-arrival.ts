/**
 * Where a request reaches an Istio ingress gateway: the gateway proxy (the pod the Gateway's selector
 * picks, its namespace and the Gateways merged onto it), the arrival port and scheme, and the plan
 * the gateway's answer is written into (gateway.ts ingressRoutes).
 */
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf, podLabels } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { gatewaysOfProxy } from './gateway-merge';
import type { RequestView, RouteRef, RoutingProxy, SimulatedRequest } from './match';
import { viewOf } from './match';

/** The routes a gateway considers for a request: one list per candidate virtual host, in order. */
export interface IngressPlan {
  readonly kind: 'http' | 'tcp' | 'tls';
  readonly candidates: RouteRef[][];
  readonly proxy: RoutingProxy;
  readonly notModelled: string[];
  /** The gateway answers itself (no server on the port, HTTPS redirect, no virtual host). */
  readonly answer?: string;
  readonly rule?: string;
  /** The answer is Envoy's 404 (NR): no virtual host serves the Host. @default false */
  readonly noRoute?: boolean;
  /** The alt-svc response header the routes add (HTTP/3 discovery, gateway-http3.ts). @default - none */
  readonly altSvc?: string;
}

/** A request's arrival at a Gateway's proxy: who routes it, on which port and scheme, and how a plan is built. */
export interface Arrival {
  readonly fullName: string;
  readonly gateways: Manifest[];
  readonly proxy: RoutingProxy;
  readonly port: number | undefined;
  readonly scheme: string;
  readonly view: RequestView;
  readonly notModelled: string[];
  readonly plan: (kind: IngressPlan['kind'], candidates: RouteRef[][], answer?: string) => IngressPlan;
}

/** The port of a Gateway server, as written (unchecked YAML: fields may be missing). */
interface ServerPort {
  readonly port?: { readonly number?: number; readonly protocol?: unknown };
}

/** The gateway proxy a request reaches (its pod, namespace and merged Gateways) and the port it arrives on. */
export function arrivalAt(index: ManifestIndex, gw: Manifest, request: SimulatedRequest): Arrival {
  const fullName = `${namespaceOf(gw)}/${gw.metadata.name}`;
  const selector = gw.spec?.selector ?? {};
  // The gateway proxy's namespace decides exportTo; its pods are those the selector picks, in any namespace.
  const pod =
    Object.keys(selector).length > 0 ? index.workloads.find((w) => labelsHold(selector, podLabels(w))) : undefined;
  const proxyNs = pod ? namespaceOf(pod) : namespaceOf(gw);
  const gateways = gatewaysOfProxy(index, gw, pod);
  const servers: ServerPort[] = gw.spec?.servers ?? [];
  const view = viewOf(request);
  const scheme = (request.scheme ?? view.headers[':scheme']).toLowerCase();
  const port =
    request.port ??
    servers.find((s) =>
      (scheme === 'https' ? ['HTTPS'] : ['HTTP', 'HTTP2', 'GRPC']).includes(String(s.port?.protocol).toUpperCase()),
    )?.port?.number ??
    servers[0]?.port?.number;
  const names = gateways.map((g) => `${namespaceOf(g)}/${g.metadata.name}`);
  const proxy: RoutingProxy = {
    labels: pod ? podLabels(pod) : selector,
    namespace: proxyNs,
    gateways: [fullName, ...names.filter((n) => n !== fullName)],
    port,
  };
  const notModelled: string[] = [];
  const plan = (kind: IngressPlan['kind'], candidates: RouteRef[][], answer?: string): IngressPlan => ({
    kind,
    candidates,
    proxy,
    notModelled,
    ...(answer !== undefined ? { answer, rule: fullName } : {}),
  });
  return { fullName, gateways, proxy, port, scheme, view, notModelled, plan };
}
