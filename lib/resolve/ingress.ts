import { gatewayHosts, gatewayPort } from '../model/defaults';
import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError } from '../model/errors';
import type { ReleaseFlavour } from '../model/flavour';
import { DEFAULT_FLAVOUR } from '../model/flavour';
import type { InstallationProfile } from '../model/installation-profile';
import { resolveInstallation } from '../model/installation-profile';
import { gatewayDeploymentName, principal } from '../model/names';
import type { GatewaySpec, SecuritySpec } from '../model/spec';

/** The label Istio puts on the pods it deploys for a Gateway API Gateway (gateway and waypoint). */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/**
 * The ingress gateway of a stage with every default resolved: the pods the Gateway selects, the
 * NetworkPolicies admit and the analyzer looks for, the identity the AuthorizationPolicies admit,
 * and the port users reach. Every construct and tool reads these fields, none re-derives them.
 */
export interface ResolvedIngress {
  /** Name of the Gateway object (`gateway.name`). */
  readonly gatewayName: string;
  /** Namespace of the gateway pods. */
  readonly namespace: string;
  /** Labels of the gateway pods: the Gateway's selector and the NetworkPolicy peer. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** ServiceAccount of the gateway pods. */
  readonly serviceAccount: string;
  /** SPIFFE principal (without `spiffe://`) of the gateway pods: what the AuthorizationPolicies admit. */
  readonly principal: string;
  /** HTTP port of the Gateway's server or listener. */
  readonly port: number;
  /** Hosts the Gateway serves. */
  readonly hosts: readonly string[];
}

/** What the ingress is resolved from: the application's fields (or a RolloutStage's props). */
export interface IngressInputs {
  /** The application's namespace (where a Gateway API gateway's pods run). */
  readonly namespace: string;
  readonly gateway: GatewaySpec;
  /** @default ISTIOCTL_DEFAULT_PROFILE */
  readonly installation?: InstallationProfile;
  /** @default - no overrides */
  readonly security?: SecuritySpec;
  /** @default 'istio-sidecar' */
  readonly flavour?: ReleaseFlavour;
  /** Stage name, for errors. @default - none */
  readonly stage?: string;
}

/** Labels given in one field of the input, for {@link podLabelsOf}. */
export interface LabelsField {
  /** The field's path, for errors. */
  readonly field: string;
  /** @default - not set */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Two fields that name the same pods: the one that is set, else `fallback`. Both set to different
 * labels is an error (one object would select other pods than another admits).
 */
export function podLabelsOf(
  preferred: LabelsField,
  other: LabelsField,
  fallback: Readonly<Record<string, string>>,
  at: Omit<ErrorLocation, 'field'> = {},
): Readonly<Record<string, string>> {
  if (preferred.labels !== undefined && other.labels !== undefined && !sameLabels(preferred.labels, other.labels)) {
    throw new ReleaseConfigError(
      { ...at, field: other.field },
      `${JSON.stringify(other.labels)} differs from ${preferred.field} ${JSON.stringify(preferred.labels)}, and both name the ingress gateway pods: the Gateway would select other pods than the NetworkPolicies admit`,
      `Set one of ${other.field} and ${preferred.field}, or both to the same labels`,
    );
  }
  return preferred.labels ?? other.labels ?? fallback;
}

/**
 * The labels of the ingress gateway pods of the istio-sidecar flavour. Precedence, decided here
 * only: `security.ingressGateway.podLabels`, else `gateway.selector` (both set must be equal),
 * else the installation profile's.
 */
export function ingressPodLabels(
  gateway: GatewaySpec,
  security: SecuritySpec | undefined,
  installation: InstallationProfile,
  at: Omit<ErrorLocation, 'field'> = {},
): Readonly<Record<string, string>> {
  return podLabelsOf(
    { field: 'application.security.ingressGateway.podLabels', labels: security?.ingressGateway?.podLabels },
    { field: 'application.gateway.selector', labels: gateway.selector },
    installation.ingressGateway.podLabels,
    at,
  );
}

/** The ingress gateway of a stage (see {@link ResolvedIngress}), resolved once. */
export function resolveIngress(inputs: IngressInputs): ResolvedIngress {
  const installation = resolveInstallation(inputs.installation);
  const g = inputs.gateway;
  const trustDomain = inputs.security?.trustDomain ?? installation.trustDomain;
  const common = { gatewayName: g.name, port: gatewayPort(g), hosts: gatewayHosts(g) };
  // Checked in both flavours: contradicting data is wrong whichever flavour ignores it.
  const sidecarPodLabels = ingressPodLabels(g, inputs.security, installation, { stage: inputs.stage });
  if ((inputs.flavour ?? DEFAULT_FLAVOUR) === 'gateway-api-ambient') {
    // Istio deploys a Gateway API gateway in the Gateway's namespace as `<gateway>-istio`, its pods
    // labelled with the Gateway's name (gatewaycommon/deploymentcontroller.go).
    const serviceAccount = gatewayDeploymentName(g.name);
    return {
      ...common,
      namespace: inputs.namespace,
      podLabels: { [GATEWAY_NAME_LABEL]: g.name },
      serviceAccount,
      principal: principal(trustDomain, inputs.namespace, serviceAccount),
    };
  }
  return { ...common, ...installationIngress(installation, inputs.security), podLabels: sidecarPodLabels };
}

/**
 * The ingress gateway pods of an installation (istio-sidecar flavour), with the application's
 * `security` overrides: the one place their namespace and principal are derived. `podLabels`
 * ignore `gateway.selector` (see {@link ingressPodLabels}).
 */
export function installationIngress(
  installation: InstallationProfile,
  security?: SecuritySpec,
): Pick<ResolvedIngress, 'namespace' | 'podLabels' | 'serviceAccount' | 'principal'> {
  const s = security?.ingressGateway;
  const trustDomain = security?.trustDomain ?? installation.trustDomain;
  const namespace = s?.namespace ?? installation.ingressGateway.namespace;
  const serviceAccount = installation.ingressGateway.serviceAccount;
  return {
    namespace,
    podLabels: s?.podLabels ?? installation.ingressGateway.podLabels,
    serviceAccount,
    principal: s?.principal ?? principal(trustDomain, namespace, serviceAccount),
  };
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}
