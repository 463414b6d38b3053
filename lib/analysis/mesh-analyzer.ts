import { MeshContext, MeshContextOptions, resolveMeshContext } from '../model/defaults';
import { ISTIO_PROXY_UID } from '../resolve/validate-application';
import { authorize, workloadPrincipal } from './authorization';
import { inferCalls } from './explain';
import { Manifest, namespaceOf, objectKey } from './manifest';
import { ManifestIndex } from './manifest-index';
import { hostMatches, Hop, TrafficSimulator } from './traffic-simulator';

/** How bad a finding is: errors fail synth, warnings are printed. */
export type Severity = 'error' | 'warning';

/** One analyzer finding, in the spirit of `istioctl analyze`. */
export interface Finding {
  /** Istio analyzer code where one exists (IST0101), else a project code (VM0001). */
  readonly code: string;
  readonly severity: Severity;
  /** `Kind namespace/name`. */
  readonly object: string;
  /** Path of the offending field. */
  readonly field: string;
  readonly message: string;
}

/** Renders a finding on one line. */
export function formatFinding(f: Finding): string {
  return `${f.code} [${f.severity}] ${f.object} ${f.field}: ${f.message}`;
}

/** Ports of server-first protocols: the server speaks first, so Istio must not wait to sniff them. */
const SERVER_FIRST_PORTS: Readonly<Record<number, string>> = { 3306: 'MySQL', 6379: 'Redis', 25: 'SMTP', 27017: 'MongoDB' };
const ISTIO_PROTOCOLS = ['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'udp', 'mongo', 'mysql', 'redis'];


/** The Istio protocol of a Service port (appProtocol wins over the name prefix), or undefined. */
export function portProtocol(port: any): string | undefined {
  const candidates = [port.appProtocol, String(port.name ?? '').split('-')[0]].map((p) => (p ? String(p).toLowerCase() : undefined));
  return candidates.find((p) => p !== undefined && ISTIO_PROTOCOLS.includes(p));
}

/**
 * Checks a set of objects (one stage) for the mistakes `istioctl analyze` reports and a few
 * it does not: dangling hosts and subsets, empty subsets, conflicting or shadowed routes,
 * weights, ports, gateway binding, protocols, mTLS consistency, injection and the proxy UID.
 */
export function analyzeMesh(manifests: readonly Manifest[], options: AnalyzeOptions = {}): Finding[] {
  return new MeshAnalyzer(manifests, options).run();
}

/** Options of {@link analyzeMesh}: the cluster and identities the objects run with. */
export type AnalyzeOptions = MeshContextOptions;

class MeshAnalyzer {
  private readonly findings: Finding[] = [];
  private readonly index: ManifestIndex;
  private readonly context: MeshContext;
  private readonly services: readonly Manifest[];
  private readonly deployments: readonly Manifest[];
  private readonly rules: readonly Manifest[];
  private readonly virtualServices: readonly Manifest[];
  private readonly gateways: readonly Manifest[];
  private readonly strict: boolean;

  constructor(private readonly objects: readonly Manifest[], options: AnalyzeOptions) {
    this.context = resolveMeshContext(options);
    this.index = ManifestIndex.of(objects, this.context.clusterDomain);
    this.services = this.index.services;
    this.deployments = this.index.workloads;
    this.rules = this.index.ofKind('DestinationRule');
    this.virtualServices = this.index.ofKind('VirtualService');
    this.gateways = this.index.ofKind('Gateway');
    this.strict = this.index.ofKind('PeerAuthentication').some((m) => !m.spec?.selector && m.spec?.mtls?.mode === 'STRICT');
  }

  run(): Finding[] {
    this.virtualServices.forEach((vs) => this.checkVirtualService(vs));
    this.checkConflictingVirtualServices();
    this.rules.forEach((dr) => this.checkDestinationRule(dr));
    this.services.forEach((svc) => this.checkServicePorts(svc));
    this.checkNamespaces();
    this.deployments.forEach((d) => this.checkProxyUid(d));
    this.checkAuthorization();
    return this.findings;
  }

  private add(code: string, severity: Severity, m: Manifest, field: string, message: string): void {
    this.findings.push({ code, severity, object: objectKey(m), field, message });
  }

  /** Service for a host: FQDN, `name.namespace` or a short name relative to `namespace`. */
  private service(host: string, namespace: string | undefined): Manifest | undefined {
    return this.index.serviceForHost(host, namespace ?? 'default');
  }

  private subsets(host: string, namespace: string | undefined): ReadonlyMap<string, Record<string, string>> | undefined {
    const svc = this.service(host, namespace);
    return svc ? this.index.subsets(svc) : undefined;
  }

  private podsFor(svc: Manifest, labels: Record<string, string>): Manifest[] {
    return this.index.podsBehind(svc, labels);
  }

  private checkVirtualService(vs: Manifest): void {
    const ns = vs.metadata.namespace;
    const gateways: string[] = vs.spec?.gateways ?? ['mesh'];
    const meshBound = gateways.includes('mesh');
    for (const proto of ['http', 'tcp', 'tls'] as const) {
      const routes: any[] = vs.spec?.[proto] ?? [];
      let catchAll: number | undefined;
      const seenMatches = new Map<string, number>();
      routes.forEach((r, i) => {
        const field = `spec.${proto}[${i}]`;
        const matches: any[] | undefined = r.match;
        if (catchAll !== undefined) {
          this.add(proto === 'http' ? 'IST0130' : 'IST0131', 'error', vs, field,
            `route ${r.name ? `'${r.name}' ` : ''}can never match: route ${catchAll} before it matches every request`);
        }
        if (!matches || matches.length === 0 || matches.some((m) => isCatchAll(m))) catchAll ??= i;
        (matches ?? []).forEach((m, j) => {
          const key = JSON.stringify(m);
          if (seenMatches.has(key)) {
            this.add('IST0131', 'warning', vs, `${field}.match[${j}]`, `repeats a match of route ${seenMatches.get(key)} and never takes effect`);
          } else {
            seenMatches.set(key, i);
          }
          if (m.sourceLabels !== undefined && !meshBound) {
            this.add('VM0001', 'error', vs, `${field}.match[${j}].sourceLabels`,
              `sourceLabels only match sidecar (mesh) callers, but this VirtualService is bound to ${gateways.join(', ')} only: move lane pinning to a mesh VirtualService`);
          }
        });
        this.checkDestinations(vs, r.route ?? [], field, ns);
      });
    }
    if (!meshBound) this.checkGatewayHosts(vs, gateways);
  }

  private checkDestinations(vs: Manifest, route: any[], field: string, ns: string | undefined): void {
    if (route.length > 1 || route.some((d) => d.weight !== undefined)) {
      const total = route.reduce((sum, d) => sum + (d.weight ?? 0), 0);
      if (route.length > 1 && total !== 100) this.add('VM0002', 'error', vs, `${field}.route`, `weights sum to ${total}, not 100`);
      if (route.length === 1 && route[0].weight !== 100 && route[0].weight !== 0) {
        this.add('VM0002', 'error', vs, `${field}.route[0].weight`, `a single destination has weight ${route[0].weight}, not 100`);
      }
    }
    route.forEach((d, k) => {
      const at = `${field}.route[${k}].destination`;
      const host: string = d.destination?.host ?? '';
      const svc = this.service(host, ns);
      if (!svc) {
        this.add('IST0101', 'error', vs, `${at}.host`, `host '${host}' is not a Service in this stage`);
        return;
      }
      const ports: any[] = svc.spec?.ports ?? [];
      const port = d.destination?.port?.number;
      if (port === undefined && ports.length > 1) {
        this.add('IST0112', 'error', vs, `${at}.port`, `Service '${svc.metadata.name}' has ${ports.length} ports, so the destination must name one`);
      } else if (port !== undefined && !ports.some((p) => p.port === port)) {
        this.add('IST0101', 'error', vs, `${at}.port`, `port ${port} is not a port of Service '${svc.metadata.name}'`);
      }
      if (d.destination?.subset !== undefined) {
        const subsets = this.subsets(host, ns);
        const labels = subsets?.get(d.destination.subset);
        if (!labels) {
          this.add('IST0101', 'error', vs, `${at}.subset`, `subset '${d.destination.subset}' of '${host}' is not defined by a DestinationRule`);
        } else if (this.podsFor(svc, labels).length === 0) {
          this.add('IST0173', 'error', vs, `${at}.subset`, `subset '${d.destination.subset}' selects no Deployment's pods, so the route returns 503`);
        }
      } else if (this.podsFor(svc, {}).length === 0) {
        this.add('IST0173', 'error', vs, `${at}.host`, `Service '${svc.metadata.name}' selects no Deployment's pods`);
      }
    });
  }

  private checkGatewayHosts(vs: Manifest, gateways: string[]): void {
    for (const [g, name] of gateways.entries()) {
      const gwName = name.includes('/') ? name.split('/')[1] : name;
      const gwNs = name.includes('/') ? name.split('/')[0] : vs.metadata.namespace;
      const gw = this.gateways.find((x) => x.metadata.name === gwName && x.metadata.namespace === gwNs);
      if (!gw) {
        this.add('IST0101', 'error', vs, `spec.gateways[${g}]`, `Gateway '${name}' is not defined in this stage`);
        continue;
      }
      const served: string[] = (gw.spec?.servers ?? []).flatMap((s: any) => s.hosts ?? []).map((h: string) => (h.includes('/') ? h.split('/')[1] : h));
      (vs.spec?.hosts ?? []).forEach((h: string, i: number) => {
        if (!served.some((pattern) => hostMatches(pattern, h))) {
          this.add('IST0132', 'error', vs, `spec.hosts[${i}]`, `host '${h}' is not served by Gateway '${name}' (hosts: ${served.join(', ')})`);
        }
      });
    }
  }

  private checkConflictingVirtualServices(): void {
    const byHost = new Map<string, Manifest>();
    for (const vs of this.virtualServices.filter((v) => (v.spec?.gateways ?? ['mesh']).includes('mesh'))) {
      (vs.spec?.hosts ?? []).forEach((h: string, i: number) => {
        const svc = this.service(h, vs.metadata.namespace);
        const key = svc ? `svc:${svc.metadata.namespace}/${svc.metadata.name}` : `host:${h}`;
        const other = byHost.get(key);
        if (other && other !== vs) {
          this.add('IST0109', 'error', vs, `spec.hosts[${i}]`, `host '${h}' is also routed by ${objectKey(other)} for mesh traffic; Istio would merge them unpredictably`);
        } else {
          byHost.set(key, vs);
        }
      });
    }
  }

  private checkDestinationRule(dr: Manifest): void {
    const host: string = dr.spec?.host ?? '';
    const svc = this.service(host, dr.metadata.namespace);
    if (!svc) {
      this.add('IST0174', 'error', dr, 'spec.host', `host '${host}' is not a Service in this stage`);
    }
    (dr.spec?.subsets ?? []).forEach((s: any, i: number) => {
      if (svc && this.podsFor(svc, s.labels ?? {}).length === 0) {
        this.add('IST0173', 'warning', dr, `spec.subsets[${i}]`, `subset '${s.name}' selects no Deployment's pods`);
      }
    });
    const mode = dr.spec?.trafficPolicy?.tls?.mode;
    if (this.strict && mode !== undefined && mode !== 'ISTIO_MUTUAL') {
      this.add('VM0003', 'error', dr, 'spec.trafficPolicy.tls.mode',
        `'${mode}' contradicts the namespace's STRICT PeerAuthentication: servers only accept Istio mTLS; use ISTIO_MUTUAL or leave it unset`);
    }
  }

  private checkServicePorts(svc: Manifest): void {
    (svc.spec?.ports ?? []).forEach((p: any, i: number) => {
      const proto = portProtocol(p);
      if (!proto) {
        this.add('IST0118', 'warning', svc, `spec.ports[${i}]`,
          `port ${p.port} '${p.name ?? ''}' declares no Istio protocol (name prefix or appProtocol); Istio will sniff it`);
      }
      const serverFirst = SERVER_FIRST_PORTS[p.port];
      if (serverFirst && this.strict && proto !== 'tcp') {
        this.add('VM0004', 'error', svc, `spec.ports[${i}]`,
          `port ${p.port} carries ${serverFirst}, a server-first protocol; under STRICT mTLS declare it as TCP (appProtocol: tcp, name 'tcp-...')`);
      }
    });
  }

  private checkNamespaces(): void {
    const namespaces = new Set(this.objects.map((m) => m.metadata.namespace).filter((n): n is string => n !== undefined));
    for (const ns of namespaces) {
      const obj = this.objects.find((m) => m.kind === 'Namespace' && m.metadata.name === ns);
      if (!obj) continue;
      const labels = obj.metadata.labels ?? {};
      if (labels['istio-injection'] !== 'enabled' && labels['istio.io/rev'] === undefined) {
        this.add('IST0102', 'error', obj, 'metadata.labels', `namespace '${ns}' is not labelled for sidecar injection (istio-injection=enabled)`);
      }
    }
  }

  /**
   * Routing and authorization must agree: every call some route can send (gateway to entry
   * workload, and each workload to the Services its environment names) must be allowed by the
   * AuthorizationPolicies (error), and every allowance should be used by some route (warning).
   */
  private checkAuthorization(): void {
    const policies = this.index.ofKind('AuthorizationPolicy');
    if (policies.length === 0) return;
    const sim = new TrafficSimulator(this.objects, this.context.clusterDomain);
    const trust = this.context.trustDomain;
    const edges: { from: string; principal: string; hop: Hop }[] = [];
    for (const gw of this.gateways) {
      for (const hop of sim.possibleIngress(gw.metadata.name)) {
        edges.push({ from: `Gateway ${gw.metadata.name}`, principal: this.context.ingressPrincipal, hop });
      }
      // Mirrored copies are calls too: the gateway sends them to the mirror's pods.
      for (const vs of this.virtualServices.filter((v) => (v.spec?.gateways ?? []).some((g: string) => g === gw.metadata.name || g.endsWith(`/${gw.metadata.name}`)))) {
        (vs.spec?.http ?? []).forEach((r: any, i: number) => {
          if (!r.mirror) return;
          const svc = this.service(r.mirror.host, vs.metadata.namespace);
          const labels = svc && r.mirror.subset !== undefined ? this.index.subsets(svc)?.get(r.mirror.subset) : {};
          if (!svc || !labels) return;
          const port = r.mirror.port?.number ?? svc.spec?.ports?.[0]?.port;
          const deployments = this.index.podsBehind(svc, labels, true).map((d) => d.metadata.name);
          edges.push({ from: `Gateway ${gw.metadata.name}`, principal: this.context.ingressPrincipal,
            hop: { service: svc.metadata.name, port, weight: r.mirrorPercentage?.value ?? 100, deployments, rule: `${vs.metadata.name}/${r.name ?? i} (mirror)` } });
        });
      }
    }
    for (const d of this.deployments) {
      let calls;
      try {
        calls = inferCalls(this.objects, d.metadata.name, this.context.clusterDomain);
      } catch (err) {
        this.add('VM0007', 'warning', d, 'spec.template.spec.containers', (err as Error).message);
        continue;
      }
      const labels = d.spec?.template?.metadata?.labels ?? {};
      for (const c of calls) {
        for (const hop of sim.possibleCalls(labels, c.service, c.port, c.namespace)) {
          edges.push({ from: objectKey(d), principal: workloadPrincipal(d, trust), hop });
        }
      }
    }
    // Only workloads some request reaches (from a gateway, hop by hop) make calls that matter: a
    // version kept idle for rollback is meant to reach nothing, so its denied calls are the policy
    // working, not a conflict between routing and authorization.
    const served = new Set<string>();
    const callsOf = new Map<string, string[]>();
    for (const e of edges) if (e.hop.weight > 0) callsOf.set(e.from, [...(callsOf.get(e.from) ?? []), ...e.hop.deployments]);
    const queue = edges.filter((e) => e.from.startsWith('Gateway ') && e.hop.weight > 0).flatMap((e) => e.hop.deployments);
    for (let i = 0; i < queue.length; i++) {
      if (served.has(queue[i])) continue;
      served.add(queue[i]);
      queue.push(...(callsOf.get(objectKey(this.index.workload(queue[i])!)) ?? []));
    }
    const used = new Set<string>();
    for (const e of edges) {
      if (!e.from.startsWith('Gateway ') && !served.has(e.from.replace(/^\S+ [^/]+\//, ''))) continue;
      if (e.hop.weight === 0) continue; // a destination at weight 0 receives nothing
      for (const target of e.hop.deployments) {
        const pod = this.index.workload(target)!;
        const podLabels = pod.spec?.template?.metadata?.labels ?? {};
        const verdict = authorize(this.objects, pod.metadata.namespace ?? 'default', podLabels, e.principal, e.hop.port);
        used.add(`${e.principal}|${pod.metadata.name}|${e.hop.port}`);
        if (!verdict.allowed) {
          this.add('VM0005', 'error', pod, 'AuthorizationPolicy',
            `routing sends ${e.from} (${e.principal}) to it on port ${e.hop.port} via ${e.hop.rule}, but authorization denies it: ${verdict.reason}`);
        }
      }
    }
    for (const p of policies.filter((x) => (x.spec?.action ?? 'ALLOW') === 'ALLOW')) {
      const pods = this.index.workloadsSelected(namespaceOf(p), p.spec?.selector?.matchLabels ?? {});
      (p.spec?.rules ?? []).forEach((rule: any, i: number) => {
        const principals: string[] = (rule.from ?? []).flatMap((f: any) => f.source?.principals ?? []);
        const ports: string[] = (rule.to ?? []).flatMap((t: any) => t.operation?.ports ?? []);
        for (const principal of principals) {
          for (const port of ports) {
            if (!pods.some((d) => used.has(`${principal}|${d.metadata.name}|${port}`))) {
              this.add('VM0006', 'warning', p, `spec.rules[${i}]`, `allows ${principal} on port ${port}, but no route sends it there`);
            }
          }
        }
      });
    }
  }

  private checkProxyUid(d: Manifest): void {
    const spec = d.spec?.template?.spec ?? {};
    const uid = (ctx: any) => ctx?.runAsUser;
    if (uid(spec.securityContext) === ISTIO_PROXY_UID) {
      this.add('IST0144', 'error', d, 'spec.template.spec.securityContext.runAsUser', `runs as UID ${ISTIO_PROXY_UID}, the sidecar's UID: its traffic bypasses the proxy`);
    }
    (spec.containers ?? []).forEach((c: any, i: number) => {
      if (uid(c.securityContext) === ISTIO_PROXY_UID) {
        this.add('IST0144', 'error', d, `spec.template.spec.containers[${i}].securityContext.runAsUser`, `runs as UID ${ISTIO_PROXY_UID}, the sidecar's UID: its traffic bypasses the proxy`);
      }
    });
  }
}

/** A match that holds for every request: nothing but `uri: prefix: /` (or nothing at all). */
function isCatchAll(m: any): boolean {
  const keys = Object.keys(m ?? {}).filter((k) => k !== 'name');
  return keys.length === 0 || (keys.length === 1 && m.uri?.prefix === '/');
}

