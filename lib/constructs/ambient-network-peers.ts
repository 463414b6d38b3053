// Ambient mode's network-level facts (HBONE, the probe SNAT address) and the NetworkPolicy peers AmbientPolicies builds from them.
import type { VersionEdge, VersionRef } from '../resolve/resolved-stage';
import { GATEWAY_NAME_LABEL } from './ambient-mesh';
import { versionLabels } from './policy-props';

/** HBONE: the port ztunnel receives every mesh connection on, inside the destination pod's network namespace. */
export const HBONE_PORT = 15008;

/**
 * The address istio-cni gives the kubelet's probes of ambient pods (SNAT, HOST_PROBE_SNAT_IP):
 * ztunnel lets them through unencrypted to the container port, and a NetworkPolicy may no longer
 * see them as node traffic. istio.io, "Ambient and Kubernetes NetworkPolicy" (docs/ambient/usage/networkpolicy):
 * depending on the CNI, probes may be blocked, so admit `ipBlock: 169.254.7.127/32`.
 */
export const PROBE_SNAT_CIDR = '169.254.7.127/32';

/** The pods Istio deploys for a Gateway API Gateway (the entry gateway or the waypoint). */
export function proxyPods(gateway: string) {
  return { podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: gateway } } };
}

/** The distinct versions on one side of the edges, as NetworkPolicy peers. */
export function peersOf(edges: readonly VersionEdge[], side: 'from' | 'to') {
  return [
    ...new Map(
      edges.map((e) => {
        const ref = e[side] as VersionRef;
        return [`${ref.component}@${ref.version}`, { podSelector: { matchLabels: versionLabels(ref) } }];
      }),
    ).values(),
  ];
}
