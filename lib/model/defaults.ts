import type { WorkloadSpec } from './application-spec';
import { principal } from './names';

/**
 * The cluster and mesh facts every object and every tool must agree on, with Istio's defaults.
 * They are resolved once ({@link resolveMeshContext}) and passed down, so a custom cluster domain
 * or trust domain reaches the constructs, the simulator, the analyzer and the release notes alike.
 */

/** Kubernetes' default cluster domain (`<service>.<namespace>.svc.cluster.local`). */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** Istio's default trust domain (the first segment of every SPIFFE principal). */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
/** Namespace of istiod and of the default ingress gateway in istioctl's default profile. */
export const DEFAULT_ISTIO_NAMESPACE = 'istio-system';
/** Labels of the default ingress gateway's pods. */
export const DEFAULT_INGRESS_POD_LABELS: Readonly<Record<string, string>> = { istio: 'ingressgateway' };
/** ServiceAccount of the default ingress gateway. */
export const DEFAULT_INGRESS_SERVICE_ACCOUNT = 'istio-ingressgateway-service-account';
/** HTTP port of the ingress Gateway's server (Istio Gateway) or listener (Gateway API). */
export const DEFAULT_GATEWAY_PORT = 80;
/** Hosts the ingress Gateway serves: every host. */
export const DEFAULT_GATEWAY_HOSTS: readonly string[] = ['*'];

/** Cluster and identity facts, each optional: what a user or a command line may give. */
export interface MeshContextOptions {
  /** Kubernetes cluster domain. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Istio trust domain of the principals. @default 'cluster.local' */
  readonly trustDomain?: string;
  /**
   * SPIFFE principal (without `spiffe://`) of the ingress gateway.
   * @default - `<trustDomain>/ns/istio-system/sa/istio-ingressgateway-service-account`
   */
  readonly ingressPrincipal?: string;
}

/** {@link MeshContextOptions} with every default resolved. */
export interface MeshContext {
  readonly clusterDomain: string;
  readonly trustDomain: string;
  readonly ingressPrincipal: string;
}

// Defined with the other derived names; re-exported here for the modules that import it from here.
export { principal };

/** Resolves every default of `options` once. */
export function resolveMeshContext(options: MeshContextOptions = {}): MeshContext {
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  return {
    clusterDomain: options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    trustDomain,
    ingressPrincipal:
      options.ingressPrincipal ?? principal(trustDomain, DEFAULT_ISTIO_NAMESPACE, DEFAULT_INGRESS_SERVICE_ACCOUNT),
  };
}

/** How often an ExternalSecret re-reads its store (`refreshInterval`) when the application names none. */
export const DEFAULT_EXTERNAL_SECRET_REFRESH_INTERVAL = '1h';
/** The kind of secret store an ExternalSecret reads when the application names none. */
export const DEFAULT_EXTERNAL_SECRET_STORE_KIND = 'ClusterSecretStore';

/** Pods of a workload (Deployment or Rollout) that sets no `replicas`. */
export const DEFAULT_REPLICAS = 1;
/** Seconds a pod gets to stop after SIGTERM when the workload sets no `terminationGracePeriodSeconds`. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** Timing of a probe that sets none (Kubernetes' own defaults, written out). */
export const DEFAULT_PROBE_TIMING = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 1,
} as const;
/** Old ReplicaSets an Argo Rollout keeps for rollback when its props set no `revisionHistoryLimit`. */
export const DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT = 3;

/** The replica count of a workload: `replicas`, else {@link DEFAULT_REPLICAS}. */
export function workloadReplicas(w: Pick<WorkloadSpec, 'replicas'>): number {
  return w.replicas ?? DEFAULT_REPLICAS;
}

/**
 * The PodDisruptionBudget's `minAvailable` of a workload: `minAvailable`, else replicas - 1 with
 * several replicas; undefined (no budget) for a single pod, which a budget would keep from draining.
 */
export function workloadMinAvailable(w: Pick<WorkloadSpec, 'replicas' | 'minAvailable'>): number | undefined {
  const replicas = workloadReplicas(w);
  return w.minAvailable ?? (replicas > 1 ? replicas - 1 : undefined);
}

/** Whether a workload's pods are spread across nodes: `spreadAcrossNodes`, else whenever it has several replicas. */
export function workloadSpreadsAcrossNodes(w: Pick<WorkloadSpec, 'replicas' | 'spreadAcrossNodes'>): boolean {
  return w.spreadAcrossNodes ?? workloadReplicas(w) > 1;
}

/** The HTTP port of an ingress Gateway: `gateway.port`, else {@link DEFAULT_GATEWAY_PORT}. */
export function gatewayPort(g: { readonly port?: number }): number {
  return g.port ?? DEFAULT_GATEWAY_PORT;
}

/** The hosts an ingress Gateway serves: `gateway.hosts`, else every host. */
export function gatewayHosts(g: { readonly hosts?: readonly string[] }): readonly string[] {
  return g.hosts ?? DEFAULT_GATEWAY_HOSTS;
}
