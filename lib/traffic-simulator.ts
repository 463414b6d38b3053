/**
 * Evaluates synthesized manifests the way Istio routes a request: the VirtualService for the
 * host (gateway-bound or mesh), its routes in order, header regexes as full matches, sourceLabels
 * against the caller's pod labels, ports, weights, then DestinationRule subsets and Service
 * selectors down to the Deployments whose pods receive the request. It reads the objects that
 * will be applied, not the stage data, so it checks what will actually run.
 */

/** The parts of a Kubernetes/Istio object the simulator reads. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: any;
}

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
  /** Deployments whose pods receive it. */
  readonly deployments: readonly string[];
  /** `<VirtualService>/<route name or index>` that matched, or `service` without a VirtualService. */
  readonly rule: string;
}

const NETWORKING = 'networking.istio.io/';

/** Kinds whose pod template runs the pods a Service selects: Deployments and Argo Rollouts. */
export const isWorkload = (m: Manifest): boolean => m.kind === 'Deployment' || (m.kind === 'Rollout' && m.apiVersion.startsWith('argoproj.io/'));

export class TrafficSimulator {
  private readonly objects: readonly Manifest[];

  constructor(manifests: readonly Manifest[], private readonly clusterDomain = 'cluster.local') {
    this.objects = manifests.filter((m) => m && typeof m === 'object');
    for (const o of this.objects) {
      if (!(o.kind === 'Service' || isWorkload(o) || o.apiVersion.startsWith(NETWORKING))) continue;
      // Rollouts run pods like Deployments: both are looked up as workloads.
      const kind = isWorkload(o) ? 'Deployment' : o.kind;
      this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), o]);
      if (kind === 'Deployment') {
        const key = `${o.metadata.namespace}|${o.spec?.template?.metadata?.labels?.app ?? ''}`;
        this.deploymentsByApp.set(key, [...(this.deploymentsByApp.get(key) ?? []), o]);
      }
      if (o.kind === 'DestinationRule' && !this.rulesByHost.has(o.spec?.host)) this.rulesByHost.set(o.spec?.host, o);
    }
  }

  private readonly byKind = new Map<string, Manifest[]>();
  /** Deployments by `namespace|app label`: Service selectors almost always name the app. */
  private readonly deploymentsByApp = new Map<string, Manifest[]>();
  private readonly rulesByHost = new Map<string, Manifest>();
  private servicesByName?: Map<string, Manifest[]>;
  private meshByHost?: Map<string, Manifest>;

  /** A request arriving at the ingress gateway `gateway` (namespace/name or name). */
  public ingress(gateway: string, request: SimulatedRequest = {}): Hop[] {
    const bound = this.of('VirtualService').filter((v) => (v.spec?.gateways ?? []).some((g: string) => g === gateway || g.endsWith(`/${gateway}`)));
    if (bound.length === 0) throw new Error(`no VirtualService is bound to gateway '${gateway}'`);
    // With a Host (or :authority) header, only VirtualServices serving that host apply.
    const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
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
    const ns = svc.metadata.namespace ?? 'default';
    const vs = this.meshVirtualService(service, ns);
    if (!vs) {
      return [{ service, port, weight: 100, deployments: this.pods(svc, {}), rule: 'service' }];
    }
    const http = ['http', 'http2', 'grpc'].includes(protocolOf(svcPort));
    const hops = http ? this.evaluateHttp(vs, request, sourceLabels, port) : this.evaluateTcp(vs, sourceLabels, port);
    if (!hops) throw new Error(`no route of VirtualService '${vs.metadata.name}' matches a call from ${JSON.stringify(sourceLabels)} on port ${port}`);
    return hops;
  }

  /**
   * Every destination a caller could reach on `service`:`port`, whatever its request headers and
   * path: each route whose sourceLabels and port fit the caller, up to the first route that is
   * certain to match. Used to compare routing with authorization.
   */
  public possibleCalls(sourceLabels: Readonly<Record<string, string>>, service: string, port: number, namespace?: string): Hop[] {
    return this.possible(this.service(service, namespace), port, sourceLabels);
  }

  /** Every destination a gateway could send any request to. */
  public possibleIngress(gateway: string): Hop[] {
    return this.of('VirtualService').filter((v) => (v.spec?.gateways ?? []).some((g: string) => g === gateway || g.endsWith(`/${gateway}`)))
      .flatMap((vs) => this.possibleRoutes(vs, {}, undefined, 'http'));
  }

  private possible(svc: Manifest, port: number, source: Readonly<Record<string, string>>): Hop[] {
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name;
    const vs = this.meshVirtualService(name, ns);
    if (!vs) return [{ service: name, port, weight: 100, deployments: this.pods(svc, {}), rule: 'service' }];
    const svcPort = (svc.spec?.ports ?? []).find((p: any) => p.port === port);
    return this.possibleRoutes(vs, source, port, ['http', 'http2', 'grpc'].includes(protocolOf(svcPort ?? {})) ? 'http' : 'tcp');
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

  /** The first mesh-bound VirtualService for a Service (by FQDN, `name.namespace` or short name). */
  private meshVirtualService(name: string, namespace: string): Manifest | undefined {
    if (!this.meshByHost) {
      this.meshByHost = new Map();
      for (const v of this.of('VirtualService')) {
        if (!(v.spec?.gateways ?? ['mesh']).includes('mesh')) continue;
        const vsNs = v.metadata.namespace ?? 'default';
        for (const h of v.spec?.hosts ?? []) {
          const parts = String(h).split('.');
          const key = parts.length === 1 ? `${vsNs}/${parts[0]}` : `${parts[1]}/${parts[0]}`;
          if (parts.length <= 2 || h === `${parts[0]}.${parts[1]}.svc.${this.clusterDomain}`) {
            if (!this.meshByHost.has(key)) this.meshByHost.set(key, v);
          }
        }
      }
    }
    return this.meshByHost.get(`${namespace}/${name}`);
  }

  private of(kind: string): Manifest[] {
    return this.byKind.get(kind) ?? [];
  }

  private service(name: string, namespace?: string): Manifest {
    if (this.servicesByName === undefined) {
      this.servicesByName = new Map();
      for (const x of this.of('Service')) this.servicesByName.set(x.metadata.name, [...(this.servicesByName.get(x.metadata.name) ?? []), x]);
    }
    const svc = (this.servicesByName.get(name) ?? []).find((x) => namespace === undefined || x.metadata.namespace === namespace);
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
    const ns = vs.metadata.namespace ?? 'default';
    return route.map((d) => {
      const host: string = d.destination.host;
      const serviceName = host.split('.')[0];
      const svc = this.service(serviceName, host.includes('.') ? host.split('.')[1] : ns);
      const subsetLabels = d.destination.subset !== undefined ? this.subsetLabels(host, d.destination.subset) : {};
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

  private subsetLabels(host: string, subset: string): Record<string, string> {
    const dr = this.rulesByHost.get(host);
    const s = dr?.spec?.subsets?.find((x: any) => x.name === subset);
    if (!s) throw new Error(`subset '${subset}' of host '${host}' is not defined by any DestinationRule`);
    return s.labels ?? {};
  }

  /** Deployments whose pod template matches the Service selector and the subset labels. */
  private pods(svc: Manifest, subsetLabels: Record<string, string>): string[] {
    const want: Record<string, string> = { ...(svc.spec?.selector ?? {}), ...subsetLabels };
    const candidates = want.app !== undefined ? this.deploymentsByApp.get(`${svc.metadata.namespace}|${want.app}`) ?? [] : this.of('Deployment');
    return candidates
      .filter((d) => d.metadata.namespace === svc.metadata.namespace && (d.spec?.replicas ?? 1) > 0)
      .filter((d) => labelsHold(want, d.spec?.template?.metadata?.labels ?? {}))
      .map((d) => d.metadata.name);
  }
}

/** Istio host matching: exact, `*`, or a `*.suffix` wildcard. */
export function hostMatches(pattern: string, host: string): boolean {
  return pattern === '*' || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1)));
}

function protocolOf(port: any): string {
  return (port.appProtocol ?? String(port.name ?? '').split('-')[0]).toLowerCase();
}

function labelsHold(want: Record<string, string> | undefined, have: Readonly<Record<string, string>>): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have[k] === v);
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
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return Object.entries(m.headers ?? {}).every(([name, cond]) => stringMatch(cond, headers[name.toLowerCase()]));
}
