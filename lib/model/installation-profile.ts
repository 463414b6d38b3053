import {
  DEFAULT_INGRESS_POD_LABELS,
  DEFAULT_INGRESS_SERVICE_ACCOUNT,
  DEFAULT_ISTIO_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
} from './defaults';
import { ReleaseConfigError, show } from './errors';

/**
 * Where and how Istio is installed in the target cluster: every object that names the control
 * plane, the sidecar injection label or the ingress gateway reads these facts, and so do the
 * analyzer and explain (through the stage's mesh context). Pick the profile of your install;
 * `security` and `gateway.selector` on the application still override single facts.
 */
export interface InstallationProfile {
  /** Name, for messages and docs. */
  readonly name: string;
  /** Istio trust domain (the first segment of every SPIFFE principal). */
  readonly trustDomain: string;
  /** istiod, which every sidecar reaches on 15012 for configuration and certificates. */
  readonly controlPlane: {
    readonly namespace: string;
    /** Labels of the istiod pods (the NetworkPolicy egress peer). */
    readonly podLabels: Readonly<Record<string, string>>;
  };
  /** The namespace label that enrols a namespace's pods for sidecar injection. */
  readonly injectionLabel: { readonly key: string; readonly value: string };
  /** The ingress gateway the application's Gateway selects. */
  readonly ingressGateway: {
    readonly namespace: string;
    /** Labels of the gateway pods: the Gateway's selector and the NetworkPolicy ingress peer. */
    readonly podLabels: Readonly<Record<string, string>>;
    /** ServiceAccount of the gateway pods: its principal is what the AuthorizationPolicies admit. */
    readonly serviceAccount: string;
  };
}

/**
 * `istioctl install` with the default profile (and the `istio/base` + `istiod` + gateway layout of
 * istioctl's manifests): everything in `istio-system`, gateway pods `istio: ingressgateway` running
 * as `istio-ingressgateway-service-account`, injection by `istio-injection=enabled`.
 * Sources: istio/istio manifests/charts/gateways/istio-ingress (values: `istio: ingressgateway`,
 * serviceAccount `istio-ingressgateway-service-account`), istio.io "Installation configuration profiles".
 */
export const ISTIOCTL_DEFAULT_PROFILE: InstallationProfile = {
  name: 'istioctl-default',
  trustDomain: DEFAULT_TRUST_DOMAIN,
  controlPlane: { namespace: DEFAULT_ISTIO_NAMESPACE, podLabels: { app: 'istiod' } },
  injectionLabel: { key: 'istio-injection', value: 'enabled' },
  ingressGateway: {
    namespace: DEFAULT_ISTIO_NAMESPACE,
    podLabels: DEFAULT_INGRESS_POD_LABELS,
    serviceAccount: DEFAULT_INGRESS_SERVICE_ACCOUNT,
  },
};

/** The installation a release runs on: `installation` as given, else {@link ISTIOCTL_DEFAULT_PROFILE}. The one place this default is taken. */
export function resolveInstallation(installation: InstallationProfile | undefined): InstallationProfile {
  return installation ?? ISTIOCTL_DEFAULT_PROFILE;
}

/** Options of {@link helmGatewayProfile}. */
export interface HelmGatewayProfileOptions {
  /** Helm release name of the `istio/gateway` chart (`helm install <release> istio/gateway`). @default 'istio-ingress' */
  readonly release?: string;
  /** Namespace the gateway chart is installed in. @default 'istio-ingress' */
  readonly namespace?: string;
  /** Namespace of istiod (the `istiod` chart). @default 'istio-system' */
  readonly istiodNamespace?: string;
  /** Control plane revision (`--set revision=...`): injection then uses `istio.io/rev`. @default - no revision, `istio-injection=enabled` */
  readonly revision?: string;
  /** Trust domain (`meshConfig.trustDomain`). @default 'cluster.local' */
  readonly trustDomain?: string;
}

/**
 * Istio installed with Helm (`istio/base`, `istio/istiod`, `istio/gateway`), as istio.io's Helm guide
 * does: the gateway's name, ServiceAccount and `app` label are the release name and its `istio`
 * label is the release name without an `istio-` prefix (istio/istio
 * manifests/charts/gateway/templates/_helpers.tpl: gateway.name, gateway.selectorLabels,
 * gateway.serviceAccountName).
 */
export function helmGatewayProfile(options: HelmGatewayProfileOptions = {}): InstallationProfile {
  const release = options.release ?? 'istio-ingress';
  return {
    name: `helm-gateway:${release}`,
    trustDomain: options.trustDomain ?? 'cluster.local',
    controlPlane: {
      namespace: options.istiodNamespace ?? 'istio-system',
      podLabels: { app: 'istiod', ...(options.revision ? { 'istio.io/rev': options.revision } : {}) },
    },
    injectionLabel: options.revision
      ? { key: 'istio.io/rev', value: options.revision }
      : { key: 'istio-injection', value: 'enabled' },
    ingressGateway: {
      namespace: options.namespace ?? 'istio-ingress',
      podLabels: { istio: release.replace(/^istio-/, '') },
      serviceAccount: release,
    },
  };
}

/** Options of {@link aksIstioAddOnProfile}. */
export interface AksIstioAddOnProfileOptions {
  /** The add-on's control plane revision, `asm-1-<minor>` (`az aks mesh get-revisions`). */
  readonly revision: string;
  /** Which managed ingress gateway the application uses. @default 'external' */
  readonly ingress?: 'external' | 'internal';
}

/**
 * The Istio-based service mesh add-on of Azure Kubernetes Service: istiod in `aks-istio-system`,
 * injection by the revision label `istio.io/rev: asm-1-<minor>` (`istio-injection=enabled` is
 * ignored), managed ingress gateways in `aks-istio-ingress` selected by
 * `istio: aks-istio-ingressgateway-external` (or `-internal`) and running as the ServiceAccount of
 * the same name. Sources: learn.microsoft.com/azure/aks/istio-deploy-addon ("Enable sidecar
 * injection": `istio.io/rev=asm-X-Y`), istio-deploy-ingress (Service
 * `aks-istio-ingressgateway-external` in `aks-istio-ingress`, Gateway selector
 * `istio: aks-istio-ingressgateway-external`); the gateway's SPIFFE identity
 * `cluster.local/ns/aks-istio-ingress/sa/aks-istio-ingressgateway-external`.
 */
export function aksIstioAddOnProfile(options: AksIstioAddOnProfileOptions): InstallationProfile {
  if (!/^asm-1-[0-9]+$/.test(options.revision ?? '')) {
    throw new ReleaseConfigError(
      { field: 'installation.revision' },
      `AKS Istio add-on revision ${show(options.revision)} is not of the form asm-1-<minor> (e.g. asm-1-26)`,
      'See az aks mesh get-revisions.',
    );
  }
  const gateway = `aks-istio-ingressgateway-${options.ingress ?? 'external'}`;
  return {
    name: `aks-istio-addon:${options.revision}`,
    trustDomain: 'cluster.local',
    controlPlane: { namespace: 'aks-istio-system', podLabels: { app: 'istiod', 'istio.io/rev': options.revision } },
    injectionLabel: { key: 'istio.io/rev', value: options.revision },
    ingressGateway: { namespace: 'aks-istio-ingress', podLabels: { istio: gateway }, serviceAccount: gateway },
  };
}
