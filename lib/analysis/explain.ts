import type { MeshContextOptions } from '../model/defaults';
import { principal, resolveMeshContext } from '../model/defaults';
import { CallTargetError } from './target-error';
import { gatewayDeploymentName } from '../model/names';
import type { AuthorizedRequest } from './authorization';
import { workloadPrincipal } from './authorization';
import type { Manifest } from './manifest';
import { namespaceOf, podLabels } from './manifest';
import { ManifestIndex } from './manifest-index';
import type { CallTarget } from './call-target';
import { resolveCallTarget } from './call-target';
import type { EntryHost } from './routing/service-entry-hosts';
import { apiGateways } from './routing/gateway-api';
import { follower, routed, waypointVia } from './hop-follower';
import type { Hop, SimulatedRequest } from './traffic-simulator';
import { TrafficSimulator } from './traffic-simulator';

export { formatCallExplanation, formatExplanation } from './explain-format';
export { inferCalls } from './inferred-calls';

export type {
  CallExplanation,
  ExplainMirror,
  ExplainNode,
  Explanation,
  ExplainOptions,
  InferredCall,
} from './explain-types';
import type { CallExplanation, Explanation, ExplainOptions } from './explain-types';

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
  const sim = explainSimulator(manifests, context.clusterDomain);
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

const simulators = new WeakMap<readonly Manifest[], Map<string, TrafficSimulator>>();

/**
 * The simulator explain routes `manifests` with (Istio's default retries), built once per list and
 * cluster domain like their ManifestIndex, so that its per-namespace Sidecar views are shared by
 * every call explained on one list. Measured reason: the transition check explains each running
 * caller's calls per step, and a view built per call was half of that.
 */
function explainSimulator(manifests: readonly Manifest[], clusterDomain: string): TrafficSimulator {
  let byDomain = simulators.get(manifests);
  if (!byDomain) simulators.set(manifests, (byDomain = new Map()));
  let sim = byDomain.get(clusterDomain);
  if (!sim)
    byDomain.set(clusterDomain, (sim = new TrafficSimulator(manifests, { clusterDomain, istioDefaults: true })));
  return sim;
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
  return explainCallHops(manifests, fromWorkload, service, port, options, request, true);
}

/**
 * {@link explainCall}; with `downstream` false, the first hops alone, without the calls of the
 * workloads they reach (each hop's `calls` empty). Internal: the transition check compares first
 * hops only, and following the whole call tree below each was most of a large release's check.
 */
export function explainCallHops(
  manifests: readonly Manifest[],
  fromWorkload: string,
  service: string,
  port: number | undefined,
  options: MeshContextOptions,
  request: SimulatedRequest,
  downstream: boolean,
): CallExplanation {
  const context = resolveMeshContext(options);
  const index = ManifestIndex.of(manifests, context.clusterDomain);
  const source = callingWorkload(index, fromWorkload);
  const ns = namespaceOf(source);
  const resolved = calledTarget(index, service, ns);
  const principal = workloadPrincipal(source, context.trustDomain);
  const sim = explainSimulator(manifests, context.clusterDomain);
  const follow = follower(manifests, index, context, sim, undefined, downstream);
  const direct = (hop: Hop) => ({
    from: { workload: source.metadata.name, namespace: ns, principal },
    service,
    port: hop.port,
    request,
    hops: [follow(hop, 100, [source.metadata.name], principal)],
  });
  // A pod IP, or an ExternalName naming a host outside the manifests: no Service of the manifests routes it.
  if (resolved.pod) return direct(podHop(resolved.pod, port));
  // A ServiceEntry host or address, an address a Sidecar binds, or a host outside the manifests: the sidecar's listener and route configuration for the port decide (routing/sidecar-host-call.ts).
  if (resolved.entry || resolved.address || resolved.outside) {
    const from = { workload: source.metadata.name, namespace: ns, principal };
    const entryPort = entryCallPort(resolved.entry, port, service);
    const hops = entryCallHops(sim, source, resolved, service, entryPort, request);
    const follows = hops.map((h) =>
      follow(h, 100, [source.metadata.name], principal, undefined, authorizedRequest(request)),
    );
    return { from, service, port: entryPort, request, hops: follows };
  }
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

/** The hops of a call from `source` to a ServiceEntry host or an outside host (dialled as `service`, an address or a host). */
function entryCallHops(
  sim: TrafficSimulator,
  source: Manifest,
  resolved: CallTarget,
  service: string,
  port: number,
  request: SimulatedRequest,
): Hop[] {
  const target = { sourceLabels: podLabels(source), sourceNamespace: namespaceOf(source), port, dialled: service };
  const hops = routed(sim.callHost(target, resolved.entry, { ...request, host: request.host ?? service }));
  // What resolving the name left unknown (an outside host's address) is named on each hop.
  const notes = resolved.notes;
  return notes.length === 0 ? hops : hops.map((h) => ({ ...h, notModelled: [...(h.notModelled ?? []), ...notes] }));
}

/** The port a call to a ServiceEntry host (an address a Sidecar binds, or an outside host, `service`) goes to: `port`, else the entry's only port; a CallTargetError otherwise. */
function entryCallPort(entry: EntryHost | undefined, port: number | undefined, service: string): number {
  if (port !== undefined) return port;
  if (service.startsWith('unix://')) return 0;
  if (!entry)
    throw new CallTargetError(
      `'${service}' is no Service or ServiceEntry host of the manifests: name a port, e.g. ${service}:80`,
    );
  const ports: number[] = (entry.se.spec?.ports ?? []).map((p: any) => p.number);
  if (ports.length !== 1)
    throw new CallTargetError(
      `ServiceEntry ${namespaceOf(entry.se)}/${entry.se.metadata.name} has ports ${ports.join(', ') || '(none)'}: name one, e.g. ${entry.host}:${ports[0] ?? 80}`,
    );
  return ports[0];
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
