import { k8s } from 'cdk8s-plus-27';
import { resolveMeshContext } from '../model/defaults';
import { ISTIOCTL_DEFAULT_PROFILE } from '../model/installation-profile';
import { deploymentName, principal, versionServiceAccount } from '../model/names';
import { installationIngress } from '../resolve/ingress';
import type { ResolvedStage, VersionEdge, VersionRef } from '../resolve/resolved-stage';
import { INGRESS_PEER } from '../resolve/resolved-stage';
import type { IstioApiVersion } from './istio-api';

/** A workload version the policies protect: its pods carry the labels `{app: component, version}`. */
export interface PolicyVersion {
  /** Component name (the `app` label). */
  readonly component: string;
  /** Version (the `version` label). */
  readonly version: string;
  /** Name of the version's policies. @default - its Deployment name, `<component>-<version with dashes>` */
  readonly name?: string;
}

/** Pods by namespace and labels: a NetworkPolicy peer. */
export interface PolicyPods {
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
}

/** The ingress gateway, as the policies admit it. */
export interface PolicyIngress extends PolicyPods {
  /** SPIFFE principal (without `spiffe://`) of the gateway pods. */
  readonly principal: string;
}

/** What both flavours' policy constructs ({@link MeshPolicies}, {@link AmbientPolicies}) take. */
export interface StagePoliciesProps {
  /** Namespace of the workloads and of every policy. */
  readonly namespace: string;
  /** The workload versions, each getting its own policies. */
  readonly versions: readonly PolicyVersion[];
  /** Every call allowed, version to version (or from the ingress gateway); nothing else is admitted. */
  readonly edges: readonly VersionEdge[];
  /** Trust domain of the workloads' principals. @default 'cluster.local' */
  readonly trustDomain?: string;
  /** Emit AuthorizationPolicies. @default true */
  readonly authorization?: boolean;
  /** Emit NetworkPolicies. @default true */
  readonly networkPolicies?: boolean;
  /** istiod's pods, which proxies reach on 15012. @default - istioctl's default profile: `istio-system`, `app: istiod` */
  readonly istiod?: PolicyPods;
  /** Istio API version. @default 'v1' */
  readonly istioApiVersion?: IstioApiVersion;
}

/** A policy version with its name resolved. */
export interface NamedVersion {
  readonly ref: VersionRef;
  readonly name: string;
}

/** The defaults of {@link StagePoliciesProps}, resolved once. */
export class PolicyDefaults {
  public readonly namespace: string;
  public readonly trustDomain: string;
  public readonly authorization: boolean;
  public readonly networkPolicies: boolean;
  public readonly istiod: PolicyPods;
  public readonly istioApiVersion: IstioApiVersion;
  public readonly versions: readonly NamedVersion[];
  public readonly edges: readonly VersionEdge[];

  constructor(props: StagePoliciesProps) {
    this.namespace = props.namespace;
    this.trustDomain = resolveMeshContext({ trustDomain: props.trustDomain }).trustDomain;
    this.authorization = props.authorization ?? true;
    this.networkPolicies = props.networkPolicies ?? true;
    this.istiod = props.istiod ?? ISTIOCTL_DEFAULT_PROFILE.controlPlane;
    this.istioApiVersion = props.istioApiVersion ?? 'v1';
    this.versions = props.versions.map((v) => ({
      ref: { component: v.component, version: v.version },
      name: v.name ?? deploymentName(v.component, v.version),
    }));
    this.edges = props.edges;
  }

  /** The SPIFFE principal of a version's ServiceAccount. */
  public principalOf(v: VersionRef): string {
    return principal(this.trustDomain, this.namespace, versionServiceAccount(v.component, v.version));
  }

  /** The edges into a version. */
  public inbound(v: VersionRef): VersionEdge[] {
    return this.edges.filter((e) => sameVersion(e.to, v));
  }

  /** The edges out of a version. */
  public outbound(v: VersionRef): VersionEdge[] {
    return this.edges.filter((e) => e.from !== INGRESS_PEER && sameVersion(e.from, v));
  }
}

function sameVersion(a: VersionRef, b: VersionRef): boolean {
  return a.component === b.component && a.version === b.version;
}

/** The ingress gateway of istioctl's default profile, as the policies admit it. */
export function defaultPolicyIngress(): PolicyIngress {
  const i = installationIngress(ISTIOCTL_DEFAULT_PROFILE);
  return { namespace: i.namespace, podLabels: i.podLabels, principal: i.principal };
}

/** The {@link StagePoliciesProps} of a resolved stage: what a ReleaseStage passes. */
export function stagePoliciesProps(stage: ResolvedStage): StagePoliciesProps {
  const s = stage.security;
  return {
    namespace: stage.app.namespace,
    versions: stage.components.flatMap((c) =>
      c.versions.map((d) => ({ component: c.name, version: d.version, name: d.deploymentName })),
    ),
    edges: stage.edges,
    trustDomain: stage.context.trustDomain,
    authorization: s.authorization,
    networkPolicies: s.networkPolicies,
    istiod: { namespace: s.istiodNamespace, podLabels: s.istiodPodLabels },
    istioApiVersion: stage.app.istioApiVersion,
  };
}

/** The pod labels of a version (its Deployment's selector): `{app, version}`. */
export function versionLabels(v: VersionRef): Record<string, string> {
  return { app: v.component, version: v.version };
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
    to: [
      { namespaceSelector: namespaceSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
    ],
    ports: [
      { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
      { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
    ],
  };
}

/** Egress to istiod's xDS and CA port (15012), for the proxies of a stage (sidecars, gateways, waypoints). */
export function istiodEgress(istiod: PolicyPods) {
  return {
    to: [
      { namespaceSelector: namespaceSelector(istiod.namespace), podSelector: { matchLabels: { ...istiod.podLabels } } },
    ],
    ports: tcpPorts([15012]),
  };
}
