import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { gatewayListenerPolicyName, principal } from '../model/names';
import { ProbeSpec } from '../model/application-spec';
import { LanePlan } from '../resolve/lane-services';
import { INGRESS_PEER, ResolvedStage, VersionEdge, VersionRef } from '../resolve/resolved-stage';
import { HTTP_FAMILY } from '../resolve/stage-checks';
import { GATEWAY_NAME_LABEL, WAYPOINT_NAME } from './ambient-mesh';
import { istioKinds } from './istio-api';
import { dnsEgress, istiodEgress, principalOf, tcpPorts, versionEdges, versionLabels } from './mesh-policies';

/** HBONE: the port ztunnel receives every mesh connection on, inside the destination pod's network namespace. */
export const HBONE_PORT = 15008;

/**
 * The address istio-cni gives the kubelet's probes of ambient pods (SNAT, HOST_PROBE_SNAT_IP):
 * ztunnel lets them through unencrypted to the container port, and a NetworkPolicy may no longer
 * see them as node traffic. istio.io, "Ambient and Kubernetes NetworkPolicy" (docs/ambient/usage/networkpolicy):
 * depending on the CNI, probes may be blocked, so admit `ipBlock: 169.254.7.127/32`.
 */
export const PROBE_SNAT_CIDR = '169.254.7.127/32';

/** Properties of {@link AmbientPolicies}. */
export interface AmbientPoliciesProps {
  readonly stage: ResolvedStage;
  readonly lanes: LanePlan;
  /** The entry Gateway's name (Istio deploys its pods as `<name>-istio`, labelled with the Gateway's name). */
  readonly gatewayName: string;
  /** Names of the Services whose traffic goes through the waypoint. */
  readonly waypointServices: readonly string[];
}

/**
 * Who may call whom in ambient mode, split where each hop is enforced:
 * - ztunnel (L4, `selector`): each version admits its direct callers' principals on its ports (the
 *   entry versions the gateway's, a TCP callee its lane's callers), and the waypoint's principal
 *   where its callers come through the waypoint, since ztunnel then sees the waypoint's identity;
 * - the waypoint (`targetRefs` to the Service): each lane Service admits the principals of the
 *   callers that dial it, so a caller of another lane, or one dialling a version Service, is denied;
 * - NetworkPolicies: every mesh connection arrives tunnelled on HBONE (15008) from the caller's
 *   pod, the gateway's or the waypoint's (ztunnel keeps the caller pod's address); kubelet probes
 *   of an ambient pod arrive from {@link PROBE_SNAT_CIDR} on the probed ports (the gateway and
 *   waypoint pods are not in ambient mode: their probes come from the node, which NetworkPolicy
 *   always admits); the gateway and waypoint pods reach istiod; nothing else.
 * - the entry Gateway's pods run in the application namespace, where the namespace-wide
 *   `allow-nothing` binds their Envoy too (selector-less policies attach to Gateway API gateways
 *   while ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on, its default: model.ShouldAttachPolicy):
 *   a policy with targetRefs to the Gateway admits users on its listener port. The waypoint's
 *   per-Service layer takes targetRefs policies only; its HBONE termination layer, which exists
 *   only when istiod runs with ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES=true (default
 *   false), takes selector-based ones, `allow-nothing` included: one selecting the waypoint's pods
 *   admits its callers there, so the stage works with either setting.
 */
export class AmbientPolicies extends Construct {
  public readonly authorizationPolicies: readonly ApiObject[];
  public readonly networkPolicies: readonly k8s.KubeNetworkPolicy[];
  /** The policy of the waypoint's HBONE termination (it selects the pods Istio deploys for the waypoint). @default - none without waypoint callers or authorization */
  public readonly waypointTermination?: ApiObject;

  constructor(scope: Construct, id: string, props: AmbientPoliciesProps) {
    super(scope, id);
    const { stage, lanes } = props;
    const security = stage.security;
    const ns = stage.app.namespace;
    const trust = stage.context.trustDomain;
    const gatewayPrincipal = stage.ingress.principal;
    const waypointPrincipal = principal(trust, ns, WAYPOINT_NAME);
    const waypointed = new Set(props.waypointServices);
    const dialled = (from: VersionRef, callee: string): string => lanes.dials.get(`${from.component}@${from.version}`)?.get(callee)?.name ?? callee;
    /** Whether a call of the edge goes through the waypoint. */
    const viaWaypoint = (e: VersionEdge) => e.from !== INGRESS_PEER && waypointed.has(dialled(e.from, e.to.component));
    const { versions, inbound, outbound } = versionEdges(stage);
    const union = (edges: readonly VersionEdge[]) => [...new Set(edges.flatMap((e) => e.ports))].sort((a, b) => a - b);

    const authz: ApiObject[] = [];
    const { AuthorizationPolicy } = istioKinds(stage.app.istioApiVersion);
    if (security.authorization) {
      for (const v of versions) {
        const direct = inbound(v.ref).filter((e) => !viaWaypoint(e));
        const proxied = inbound(v.ref).filter(viaWaypoint);
        if (direct.length + proxied.length === 0) continue;
        authz.push(new AuthorizationPolicy(this, `Allow-${v.name}`, {
          metadata: { name: v.name, namespace: ns, labels: versionLabels(v.ref) },
          spec: {
            selector: { matchLabels: versionLabels(v.ref) },
            action: AuthorizationPolicySpecAction.ALLOW,
            rules: [
              ...direct.map((e) => ({
                from: [{ source: { principals: [e.from === INGRESS_PEER ? gatewayPrincipal : principalOf(stage, e.from)] } }],
                to: [{ operation: { ports: e.ports.map(String) } }],
              })),
              ...(proxied.length > 0 ? [{ from: [{ source: { principals: [waypointPrincipal] } }], to: [{ operation: { ports: union(proxied).map(String) } }] }] : []),
            ],
          },
        }));
      }
      // At the waypoint, per Service it serves: the callers that dial it, on its ports.
      for (const svc of props.waypointServices) {
        const edges = stage.edges.filter((e) => e.from !== INGRESS_PEER && viaWaypoint(e) && dialled(e.from, e.to.component) === svc);
        const callers = [...new Map(edges.map((e) => [principalOf(stage, e.from as VersionRef), e])).keys()];
        const lane = lanes.services.find((s) => s.name === svc);
        const ports = (lane ? lane.ports : stage.components.find((c) => c.name === svc)!.ports).filter((p) => HTTP_FAMILY.has(p.protocol) || lane !== undefined).map((p) => String(p.port));
        authz.push(new AuthorizationPolicy(this, `Waypoint-${svc}`, {
          metadata: { name: `${svc}-waypoint`, namespace: ns, labels: { app: lane?.component ?? svc } },
          spec: {
            targetRefs: [{ group: '', kind: 'Service', name: svc }],
            action: AuthorizationPolicySpecAction.ALLOW,
            // No caller in this stage: an ALLOW policy without rules denies everything.
            ...(callers.length > 0 ? { rules: [{ from: [{ source: { principals: callers } }], to: [{ operation: { ports } }] }] } : {}),
          },
        }));
      }
      // With ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES=true on istiod (default false), the
      // waypoint terminates HBONE in a layer of its own that applies policies by workload selector,
      // the namespace-wide allow-nothing included (listener_waypoint.go buildHCMConnectTerminateChain,
      // plugin/authz newBuilder), before the per-Service layer above: admit there every caller that
      // routing sends through the waypoint. Without the flag the layer does not exist and this
      // policy is inert. A selector, not targetRefs to the waypoint Gateway, which the per-Service
      // layer would apply as well, admitting every lane's callers to every lane Service.
      const waypointCallers = [...new Set(stage.edges.filter(viaWaypoint).map((e) => principalOf(stage, e.from as VersionRef)))];
      if (waypointCallers.length > 0) {
        this.waypointTermination = new AuthorizationPolicy(this, 'WaypointTermination', {
          metadata: { name: WAYPOINT_NAME, namespace: ns },
          spec: {
            selector: { matchLabels: { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME } },
            action: AuthorizationPolicySpecAction.ALLOW,
            rules: [{ from: [{ source: { principals: waypointCallers } }] }],
          },
        });
        authz.push(this.waypointTermination);
      }
      // The gateway's Envoy (deployed by Istio in this namespace) applies the namespace-wide
      // allow-nothing below as well (selector-less policies bind Gateway API gateways while
      // ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on, its default): without this, it would
      // answer every user with 403.
      const port = String(stage.ingress.port);
      authz.push(new AuthorizationPolicy(this, 'Gateway', {
        metadata: { name: gatewayListenerPolicyName(props.gatewayName), namespace: ns },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: props.gatewayName }],
          action: AuthorizationPolicySpecAction.ALLOW,
          rules: [{ to: [{ operation: { ports: [port] } }] }],
        },
      }));
      // Namespace-wide, enforced by ztunnel: whatever the policies above do not allow is denied.
      authz.push(new AuthorizationPolicy(this, 'AllowNothing', { metadata: { name: 'allow-nothing', namespace: ns }, spec: {} }));
    }
    this.authorizationPolicies = authz;

    const net: k8s.KubeNetworkPolicy[] = [];
    if (security.networkPolicies) {
      const hbone = tcpPorts([HBONE_PORT]);
      const proxyPods = (name: string) => ({ podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: name } } });
      const dns = dnsEgress();
      const istiod = istiodEgress(security);
      const peersOf = (edges: readonly VersionEdge[], side: 'from' | 'to') => [...new Map(edges.map((e) => {
        const ref = e[side] as VersionRef;
        return [`${ref.component}@${ref.version}`, { podSelector: { matchLabels: versionLabels(ref) } }];
      })).values()];
      const probed = (w: { readiness: ProbeSpec; liveness: ProbeSpec; startup?: ProbeSpec }) => [...new Set([w.readiness, w.liveness, w.startup]
        .flatMap((p) => (p === undefined ? [] : 'tcpPort' in p.check ? [p.check.tcpPort] : 'httpGet' in p.check ? [p.check.httpGet.port] : [])))].sort((a, b) => a - b);
      for (const v of versions) {
        const inEdges = inbound(v.ref);
        const workload = stage.components.find((c) => c.name === v.ref.component)!.versions.find((d) => d.version === v.ref.version)!.workload;
        const probePorts = probed(workload);
        const outEdges = outbound(v.ref);
        const from = [
          ...(inEdges.some((e) => e.from === INGRESS_PEER) ? [proxyPods(props.gatewayName)] : []),
          ...peersOf(inEdges.filter((e) => e.from !== INGRESS_PEER && !viaWaypoint(e)), 'from'),
          ...(inEdges.some(viaWaypoint) ? [proxyPods(WAYPOINT_NAME)] : []),
        ];
        const to = [...peersOf(outEdges.filter((e) => !viaWaypoint(e)), 'to'), ...(outEdges.some(viaWaypoint) ? [proxyPods(WAYPOINT_NAME)] : [])];
        net.push(new k8s.KubeNetworkPolicy(this, `Net-${v.name}`, {
          metadata: { name: v.name, namespace: ns, labels: versionLabels(v.ref) },
          spec: {
            podSelector: { matchLabels: versionLabels(v.ref) },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [
              ...(from.length > 0 ? [{ from, ports: hbone }] : []),
              // Exec probes run in the container and need no rule.
              ...(probePorts.length > 0 ? [{ from: [{ ipBlock: { cidr: PROBE_SNAT_CIDR } }], ports: tcpPorts(probePorts) }] : []),
            ],
            egress: [...(to.length > 0 ? [{ to, ports: hbone }] : []), dns],
          },
        }));
      }
      // The gateway's pods: users on the listener port; out to the entry versions and istiod.
      const entryVersions = stage.edges.filter((e) => e.from === INGRESS_PEER);
      net.push(new k8s.KubeNetworkPolicy(this, 'Net-Gateway', {
        metadata: { name: stage.ingress.serviceAccount, namespace: ns },
        spec: {
          podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: props.gatewayName } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [{ ports: tcpPorts([stage.ingress.port]) }],
          egress: [...(entryVersions.length > 0 ? [{ to: peersOf(entryVersions, 'to'), ports: hbone }] : []), istiod, dns],
        },
      }));
      const proxiedEdges = stage.edges.filter(viaWaypoint);
      if (props.waypointServices.length > 0) {
        net.push(new k8s.KubeNetworkPolicy(this, 'Net-Waypoint', {
          metadata: { name: WAYPOINT_NAME, namespace: ns },
          spec: {
            podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: proxiedEdges.length > 0 ? [{ from: peersOf(proxiedEdges, 'from'), ports: hbone }] : [],
            egress: [...(proxiedEdges.length > 0 ? [{ to: peersOf(proxiedEdges, 'to'), ports: hbone }] : []), istiod, dns],
          },
        }));
      }
      net.push(new k8s.KubeNetworkPolicy(this, 'DefaultDeny', { metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } }));
    }
    this.networkPolicies = net;
  }
}

