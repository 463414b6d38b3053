import { authorize, AuthorizationVerdict, DEFAULT_INGRESS_GATEWAY_PRINCIPAL, deploymentPrincipal, IdentityOptions } from './authorization';
import { Hop, isWorkload, Manifest, SimulatedRequest, TrafficSimulator } from './traffic-simulator';

/** One workload a request (or a share of it) reaches, and the calls it makes from there. */
export interface ExplainNode {
  /** `app` label of the pods. */
  readonly component: string;
  /** `version` label of the pods. @default - unversioned */
  readonly version?: string;
  /** Deployments whose pods serve this hop. */
  readonly deployments: readonly string[];
  /** Service, subset and port the hop went to. */
  readonly service: string;
  readonly subset?: string;
  readonly port: number;
  /** Protocol of the Service port (`http`, `tcp`). */
  readonly protocol: string;
  /** Percentage of the caller's requests taking this hop. */
  readonly weight: number;
  /** Percentage of the original requests reaching this hop (product of the weights on the path). */
  readonly share: number;
  /** The VirtualService route that decided, `<name>/<route>`, or `service` without one. */
  readonly rule: string;
  /** Whether Istio authorization lets the caller make this hop (present when the stage has AuthorizationPolicies). */
  readonly authorization?: AuthorizationVerdict;
  /** Calls this workload makes, each routed as its own mesh request. */
  readonly calls: readonly ExplainNode[];
}

/** The path of one entry request through a stage. */
export interface Explanation {
  readonly gateway: string;
  readonly request: SimulatedRequest;
  readonly hops: readonly ExplainNode[];
}

/** A call a workload makes, inferred from its container environment. */
export interface InferredCall {
  readonly service: string;
  readonly port: number;
  /** The environment variable it was inferred from. */
  readonly env: string;
}

/**
 * Follows a request from an ingress gateway through the mesh, evaluating the synthesized
 * objects (VirtualService match order, regexes as full matches, sourceLabels, weights, subsets,
 * Service selectors). Calls between workloads are read from the objects too: a container
 * environment variable whose value names a Service of the namespace is a call to it.
 */
export function explainRequest(manifests: readonly Manifest[], request: SimulatedRequest = {}, gateway?: string, identity: IdentityOptions = {}): Explanation {
  const gw = gateway ?? onlyGateway(manifests);
  const sim = new TrafficSimulator(manifests);
  const hasPolicies = manifests.some((m) => m.kind === 'AuthorizationPolicy');
  const follow = (hop: Hop, parentShare: number, seen: readonly string[], principal: string): ExplainNode => {
    const share = round((parentShare * hop.weight) / 100);
    const deployment = hop.deployments[0];
    const labels = deployment ? podLabels(manifests, deployment) : {};
    const target = deployment ? workload(manifests, deployment) : undefined;
    const authorization = hasPolicies && target ? authorize(manifests, target.metadata.namespace ?? 'default', labels, principal, hop.port) : undefined;
    const own = target ? deploymentPrincipal(target, identity.trustDomain) : '';
    const svcPort = serviceOf(manifests, hop.service).spec.ports.find((p: any) => p.port === hop.port);
    const calls = deployment && !seen.includes(deployment) && hop.weight > 0 && authorization?.allowed !== false
      ? inferCalls(manifests, deployment).flatMap((c) => sim.call(labels, c.service, c.port).map((h) => follow(h, share, [...seen, deployment], own)))
      : [];
    return {
      component: labels.app ?? hop.service,
      ...(labels.version !== undefined ? { version: labels.version } : {}),
      deployments: hop.deployments,
      service: hop.service,
      ...(hop.subset !== undefined ? { subset: hop.subset } : {}),
      port: hop.port,
      protocol: String(svcPort?.appProtocol ?? String(svcPort?.name ?? 'tcp').split('-')[0]),
      weight: hop.weight,
      share,
      rule: hop.rule,
      ...(authorization ? { authorization } : {}),
      calls,
    };
  };
  const ingress = identity.ingressPrincipal ?? DEFAULT_INGRESS_GATEWAY_PRINCIPAL;
  return { gateway: gw, request, hops: sim.ingress(gw, request).map((h) => follow(h, 100, [], ingress)) };
}

/** The calls a Deployment makes: env values naming a Service; the port from `<PREFIX>_PORT`, the only port, or the port named after the variable. */
export function inferCalls(manifests: readonly Manifest[], deployment: string): InferredCall[] {
  const index = indexOf(manifests);
  const d = index.deployments.get(deployment);
  if (!d) throw new Error(`no Deployment '${deployment}'`);
  const ns = d.metadata.namespace;
  const calls: InferredCall[] = [];
  for (const c of d.spec?.template?.spec?.containers ?? []) {
    const env: any[] = c.env ?? [];
    for (const e of env) {
      if (typeof e.value !== 'string') continue;
      const host = e.value.split(':')[0];
      const [name, hostNs = ns, ...rest] = host.split('.');
      if (hostNs !== ns || (rest.length > 0 && rest.join('.') !== 'svc' && rest.join('.') !== 'svc.cluster.local')) continue;
      const svc = index.services.get(`${ns}/${name}`);
      if (!svc || svc.metadata.name === d.spec?.template?.metadata?.labels?.app) continue;
      const ports: any[] = svc.spec.ports ?? [];
      const prefix = String(e.name).replace(/_(HOST|HOSTNAME|ADDR|ADDRESS|SERVICE|URL)$/i, '');
      const explicit = Number(env.find((x) => x.name === `${prefix}_PORT`)?.value ?? e.value.split(':')[1]);
      const token = prefix.toLowerCase();
      const port = ports.find((p) => p.port === explicit)
        ?? (ports.length === 1 ? ports[0] : ports.find((p) => String(p.name ?? '').toLowerCase().split('-').includes(token)));
      if (!port) {
        throw new Error(`${deployment}: env ${e.name}=${e.value} names Service '${svc.metadata.name}', which has ports ${ports.map((p) => p.port).join(', ')}; set ${prefix}_PORT or name the port '<protocol>-${token}'`);
      }
      calls.push({ service: svc.metadata.name, port: port.port, env: e.name });
    }
  }
  return calls;
}

/** Deployments by name and Services by `namespace/name`, built once per manifest list. */
const indexes = new WeakMap<readonly Manifest[], { deployments: Map<string, Manifest>; services: Map<string, Manifest> }>();
function indexOf(manifests: readonly Manifest[]) {
  let index = indexes.get(manifests);
  if (!index) {
    index = { deployments: new Map(), services: new Map() };
    for (const m of manifests) {
      if (isWorkload(m) && !index.deployments.has(m.metadata.name)) index.deployments.set(m.metadata.name, m);
      if (m.kind === 'Service') index.services.set(`${m.metadata.namespace}/${m.metadata.name}`, m);
    }
    indexes.set(manifests, index);
  }
  return index;
}

/** Renders an explanation as an indented tree, one hop per line. */
export function formatExplanation(stage: string, e: Explanation): string {
  const req = e.request;
  const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  const lines = [`${stage}: GET ${req.path ?? '/'}${headers.length > 0 ? ` (${headers.join('; ')})` : ''}`, `gateway ${e.gateway}`];
  const walk = (nodes: readonly ExplainNode[], indent: string): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      const what = `${n.component}${n.version !== undefined ? ` ${n.version}` : ''}`;
      const where = [n.deployments.join(', ') || 'NO PODS', n.subset !== undefined ? `subset ${n.subset}` : 'no subset', `port ${n.port}/${n.protocol}`].join(', ');
      const share = n.share === n.weight ? `${n.share}%` : `${n.weight}% (${n.share}% of all)`;
      const denied = n.authorization?.allowed === false ? ` DENIED: ${n.authorization.reason}` : '';
      lines.push(`${indent}${last ? '└─' : '├─'} ${share} → ${what} [${where}] via ${n.rule}${denied}`);
      walk(n.calls, `${indent}${last ? '   ' : '│  '}`);
    });
  };
  walk(e.hops, '');
  return lines.join('\n');
}

function onlyGateway(manifests: readonly Manifest[]): string {
  const gws = manifests.filter((m) => m.kind === 'Gateway');
  if (gws.length !== 1) throw new Error(`the stage has ${gws.length} Gateways: name the one to enter through`);
  return gws[0].metadata.name;
}

/** A Deployment or Rollout by name. */
function workload(manifests: readonly Manifest[], name: string): Manifest {
  const w = indexOf(manifests).deployments.get(name);
  if (!w) throw new Error(`no Deployment or Rollout '${name}'`);
  return w;
}

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} '${name}'`);
  return m;
}

function serviceOf(manifests: readonly Manifest[], name: string): Manifest {
  return find(manifests, 'Service', name);
}

function podLabels(manifests: readonly Manifest[], deployment: string): Record<string, string> {
  return workload(manifests, deployment).spec?.template?.metadata?.labels ?? {};
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
