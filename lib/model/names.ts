import type { ErrorLocation } from './errors';
import { ReleaseConfigError, show } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v?[0-9]+(\.[0-9]+){0,2}$/;

/** Throws unless `value` is a DNS-1123 label (lower-case alphanumerics and '-', at most `maxLength`). */
export function assertDnsLabel(value: string, at: ErrorLocation, maxLength = 63): void {
  if (typeof value !== 'string' || !DNS1123_LABEL.test(value) || value.length > maxLength) {
    throw new ReleaseConfigError(
      at,
      `${show(value)} is not a DNS-1123 label of at most ${maxLength} characters`,
      "Use lower-case letters, digits and '-', starting and ending with a letter or digit.",
    );
  }
}

/** Throws unless `version` is a dotted numeric version such as `1.0`, `2.1.3` or `v1` (Bookinfo's style). */
export function assertVersion(version: string, at: ErrorLocation): void {
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new ReleaseConfigError(
      at,
      `${show(version)} is not a version`,
      "Write versions as dotted numbers such as '1.0' or 'v1' (they become the 'version' label and names like 'v1-0').",
    );
  }
}

/** `1.0` -> `1-0`: a version as it appears inside names. */
export function versionSlug(version: string): string {
  return version.replace(/\./g, '-');
}

/** DestinationRule subset name of a version: `1.0` -> `v1-0`, `v2` -> `v2`. */
export function subsetName(version: string): string {
  return version.startsWith('v') ? versionSlug(version) : `v${versionSlug(version)}`;
}

/** Deployment name of a component version: `voting-app`, `1.0` -> `voting-app-1-0`. */
export function deploymentName(component: string, version: string): string {
  return `${component}-${versionSlug(version)}`;
}

/** Fully qualified in-cluster host of a Service. */
export function serviceHost(service: string, namespace: string, clusterDomain: string): string {
  return `${service}.${namespace}.svc.${clusterDomain}`;
}

/** Compares dotted numeric versions (`1.10` > `1.9`, `v2` = `2`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Name of the Deployment, Service and ServiceAccount Istio deploys for a Gateway API Gateway:
 * `<gateway>-<class>` (gatewaycommon/gateway_utils.go; the waypoint class has no suffix).
 */
export function gatewayDeploymentName(gateway: string, gatewayClass = 'istio'): string {
  return gatewayClass === 'istio-waypoint' ? gateway : `${gateway}-${gatewayClass}`;
}

/** The SPIFFE principal (without `spiffe://`) of a ServiceAccount: `<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
export function principal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** ServiceAccount of a component version (= its Deployment name): its identity in authorization policies. */
export function versionServiceAccount(component: string, version: string): string {
  return deploymentName(component, version);
}

/** Name of the VirtualService (sidecar) or HTTPRoute (ambient) bound to the ingress Gateway: `<entry component>-ingress`. */
export function ingressRouteName(entryComponent: string): string {
  return `${entryComponent}-ingress`;
}

/** Name of the AuthorizationPolicy that admits users at a Gateway API gateway's listener: `<gateway>-ingress`. */
export function gatewayListenerPolicyName(gateway: string): string {
  return `${gateway}-ingress`;
}

/** The stable and canary Services of an Argo Rollouts canary: `<name>-stable`, `<name>-canary`. */
export function rolloutServiceNames(rollout: string): { readonly stable: string; readonly canary: string } {
  return { stable: `${rollout}-stable`, canary: `${rollout}-canary` };
}
