import type { MeshContext, MeshContextOptions } from '../model/defaults';
import { principal, resolveMeshContext } from '../model/defaults';
import { CallTargetError } from './target-error';
import { gatewayDeploymentName } from '../model/names';
import type { AuthorizationVerdict, AuthorizedRequest } from './authorization';
import { authorize, authorizeAtWaypoint, workloadPrincipal } from './authorization';
import type { Manifest } from './manifest';
import { namespaceOf, podLabels, podTemplate } from './manifest';
import { containersOf, objectsAt, stringMapAt } from './manifest-kinds';
import { ManifestIndex } from './manifest-index';
import type { CallTarget } from './call-target';
import { resolveCallTarget } from './call-target';
import { apiGateways } from './routing/gateway-api';
import {
  INGRESS_USE_WAYPOINT_LABEL,
  namespaceLabelsOf,
  podInAmbient,
  waypointAccepts,
  waypointOf,
} from './ambient-mode';
import type { Hop, HopMirror, SimulatedRequest } from './traffic-simulator';
import { TrafficSimulator } from './traffic-simulator';

export { formatCallExplanation, formatExplanation } from './explain-format';

export type {
  CallExplanation,
  ExplainMirror,
  ExplainNode,
  Explanation,
  ExplainOptions,
  InferredCall,
} from './explain-types';
import type {
  CallExplanation,
  ExplainMirror,
  ExplainNode,
  Explanation,
  ExplainOptions,
  InferredCall,
} from './explain-types';

/**
 * Follows a request from an ingress gateway through the mesh, evaluating the objects as Istio
 * routes them (see {@link TrafficSimulator}: Gateway servers and hosts, VirtualService match order
 * and every match field, RE2 regexes, relative weights, merged DestinationRule subsets narrowing
 * the Service selector). Calls between workloads are read from the objects too: a container
 * environment variable whose value names a Service is a call to it, made from the workload's namespace.
 * Fields the simulator does not evaluate are listed on each hop (`notModelled`).
 */
export function explainRequest(
  manifests: readonly Manifest[],
  request: SimulatedRequest = {},
  gateway?: string,
  options: ExplainOptions = {},
): Explanation {
  const context = resolveMeshContext(options);
  const index = ManifestIndex.of(manifests, context.clusterDomain);
  const gw = gateway ?? onlyGateway(index);
  const sim = new TrafficSimulator(manifests, { clusterDomain: context.clusterDomain, istioDefaults: true });
  const headersPropagated = options.propagateHeaders ?? false;
  const follow = follower(manifests, index, context, sim, headersPropagated ? request.headers : undefined);
  // A Gateway API Gateway's pods run as Istio's automated deployment's ServiceAccount `<name>-istio`, unless the context names the ingress identity.
  const api = options.ingressPrincipal === undefined ? apiGatewayNamed(index, gw) : undefined;
  const entry = api
    ? principal(context.trustDomain, namespaceOf(api), gatewayDeploymentName(api.metadata.name))
    : context.ingressPrincipal;
  const viaOf = (h: Hop) => {
    const svc =
      h.answer === undefined
        ? index.services.find(
            (s) =>
              s.metadata.name === h.service &&
              h.deployments.some((d) => namespaceOf(index.workload(d) ?? s) === namespaceOf(s)),
          )
        : undefined;
    return svc ? waypointVia(index, 'ingress', svc, context.trustDomain, h.port) : undefined;
  };
  return {
    gateway: gw,
    request,
    headersPropagated,
    hops: routed(sim.ingress(gw, request)).map((h) => follow(h, 100, [], entry, viaOf(h), authorizedRequest(request))),
  };
}

/**
 * Follows one call from the pods of workload `fromWorkload` (name or `namespace/name`): their
 * labels (sourceLabels), namespace (sourceNamespace, exportTo) and ServiceAccount principal, to
 * Service `service` (short name in the caller's namespace, `name.namespace`, or fully qualified)
 * on `port` (default: the Service's only port), then on through the calls of the workloads it
 * reaches. With AuthorizationPolicies each hop carries the verdict, so a cross-lane call shows
 * as denied. Throws an Error naming the choices for an unknown workload, Service or port.
 */
export function explainCall(
  manifests: readonly Manifest[],
  fromWorkload: string,
  service: string,
  port?: number,
  options: MeshContextOptions = {},
  request: SimulatedRequest = {},
): CallExplanation {
  const context = resolveMeshContext(options);
  const index = ManifestIndex.of(manifests, context.clusterDomain);
  const source = callingWorkload(index, fromWorkload);
  const ns = namespaceOf(source);
  const resolved = calledTarget(index, service, ns);
  const principal = workloadPrincipal(source, context.trustDomain);
  const sim = new TrafficSimulator(manifests, { clusterDomain: context.clusterDomain, istioDefaults: true });
  const follow = follower(manifests, index, context, sim);
  const direct = (hop: Hop) => ({
    from: { workload: source.metadata.name, namespace: ns, principal },
    service,
    port: hop.port,
    request,
    hops: [follow(hop, 100, [source.metadata.name], principal)],
  });
  // A pod IP, or an ExternalName naming a host outside the manifests: no Service of the manifests routes it.
  if (resolved.pod) return direct(podHop(resolved.pod, port));
  const svc = resolved.svc;
  if (!svc) return direct(unmodelledHop(service, port, resolved.notes));
  const name = `${svc.metadata.name}.${namespaceOf(svc)}`;
  const target = calledPort(svc, name, port);
  const via = waypointVia(index, source, svc, context.trustDomain);
  const host = request.host ?? resolved.host;
  const hops = routed(
    sim.call(
      {
        sourceLabels: podLabels(source),
        sourceNamespace: ns,
        service: svc.metadata.name,
        namespace: namespaceOf(svc),
        port: target,
      },
      { ...request, ...(host !== undefined ? { host } : {}) },
    ),
  ).map((h) => follow(h, 100, [source.metadata.name], principal, via, authorizedRequest(request)));
  return {
    from: { workload: source.metadata.name, namespace: ns, principal },
    service: name,
    port: target,
    request,
    hops,
  };
}

/** The workload a call is made from (name or `namespace/name`); a CallTargetError naming the choices when none matches. */
function callingWorkload(index: ManifestIndex, fromWorkload: string): Manifest {
  const slash = fromWorkload.indexOf('/');
  const source =
    slash === -1
      ? index.workload(fromWorkload)
      : index.workloads.find(
          (w) => namespaceOf(w) === fromWorkload.slice(0, slash) && w.metadata.name === fromWorkload.slice(slash + 1),
        );
  if (!source)
    throw new CallTargetError(
      `no workload '${fromWorkload}' to call from: name one of ${index.workloads.map((w) => w.metadata.name).join(', ') || '(none)'}`,
    );
  return source;
}

/** What a call to `service` from namespace `ns` reaches; a CallTargetError naming the Services when nothing matches. */
function calledTarget(index: ManifestIndex, service: string, ns: string): CallTarget {
  const resolved = resolveCallTarget(index, service, ns);
  if (!resolved)
    throw new CallTargetError(
      `no Service '${service}' seen from namespace '${ns}': name one of ${index.services.map((x) => `${x.metadata.name}.${namespaceOf(x)}`).join(', ') || '(none)'}, or a Service or pod IP`,
    );
  return resolved;
}

/** The port a call to Service `svc` (named `name`) goes to: `port`, else its only port; a CallTargetError otherwise. */
function calledPort(svc: Manifest, name: string, port: number | undefined): number {
  const ports: number[] = (svc.spec?.ports ?? []).map((p: any) => p.port);
  if (port === undefined && ports.length !== 1)
    throw new CallTargetError(
      `Service ${name} has ports ${ports.join(', ')}: name one, e.g. ${svc.metadata.name}:${ports[0]}`,
    );
  const target = port ?? ports[0];
  if (!ports.includes(target))
    throw new CallTargetError(`Service ${name} has no port ${target}: call one of ${ports.join(', ')}`);
  return target;
}

/** A call no Service of the manifests routes (e.g. an ExternalName to an outside host): answered as not modelled, saying why. */
function unmodelledHop(service: string, port: number | undefined, notes: string[]): Hop {
  return {
    service,
    port: port ?? 0,
    weight: 100,
    deployments: [],
    rule: 'service',
    answer: `not modelled: ${notes.join('; ')}`,
    notModelled: notes,
  };
}

/** What authorization reads of a simulated request: its path and method (GET and / unless given). */
function authorizedRequest(request: SimulatedRequest): AuthorizedRequest {
  return { path: request.path ?? '/', method: request.method ?? 'GET' };
}

/**
 * The simulator's hops, or an Error when Envoy finds no route (404 NR): explain reports a request
 * no route serves as an error naming why, as it always has.
 */
function routed(hops: Hop[]): Hop[] {
  const miss = hops.find((h) => h.noRoute === true);
  if (miss) throw new Error(miss.answer);
  return hops;
}

/** A call to a pod by its IP: the sidecar has no route for it and passes it through to the pod (PassthroughCluster). */
function podHop(pod: Manifest, port: number | undefined): Hop {
  const ports: number[] = (pod.spec?.containers ?? []).flatMap((c: any) =>
    (c.ports ?? []).map((p: any) => p.containerPort),
  );
  const target = port ?? (ports.length === 1 ? ports[0] : undefined);
  if (target === undefined)
    throw new CallTargetError(
      `pod ${namespaceOf(pod)}/${pod.metadata.name} has container ports ${ports.join(', ') || '(none declared)'}: name one, e.g. <pod IP>:8080`,
    );
  return {
    service: pod.metadata.name,
    port: target,
    weight: 100,
    deployments: [pod.metadata.name],
    rule: 'pod IP (no Service: PassthroughCluster)',
  };
}

export { CallTargetError };

/** A call that goes through a waypoint (ambient mode): the waypoint authorizes the caller, the destination's ztunnel the waypoint. */
interface ViaWaypoint {
  /** The waypoint Gateway's namespace and name. */
  readonly namespace: string;
  readonly name: string;
  /** The principal the waypoint presents to the destination. */
  readonly principal: string;
  /** The Service called (its targetRefs policies apply at the waypoint) and the port called. */
  readonly service: Manifest;
  readonly port: number;
}

type Follow = (
  hop: Hop,
  parentShare: number,
  seen: readonly string[],
  caller: string,
  via?: ViaWaypoint,
  request?: AuthorizedRequest,
) => ExplainNode;

/**
 * The waypoint a call from `source` to Service `svc` goes through, if any: the caller's pods are in
 * ambient mode and the Service uses a waypoint (ambient-mode.ts podInAmbient, waypointOf). The
 * waypoint's pods run as the ServiceAccount named after its Gateway.
 */
function waypointVia(
  index: ManifestIndex,
  source: Manifest | 'ingress',
  svc: Manifest,
  trustDomain: string,
  port?: number,
): ViaWaypoint | undefined {
  const labelsOf = namespaceLabelsOf(index);
  // Ingress gateways bypass waypoints unless the Service asks for it (istio.io/ingress-use-waypoint: "true").
  if (
    source === 'ingress'
      ? svc.metadata.labels?.[INGRESS_USE_WAYPOINT_LABEL] !== 'true'
      : !podInAmbient(
          labelsOf,
          namespaceOf(source),
          podLabels(source),
          stringMapAt(podTemplate(source)?.metadata, 'annotations'),
        )
  )
    return undefined;
  const waypoint = waypointOf(labelsOf, svc);
  if (!waypoint || !waypointAccepts(index, waypoint, namespaceOf(svc))) return undefined;
  const [namespace, name] = waypoint.split('/');
  const ports: number[] = (svc.spec?.ports ?? []).map((p: any) => p.port);
  return { namespace, name, principal: principal(trustDomain, namespace, name), service: svc, port: port ?? ports[0] };
}

/** What following hops needs throughout: the manifests, their index and context, the simulator, and the headers workloads forward. */
interface FollowContext {
  readonly manifests: readonly Manifest[];
  readonly index: ManifestIndex;
  readonly context: MeshContext;
  readonly sim: TrafficSimulator;
  readonly propagated: Readonly<Record<string, string>> | undefined;
  /** Whether the manifests have AuthorizationPolicies (without any, no hop carries a verdict). */
  readonly hasPolicies: boolean;
}

/** Turns a hop into a node: its pods, protocol, authorization verdict for `caller`, mirrors, and the calls its workload makes. */
function follower(
  manifests: readonly Manifest[],
  index: ManifestIndex,
  context: MeshContext,
  sim: TrafficSimulator,
  propagated?: Readonly<Record<string, string>>,
): Follow {
  const fc: FollowContext = {
    manifests,
    index,
    context,
    sim,
    propagated,
    hasPolicies: index.ofKind('AuthorizationPolicy').length > 0,
  };
  return (hop, parentShare, seen, caller, via, request) => followHop(fc, hop, parentShare, seen, caller, via, request);
}

/** The destination pods' verdict on `caller` (only when the manifests have AuthorizationPolicies and the hop reaches a workload). */
function verdictOf(
  fc: FollowContext,
  target: Manifest | undefined,
  caller: string,
  port: number,
  request?: AuthorizedRequest,
): AuthorizationVerdict | undefined {
  return fc.hasPolicies && target
    ? authorize(fc.manifests, namespaceOf(target), podLabels(target), caller, port, request)
    : undefined;
}

/** Through a waypoint: its own verdict on the caller (targetRefs policies), then the destination's on the waypoint's identity. */
function verdictVia(
  fc: FollowContext,
  via: ViaWaypoint,
  target: Manifest | undefined,
  caller: string,
  port: number,
  request?: AuthorizedRequest,
): AuthorizationVerdict | undefined {
  if (!fc.hasPolicies || !target) return undefined;
  const atWaypoint = authorizeAtWaypoint(
    fc.manifests,
    namespaceOf(via.service),
    via.name,
    via.service.metadata.name,
    caller,
    via.port,
    request,
  );
  if (!atWaypoint.allowed || atWaypoint.undetermined)
    return { ...atWaypoint, reason: `waypoint ${via.namespace}/${via.name}: ${atWaypoint.reason}` };
  return verdictOf(fc, target, via.principal, port, request);
}

/** The workload's own calls, each routed as a mesh request from its pods (none once denied, or on a cycle). */
function callsOf(
  fc: FollowContext,
  target: Manifest | undefined,
  share: number,
  seen: readonly string[],
  authorization: AuthorizationVerdict | undefined,
): ExplainNode[] {
  if (!target || seen.includes(target.metadata.name) || authorization?.allowed === false) return [];
  const { index, context } = fc;
  const own = workloadPrincipal(target, context.trustDomain);
  return inferCalls(fc.manifests, target.metadata.name, context.clusterDomain).flatMap((c) => {
    const svc = index.service(c.service, c.namespace);
    const via = svc ? waypointVia(index, target, svc, context.trustDomain, c.port) : undefined;
    return routed(
      fc.sim.call(
        {
          sourceLabels: podLabels(target),
          sourceNamespace: namespaceOf(target),
          service: c.service,
          namespace: c.namespace,
          port: c.port,
        },
        fc.propagated ? { headers: fc.propagated } : {},
      ),
    ).map((h) => followHop(fc, h, share, [...seen, target.metadata.name], own, via));
  });
}

/** A mirror of a hop: the mirrored pods, the caller's verdict there, and the real calls they make while serving the copies. */
function mirrorOf(
  fc: FollowContext,
  m: HopMirror,
  caller: string,
  share: number,
  seen: readonly string[],
): ExplainMirror {
  const target = m.deployments[0] !== undefined ? fc.index.workload(m.deployments[0]) : undefined;
  const labels = target ? podLabels(target) : {};
  const authorization = verdictOf(fc, target, caller, m.port);
  return {
    ...m,
    component: labels.app ?? m.service,
    ...(labels.version !== undefined ? { version: labels.version } : {}),
    ...(authorization ? { authorization } : {}),
    calls: m.answer === undefined ? callsOf(fc, target, round((share * m.percent) / 100), seen, authorization) : [],
  };
}

/** One hop's node: its share of the requests, the verdict on `caller` (via the waypoint if any), its calls and mirrors. */
function followHop(
  fc: FollowContext,
  hop: Hop,
  parentShare: number,
  seen: readonly string[],
  caller: string,
  via?: ViaWaypoint,
  request?: AuthorizedRequest,
): ExplainNode {
  const { index } = fc;
  const share = round((parentShare * hop.weight) / 100);
  const deployment = hop.deployments[0];
  const target = deployment !== undefined ? index.workload(deployment) : undefined;
  const labels = target ? podLabels(target) : {};
  // The request (path, method) is known for the first hop only; a rewrite changes what the backend's policies see.
  const seenRequest = request && (hop.request ? { ...request, path: hop.request.path } : request);
  const authorization = via
    ? verdictVia(fc, via, target, caller, hop.port, seenRequest)
    : verdictOf(fc, target, caller, hop.port, seenRequest);
  const services = index.services.filter((s) => s.metadata.name === hop.service);
  const svc = services.find((s) => target !== undefined && namespaceOf(s) === namespaceOf(target)) ?? services[0];
  const calls = hop.weight > 0 ? callsOf(fc, target, share, seen, authorization) : [];
  const mirrors = hop.mirrors?.map((m) => mirrorOf(fc, m, caller, share, seen));
  return { ...nodeOf(index, hop, { labels, svc, via, share, authorization, mirrors }), calls };
}

/** What {@link nodeOf} needs beside the hop: its pods' labels and Service, and what follow decided for it. */
interface NodeParts {
  readonly labels: Readonly<Record<string, string>>;
  readonly svc: Manifest | undefined;
  readonly via: ViaWaypoint | undefined;
  readonly share: number;
  readonly authorization: AuthorizationVerdict | undefined;
  readonly mirrors: ExplainMirror[] | undefined;
}

/** A hop's node without its calls, its fields in the order explain has always written them. */
function nodeOf(index: ManifestIndex, hop: Hop, parts: NodeParts): Omit<ExplainNode, 'calls'> {
  const { labels, svc, via, share, authorization, mirrors } = parts;
  const svcPort = (svc?.spec?.ports ?? []).find((p: any) => p.port === hop.port);
  return {
    component: labels.app ?? hop.service,
    ...(labels.version !== undefined ? { version: labels.version } : {}),
    deployments: hop.deployments,
    service: hop.service,
    ...(hop.subset !== undefined ? { subset: hop.subset } : {}),
    ...(via ? { waypoint: `${via.namespace}/${via.name}` } : {}),
    port: hop.port,
    protocol:
      hop.answer !== undefined
        ? '-'
        : String(
            svcPort?.appProtocol ?? String(svcPort?.name ?? (hop.serviceEntry ? 'external' : 'tcp')).split('-')[0],
          ),
    weight: hop.weight,
    share,
    rule: hop.rule,
    ...(authorization ? { authorization } : {}),
    ...(hop.serviceEntry !== undefined ? { serviceEntry: hop.serviceEntry } : {}),
    ...(hop.answer !== undefined ? { answer: hop.answer } : {}),
    ...(hop.request !== undefined ? { request: hop.request } : {}),
    ...(hop.response !== undefined ? { response: hop.response } : {}),
    ...(trafficPolicyOf(index, hop, svc) ?? {}),
    ...(hop.timeout !== undefined ? { timeout: hop.timeout } : {}),
    ...(hop.retries !== undefined ? { retries: hop.retries } : {}),
    ...(mirrors !== undefined ? { mirrors } : {}),
    ...(hop.setCookies !== undefined ? { setCookies: hop.setCookies } : {}),
    ...(hop.notModelled !== undefined ? { notModelled: hop.notModelled } : {}),
  };
}

/** The connection pool and outlier detection the caller's proxy applies to the hop's pods. */
function trafficPolicyOf(
  index: ManifestIndex,
  hop: Hop,
  svc: Manifest | undefined,
): Pick<ExplainNode, 'connectionPool' | 'outlierDetection'> | undefined {
  if (!svc || hop.answer !== undefined) return undefined;
  const p: any = index.trafficPolicy(svc, hop.subset, namespaceOf(svc));
  if (!p?.connectionPool && !p?.outlierDetection) return undefined;
  return {
    ...(p.connectionPool ? { connectionPool: p.connectionPool } : {}),
    ...(p.outlierDetection ? { outlierDetection: p.outlierDetection } : {}),
  };
}

/**
 * The calls a workload makes: env values naming a Service (short name, `name.namespace`, or
 * fully qualified); the port from `<PREFIX>_PORT`, the only port, or the port named after the variable.
 */
export function inferCalls(manifests: readonly Manifest[], workload: string, clusterDomain?: string): InferredCall[] {
  const index = ManifestIndex.of(manifests, clusterDomain);
  const d = index.workload(workload);
  if (!d)
    throw new Error(`no workload (Deployment, StatefulSet, Rollout, ...) '${workload}': name one of the manifests`);
  const ns = namespaceOf(d);
  const calls: InferredCall[] = [];
  for (const c of containersOf(podTemplate(d)?.spec)) {
    const env = objectsAt(c, 'env');
    for (const e of env) {
      if (typeof e.value !== 'string') continue;
      const svc = index.serviceForHost(e.value.split(':')[0], ns);
      if (!svc || (namespaceOf(svc) === ns && svc.metadata.name === podLabels(d).app)) continue;
      const ports = objectsAt(svc.spec, 'ports');
      const prefix = String(e.name).replace(/_(HOST|HOSTNAME|ADDR|ADDRESS|SERVICE|URL)$/i, '');
      const explicit = Number(env.find((x) => x.name === `${prefix}_PORT`)?.value ?? e.value.split(':')[1]);
      const token = prefix.toLowerCase();
      const port =
        ports.find((p) => p.port === explicit) ??
        (ports.length === 1
          ? ports[0]
          : ports.find((p) =>
              String(p.name ?? '')
                .toLowerCase()
                .split('-')
                .includes(token),
            ));
      if (!port) {
        throw new Error(
          `${workload}: env ${e.name}=${e.value} names Service '${svc.metadata.name}', which has ports ${ports.map((p) => p.port).join(', ')}; set ${prefix}_PORT or name the port '<protocol>-${token}'`,
        );
      }
      calls.push({
        service: svc.metadata.name,
        namespace: namespaceOf(svc),
        port: Number(port.port),
        env: String(e.name),
      });
    }
  }
  return calls;
}

/** The Gateway API Gateway (class istio) a gateway reference names, when no Istio Gateway has that name. */
function apiGatewayNamed(index: ManifestIndex, ref: string): Manifest | undefined {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [undefined, ref];
  const named = (g: Manifest) => g.metadata.name === name && (ns === undefined || namespaceOf(g) === ns);
  return index.ofKind('Gateway').some(named) ? undefined : apiGateways(index).find(named);
}

function onlyGateway(index: ManifestIndex): string {
  const gws = [...index.ofKind('Gateway'), ...apiGateways(index)];
  if (gws.length !== 1) {
    throw new CallTargetError(
      `the manifests have ${gws.length} Gateways${gws.length > 0 ? ` (${gws.map((g) => `${namespaceOf(g)}/${g.metadata.name}`).join(', ')})` : ''}: name the one to enter through (--gateway namespace/name)`,
    );
  }
  return gws[0].metadata.name;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
