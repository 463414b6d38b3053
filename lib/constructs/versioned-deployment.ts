import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ProbeSpec, WorkloadSpec } from '../model/spec';
import {
  DEFAULT_PROBE_TIMING,
  DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
  workloadMinAvailable,
  workloadReplicas,
  workloadSpreadsAcrossNodes,
} from '../model/defaults';

/** Properties of a {@link VersionedDeployment}. */
export interface VersionedDeploymentProps {
  /** Component name: the `app` label and the container name. */
  readonly component: string;
  /** Version: the `version` label. */
  readonly version: string;
  /** Deployment name. */
  readonly name: string;
  /** Namespace of the Deployment. */
  readonly namespace: string;
  /** What the pods run. */
  readonly workload: WorkloadSpec;
  /** Claim to mount at `workload.persistentVolume.mountPath`. @default - no persistent volume */
  readonly claim?: kplus.IPersistentVolumeClaim;
  /** Identity of the pods. @default - the namespace's `default` ServiceAccount */
  readonly serviceAccount?: kplus.IServiceAccount;
}

/**
 * One Deployment per component version, with the selector `app` + `version` and every
 * setting cdk8s-plus would otherwise default (resources, securityContext, probes, pull
 * policy, strategy, the hashed `cdk8s.io/metadata.addr` pod label) set on purpose.
 *
 * The selector is immutable in Kubernetes: it is exactly `{app, version}` and must stay so.
 */
export class VersionedDeployment extends Construct {
  /** The pod labels and selector: `{ app, version }`. */
  public readonly selector: Readonly<Record<string, string>>;
  /** The underlying cdk8s-plus Deployment. */
  public readonly deployment: kplus.Deployment;
  /** `Recreate` when the pods share a ReadWriteOnce volume, `RollingUpdate` otherwise. */
  public readonly strategy: 'Recreate' | 'RollingUpdate';
  /** Pods kept during voluntary disruptions. @default - no PodDisruptionBudget */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Number of pods (`workload.replicas`, else 1). */
  public readonly replicas: number;
  /** Whether the pods are spread across nodes (`workload.spreadAcrossNodes`, else with several replicas). */
  public readonly spreadAcrossNodes: boolean;

  constructor(scope: Construct, id: string, props: VersionedDeploymentProps) {
    super(scope, id);
    const w = props.workload;
    this.selector = { app: props.component, version: props.version };
    this.replicas = workloadReplicas(w);
    this.spreadAcrossNodes = workloadSpreadsAcrossNodes(w);
    const pv = w.persistentVolume;
    // Two pods of a rolling update cannot both mount a ReadWriteOnce(Pod) volume (and two
    // database processes must never share one data directory): stop the old pod first.
    this.strategy =
      pv && (pv.accessMode === 'ReadWriteOnce' || pv.accessMode === 'ReadWriteOncePod') ? 'Recreate' : 'RollingUpdate';

    this.deployment = new kplus.Deployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...this.selector } },
      replicas: this.replicas,
      // No generated selector: the hashed label would change whenever the construct path does.
      select: false,
      podMetadata: { labels: { ...this.selector } },
      strategy:
        this.strategy === 'Recreate'
          ? kplus.DeploymentStrategy.recreate()
          : // Surge one pod and never drop below the desired count: capacity is kept during a rollout.
            kplus.DeploymentStrategy.rollingUpdate({
              maxSurge: kplus.PercentOrAbsolute.absolute(1),
              maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
            }),
      minReady: Duration.seconds(0),
      progressDeadline: Duration.seconds(600),
      serviceAccount: props.serviceAccount,
      // The workloads never call the Kubernetes API.
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(
        w.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
      ),
      securityContext: {
        ensureNonRoot: true,
        user: w.runAs.user,
        group: w.runAs.group,
        fsGroup: w.runAs.fsGroup,
        // Only chown the volume when its root is not already the workload's group (fast restarts).
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
      containers: [this.container(props)],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: { ...this.selector } }));
    this.patchPodSpec(w);
    this.disruptionBudget = disruptionBudget(this, {
      name: props.name,
      namespace: props.namespace,
      labels: this.selector,
      workload: w,
    });
    // cdk8s-plus-27 only knows `CAP_*` names, and no name for "all": drop every capability.
    ApiObject.of(this.deployment).addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }),
    );
  }

  /** The one container: image, ports, environment, resources, securityContext, probes, volumes. */
  private container(props: VersionedDeploymentProps): kplus.ContainerProps {
    const w = props.workload;
    return {
      name: props.component,
      image: w.image,
      imagePullPolicy:
        w.imagePullPolicy === 'Always' ? kplus.ImagePullPolicy.ALWAYS : kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: w.args ? [...w.args] : undefined,
      ports: w.ports.map((p) => ({ number: p.port, name: p.name, protocol: kplus.Protocol.TCP })),
      envVariables: this.environment(w),
      resources: {
        cpu: {
          request: kplus.Cpu.millis(w.resources.cpuMillis.request),
          limit: kplus.Cpu.millis(w.resources.cpuMillis.limit),
        },
        memory: {
          request: Size.mebibytes(w.resources.memoryMiB.request),
          limit: Size.mebibytes(w.resources.memoryMiB.limit),
        },
      },
      securityContext: {
        ensureNonRoot: true,
        user: w.runAs.user,
        group: w.runAs.group,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: w.readOnlyRootFilesystem ?? true,
      },
      readiness: toProbe(w.readiness),
      liveness: toProbe(w.liveness),
      startup: w.startup ? toProbe(w.startup) : undefined,
      volumeMounts: this.volumeMounts(w, props.claim),
    };
  }

  private volumeMounts(w: WorkloadSpec, claim: kplus.IPersistentVolumeClaim | undefined): kplus.VolumeMount[] {
    const mounts: kplus.VolumeMount[] = (w.writablePaths ?? []).map((path, i) => ({
      path,
      volume: kplus.Volume.fromEmptyDir(this, `Scratch${i}`, `scratch-${i}`),
    }));
    const pv = w.persistentVolume;
    if (pv && claim)
      mounts.push({
        path: pv.mountPath,
        volume: kplus.Volume.fromPersistentVolumeClaim(this, 'Data', claim, { name: 'data' }),
      });
    return mounts;
  }

  private environment(w: WorkloadSpec): Record<string, kplus.EnvValue> {
    const env: Record<string, kplus.EnvValue> = {};
    for (const [name, value] of Object.entries(w.env ?? {})) {
      env[name] =
        typeof value === 'string'
          ? kplus.EnvValue.fromValue(value)
          : kplus.EnvValue.fromSecretValue({
              secret: kplus.Secret.fromSecretName(this, `Secret-${name}`, value.secretName),
              key: value.key,
            });
    }
    return env;
  }

  /** What cdk8s-plus-27 cannot express: no hashed pod label, the runtime's seccomp filter, the spread constraint. */
  private patchPodSpec(w: WorkloadSpec): void {
    const manifest = ApiObject.of(this.deployment);
    // cdk8s-plus always stamps pods with a hash of the construct path; nothing selects on it here.
    manifest.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
    // Not exposed by cdk8s-plus-27: the container runtime's default seccomp filter.
    manifest.addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
    );
    if (w.runAs.fsGroup === undefined) {
      // cdk8s-plus always writes a change policy; without fsGroup it means nothing, so leave it out.
      manifest.addJsonPatch(JsonPatch.remove('/spec/template/spec/securityContext/fsGroupChangePolicy'));
    }
    if (this.spreadAcrossNodes) {
      // Best effort, so a small or busy cluster still schedules every pod.
      manifest.addJsonPatch(
        JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: { ...this.selector } },
          },
        ]),
      );
    }
  }
}

/**
 * The PodDisruptionBudget of a workload's pods (Deployment or Rollout): `minAvailable`, by
 * default replicas - 1 when there are several replicas; none for a single pod (it would block drains).
 */
export function disruptionBudget(
  scope: Construct,
  pods: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly workload: WorkloadSpec;
  },
): k8s.KubePodDisruptionBudget | undefined {
  const minAvailable = workloadMinAvailable(pods.workload);
  if (minAvailable === undefined) return undefined;
  return new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name: pods.name, namespace: pods.namespace, labels: { ...pods.labels } },
    spec: { minAvailable: k8s.IntOrString.fromNumber(minAvailable), selector: { matchLabels: { ...pods.labels } } },
  });
}

function toProbe(spec: ProbeSpec): kplus.Probe {
  const d = DEFAULT_PROBE_TIMING;
  const timing = {
    initialDelaySeconds: Duration.seconds(spec.initialDelaySeconds ?? d.initialDelaySeconds),
    periodSeconds: Duration.seconds(spec.periodSeconds ?? d.periodSeconds),
    timeoutSeconds: Duration.seconds(spec.timeoutSeconds ?? d.timeoutSeconds),
    failureThreshold: spec.failureThreshold ?? d.failureThreshold,
    successThreshold: d.successThreshold,
  };
  const check = spec.check;
  if ('tcpPort' in check) return kplus.Probe.fromTcpSocket({ ...timing, port: check.tcpPort });
  if ('httpGet' in check) return kplus.Probe.fromHttpGet(check.httpGet.path, { ...timing, port: check.httpGet.port });
  return kplus.Probe.fromCommand([...check.exec], timing);
}
