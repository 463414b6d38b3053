/** The parts of a Kubernetes or Istio object the analysis tools read. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: any;
}

/** Identity of an object across stages: `Kind namespace/name` (`Kind name` for cluster-scoped objects). */
export function objectKey(m: Manifest): string {
  return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
}

/** Pod controllers of the apps and batch APIs whose template runs the pods a Service selects. */
const POD_CONTROLLERS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'];

/**
 * Objects that run the pods a Service selects (Kubernetes selects pods, whatever made them):
 * the apps/batch pod controllers, bare Pods, and Argo Rollouts.
 */
export function isWorkload(m: Manifest): boolean {
  const api = String(m.apiVersion ?? '');
  if (m.kind === 'Rollout') return api.startsWith('argoproj.io/');
  if (m.kind === 'Pod') return api === 'v1';
  return POD_CONTROLLERS.includes(m.kind) && (api.startsWith('apps/') || api.startsWith('batch/') || api.startsWith('extensions/'));
}

/** Whether every label of `want` is in `have` with the same value. */
export function labelsHold(want: Readonly<Record<string, string>> | undefined, have: Readonly<Record<string, string>>): boolean {
  for (const k in want ?? {}) if (have[k] !== want![k]) return false;
  return true;
}

/**
 * Whether a Kubernetes LabelSelector selects `labels` (apimachinery labels.SelectorFromSet plus
 * matchExpressions In, NotIn, Exists, DoesNotExist; an unknown operator selects nothing). An absent
 * selector selects everything, as an empty one does. Tolerates malformed parts: schema validation
 * reports them.
 */
export function labelSelectorHolds(selector: any, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  const own = (key: unknown) => typeof key === 'string' && Object.prototype.hasOwnProperty.call(have, key);
  const matchLabels = typeof selector.matchLabels === 'object' && selector.matchLabels !== null ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (!own(k) || have[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const values: unknown[] = Array.isArray(e?.values) ? e.values : [];
    const ok = e?.operator === 'In' ? own(e.key) && values.includes(have[e.key])
      : e?.operator === 'NotIn' ? !own(e.key) || !values.includes(have[e.key])
        : e?.operator === 'Exists' ? own(e.key) : e?.operator === 'DoesNotExist' ? !own(e.key) : false;
    if (!ok) return false;
  }
  return true;
}

/** The pod template of a workload (a CronJob's is inside its job template; a Pod is its own). */
export function podTemplate(workload: Manifest): any {
  if (workload.kind === 'Pod') return { metadata: workload.metadata, spec: workload.spec };
  if (workload.kind === 'CronJob') return workload.spec?.jobTemplate?.spec?.template;
  return workload.spec?.template;
}

/** The labels of a workload's pods. */
export function podLabels(workload: Manifest): Record<string, string> {
  return podTemplate(workload)?.metadata?.labels ?? {};
}

/** Whether a workload runs pods now: zero replicas (or a DaemonSet-like controller without replicas) decides. */
export function isServing(workload: Manifest): boolean {
  if (workload.kind === 'Pod' || workload.kind === 'DaemonSet' || workload.kind === 'Job' || workload.kind === 'CronJob') return true;
  return (workload.spec?.replicas ?? 1) > 0;
}

/** The namespace of a namespaced object (`default` when the manifest names none). */
export function namespaceOf(m: Manifest): string {
  return m.metadata.namespace ?? 'default';
}
