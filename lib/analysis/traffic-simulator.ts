/**
 * Evaluates synthesized manifests the way Istio routes a request: the VirtualService for the
 * host (gateway-bound or mesh), its routes in order, header regexes as full matches, sourceLabels
 * against the caller's pod labels, ports, weights, then DestinationRule subsets and Service
 * selectors down to the workloads whose pods receive the request. It reads the objects that
 * will be applied, not the stage data, so it checks what will actually run.
 */
import { DEFAULT_CLUSTER_DOMAIN } from '../model/defaults';
import { labelsHold, Manifest, namespaceOf } from './manifest';
import { ManifestIndex } from './manifest-index';

/** An HTTP request as the proxy sees it. */
export interface SimulatedRequest {
  /** Request headers; names are matched case-insensitively. @default - none */
  readonly headers?: Readonly<Record<string, string>>;
  /** Request path. @default '/' */
  readonly path?: string;
}

/** Where (a share of) a request ends up. */
export interface Hop {
  /** Service name. */
  readonly service: string;
  /** DestinationRule subset. @default - no subset (the whole Service) */
  readonly subset?: string;
  /** Destination port. */
  readonly port: number;
  /** Percentage of the matching requests. */
  readonly weight: number;
  /** Deployments (or Rollouts) whose pods receive it. */
  readonly deployments: readonly string[];
  /** `<VirtualService>/<route name or index>` that matched, or `service` without a VirtualService. */
  readonly rule: string;
}

const HTTP_PROTOCOLS = ['http', 'http2', 'grpc'];

export class TrafficSimulator {
  private readonly index: ManifestIndex;
  private meshByService?: Map<Manifest, Manifest>;

  /** @param clusterDomain the cluster domain of fully qualified hosts. @default 'cluster.local' */
  constructor(manifests: readonly Manifest[], clusterDomain = DEFAULT_CLUSTER_DOMAIN) {
    this.index = ManifestIndex.of(manifests, clusterDomain);
  }

  /** A request arriving at the ingress gateway `gateway` (namespace/name or name). */
  public ingress(gateway: string, request: SimulatedRequest = {}): Hop[] {
    const bound = this.boundTo(gateway);
    if (bound.length === 0) throw new Error(`no VirtualService is bound to gateway '${gateway}'`);
    // With a Host (or :authority) header, only VirtualServices serving that host apply.
    const headers = lowerCaseKeys(request.headers ?? {});
    const host = (headers[':authority'] ?? headers.host)?.split(':')[0];
    const vs = host === undefined ? bound : bound.filter((v) => (v.spec?.hosts ?? []).some((h: string) => hostMatches(h, host)));
    if (vs.length === 0) throw new Error(`no VirtualService bound to gateway '${gateway}' serves host '${host}'`);
    for (const v of vs) {
      const hops = this.evaluateHttp(v, request, {}, undefined);
      if (hops) return hops;
    }
    throw new Error(`no route of gateway '${gateway}' matches the request`);
  }

  /**
   * A call from a pod with `sourceLabels` to Service `service` on `port` (in `namespace`).
   * HTTP ports use the VirtualService's http routes, other ports its tcp routes.
   */
  public call(sourceLabels: Readonly<Record<string, string>>, service: string, port: number, request: SimulatedRequest = {}, namespace?: string): Hop[] {
    const svc = this.service(service, namespace);
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    if (!svcPort) throw new Error(`Service '${service}' has no port ${port}`);
    const vs = this.meshVirtualService(svc);
    if (!vs) return [{ service, port, weight: 100, deployments: this.pods(svc, {}), rule: 'service' }];
    const hops = isHttp(svcPort) ? this.evaluateHttp(vs, request, sourceLabels, port) : this.evaluateTcp(vs, sourceLabels, port);
    if (!hops) throw new Error(`no route of VirtualService '${vs.metadata.name}' matches a call from ${JSON.stringify(sourceLabels)} on port ${port}`);
    return hops;
  }

  /**
   * Every destination a caller could reach on `service`:`port`, whatever its request headers and
   * path: each route whose sourceLabels and port fit the caller, up to the first route that is
   * certain to match. Used to compare routing with authorization.
   */
  public possibleCalls(sourceLabels: Readonly<Record<string, string>>, service: string, port: number, namespace?: string): Hop[] {
    const svc = this.service(service, namespace);
    const vs = this.meshVirtualService(svc);
    if (!vs) return [{ service: svc.metadata.name, port, weight: 100, deployments: this.pods(svc, {}), rule: 'service' }];
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    return this.possibleRoutes(vs, sourceLabels, port, isHttp(svcPort ?? {}) ? 'http' : 'tcp');
  }

  /** Every destination a gateway could send any request to. */
  public possibleIngress(gateway: string): Hop[] {
    return this.boundTo(gateway).flatMap((vs) => this.possibleRoutes(vs, {}, undefined, 'http'));
  }

  private boundTo(gateway: string): Manifest[] {
    return this.index.ofKind('VirtualService').filter((v) => (v.spec?.gateways ?? []).some((g: string) => g === gateway || g.endsWith(`/${gateway}`)));
  }

  private possibleRoutes(vs: Manifest, source: Readonly<Record<string, string>>, port: number | undefined, proto: 'http' | 'tcp'): Hop[] {
    const hops: Hop[] = [];
    const routes: any[] = vs.spec?.[proto] ?? [];
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      const fits = (m: any) => (m.port === undefined || m.port === port) && (m.sourceLabels === undefined || (Object.keys(source).length > 0 && labelsHold(m.sourceLabels, source)));
      const certain = (m: any) => fits(m) && Object.keys(m).every((k) => k === 'port' || k === 'sourceLabels' || (k === 'uri' && m.uri?.prefix === '/'));
      const matches: any[] | undefined = r.match;
      if (matches && !matches.some(fits)) continue;
      hops.push(...this.hops(vs, r.route ?? [], `${vs.metadata.name}/${r.name ?? `${proto}[${i}]`}`));
      if (!matches || matches.some(certain)) break;
    }
    return hops;
  }

  /** The first mesh-bound VirtualService whose hosts name the Service. */
  private meshVirtualService(svc: Manifest): Manifest | undefined {
    if (!this.meshByService) {
      this.meshByService = new Map();
      for (const v of this.index.ofKind('VirtualService')) {
        if (!(v.spec?.gateways ?? ['mesh']).includes('mesh')) continue;
        for (const h of v.spec?.hosts ?? []) {
          const target = this.index.serviceForHost(h, namespaceOf(v));
          if (target && !this.meshByService.has(target)) this.meshByService.set(target, v);
        }
      }
    }
    return this.meshByService.get(svc);
  }

  private service(name: string, namespace?: string): Manifest {
    const svc = namespace !== undefined ? this.index.service(name, namespace) : this.index.services.find((x) => x.metadata.name === name);
    if (!svc) throw new Error(`no Service '${name}'`);
    return svc;
  }

  private evaluateHttp(vs: Manifest, req: SimulatedRequest, source: Readonly<Record<string, string>>, port: number | undefined): Hop[] | undefined {
    const routes: any[] = vs.spec?.http ?? [];
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      const matches: any[] | undefined = r.match;
      if (matches && !matches.some((m) => httpMatchHolds(m, req, source, port))) continue;
      return this.hops(vs, r.route ?? [], `${vs.metadata.name}/${r.name ?? i}`);
    }
    return undefined;
  }

  private evaluateTcp(vs: Manifest, source: Readonly<Record<string, string>>, port: number): Hop[] | undefined {
    const routes: any[] = vs.spec?.tcp ?? [];
    for (let i = 0; i < routes.length; i++) {
      const r = routes[i];
      const matches: any[] | undefined = r.match;
      if (matches && !matches.some((m) => (m.port === undefined || m.port === port) && labelsHold(m.sourceLabels, source))) continue;
      return this.hops(vs, r.route ?? [], `${vs.metadata.name}/tcp[${i}]`);
    }
    return undefined;
  }

  private hops(vs: Manifest, route: any[], rule: string): Hop[] {
    return route.map((d) => {
      const host: string = d.destination.host;
      const svc = this.index.serviceForHost(host, namespaceOf(vs));
      if (!svc) throw new Error(`${rule}: host '${host}' is not a Service`);
      const serviceName = svc.metadata.name;
      let subsetLabels: Record<string, string> = {};
      if (d.destination.subset !== undefined) {
        const labels = this.index.subsets(svc)?.get(d.destination.subset);
        if (!labels) throw new Error(`subset '${d.destination.subset}' of host '${host}' is not defined by any DestinationRule`);
        subsetLabels = labels;
      }
      const ports: any[] = svc.spec?.ports ?? [];
      const port = d.destination.port?.number ?? (ports.length === 1 ? ports[0].port : undefined);
      if (port === undefined || !ports.some((p) => p.port === port)) {
        throw new Error(`${rule}: destination port ${port} is not a port of Service '${serviceName}'`);
      }
      return {
        service: serviceName,
        ...(d.destination.subset !== undefined ? { subset: d.destination.subset } : {}),
        port,
        weight: d.weight ?? (route.length === 1 ? 100 : 0),
        deployments: this.pods(svc, subsetLabels),
        rule,
      };
    });
  }

  /** Workloads with serving pods behind the Service and subset. */
  private pods(svc: Manifest, subsetLabels: Record<string, string>): string[] {
    return this.index.podsBehind(svc, subsetLabels, true).map((d) => d.metadata.name);
  }
}

/** Istio host matching: exact, `*`, or a `*.suffix` wildcard. */
export function hostMatches(pattern: string, host: string): boolean {
  return pattern === '*' || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)));
}

function isHttp(port: any): boolean {
  return HTTP_PROTOCOLS.includes((port.appProtocol ?? String(port.name ?? '').split('-')[0]).toLowerCase());
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function stringMatch(m: any, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (m.exact !== undefined) return value === m.exact;
  if (m.prefix !== undefined) return value.startsWith(m.prefix);
  // Envoy matches RE2 regexes against the whole value.
  if (m.regex !== undefined) return new RegExp(`^(?:${m.regex})$`).test(value);
  return true;
}

function httpMatchHolds(m: any, req: SimulatedRequest, source: Readonly<Record<string, string>>, port: number | undefined): boolean {
  if (m.port !== undefined && m.port !== port) return false;
  if (m.sourceLabels !== undefined && (Object.keys(source).length === 0 || !labelsHold(m.sourceLabels, source))) return false;
  if (m.uri !== undefined && !stringMatch(m.uri, req.path ?? '/')) return false;
  const headers = lowerCaseKeys(req.headers ?? {});
  return Object.entries(m.headers ?? {}).every(([name, cond]) => stringMatch(cond, headers[name.toLowerCase()]));
}
