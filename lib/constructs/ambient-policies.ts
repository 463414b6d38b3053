import type { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { gatewayPort } from '../model/defaults';
import { gatewayDeploymentName, gatewayListenerPolicyName, principal } from '../model/names';
import { INGRESS_PEER } from '../resolve/resolved-stage';
import type { VersionEdge, VersionRef } from '../resolve/resolved-stage';
import { GATEWAY_NAME_LABEL, WAYPOINT_NAME } from './ambient-mesh';
import { istioKinds } from './istio-api';
import { dnsEgress, istiodEgress, PolicyDefaults, tcpPorts, versionLabels } from './policy-props';
import type { NamedVersion } from './policy-props';
import type { AmbientPoliciesProps, WaypointServiceSpec } from './ambient-policy-props';
import { HBONE_PORT, peersOf, PROBE_SNAT_CIDR, proxyPods } from './ambient-network-peers';

export type { AmbientPoliciesProps, AmbientPolicyVersion, WaypointServiceSpec } from './ambient-policy-props';
export { ambientPoliciesProps, probePorts } from './ambient-policy-props';

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
  /** Namespace of every policy. */
  public readonly namespace: string;
  /** The entry Gateway's name. */
  public readonly gatewayName: string;
  /** The entry Gateway's listener port. */
  public readonly gatewayPort: number;
  /** Principal of the entry Gateway's pods. */
  public readonly gatewayPrincipal: string;
  /** Principal of the waypoint's pods. */
  public readonly waypointPrincipal: string;
  /** The Services whose traffic goes through the waypoint. */
  public readonly waypointServices: readonly WaypointServiceSpec[];
  private readonly d: PolicyDefaults;
  private readonly dials: (caller: VersionRef, callee: string) => string;
  private readonly waypointed: ReadonlySet<string>;
  private readonly probePorts: ReadonlyMap<string, readonly number[]>;

  constructor(scope: Construct, id: string, props: AmbientPoliciesProps) {
    super(scope, id);
    this.d = new PolicyDefaults(props);
    this.namespace = this.d.namespace;
    this.gatewayName = props.gatewayName;
    this.gatewayPort = gatewayPort({ port: props.gatewayPort });
    this.gatewayPrincipal =
      props.gatewayPrincipal ?? principal(this.d.trustDomain, this.namespace, gatewayDeploymentName(props.gatewayName));
    this.waypointPrincipal = principal(this.d.trustDomain, this.namespace, WAYPOINT_NAME);
    this.waypointServices = props.waypointServices ?? [];
    this.dials = props.dials ?? ((_caller, callee) => callee);
    this.waypointed = new Set(this.waypointServices.map((s) => s.name));
    this.probePorts = new Map(props.versions.map((v) => [`${v.component}@${v.version}`, v.probePorts ?? []]));
    const authz: ApiObject[] = [];
    if (this.d.authorization) {
      authz.push(...this.addVersionPolicies(), ...this.addWaypointPolicies());
      this.waypointTermination = this.addWaypointTermination();
      if (this.waypointTermination) authz.push(this.waypointTermination);
      authz.push(...this.addGatewayAndDenyPolicies());
    }
    this.authorizationPolicies = authz;
    this.networkPolicies = this.d.networkPolicies ? this.addNetworkPolicies() : [];
  }

  /** Whether a call of the edge goes through the waypoint. */
  private viaWaypoint(e: VersionEdge): boolean {
    return e.from !== INGRESS_PEER && this.waypointed.has(this.dials(e.from, e.to.component));
  }

  /** At ztunnel, per version: its direct callers' principals, and the waypoint's for the calls it proxies. */
  private addVersionPolicies(): ApiObject[] {
    const { AuthorizationPolicy } = istioKinds(this.d.istioApiVersion);
    const union = (edges: readonly VersionEdge[]) => [...new Set(edges.flatMap((e) => e.ports))].sort((a, b) => a - b);
    return this.d.versions.flatMap((v) => {
      const direct = this.d.inbound(v.ref).filter((e) => !this.viaWaypoint(e));
      const proxied = this.d.inbound(v.ref).filter((e) => this.viaWaypoint(e));
      if (direct.length + proxied.length === 0) return [];
      return [
        new AuthorizationPolicy(this, `Allow-${v.name}`, {
          metadata: { name: v.name, namespace: this.namespace, labels: versionLabels(v.ref) },
          spec: {
            selector: { matchLabels: versionLabels(v.ref) },
            action: AuthorizationPolicySpecAction.ALLOW,
            rules: [
              ...direct.map((e) => ({
                from: [
                  {
                    source: {
                      principals: [e.from === INGRESS_PEER ? this.gatewayPrincipal : this.d.principalOf(e.from)],
                    },
                  },
                ],
                to: [{ operation: { ports: e.ports.map(String) } }],
              })),
              ...(proxied.length > 0
                ? [
                    {
                      from: [{ source: { principals: [this.waypointPrincipal] } }],
                      to: [{ operation: { ports: union(proxied).map(String) } }],
                    },
                  ]
                : []),
            ],
          },
        }),
      ];
    });
  }

  /** At the waypoint, per Service it serves: the callers that dial it, on its ports. */
  private addWaypointPolicies(): ApiObject[] {
    const { AuthorizationPolicy } = istioKinds(this.d.istioApiVersion);
    return this.waypointServices.map((svc) => {
      const edges = this.d.edges.filter(
        (e) => e.from !== INGRESS_PEER && this.viaWaypoint(e) && this.dials(e.from, e.to.component) === svc.name,
      );
      const callers = [...new Map(edges.map((e) => [this.d.principalOf(e.from as VersionRef), e])).keys()];
      const ports = svc.ports.map(String);
      return new AuthorizationPolicy(this, `Waypoint-${svc.name}`, {
        metadata: { name: `${svc.name}-waypoint`, namespace: this.namespace, labels: { app: svc.component } },
        spec: {
          targetRefs: [{ group: '', kind: 'Service', name: svc.name }],
          action: AuthorizationPolicySpecAction.ALLOW,
          // No caller in this stage: an ALLOW policy without rules denies everything.
          ...(callers.length > 0
            ? { rules: [{ from: [{ source: { principals: callers } }], to: [{ operation: { ports } }] }] }
            : {}),
        },
      });
    });
  }

  /**
   * With ENABLE_LAYERED_WAYPOINT_AUTHORIZATION_POLICIES=true on istiod (default false), the
   * waypoint terminates HBONE in a layer of its own that applies policies by workload selector,
   * the namespace-wide allow-nothing included (listener_waypoint.go buildHCMConnectTerminateChain,
   * plugin/authz newBuilder), before the per-Service layer above: admit there every caller that
   * routing sends through the waypoint. Without the flag the layer does not exist and this
   * policy is inert. A selector, not targetRefs to the waypoint Gateway, which the per-Service
   * layer would apply as well, admitting every lane's callers to every lane Service.
   */
  private addWaypointTermination(): ApiObject | undefined {
    const { AuthorizationPolicy } = istioKinds(this.d.istioApiVersion);
    const waypointCallers = [
      ...new Set(this.d.edges.filter((e) => this.viaWaypoint(e)).map((e) => this.d.principalOf(e.from as VersionRef))),
    ];
    if (waypointCallers.length === 0) return undefined;
    return new AuthorizationPolicy(this, 'WaypointTermination', {
      metadata: { name: WAYPOINT_NAME, namespace: this.namespace },
      spec: {
        selector: { matchLabels: { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME } },
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [{ from: [{ source: { principals: waypointCallers } }] }],
      },
    });
  }

  /**
   * The gateway's Envoy (deployed by Istio in this namespace) applies the namespace-wide
   * allow-nothing below as well (selector-less policies bind Gateway API gateways while
   * ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY is on, its default): without its own policy, it
   * would answer every user with 403.
   */
  private addGatewayAndDenyPolicies(): ApiObject[] {
    const { AuthorizationPolicy } = istioKinds(this.d.istioApiVersion);
    return [
      new AuthorizationPolicy(this, 'Gateway', {
        metadata: { name: gatewayListenerPolicyName(this.gatewayName), namespace: this.namespace },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.gatewayName }],
          action: AuthorizationPolicySpecAction.ALLOW,
          rules: [{ to: [{ operation: { ports: [String(this.gatewayPort)] } }] }],
        },
      }),
      // Namespace-wide, enforced by ztunnel: whatever the policies above do not allow is denied.
      new AuthorizationPolicy(this, 'AllowNothing', {
        metadata: { name: 'allow-nothing', namespace: this.namespace },
        spec: {},
      }),
    ];
  }

  private addNetworkPolicies(): k8s.KubeNetworkPolicy[] {
    const net = this.d.versions.map((v) => this.versionNetworkPolicy(v));
    net.push(this.gatewayNetworkPolicy());
    if (this.waypointServices.length > 0) net.push(this.waypointNetworkPolicy());
    net.push(
      new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: { name: 'default-deny', namespace: this.namespace },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
    );
    return net;
  }

  /** One version's pods: HBONE from their callers (or the gateway or waypoint that proxies them), probes, and HBONE out to their callees. */
  private versionNetworkPolicy(v: NamedVersion): k8s.KubeNetworkPolicy {
    const inEdges = this.d.inbound(v.ref);
    const outEdges = this.d.outbound(v.ref);
    const probed = this.probePorts.get(`${v.ref.component}@${v.ref.version}`) ?? [];
    const from = [
      ...(inEdges.some((e) => e.from === INGRESS_PEER) ? [proxyPods(this.gatewayName)] : []),
      ...peersOf(
        inEdges.filter((e) => e.from !== INGRESS_PEER && !this.viaWaypoint(e)),
        'from',
      ),
      ...(inEdges.some((e) => this.viaWaypoint(e)) ? [proxyPods(WAYPOINT_NAME)] : []),
    ];
    const to = [
      ...peersOf(
        outEdges.filter((e) => !this.viaWaypoint(e)),
        'to',
      ),
      ...(outEdges.some((e) => this.viaWaypoint(e)) ? [proxyPods(WAYPOINT_NAME)] : []),
    ];
    return new k8s.KubeNetworkPolicy(this, `Net-${v.name}`, {
      metadata: { name: v.name, namespace: this.namespace, labels: versionLabels(v.ref) },
      spec: {
        podSelector: { matchLabels: versionLabels(v.ref) },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          ...(from.length > 0 ? [{ from, ports: tcpPorts([HBONE_PORT]) }] : []),
          // Exec probes run in the container and need no rule.
          ...(probed.length > 0 ? [{ from: [{ ipBlock: { cidr: PROBE_SNAT_CIDR } }], ports: tcpPorts(probed) }] : []),
        ],
        egress: [...(to.length > 0 ? [{ to, ports: tcpPorts([HBONE_PORT]) }] : []), dnsEgress()],
      },
    });
  }

  /** The gateway's pods: users on the listener port; out to the entry versions and istiod. */
  private gatewayNetworkPolicy(): k8s.KubeNetworkPolicy {
    const entryVersions = this.d.edges.filter((e) => e.from === INGRESS_PEER);
    return new k8s.KubeNetworkPolicy(this, 'Net-Gateway', {
      metadata: { name: gatewayDeploymentName(this.gatewayName), namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: this.gatewayName } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: tcpPorts([this.gatewayPort]) }],
        egress: [
          ...(entryVersions.length > 0 ? [{ to: peersOf(entryVersions, 'to'), ports: tcpPorts([HBONE_PORT]) }] : []),
          istiodEgress(this.d.istiod),
          dnsEgress(),
        ],
      },
    });
  }

  /** The waypoint's pods: HBONE from the callers it proxies, out to their callees and istiod. */
  private waypointNetworkPolicy(): k8s.KubeNetworkPolicy {
    const proxied = this.d.edges.filter((e) => this.viaWaypoint(e));
    const hbone = tcpPorts([HBONE_PORT]);
    return new k8s.KubeNetworkPolicy(this, 'Net-Waypoint', {
      metadata: { name: WAYPOINT_NAME, namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: WAYPOINT_NAME } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: proxied.length > 0 ? [{ from: peersOf(proxied, 'from'), ports: hbone }] : [],
        egress: [
          ...(proxied.length > 0 ? [{ to: peersOf(proxied, 'to'), ports: hbone }] : []),
          istiodEgress(this.d.istiod),
          dnsEgress(),
        ],
      },
    });
  }
}
