import { at, labelSelectorOf, listAt, podTemplateOf, stringMapAt } from './manifest-kinds';
import type { PodTemplateView } from './manifest-kinds';

/** The parts of a Kubernetes or Istio object the analysis tools read. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  /** The object's spec as parsed, of any shape: the tools check each field where they read it. */
  // Inside the library, read it through the guards of ./manifest-kinds.ts (specOf, objectAt, podTemplateOf, ...).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- still read directly by the files of ANY_UNTYPED_SPEC in eslint.config.mjs; becomes `unknown` when the last one is moved to manifest-kinds.ts
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
  return (
    POD_CONTROLLERS.includes(m.kind) &&
    (api.startsWith('apps/') || api.startsWith('batch/') || api.startsWith('extensions/'))
  );
}

/** Whether every label of `want` is in `have` with the same value. */
export function labelsHold(
  want: Readonly<Record<string, string>> | undefined,
  have: Readonly<Record<string, string>>,
): boolean {
  for (const k in want ?? {}) if (have[k] !== want![k]) return false;
  return true;
}

/**
 * Whether a Kubernetes LabelSelector selects `labels` (apimachinery labels.SelectorFromSet plus
 * matchExpressions In, NotIn, Exists, DoesNotExist; an unknown operator selects nothing). An absent
 * selector selects everything, as an empty one does. Tolerates malformed parts: schema validation
 * reports them.
 */
export function labelSelectorHolds(selector: unknown, labels: Readonly<Record<string, unknown>> | undefined): boolean {
  const sel = labelSelectorOf(selector);
  if (!sel) return true;
  const have = labels ?? {};
  const own = (key: unknown): key is string =>
    typeof key === 'string' && Object.prototype.hasOwnProperty.call(have, key);
  for (const [k, v] of Object.entries(sel.matchLabels)) if (!own(k) || have[k] !== v) return false;
  for (const e of sel.matchExpressions) {
    const values = listAt(e, 'values');
    const operator = at(e, 'operator');
    const key = at(e, 'key');
    const ok =
      operator === 'In'
        ? own(key) && values.includes(have[key])
        : operator === 'NotIn'
          ? !own(key) || !values.includes(have[key])
          : operator === 'Exists'
            ? own(key)
            : operator === 'DoesNotExist'
              ? !own(key)
              : false;
    if (!ok) return false;
  }
  return true;
}

/** The pod template of a workload (a CronJob's is inside its job template; a Pod is its own). */
export function podTemplate(workload: Manifest): PodTemplateView | undefined {
  return podTemplateOf(workload);
}

/** The labels of a workload's pods. */
export function podLabels(workload: Manifest): Readonly<Record<string, string>> {
  return stringMapAt(podTemplateOf(workload)?.metadata, 'labels');
}

/** Whether a workload runs pods now: zero replicas (or a DaemonSet-like controller without replicas) decides. */
export function isServing(workload: Manifest): boolean {
  if (
    workload.kind === 'Pod' ||
    workload.kind === 'DaemonSet' ||
    workload.kind === 'Job' ||
    workload.kind === 'CronJob'
  )
    return true;
  return Number(at(workload.spec, 'replicas') ?? 1) > 0;
}

/** The namespace of a namespaced object (`default` when the manifest names none). */
export function namespaceOf(m: Manifest): string {
  return m.metadata.namespace ?? 'default';
}
