import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { INGRESS_PEER } from '../resolve/resolved-stage';
import type { ResolvedStage, VersionEdge } from '../resolve/resolved-stage';
import { istioKinds } from './istio-api';
import {
  defaultPolicyIngress,
  dnsEgress,
  istiodEgress,
  namespaceSelector,
  PolicyDefaults,
  stagePoliciesProps,
  tcpPorts,
  versionLabels,
} from './policy-props';
import type { NamedVersion, PolicyIngress, PolicyPods, StagePoliciesProps } from './policy-props';

export type { PolicyIngress, PolicyPods, PolicyVersion, StagePoliciesProps } from './policy-props';

/** Properties of {@link MeshPolicies}. */
export interface MeshPoliciesProps extends StagePoliciesProps {
  /** The ingress gateway: the AuthorizationPolicies admit its principal, the NetworkPolicies its pods. @default - istioctl's default ingress gateway */
  readonly ingress?: PolicyIngress;
  /** The metrics scraper admitted to the sidecars' merged metrics (15020). @default - none */
  readonly metricsScraper?: { readonly namespace: string; readonly podLabels?: Readonly<Record<string, string>> };
}

/** The {@link MeshPoliciesProps} of a resolved stage: what a ReleaseStage passes. */
export function meshPoliciesProps(stage: ResolvedStage): MeshPoliciesProps {
  const i = stage.ingress;
  return {
    ...stagePoliciesProps(stage),
    ingress: { namespace: i.namespace, podLabels: i.podLabels, principal: i.principal },
    ...(stage.security.metricsScraper ? { metricsScraper: stage.security.metricsScraper } : {}),
  };
}

/**
 * Who may call whom, per version and twice: Istio AuthorizationPolicies (identity: the caller
 * version's own ServiceAccount, carried by mTLS) and Kubernetes NetworkPolicies (defence in depth:
 * pod labels `{app, version}` and ports), both derived from the stage's version edges, the same
 * lanes the routes are derived from. A lane therefore reaches only its own versions (app 2.0
 * cannot reach Redis 1.0, the 1.x lane cannot reach MySQL), and a version in no lane reaches, and
 * is reached by, nothing.
 *
 * Allow policies come before the deny-all ones in the file, so applying a stage never denies a
 * call that it also allows.
 */
export class MeshPolicies extends Construct {
  public readonly authorizationPolicies: readonly ApiObject[];
  public readonly networkPolicies: readonly k8s.KubeNetworkPolicy[];
  /** The ingress gateway the policies admit. */
  public readonly ingress: PolicyIngress;
  /** Namespace of every policy. */
  public readonly namespace: string;
  /** Trust domain of the principals. */
  public readonly trustDomain: string;
  /** istiod's pods, which the sidecars reach on 15012. */
  public readonly istiod: PolicyPods;
  private readonly d: PolicyDefaults;

  constructor(scope: Construct, id: string, props: MeshPoliciesProps) {
    super(scope, id);
    this.d = new PolicyDefaults(props);
    this.namespace = this.d.namespace;
    this.trustDomain = this.d.trustDomain;
    this.istiod = this.d.istiod;
    this.ingress = props.ingress ?? defaultPolicyIngress();
    this.authorizationPolicies = this.d.authorization ? this.addAuthorizationPolicies() : [];
    this.networkPolicies = this.d.networkPolicies ? this.addNetworkPolicies(props.metricsScraper) : [];
  }

  private addAuthorizationPolicies(): ApiObject[] {
    const { AuthorizationPolicy } = istioKinds(this.d.istioApiVersion);
    const namespace = this.namespace;
    const authz: ApiObject[] = [];
    for (const v of this.d.versions.filter((x) => this.d.inbound(x.ref).length > 0)) {
      authz.push(
        new AuthorizationPolicy(this, `Allow-${v.name}`, {
          metadata: { name: v.name, namespace, labels: versionLabels(v.ref) },
          spec: {
            selector: { matchLabels: versionLabels(v.ref) },
            action: AuthorizationPolicySpecAction.ALLOW,
            rules: this.d.inbound(v.ref).map((edge) => ({
              from: [
                {
                  source: {
                    principals: [edge.from === INGRESS_PEER ? this.ingress.principal : this.d.principalOf(edge.from)],
                  },
                },
              ],
              to: [{ operation: { ports: edge.ports.map(String) } }],
            })),
          },
        }),
      );
    }
    // An ALLOW policy without rules matches nothing: every workload of the namespace denies
    // whatever the policies above do not allow (an idle version: everything).
    authz.push(
      new AuthorizationPolicy(this, 'AllowNothing', { metadata: { name: 'allow-nothing', namespace }, spec: {} }),
    );
    return authz;
  }

  private addNetworkPolicies(scraper: MeshPoliciesProps['metricsScraper']): k8s.KubeNetworkPolicy[] {
    const net = this.d.versions.map(
      (v) =>
        new k8s.KubeNetworkPolicy(this, `Net-${v.name}`, {
          metadata: { name: v.name, namespace: this.namespace, labels: versionLabels(v.ref) },
          spec: {
            podSelector: { matchLabels: versionLabels(v.ref) },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [
              ...this.d.inbound(v.ref).map((edge) => ({ from: [this.peerOf(edge)], ports: tcpPorts(edge.ports) })),
              // The sidecar's merged Prometheus metrics (15020), for the configured scraper only.
              // Kubelet probes (which Istio rewrites to 15020/15021) need no rule: NetworkPolicy
              // always allows traffic from the pod's own node.
              ...(scraper
                ? [
                    {
                      from: [
                        {
                          namespaceSelector: namespaceSelector(scraper.namespace),
                          ...(scraper.podLabels ? { podSelector: { matchLabels: { ...scraper.podLabels } } } : {}),
                        },
                      ],
                      ports: tcpPorts([15020]),
                    },
                  ]
                : []),
            ],
            egress: this.egressOf(v),
          },
        }),
    );
    net.push(
      new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: { name: 'default-deny', namespace: this.namespace },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }),
    );
    return net;
  }

  /** The NetworkPolicy peer of an edge's caller: the ingress gateway's pods, or the caller version's. */
  private peerOf(edge: VersionEdge) {
    return edge.from === INGRESS_PEER
      ? {
          namespaceSelector: namespaceSelector(this.ingress.namespace),
          podSelector: { matchLabels: { ...this.ingress.podLabels } },
        }
      : { podSelector: { matchLabels: versionLabels(edge.from) } };
  }

  private egressOf(v: NamedVersion) {
    return [
      ...this.d.outbound(v.ref).map((edge) => ({
        to: [{ podSelector: { matchLabels: versionLabels(edge.to) } }],
        ports: tcpPorts(edge.ports),
      })),
      // Cluster DNS.
      dnsEgress(),
      // The sidecar's configuration (xDS) and certificates (CA) from istiod.
      istiodEgress(this.istiod),
    ];
  }
}
