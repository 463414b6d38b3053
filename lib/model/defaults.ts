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
    ingressPrincipal: options.ingressPrincipal ?? principal(trustDomain, DEFAULT_ISTIO_NAMESPACE, DEFAULT_INGRESS_SERVICE_ACCOUNT),
  };
}

/** How often an ExternalSecret re-reads its store (`refreshInterval`) when the application names none. */
export const DEFAULT_EXTERNAL_SECRET_REFRESH_INTERVAL = '1h';
/** The kind of secret store an ExternalSecret reads when the application names none. */
export const DEFAULT_EXTERNAL_SECRET_STORE_KIND = 'ClusterSecretStore';
