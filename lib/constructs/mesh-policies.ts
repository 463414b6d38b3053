import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { principal, versionServiceAccount } from '../model/names';
import { INGRESS_PEER, ResolvedSecurity, ResolvedStage, VersionEdge, VersionRef } from '../resolve/resolved-stage';
import { istioKinds } from './istio-api';

/** Properties of {@link MeshPolicies}. */
export interface MeshPoliciesProps {
  /** The stage: component versions and the calls its lanes make between them. */
  readonly stage: ResolvedStage;
}

/** The pod labels of a version (its Deployment's selector): `{app, version}`. */
export function versionLabels(v: VersionRef): Record<string, string> {
  return { app: v.component, version: v.version };
}

/** The stage's versions (with their Deployment names) and the edges into and out of each: what both flavours' policies are built from. */
export function versionEdges(stage: ResolvedStage) {
  const same = (a: VersionRef, b: VersionRef) => a.component === b.component && a.version === b.version;
  return {
    versions: stage.components.flatMap((c) => c.versions.map((d) => ({ ref: { component: c.name, version: d.version } as VersionRef, name: d.deploymentName }))),
    inbound: (v: VersionRef): VersionEdge[] => stage.edges.filter((e) => same(e.to, v)),
    outbound: (v: VersionRef): VersionEdge[] => stage.edges.filter((e) => e.from !== INGRESS_PEER && same(e.from, v)),
  };
}

/** A NetworkPolicy namespaceSelector for one namespace (the label the API server sets). */
export function namespaceSelector(name: string) {
  return { matchLabels: { 'kubernetes.io/metadata.name': name } };
}

/** TCP NetworkPolicy ports. */
export function tcpPorts(ports: readonly number[]) {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}

/** Egress to cluster DNS (kube-dns in kube-system, UDP and TCP 53). */
export function dnsEgress() {
  return {
    to: [{ namespaceSelector: namespaceSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
  };
}

/** Egress to istiod's xDS and CA port (15012), for the proxies of a stage (sidecars, gateways, waypoints). */
export function istiodEgress(security: ResolvedSecurity) {
  return { to: [{ namespaceSelector: namespaceSelector(security.istiodNamespace), podSelector: { matchLabels: { ...security.istiodPodLabels } } }], ports: tcpPorts([15012]) };
}

/** The SPIFFE principal (without `spiffe://`) of a component version's ServiceAccount. */
export function principalOf(stage: ResolvedStage, v: VersionRef): string {
  return principal(stage.context.trustDomain, stage.app.namespace, versionServiceAccount(v.component, v.version));
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

  constructor(scope: Construct, id: string, props: MeshPoliciesProps) {
    super(scope, id);
    const stage = props.stage;
    const security = stage.security;
    const namespace = stage.app.namespace;
    const { versions, inbound, outbound } = versionEdges(stage);

    const authz: ApiObject[] = [];
    const { AuthorizationPolicy } = istioKinds(stage.app.istioApiVersion);
    if (security.authorization) {
      for (const v of versions.filter((x) => inbound(x.ref).length > 0)) {
        authz.push(new AuthorizationPolicy(this, `Allow-${v.name}`, {
          metadata: { name: v.name, namespace, labels: versionLabels(v.ref) },
          spec: {
            selector: { matchLabels: versionLabels(v.ref) },
            action: AuthorizationPolicySpecAction.ALLOW,
            rules: inbound(v.ref).map((edge) => ({
              from: [{ source: { principals: [edge.from === INGRESS_PEER ? stage.ingress.principal : principalOf(stage, edge.from)] } }],
              to: [{ operation: { ports: edge.ports.map(String) } }],
            })),
          },
        }));
      }
      // An ALLOW policy without rules matches nothing: every workload of the namespace denies
      // whatever the policies above do not allow (an idle version: everything).
      authz.push(new AuthorizationPolicy(this, 'AllowNothing', { metadata: { name: 'allow-nothing', namespace }, spec: {} }));
    }
    this.authorizationPolicies = authz;

    const net: k8s.KubeNetworkPolicy[] = [];
    if (security.networkPolicies) {
      const scraper = security.metricsScraper;
      for (const v of versions) {
        net.push(new k8s.KubeNetworkPolicy(this, `Net-${v.name}`, {
          metadata: { name: v.name, namespace, labels: versionLabels(v.ref) },
          spec: {
            podSelector: { matchLabels: versionLabels(v.ref) },
            policyTypes: ['Ingress', 'Egress'],
            ingress: [
              ...inbound(v.ref).map((edge) => ({
                from: [edge.from === INGRESS_PEER
                  ? { namespaceSelector: namespaceSelector(stage.ingress.namespace), podSelector: { matchLabels: { ...stage.ingress.podLabels } } }
                  : { podSelector: { matchLabels: versionLabels(edge.from) } }],
                ports: tcpPorts(edge.ports),
              })),
              // The sidecar's merged Prometheus metrics (15020), for the configured scraper only.
              // Kubelet probes (which Istio rewrites to 15020/15021) need no rule: NetworkPolicy
              // always allows traffic from the pod's own node.
              ...(scraper ? [{
                from: [{ namespaceSelector: namespaceSelector(scraper.namespace), ...(scraper.podLabels ? { podSelector: { matchLabels: { ...scraper.podLabels } } } : {}) }],
                ports: tcpPorts([15020]),
              }] : []),
            ],
            egress: [
              ...outbound(v.ref).map((edge) => ({ to: [{ podSelector: { matchLabels: versionLabels(edge.to) } }], ports: tcpPorts(edge.ports) })),
              // Cluster DNS.
              dnsEgress(),
              // The sidecar's configuration (xDS) and certificates (CA) from istiod.
              istiodEgress(security),
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
