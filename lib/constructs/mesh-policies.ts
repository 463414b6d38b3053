import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { principal } from '../model/defaults';
import { istioKinds } from './istio-api';
import { INGRESS_PEER, ResolvedStage } from '../resolve/resolved-stage';

/** Properties of {@link MeshPolicies}. */
export interface MeshPoliciesProps {
  /** The stage: components and the edges its lanes use. */
  readonly stage: ResolvedStage;
}

/** The SPIFFE principal (without `spiffe://`) of a component's ServiceAccount. */
export function principalOf(stage: ResolvedStage, component: string): string {
  return principal(stage.context.trustDomain, stage.app.namespace, component);
}

/**
 * Who may call whom, twice: Istio AuthorizationPolicies (identity: the caller's ServiceAccount,
 * carried by mTLS) and Kubernetes NetworkPolicies (defence in depth: pod labels and ports), both
 * derived from the same edges as the routes, so a new lane cannot be routed but not allowed.
 *
 * Allow policies come before the deny-all ones in the file, so applying a stage never denies a
 * call that it also allows.
 */
export class MeshPolicies extends Construct {
  public readonly authorizationPolicies: readonly ApiObject[];
  public readonly networkPolicies: readonly k8s.KubeNetworkPolicy[];

  constructor(scope: Construct, id: string, props: MeshPoliciesProps) {
    super(scope, id);
    const stage = props.stage;
    const security = stage.security;
    const namespace = stage.app.namespace;

    const authz: ApiObject[] = [];
    const { AuthorizationPolicy } = istioKinds(stage.app.istioApiVersion);
    if (security.authorization) {
      for (const c of stage.components) {
        authz.push(new AuthorizationPolicy(this, `Allow-${c.name}`, {
          metadata: { name: c.name, namespace, labels: { app: c.name } },
          spec: {
            selector: { matchLabels: { app: c.name } },
            action: AuthorizationPolicySpecAction.ALLOW,
            rules: c.inbound.map((edge) => ({
              from: [{ source: { principals: [edge.peer === INGRESS_PEER ? stage.context.ingressPrincipal : principalOf(stage, edge.peer)] } }],
              to: [{ operation: { ports: edge.ports.map(String) } }],
            })),
          },
        }));
      }
      // An ALLOW policy without rules matches nothing: every workload of the namespace denies
      // whatever the policies above do not allow.
      authz.push(new AuthorizationPolicy(this, 'AllowNothing', { metadata: { name: 'allow-nothing', namespace }, spec: {} }));
    }
    this.authorizationPolicies = authz;

    const net: k8s.KubeNetworkPolicy[] = [];
    if (security.networkPolicies) {
      const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
      const nsSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });
      const istiod = security.istiodNamespace;
      for (const c of stage.components) {
        net.push(new k8s.KubeNetworkPolicy(this, `Net-${c.name}`, {
          metadata: { name: c.name, namespace, labels: { app: c.name } },
          spec: {
            podSelector: { matchLabels: { app: c.name } },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [
              ...c.inbound.map((edge) => ({
                from: [edge.peer === INGRESS_PEER
                  ? { namespaceSelector: nsSelector(security.ingressNamespace), podSelector: { matchLabels: { ...security.ingressPodLabels } } }
                  : { podSelector: { matchLabels: { app: edge.peer } } }],
                ports: tcp(edge.ports),
              })),
              // Kubelet probes: Istio rewrites them to the sidecar agent (15020) and the proxy's readiness (15021).
              { ports: tcp([15020, 15021]) },
            ],
            egress: [
              ...c.outbound.map((edge) => ({ to: [{ podSelector: { matchLabels: { app: edge.peer } } }], ports: tcp(edge.ports) })),
              // Cluster DNS.
              {
                to: [{ namespaceSelector: nsSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
                ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
              },
              // The sidecar's configuration (xDS) and certificates (CA) from istiod.
              { to: [{ namespaceSelector: nsSelector(istiod), podSelector: { matchLabels: { app: 'istiod' } } }], ports: tcp([15012]) },
            ],
          },
        }));
      }
      net.push(new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
        metadata: { name: 'default-deny', namespace },
        spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
      }));
    }
    this.networkPolicies = net;
  }
}
