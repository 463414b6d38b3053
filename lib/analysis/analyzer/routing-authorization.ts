import { VM0005, VM0006, VM0007, VM0010 } from './catalogue';
import { principal as spiffe } from '../../model/defaults';
import { gatewayDeploymentName } from '../../model/names';
import { authorize, authorizeAtWaypoint, targeted, workloadPrincipal } from '../authorization';
import { inferCalls } from '../explain';
import type { Manifest } from '../manifest';
import { namespaceOf, objectKey } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import type { Hop } from '../traffic-simulator';
import { TrafficSimulator } from '../traffic-simulator';
import type { AnalysisContext } from './context';
import { isGatewayApi } from '../routing/gateway-api-match';
import { podInAmbient, waypointOf } from './gateway-api-objects';

// Split out of project-rules.ts: the VM0005..VM0007/VM0010 rules (routing and authorization agree).

/**
 * VM0005..VM0007, VM0010: every call some route can send (gateway to entry workload, its mirrored
 * copies, and each workload to the Services its environment names) must be allowed by the
 * AuthorizationPolicies (Error), and every allowance should be used by some route (Info). Only
 * workloads some request reaches count as callers: a version kept idle for rollback is meant to
 * reach nothing under per-version least privilege, so its denied calls are reported as that
 * (VM0010, Info), not as a conflict. A destination at weight 0 receives nothing.
 */
export function routingAgreesWithAuthorization(ctx: AnalysisContext, index: ManifestIndex): void {
  const objects = ctx.input;
  const policies = objects.filter((m) => m.kind === 'AuthorizationPolicy');
  if (policies.length === 0) return;
  const sim = new TrafficSimulator(objects, { clusterDomain: ctx.clusterDomain });
  const { edges, viaWaypoint } = callEdges(ctx, index, sim);
  const served = servedWorkloads(index, edges);
  const used = checkPodCalls(ctx, index, edges, served);
  const usedAtWaypoint = checkWaypointCalls(ctx, viaWaypoint, served);
  reportUnusedAllowances(ctx, index, policies, used, usedAtWaypoint);
}

/** A call some route can send: from a gateway or a workload (`namespace/name`), with the caller's principal. */
interface CallEdge {
  readonly from: string;
  readonly principal: string;
  readonly hop: Hop;
}

/** A call through a waypoint, authorized there with the caller's own principal. */
interface WaypointCall {
  readonly from: Manifest;
  readonly principal: string;
  readonly service: Manifest;
  readonly waypoint: string;
  readonly hop: Hop;
}

/** Every call the routes can send (gateways, workloads and their mirrored copies), and those a waypoint authorizes too. */
function callEdges(
  ctx: AnalysisContext,
  index: ManifestIndex,
  sim: TrafficSimulator,
): { edges: CallEdge[]; viaWaypoint: WaypointCall[] } {
  const edges: CallEdge[] = gatewayEdges(ctx, sim);
  const viaWaypoint: WaypointCall[] = [];
  for (const d of index.workloads) workloadEdges(ctx, index, sim, d, edges, viaWaypoint);
  edges.push(...mirrorEdges(edges));
  return { edges, viaWaypoint };
}

/** The calls each entry gateway (Istio or Gateway API, class istio) can send, with the gateway's principal. */
function gatewayEdges(ctx: AnalysisContext, sim: TrafficSimulator): CallEdge[] {
  const objects = ctx.input;
  const edges: CallEdge[] = [];
  // ctx.ofKind('Gateway') holds Istio Gateways only: Gateway API Gateways are added here.
  for (const gw of [...ctx.ofKind('Gateway'), ...objects.filter((g) => isGatewayApi(g, 'Gateway'))].filter((g) =>
    objects.includes(g),
  )) {
    // A Gateway API Gateway's pods are Istio's automated deployment `<name>-<class>`, with that
    // ServiceAccount; a waypoint is no entry (its calls are checked below, per Service it serves).
    const api = isGatewayApi(gw, 'Gateway');
    if (api && gw.spec?.gatewayClassName !== 'istio') continue;
    const identity = api
      ? spiffe(ctx.mesh.trustDomain, namespaceOf(gw), gatewayDeploymentName(gw.metadata.name))
      : ctx.mesh.ingressPrincipal;
    for (const hop of sim.possibleIngress(api ? `${namespaceOf(gw)}/${gw.metadata.name}` : gw.metadata.name))
      edges.push({ from: `Gateway ${gw.metadata.name}`, principal: identity, hop });
  }
  return edges;
}

/** Adds the calls one workload's environment names (VM0007 when they cannot be inferred), split by waypoint. */
function workloadEdges(
  ctx: AnalysisContext,
  index: ManifestIndex,
  sim: TrafficSimulator,
  d: Manifest,
  edges: CallEdge[],
  viaWaypoint: WaypointCall[],
): void {
  const trust = ctx.mesh.trustDomain;
  let calls;
  try {
    calls = inferCalls(ctx.input, d.metadata.name, ctx.clusterDomain);
  } catch (err) {
    ctx.report(VM0007.messages.notInferred, d, 'spec.template.spec.containers', { reason: (err as Error).message });
    return;
  }
  const labels = d.spec?.template?.metadata?.labels ?? {};
  const ambient = podInAmbient(ctx, namespaceOf(d), labels, d.spec?.template?.metadata?.annotations ?? {});
  for (const c of calls) {
    // In ambient mode a call to a Service that uses a waypoint is authorized twice: by the
    // waypoint (the caller's identity) and by the destination's ztunnel (the waypoint's identity).
    const svc = ambient ? index.service(c.service, c.namespace) : undefined;
    const waypoint = svc ? waypointOf(ctx, svc) : undefined;
    for (const hop of sim.possibleCalls({
      sourceLabels: labels,
      service: c.service,
      namespace: c.namespace,
      port: c.port,
      sourceNamespace: namespaceOf(d),
    })) {
      if (waypoint) {
        const [wns, wname] = waypoint.split('/');
        viaWaypoint.push({ from: d, principal: workloadPrincipal(d, trust), service: svc!, waypoint: wname, hop });
        edges.push({ from: objectKey(d), principal: spiffe(trust, wns, wname), hop });
      } else edges.push({ from: objectKey(d), principal: workloadPrincipal(d, trust), hop });
    }
  }
}

/** Mirrored copies are calls too: the caller's proxy sends them to the mirror's pods. */
function mirrorEdges(edges: readonly CallEdge[]): CallEdge[] {
  const mirrored: CallEdge[] = [];
  for (const e of edges) {
    for (const m of e.hop.mirrors ?? []) {
      mirrored.push({
        from: e.from,
        principal: e.principal,
        hop: {
          service: m.service,
          ...(m.subset !== undefined ? { subset: m.subset } : {}),
          port: m.port,
          weight: m.percent,
          deployments: m.deployments,
          rule: `${e.hop.rule} (mirror)`,
        },
      });
    }
  }
  return mirrored;
}

/** The workloads some request reaches, hop by hop from a gateway (`namespace/name`). */
function servedWorkloads(index: ManifestIndex, edges: readonly CallEdge[]): Set<string> {
  const served = new Set<string>();
  const callsOf = new Map<string, string[]>();
  for (const e of edges)
    if (e.hop.weight > 0) callsOf.set(e.from, [...(callsOf.get(e.from) ?? []), ...e.hop.deployments]);
  const queue = edges
    .filter((e) => e.from.startsWith('Gateway ') && e.hop.weight > 0)
    .flatMap((e) => e.hop.deployments);
  for (let i = 0; i < queue.length; i++) {
    const w = index.workload(queue[i]);
    if (!w || served.has(objectKey(w))) continue;
    served.add(objectKey(w));
    queue.push(...(callsOf.get(objectKey(w)) ?? []));
  }
  return served;
}

/** VM0005/VM0010 for calls the pods' policies deny; returns the allowances used (`principal|pod|port`). */
function checkPodCalls(
  ctx: AnalysisContext,
  index: ManifestIndex,
  edges: readonly CallEdge[],
  served: ReadonlySet<string>,
): Set<string> {
  const objects = ctx.input;
  const used = new Set<string>();
  for (const e of edges.filter((x) => x.hop.weight > 0)) {
    const reached = e.from.startsWith('Gateway ') || served.has(e.from);
    for (const target of e.hop.deployments) {
      const pod = index.workload(target);
      if (!pod) continue;
      const verdict = authorize(
        objects,
        namespaceOf(pod),
        pod.spec?.template?.metadata?.labels ?? {},
        e.principal,
        e.hop.port,
      );
      used.add(`${e.principal}|${pod.metadata.name}|${e.hop.port}`);
      if (verdict.allowed) continue;
      const call = { caller: e.from, port: e.hop.port, rule: e.hop.rule, reason: verdict.reason };
      if (reached) ctx.report(VM0005.messages.denied, pod, 'AuthorizationPolicy', { principal: e.principal, ...call });
      else ctx.report(VM0010.messages.denied, pod, 'AuthorizationPolicy', call);
    }
  }
  return used;
}

/** VM0005/VM0010 for calls a waypoint's policies deny; returns the allowances used there (`principal|service|port`). */
function checkWaypointCalls(
  ctx: AnalysisContext,
  viaWaypoint: readonly WaypointCall[],
  served: ReadonlySet<string>,
): Set<string> {
  const objects = ctx.input;
  const usedAtWaypoint = new Set<string>();
  for (const w of viaWaypoint.filter((x) => x.hop.weight > 0)) {
    const port = Number(
      (w.service.spec?.ports ?? []).find((p: ServicePort) => p.port === w.hop.port || p.targetPort === w.hop.port)
        ?.port ?? w.hop.port,
    );
    usedAtWaypoint.add(`${w.principal}|${w.service.metadata.name}|${port}`);
    const verdict = authorizeAtWaypoint(
      objects,
      namespaceOf(w.service),
      w.waypoint,
      w.service.metadata.name,
      w.principal,
      port,
    );
    if (verdict.allowed) continue;
    const call = { waypoint: w.waypoint, service: w.service.metadata.name, port, reason: verdict.reason };
    if (served.has(objectKey(w.from)))
      ctx.report(VM0005.messages.deniedAtWaypoint, w.from, 'AuthorizationPolicy', { principal: w.principal, ...call });
    else ctx.report(VM0010.messages.deniedAtWaypoint, w.from, 'AuthorizationPolicy', call);
  }
  return usedAtWaypoint;
}

/** The fields of a Service port, a policy's targetRef and an ALLOW rule these checks read (unchecked input). */
interface ServicePort {
  readonly port?: unknown;
  readonly targetPort?: unknown;
}
interface TargetRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name: string;
}
interface AllowRule {
  readonly from?: readonly { readonly source?: { readonly principals?: readonly string[] } }[];
  readonly to?: readonly { readonly operation?: { readonly ports?: readonly string[] } }[];
}

/** VM0006: an allowance (principal and port of an ALLOW rule) that no call the routes send uses. */
function reportUnusedAllowances(
  ctx: AnalysisContext,
  index: ManifestIndex,
  policies: readonly Manifest[],
  used: ReadonlySet<string>,
  usedAtWaypoint: ReadonlySet<string>,
): void {
  // VM0006: an allowance no route uses. A waypoint policy (targetRefs) is used by calls through
  // the waypoint to the Services it names; a workload policy by calls to the pods it selects.
  for (const p of policies.filter((x) => (x.spec?.action ?? 'ALLOW') === 'ALLOW')) {
    let usedBy: (principal: string, port: string) => boolean;
    if (targeted(p)) {
      const services: string[] = (p.spec?.targetRefs ?? [])
        .filter((r: TargetRef) => (r.group ?? '') === '' && r.kind === 'Service')
        .map((r: TargetRef) => r.name);
      if (services.length === 0) continue;
      usedBy = (principal, port) => services.some((svc) => usedAtWaypoint.has(`${principal}|${svc}|${port}`));
    } else {
      const pods = index.workloadsSelected(namespaceOf(p), p.spec?.selector?.matchLabels ?? {});
      usedBy = (principal, port) => pods.some((d) => used.has(`${principal}|${d.metadata.name}|${port}`));
    }
    (p.spec?.rules ?? []).forEach((rule: AllowRule, i: number) => {
      const principals: string[] = (rule.from ?? []).flatMap((f) => f.source?.principals ?? []);
      const ports: string[] = (rule.to ?? []).flatMap((t) => t.operation?.ports ?? []);
      for (const principal of principals) {
        for (const port of ports) {
          if (!usedBy(principal, port)) ctx.report(VM0006.messages.unused, p, `spec.rules[${i}]`, { principal, port });
        }
      }
    });
  }
}
