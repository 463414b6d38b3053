import { MeshContextOptions, resolveMeshContext } from '../model/defaults';
import { authorize, AuthorizationVerdict, workloadPrincipal } from './authorization';
import { Manifest, namespaceOf, podLabels } from './manifest';
import { ManifestIndex } from './manifest-index';
import { Hop, SimulatedRequest, TrafficSimulator } from './traffic-simulator';

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
  /** Namespace of the Service. */
  readonly namespace: string;
  readonly port: number;
  /** The environment variable it was inferred from. */
  readonly env: string;
}

/**
 * Follows a request from an ingress gateway through the mesh, evaluating the synthesized
 * objects (VirtualService match order, regexes as full matches, sourceLabels, weights, subsets,
 * Service selectors). Calls between workloads are read from the objects too: a container
 * environment variable whose value names a Service is a call to it.
 */
export function explainRequest(manifests: readonly Manifest[], request: SimulatedRequest = {}, gateway?: string, options: MeshContextOptions = {}): Explanation {
  const context = resolveMeshContext(options);
  const index = ManifestIndex.of(manifests, context.clusterDomain);
  const gw = gateway ?? onlyGateway(index);
  const sim = new TrafficSimulator(manifests, context.clusterDomain);
  const hasPolicies = index.ofKind('AuthorizationPolicy').length > 0;
  const follow = (hop: Hop, parentShare: number, seen: readonly string[], caller: string): ExplainNode => {
    const share = round((parentShare * hop.weight) / 100);
    const deployment = hop.deployments[0];
    const target = deployment !== undefined ? index.workload(deployment) : undefined;
    const labels = target ? podLabels(target) : {};
    const authorization = hasPolicies && target ? authorize(manifests, namespaceOf(target), labels, caller, hop.port) : undefined;
    const own = target ? workloadPrincipal(target, context.trustDomain) : '';
    const svcPort = (index.services.find((s) => s.metadata.name === hop.service)?.spec?.ports ?? []).find((p: any) => p.port === hop.port);
    const calls = deployment && !seen.includes(deployment) && hop.weight > 0 && authorization?.allowed !== false
      ? inferCalls(manifests, deployment, context.clusterDomain)
        .flatMap((c) => sim.call(labels, c.service, c.port, {}, c.namespace).map((h) => follow(h, share, [...seen, deployment], own)))
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
  return { gateway: gw, request, hops: sim.ingress(gw, request).map((h) => follow(h, 100, [], context.ingressPrincipal)) };
}

/**
 * The calls a workload makes: env values naming a Service (short name, `name.namespace`, or
 * fully qualified); the port from `<PREFIX>_PORT`, the only port, or the port named after the variable.
 */
export function inferCalls(manifests: readonly Manifest[], workload: string, clusterDomain?: string): InferredCall[] {
  const index = ManifestIndex.of(manifests, clusterDomain);
  const d = index.workload(workload);
  if (!d) throw new Error(`no Deployment or Rollout '${workload}'`);
  const ns = namespaceOf(d);
  const calls: InferredCall[] = [];
  for (const c of d.spec?.template?.spec?.containers ?? []) {
    const env: any[] = c.env ?? [];
    for (const e of env) {
      if (typeof e.value !== 'string') continue;
      const svc = index.serviceForHost(e.value.split(':')[0], ns);
      if (!svc || (namespaceOf(svc) === ns && svc.metadata.name === podLabels(d).app)) continue;
      const ports: any[] = svc.spec.ports ?? [];
      const prefix = String(e.name).replace(/_(HOST|HOSTNAME|ADDR|ADDRESS|SERVICE|URL)$/i, '');
      const explicit = Number(env.find((x) => x.name === `${prefix}_PORT`)?.value ?? e.value.split(':')[1]);
      const token = prefix.toLowerCase();
      const port = ports.find((p) => p.port === explicit)
        ?? (ports.length === 1 ? ports[0] : ports.find((p) => String(p.name ?? '').toLowerCase().split('-').includes(token)));
      if (!port) {
        throw new Error(`${workload}: env ${e.name}=${e.value} names Service '${svc.metadata.name}', which has ports ${ports.map((p) => p.port).join(', ')}; set ${prefix}_PORT or name the port '<protocol>-${token}'`);
      }
      calls.push({ service: svc.metadata.name, namespace: namespaceOf(svc), port: port.port, env: e.name });
    }
  }
  return calls;
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

function onlyGateway(index: ManifestIndex): string {
  const gws = index.ofKind('Gateway');
  if (gws.length !== 1) throw new Error(`the stage has ${gws.length} Gateways: name the one to enter through`);
  return gws[0].metadata.name;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
