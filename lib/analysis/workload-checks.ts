import { ISTIO_PROXY_UID } from '../resolve/validate-workload';
import type { Manifest } from './manifest';
import { objectKey } from './manifest';

/**
 * The checks that kube-score, Polaris and kube-linter make on workloads, applied to one stage.
 * Each finding names the check, the object and (for containers) the container; a deliberate
 * exception is an {@link CheckException} with the reason written down.
 */
export interface CheckFinding {
  /** Check id, e.g. `readonly-root-filesystem` (the kube-linter / kube-score name where one exists). */
  readonly check: string;
  /** `Kind namespace/name`. */
  readonly object: string;
  /** Container name, for container checks. @default - the whole object */
  readonly container?: string;
  readonly message: string;
}

/** A finding kept on purpose: which check, on which object (and container), and why. */
export interface CheckException {
  readonly check: string;
  /** `Kind namespace/name`, or a regex over it. */
  readonly object: string | RegExp;
  readonly container?: string;
  /** Why it is kept: shown in reviews, required. */
  readonly reason: string;
}

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'];

type Add = (check: string, m: Manifest, message: string, container?: string) => void;

/** The objects a workload's checks look up. */
interface StageObjectsByKind {
  readonly pdbs: readonly Manifest[];
  readonly netpols: readonly Manifest[];
  readonly accounts: readonly Manifest[];
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

/** Runs every check over the objects of one stage. */
export function checkWorkloads(objects: readonly Manifest[]): CheckFinding[] {
  const out: CheckFinding[] = [];
  const add: Add = (check, m, message, container) =>
    out.push({ check, object: objectKey(m), ...(container ? { container } : {}), message });
  const kinds: StageObjectsByKind = {
    pdbs: objects.filter((m) => m.kind === 'PodDisruptionBudget'),
    netpols: objects.filter((m) => m.kind === 'NetworkPolicy'),
    accounts: objects.filter((m) => m.kind === 'ServiceAccount'),
  };
  const workloads = objects.filter((m) => WORKLOADS.includes(m.kind));
  for (const w of workloads) {
    const podCtx = checkPod(w, kinds, add);
    for (const c of w.spec?.template?.spec?.containers ?? []) checkContainer(w, c, podCtx, add);
  }
  for (const svc of objects.filter((m) => m.kind === 'Service')) {
    if (
      !workloads.some(
        (w) =>
          w.metadata.namespace === svc.metadata.namespace &&
          selects(svc.spec?.selector, w.spec?.template?.metadata?.labels ?? {}),
      )
    ) {
      add('dangling-service', svc, 'selects no workload');
    }
  }
  return out;
}

/** The pod-level checks of a workload; returns the pod's securityContext, which its containers inherit. */
// any: the pod and container fields are read unchecked, as Manifest.spec is throughout this file.
function checkPod(w: Manifest, kinds: StageObjectsByKind, add: Add): any {
  const { pdbs, netpols, accounts } = kinds;
  const pod = w.spec?.template?.spec ?? {};
  const labels: Record<string, string> = w.spec?.template?.metadata?.labels ?? {};
  const podCtx = pod.securityContext ?? {};
  if (pod.hostNetwork) add('host-network', w, 'uses the host network namespace');
  if (pod.hostPID) add('host-pid', w, 'shares the host PID namespace');
  if (pod.hostIPC) add('host-ipc', w, 'shares the host IPC namespace');
  for (const v of pod.volumes ?? []) if (v.hostPath) add('host-path', w, `mounts host path ${v.hostPath.path}`);
  if (!pod.serviceAccountName || pod.serviceAccountName === 'default')
    add('default-service-account', w, 'runs as the namespace default ServiceAccount');
  else if (!accounts.some((a) => a.metadata.name === pod.serviceAccountName))
    add('missing-service-account', w, `ServiceAccount ${pod.serviceAccountName} is not in the stage`);
  if (pod.automountServiceAccountToken !== false)
    add('automount-service-account-token', w, 'mounts a Kubernetes API token it does not need');
  if (podCtx.seccompProfile?.type !== 'RuntimeDefault' && podCtx.seccompProfile?.type !== 'Localhost')
    add('seccomp-profile', w, 'has no RuntimeDefault seccomp profile');
  const replicas = w.spec?.replicas ?? 1;
  if (replicas > 1) {
    if (
      !pdbs.some((p) => p.metadata.namespace === w.metadata.namespace && selects(p.spec?.selector?.matchLabels, labels))
    ) {
      add('pod-disruption-budget', w, `${replicas} replicas without a PodDisruptionBudget`);
    }
    if (!pod.topologySpreadConstraints && !pod.affinity?.podAntiAffinity)
      add('host-anti-affinity', w, `${replicas} replicas may all land on one node`);
  }
  const isolated = (type: string) =>
    netpols.some(
      (n) =>
        n.metadata.namespace === w.metadata.namespace &&
        (n.spec?.policyTypes ?? ['Ingress']).includes(type) &&
        selects(n.spec?.podSelector?.matchLabels, labels),
    );
  if (!isolated('Ingress') || !isolated('Egress'))
    add('non-isolated-pod', w, 'no NetworkPolicy restricts both its ingress and egress');

  return podCtx;
}

/** The container-level checks (securityContext over the pod's, image, resources, probes). */
// any: see checkPod.
function checkContainer(w: Manifest, c: any, podCtx: any, add: Add): void {
  const ctx = { ...podCtx, ...(c.securityContext ?? {}) };
  const name = c.name;
  if (c.securityContext?.privileged) add('privileged-container', w, 'runs privileged', name);
  if (c.securityContext?.allowPrivilegeEscalation !== false)
    add('privilege-escalation-container', w, 'allows privilege escalation', name);
  if (!ctx.runAsNonRoot || ctx.runAsUser === 0) add('run-as-non-root', w, 'may run as root', name);
  if (ctx.runAsUser === ISTIO_PROXY_UID)
    add('istio-proxy-uid', w, `runs as ${ISTIO_PROXY_UID}, the sidecar's UID`, name);
  if (!(ctx.runAsUser > 10000) || !(ctx.runAsGroup > 10000))
    add(
      'container-security-context-user-group-id',
      w,
      `runs as ${ctx.runAsUser}:${ctx.runAsGroup}; kube-score wants both above 10000`,
      name,
    );
  if (c.securityContext?.readOnlyRootFilesystem !== true)
    add('no-read-only-root-fs', w, 'has a writable root filesystem', name);
  if (!(c.securityContext?.capabilities?.drop ?? []).includes('ALL'))
    add('drop-all-capabilities', w, 'does not drop all capabilities', name);
  if ((c.securityContext?.capabilities?.add ?? []).length > 0)
    add('added-capabilities', w, `adds ${c.securityContext.capabilities.add.join(', ')}`, name);
  for (const p of c.ports ?? []) if (p.hostPort) add('host-port', w, `binds host port ${p.hostPort}`, name);
  const image: string = c.image ?? '';
  const tag = image.split('/').pop() ?? '';
  if (!image.includes('@sha256:') && (!tag.includes(':') || tag.endsWith(':latest')))
    add('latest-tag', w, `image ${image} is not pinned`, name);
  if (c.imagePullPolicy !== 'Always')
    add(
      'container-image-pull-policy',
      w,
      `pull policy is ${c.imagePullPolicy ?? 'unset'}; kube-score wants Always`,
      name,
    );
  for (const [kind, key] of [
    ['cpu', 'cpu'],
    ['memory', 'memory'],
  ] as const) {
    if (!c.resources?.requests?.[key]) add(`unset-${kind}-requests`, w, `no ${kind} request`, name);
    if (!c.resources?.limits?.[key]) add(`unset-${kind}-limits`, w, `no ${kind} limit`, name);
  }
  if (!c.readinessProbe) add('no-readiness-probe', w, 'has no readiness probe', name);
  if (!c.livenessProbe) add('no-liveness-probe', w, 'has no liveness probe', name);
  const handler = (p: any) =>
    JSON.stringify({ httpGet: p?.httpGet, tcpSocket: p?.tcpSocket, exec: p?.exec, grpc: p?.grpc });
  if (c.readinessProbe && c.livenessProbe && handler(c.readinessProbe) === handler(c.livenessProbe)) {
    add('pod-probes-identical', w, 'readiness and liveness probes check the same thing', name);
  }
}

/** The findings no exception covers. */
export function unexplained(findings: readonly CheckFinding[], exceptions: readonly CheckException[]): CheckFinding[] {
  return findings.filter((f) => !exceptions.some((e) => covers(e, f)));
}

/** The exceptions that cover no finding any more (stale entries should be removed). */
export function unusedExceptions(
  findings: readonly CheckFinding[],
  exceptions: readonly CheckException[],
): CheckException[] {
  return exceptions.filter((e) => !findings.some((f) => covers(e, f)));
}

function covers(e: CheckException, f: CheckFinding): boolean {
  const objectOk = typeof e.object === 'string' ? e.object === f.object : e.object.test(f.object);
  return e.check === f.check && objectOk && (e.container === undefined || e.container === f.container);
}
