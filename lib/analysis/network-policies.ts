import { labelsHold, Manifest, namespaceOf } from './manifest';
import { ManifestIndex } from './manifest-index';

/** A pod as NetworkPolicies see it: its namespace (and that namespace's labels) and its labels. */
export interface PodEndpoint {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the pod's namespace. @default - only `kubernetes.io/metadata.name` (which Kubernetes sets on every namespace) */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

/** The verdict of Kubernetes NetworkPolicies for one connection. */
export interface NetworkVerdict {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Evaluates Kubernetes NetworkPolicies (networking.k8s.io/v1) for a TCP (or UDP) connection from
 * one pod to another on `port`, as the API defines them: a pod selected by a policy of a direction
 * is isolated in that direction and admits only what some selecting policy's rule admits (peers by
 * podSelector in the policy's namespace, namespaceSelector, both, or any; ports by number); a
 * connection needs the source's egress and the destination's ingress. `ipBlock` peers are not
 * modelled (they never match a pod here) and named ports match nothing.
 */
export function networkPolicyAllows(manifests: readonly Manifest[], from: PodEndpoint, to: PodEndpoint, port: number, protocol = 'TCP'): NetworkVerdict {
  const egress = direction(manifests, from, to, port, protocol, 'Egress');
  if (!egress.allowed) return egress;
  return direction(manifests, to, from, port, protocol, 'Ingress');
}

function direction(manifests: readonly Manifest[], self: PodEndpoint, peer: PodEndpoint, port: number, protocol: string, type: 'Ingress' | 'Egress'): NetworkVerdict {
  const policies = ManifestIndex.of(manifests).ofKind('NetworkPolicy').filter((p) => namespaceOf(p) === self.namespace
    && selects(p.spec?.podSelector, self.labels) && policyTypes(p).includes(type));
  if (policies.length === 0) return { allowed: true, reason: `no NetworkPolicy isolates the ${type === 'Ingress' ? 'destination' : 'source'} for ${type.toLowerCase()}` };
  const rulesKey = type === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = type === 'Ingress' ? 'from' : 'to';
  for (const p of policies) {
    const i = (p.spec?.[rulesKey] ?? []).findIndex((rule: any) => peerMatches(rule[peersKey], p, peer) && portMatches(rule.ports, port, protocol));
    if (i !== -1) return { allowed: true, reason: `${type.toLowerCase()} allowed by NetworkPolicy ${p.metadata.name} rule ${i}` };
  }
  return { allowed: false, reason: `no ${rulesKey} rule of NetworkPolicy ${policies.map((p) => p.metadata.name).join(', ')} admits ${protocol}/${port}` };
}

function policyTypes(p: Manifest): string[] {
  // Without policyTypes, a policy is Ingress, plus Egress when it has egress rules.
  return p.spec?.policyTypes ?? ['Ingress', ...(p.spec?.egress ? ['Egress'] : [])];
}

function selects(selector: any, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  return labelsHold(selector.matchLabels, labels) && (selector.matchExpressions ?? []).every((e: any) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': return has && e.values.includes(labels[e.key]);
      case 'NotIn': return !has || !e.values.includes(labels[e.key]);
      case 'Exists': return has;
      case 'DoesNotExist': return !has;
      default: return false;
    }
  });
}

function peerMatches(peers: any[] | undefined, policy: Manifest, peer: PodEndpoint): boolean {
  if (peers === undefined || peers.length === 0) return true; // an empty from/to admits every peer
  const nsLabels = { 'kubernetes.io/metadata.name': peer.namespace, ...(peer.namespaceLabels ?? {}) };
  return peers.some((x) => {
    if (x.ipBlock) return false;
    const nsOk = x.namespaceSelector ? selects(x.namespaceSelector, nsLabels) : peer.namespace === namespaceOf(policy);
    return nsOk && (x.podSelector ? selects(x.podSelector, peer.labels) : true);
  });
}

function portMatches(ports: any[] | undefined, port: number, protocol: string): boolean {
  if (ports === undefined || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || (typeof p.port === 'number' && (p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort)))));
}
