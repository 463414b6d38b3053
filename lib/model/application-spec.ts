import type { InstallationProfile } from './installation-profile';

/**
 * The data a release is made of, part 1: the application (its components and every version
 * they ever ship). Plain, serialisable data; the constructs derive every object from it.
 * The stages of a release are in `stage-spec.ts`.
 */

/** Istio protocol of a port, declared on the Service (port name prefix and `appProtocol`). */
export type AppProtocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'tls';

/** A port a workload listens on; the component's Service exposes it. */
export interface PortSpec {
  /**
   * Port name: `<protocol>` or `<protocol>-<suffix>` (Istio's naming convention), at most 15 characters.
   * Server-first protocols (MySQL, Redis, ...) must be declared as `tcp`, e.g. `tcp-mysql`.
   */
  readonly name: string;
  /** Port number, on the container and on the Service. */
  readonly port: number;
  /** Istio protocol; written to the Service port as `appProtocol`. */
  readonly protocol: AppProtocol;
}

/** A reference to one key of an existing Kubernetes Secret (never its value). */
export interface SecretKeyRef {
  /** Name of the Secret in the application namespace. */
  readonly secretName: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** Value of an environment variable: a literal, or a key of a Secret. */
export type EnvValue = string | SecretKeyRef;

/** How a probe checks the container. */
export type ProbeCheck =
  | { readonly tcpPort: number }
  | { readonly httpGet: { readonly path: string; readonly port: number } }
  | { readonly exec: readonly string[] };

/** A readiness, liveness or startup probe with explicit timings. */
export interface ProbeSpec {
  /** What the kubelet checks. */
  readonly check: ProbeCheck;
  /** Seconds before the first check. @default 0 */
  readonly initialDelaySeconds?: number;
  /** Seconds between checks. @default 10 */
  readonly periodSeconds?: number;
  /** Seconds before one check times out. @default 1 */
  readonly timeoutSeconds?: number;
  /** Consecutive failures before the probe fails. @default 3 */
  readonly failureThreshold?: number;
}

/** CPU (millicores) and memory (MiB) requests and limits of the container. */
export interface ResourceSpec {
  /** CPU request and limit, in millicores. */
  readonly cpuMillis: { readonly request: number; readonly limit: number };
  /** Memory request and limit, in MiB. */
  readonly memoryMiB: { readonly request: number; readonly limit: number };
}

/** The Linux identity a workload runs as. */
export interface RunAsSpec {
  /** UID of the container process; never 0 and never 1337 (Istio's sidecar). */
  readonly user: number;
  /** GID of the container process. */
  readonly group: number;
  /** Group that owns mounted volumes. @default - no fsGroup */
  readonly fsGroup?: number;
}

/** A PersistentVolumeClaim the workload owns and mounts. */
export interface PersistentVolumeSpec {
  /** Name of the PersistentVolumeClaim. */
  readonly claimName: string;
  /** Requested size in GiB. */
  readonly sizeGiB: number;
  /** Access mode of the claim. */
  readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadOnlyMany' | 'ReadWriteOncePod';
  /** Where the volume is mounted in the container. */
  readonly mountPath: string;
  /** StorageClass of the claim. @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/** One version of a component: everything its Deployment is made of. */
export interface WorkloadSpec {
  /** Container image, pinned by tag or digest (`latest` and untagged images are rejected). */
  readonly image: string;
  /** Number of pods. @default 1 */
  readonly replicas?: number;
  /** Ports the container listens on; the Service exposes the union over the deployed versions. */
  readonly ports: readonly PortSpec[];
  /**
   * The components this version calls, where it calls fewer than the component's `calls` (Bookinfo's
   * reviews v1 never calls ratings): policies then allow this version exactly these.
   * @default - the component's calls
   */
  readonly calls?: readonly string[];
  /** Environment variables, in this order. @default - none */
  readonly env?: Readonly<Record<string, EnvValue>>;
  /** Container arguments. @default - the image's CMD */
  readonly args?: readonly string[];
  /** Requests and limits of the container. */
  readonly resources: ResourceSpec;
  /** UID/GID the container runs as. */
  readonly runAs: RunAsSpec;
  /** Mount the root filesystem read-only. @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** Paths the process writes to, each mounted as an emptyDir (needed with a read-only root filesystem). @default - none */
  readonly writablePaths?: readonly string[];
  /** Readiness probe: when the pod receives traffic. */
  readonly readiness: ProbeSpec;
  /** Liveness probe: when the kubelet restarts the container. */
  readonly liveness: ProbeSpec;
  /** Startup probe, for slow first starts (database initialisation). @default - no startup probe */
  readonly startup?: ProbeSpec;
  /** A PersistentVolumeClaim owned by this version. @default - no persistent volume */
  readonly persistentVolume?: PersistentVolumeSpec;
  /** Image pull policy. @default 'IfNotPresent' */
  readonly imagePullPolicy?: 'IfNotPresent' | 'Always';
  /** Seconds Kubernetes waits between SIGTERM and SIGKILL, so the sidecar can drain. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Pods that must stay up during voluntary disruptions (node drains), as a PodDisruptionBudget.
   * @default - replicas - 1 when replicas > 1; no budget for a single pod (it would block drains)
   */
  readonly minAvailable?: number;
  /**
   * Spread the pods over nodes (topologySpreadConstraints on `kubernetes.io/hostname`, best effort).
   * @default - true when replicas > 1
   */
  readonly spreadAcrossNodes?: boolean;
}

/** A mesh service: one Kubernetes Service in front of one Deployment per version. */
export interface ComponentSpec {
  /** Component name: the Service name, the `app` label and the Deployment name prefix (DNS-1123 label). */
  readonly name: string;
  /** Every version the component ships, keyed by version (`"1.0"`); a stage picks which run. */
  readonly versions: Readonly<Record<string, WorkloadSpec>>;
  /** Components this one calls; calls stay inside the caller's lane. @default - calls nothing */
  readonly calls?: readonly string[];
}

/** The Istio ingress Gateway through which users reach the entry component. */
export interface GatewaySpec {
  /** Gateway name. */
  readonly name: string;
  /** Labels selecting the ingress gateway pods. @default { istio: 'ingressgateway' } */
  readonly selector?: Readonly<Record<string, string>>;
  /** Hosts served. @default ['*'] */
  readonly hosts?: readonly string[];
  /** HTTP port of the gateway server. @default 80 */
  readonly port?: number;
  /** Extra servers for TLS passed through to the workloads (SNI routing), by port. @default - none */
  readonly tlsPassthroughPorts?: readonly number[];
  /** Extra servers for opaque TCP, by port. @default - none */
  readonly tcpPorts?: readonly number[];
  /**
   * Bind the entry VirtualService to the gateway and to `mesh` at once (one object routes users
   * and in-mesh callers). Needs explicit `hosts` (a `*` host bound to mesh would capture every call).
   * @default false - a gateway-bound VirtualService plus a mesh VirtualService for the entry component
   */
  readonly bindMesh?: boolean;
}

/** Who may call whom: derived from the routes, enforced by Istio and by Kubernetes. */
export interface SecuritySpec {
  /**
   * Emit Istio AuthorizationPolicies: allow-nothing for the namespace, then exactly the edges the
   * stage routes (ingress gateway -> entry component, each caller -> its callees, on their ports).
   * @default true
   */
  readonly authorization?: boolean;
  /** Emit Kubernetes NetworkPolicies with the same edges (default deny in and out, DNS and istiod allowed). @default true */
  readonly networkPolicies?: boolean;
  /** Istio trust domain of the principals. @default - the installation profile's ('cluster.local' for istioctl's default) */
  readonly trustDomain?: string;
  /** The ingress gateway's identity and pods. @default - the installation profile's ingress gateway */
  readonly ingressGateway?: {
    /** SPIFFE principal without `spiffe://`. @default - `<trustDomain>/ns/<namespace>/sa/<the profile's gateway ServiceAccount>` */
    readonly principal?: string;
    /** Namespace of the gateway pods. @default - the profile's ('istio-system' for istioctl's default) */
    readonly namespace?: string;
    /** Labels of the gateway pods. @default - `gateway.selector`, else the profile's ({ istio: 'ingressgateway' } for istioctl's default) */
    readonly podLabels?: Readonly<Record<string, string>>;
  };
  /** Namespace of istiod (sidecars fetch configuration and certificates from it). @default - the profile's ('istio-system' for istioctl's default) */
  readonly istiodNamespace?: string;
  /**
   * The metrics scraper (Prometheus) allowed to reach each pod's merged metrics on 15020. Kubelet
   * probes need no rule: traffic from a pod's own node is always allowed by NetworkPolicy.
   * @default - no scraper: 15020 and 15021 are closed to other pods
   */
  readonly metricsScraper?: {
    /** Namespace of the scraper pods. */
    readonly namespace: string;
    /** Labels of the scraper pods. @default - every pod of that namespace */
    readonly podLabels?: Readonly<Record<string, string>>;
  };
}

/** An application: its components, the one users enter through, and where it lives. */
export interface ApplicationSpec {
  /** Application name; every object carries `app.kubernetes.io/part-of: <name>` (used to prune). */
  readonly name: string;
  /** Namespace of every object; created with the installation's injection label (`istio-injection=enabled` by default). */
  readonly namespace: string;
  /** The mesh services. */
  readonly components: readonly ComponentSpec[];
  /** The component the gateway routes users to. */
  readonly entryComponent: string;
  /** The ingress Gateway. */
  readonly gateway: GatewaySpec;
  /** Kubernetes cluster domain, for fully qualified hosts. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Where and how Istio is installed: control plane, injection label, ingress gateway, trust domain. @default ISTIOCTL_DEFAULT_PROFILE */
  readonly installation?: InstallationProfile;
  /** Identities, authorization and network policies. @default - all enabled, with the installation profile's facts */
  readonly security?: SecuritySpec;
  /** Istio API version of the emitted Istio objects. @default 'v1' (Istio 1.22 and later) */
  readonly istioApiVersion?: 'v1' | 'v1beta1';
  /** Secrets materialised by External Secrets Operator from a secret store. @default - none (Secrets exist already) */
  readonly externalSecrets?: readonly ExternalSecretSpec[];
  /**
   * Analyzer Warnings the application accepts (synth fails on every other Warning and on every
   * Error; Info never fails). An entry that accepts nothing fails synth, so the list stays current.
   * @default - none
   */
  readonly acceptedFindings?: readonly AcceptedFinding[];
}

/** An analyzer Warning accepted on purpose. */
export interface AcceptedFinding {
  /** The code, e.g. `IST0118`. */
  readonly code: string;
  /** `Kind namespace/name` of the object, exactly or with `*` standing for any characters. */
  readonly object: string;
  /** Why it is accepted: shown in reviews, required. */
  readonly reason: string;
}

/** A Secret that External Secrets Operator creates from a secret store (no credential in the manifests). */
export interface ExternalSecretSpec {
  /** The Secret to create (what workloads reference). */
  readonly targetSecretName: string;
  /** Keys to copy; each is read from `remoteKey`'s property of the same name. */
  readonly keys: readonly string[];
  /** Name of the SecretStore or ClusterSecretStore. */
  readonly storeName: string;
  /** Kind of the store. @default 'ClusterSecretStore' */
  readonly storeKind?: 'SecretStore' | 'ClusterSecretStore';
  /** Key of the secret in the store. */
  readonly remoteKey: string;
  /** How often ESO re-reads the store. @default '1h' */
  readonly refreshInterval?: string;
}
