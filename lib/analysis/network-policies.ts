import type { Manifest } from './manifest';
import { labelsHold, namespaceOf } from './manifest';
import { ManifestIndex } from './manifest-index';
import { at, listAt, stringMapAt } from './manifest-kinds';

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
export function networkPolicyAllows(
  manifests: readonly Manifest[],
  from: PodEndpoint,
  to: PodEndpoint,
  port: number,
  protocol = 'TCP',
): NetworkVerdict {
  const egress = direction(manifests, from, to, port, protocol, 'Egress');
  if (!egress.allowed) return egress;
  return direction(manifests, to, from, port, protocol, 'Ingress');
}

function direction(
  manifests: readonly Manifest[],
  self: PodEndpoint,
  peer: PodEndpoint,
  port: number,
  protocol: string,
  type: 'Ingress' | 'Egress',
): NetworkVerdict {
  const policies = ManifestIndex.of(manifests)
    .ofKind('NetworkPolicy')
    .filter(
      (p) =>
        namespaceOf(p) === self.namespace && selects(p.spec?.podSelector, self.labels) && policyTypes(p).includes(type),
    );
  if (policies.length === 0)
    return {
      allowed: true,
      reason: `no NetworkPolicy isolates the ${type === 'Ingress' ? 'destination' : 'source'} for ${type.toLowerCase()}`,
    };
  const rulesKey = type === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = type === 'Ingress' ? 'from' : 'to';
  for (const p of policies) {
    const i = listAt(p.spec, rulesKey).findIndex(
      (rule) => peerMatches(at(rule, peersKey), p, peer) && portMatches(at(rule, 'ports'), port, protocol),
    );
    if (i !== -1)
      return { allowed: true, reason: `${type.toLowerCase()} allowed by NetworkPolicy ${p.metadata.name} rule ${i}` };
  }
  return {
    allowed: false,
    reason: `no ${rulesKey} rule of NetworkPolicy ${policies.map((p) => p.metadata.name).join(', ')} admits ${protocol}/${port}`,
  };
}

function policyTypes(p: Manifest): readonly unknown[] {
  // Without policyTypes, a policy is Ingress, plus Egress when it has egress rules.
  const types = at(p.spec, 'policyTypes');
  if (types == null) return ['Ingress', ...(at(p.spec, 'egress') ? ['Egress'] : [])];
  return Array.isArray(types) ? types : [];
}

function selects(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  return (
    labelsHold(stringMapAt(selector, 'matchLabels'), labels) &&
    listAt(selector, 'matchExpressions').every((e) => {
      const key = String(at(e, 'key'));
      const has = Object.prototype.hasOwnProperty.call(labels, key);
      const values = listAt(e, 'values');
      switch (at(e, 'operator')) {
        case 'In':
          return has && values.includes(labels[key]);
        case 'NotIn':
          return !has || !values.includes(labels[key]);
        case 'Exists':
          return has;
        case 'DoesNotExist':
          return !has;
        default:
          return false;
      }
    })
  );
}

function peerMatches(peers: unknown, policy: Manifest, peer: PodEndpoint): boolean {
  if (!Array.isArray(peers) || peers.length === 0) return true; // an empty from/to admits every peer
  const nsLabels = { 'kubernetes.io/metadata.name': peer.namespace, ...(peer.namespaceLabels ?? {}) };
  return peers.some((x: unknown) => {
    if (at(x, 'ipBlock')) return false;
    const nsSelector = at(x, 'namespaceSelector');
    const podSelector = at(x, 'podSelector');
    const nsOk = nsSelector ? selects(nsSelector, nsLabels) : peer.namespace === namespaceOf(policy);
    return nsOk && (podSelector ? selects(podSelector, peer.labels) : true);
  });
}

function portMatches(ports: unknown, port: number, protocol: string): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p: unknown) => {
    const number = at(p, 'port');
    const endPort = at(p, 'endPort');
    return (
      (at(p, 'protocol') ?? 'TCP') === protocol &&
      (number === undefined ||
        (typeof number === 'number' &&
          (number === port || (endPort !== undefined && port >= number && port <= Number(endPort)))))
    );
  });
}
