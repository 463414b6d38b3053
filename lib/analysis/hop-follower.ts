/**
 * Following a hop through the mesh for explain (./explain.ts): a hop becomes an {@link ExplainNode}
 * with its pods, protocol, authorization verdict (at a waypoint too), mirrors and traffic policy,
 * then on through the calls its workload makes (./inferred-calls.ts), each routed by the simulator.
 */
import type { MeshContext } from '../model/defaults';
import { principal } from '../model/defaults';
import type { AuthorizationVerdict, AuthorizedRequest } from './authorization';
import { authorize, authorizeAtWaypoint, workloadPrincipal } from './authorization';
import type { Manifest } from './manifest';
import { namespaceOf, podLabels, podTemplate } from './manifest';
import { stringMapAt } from './manifest-kinds';
import type { ManifestIndex } from './manifest-index';
import {
  INGRESS_USE_WAYPOINT_LABEL,
  namespaceLabelsOf,
  podInAmbient,
  waypointAccepts,
  waypointOf,
} from './ambient-mode';
import type { ExplainMirror, ExplainNode } from './explain-types';
import { inferCalls } from './inferred-calls';
import type { Hop, HopMirror, TrafficSimulator } from './traffic-simulator';

/**
 * The simulator's hops, or an Error when Envoy finds no route (404 NR): explain reports a request
 * no route serves as an error naming why, as it always has.
 */
export function routed(hops: Hop[]): Hop[] {
  const miss = hops.find((h) => h.noRoute === true);
  // A claim match that did not hold for want of a validated JWT is named with the 404.
  if (miss) throw new Error([miss.answer, ...(miss.matchNotes ?? [])].join('; '));
  return hops;
}

/** A call that goes through a waypoint (ambient mode): the waypoint authorizes the caller, the destination's ztunnel the waypoint. */
export interface ViaWaypoint {
  /** The waypoint Gateway's namespace and name. */
  readonly namespace: string;
  readonly name: string;
  /** The principal the waypoint presents to the destination. */
  readonly principal: string;
  /** The Service called (its targetRefs policies apply at the waypoint) and the port called. */
  readonly service: Manifest;
  readonly port: number;
}

/** Follows one hop from `caller` (seen: the workloads already on the path, to stop on a cycle): its node and calls. */
export type Follow = (
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
export function waypointVia(
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
  const ports: number[] = (svc.spec?.ports ?? []).map((p: { port: number }) => p.port);
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
  /** Whether a hop's node carries the calls its workload makes (else the hops reached are the last). */
  readonly downstream: boolean;
}

/** Turns a hop into a node: its pods, protocol, authorization verdict for `caller`, mirrors, and the calls its workload makes. */
export function follower(
  manifests: readonly Manifest[],
  index: ManifestIndex,
  context: MeshContext,
  sim: TrafficSimulator,
  propagated?: Readonly<Record<string, string>>,
  downstream = true,
): Follow {
  const fc: FollowContext = {
    manifests,
    index,
    context,
    sim,
    propagated,
    hasPolicies: index.ofKind('AuthorizationPolicy').length > 0,
    downstream,
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
  if (!fc.downstream || !target || seen.includes(target.metadata.name) || authorization?.allowed === false) return [];
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
  const svcPort = (svc?.spec?.ports ?? []).find((p: { port?: unknown }) => p.port === hop.port);
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
    ...(hop.match !== undefined ? { match: hop.match } : {}),
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
    ...(hop.loadBalancing !== undefined ? { loadBalancing: hop.loadBalancing } : {}),
    ...(hop.endpointPicker !== undefined ? { endpointPicker: hop.endpointPicker } : {}),
    ...(hop.matchNotes !== undefined ? { matchNotes: hop.matchNotes } : {}),
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
  // The merged trafficPolicy's two fields are passed on as written (not checked here), as explain always has.
  const p = index.trafficPolicy(svc, hop.subset, namespaceOf(svc)) as
    Pick<ExplainNode, 'connectionPool' | 'outlierDetection'> | undefined;
  if (!p || (!p.connectionPool && !p.outlierDetection)) return undefined;
  return {
    ...(p.connectionPool ? { connectionPool: p.connectionPool } : {}),
    ...(p.outlierDetection ? { outlierDetection: p.outlierDetection } : {}),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
