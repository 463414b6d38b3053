import { labelSelectorHolds } from '../manifest';
import { isPlainObject as isObject } from './k8s-names';
import { podTemplateOf } from './k8s-pod-checks';
import type { SchemaViolation } from './schema-validator';

/**
 * PodDisruptionBudget checks.
 * - API server (pkg/apis/policy/validation/validation.go, ValidatePodDisruptionBudgetSpec, with
 *   apps validation's ValidatePositiveIntOrPercent and IsNotMoreThan100Percent):
 *   `minAvailable` and `maxUnavailable` exclude each other; each is a non-negative integer or a
 *   percentage of at most 100%.
 * - Project rule: a budget that allows no eviction at all (maxUnavailable 0 or 0%, minAvailable
 *   100%, or minAvailable at least the replicas of the workloads it selects) makes `kubectl
 *   drain` and node upgrades hang (https://kubernetes.io/docs/tasks/run-application/configure-pdb/:
 *   "a PDB that allows zero disruptions ... blocks the drain").
 */

const PERCENT = /^(\d+)%$/;

/** The budget's own problems (no other object needed). */
export function disruptionBudgetProblems(pdb: any): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const spec = isObject(pdb?.spec) ? pdb.spec : {};
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    out.push({
      path: 'spec',
      message: `Invalid value: ${JSON.stringify(spec)}: minAvailable and maxUnavailable cannot be both set`,
    });
  }
  for (const field of ['minAvailable', 'maxUnavailable']) {
    const v = spec[field];
    if (typeof v === 'number' && v < 0)
      out.push({ path: `spec.${field}`, message: `Invalid value: ${v}: must be greater than or equal to 0` });
    if (typeof v === 'string') {
      const m = PERCENT.exec(v);
      if (!m)
        out.push({
          path: `spec.${field}`,
          message: `Invalid value: ${JSON.stringify(v)}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
        });
      else if (Number(m[1]) > 100)
        out.push({
          path: `spec.${field}`,
          message: `Invalid value: ${JSON.stringify(v)}: must not be greater than 100%`,
        });
    }
  }
  if (spec.maxUnavailable === 0 || spec.maxUnavailable === '0%') {
    out.push({
      path: 'spec.maxUnavailable',
      message: `maxUnavailable ${JSON.stringify(spec.maxUnavailable)} allows no eviction: node drains and upgrades would hang; allow at least 1 (or set minAvailable below the replicas)`,
    });
  }
  if (spec.minAvailable === '100%') {
    out.push({
      path: 'spec.minAvailable',
      message:
        'minAvailable "100%" allows no eviction: node drains and upgrades would hang; set it below 100% or use maxUnavailable: 1',
    });
  }
  return out;
}

/** A budget whose integer minAvailable is at least the replicas of the workloads it selects, in `manifests`. */
export function blockingBudgetProblems(pdb: any, manifests: readonly any[]): SchemaViolation[] {
  const min = pdb?.spec?.minAvailable;
  const selector = pdb?.spec?.selector;
  if (typeof min !== 'number' || !isObject(selector)) return [];
  const namespace = pdb.metadata?.namespace;
  let replicas = 0;
  const selected: string[] = [];
  for (const m of scaledWorkloads(manifests, namespace, selector.matchLabels?.app)) {
    const labels = m.spec?.template?.metadata?.labels;
    if (!isObject(labels) || !labelSelectorHolds(selector, labels)) continue;
    replicas += typeof m.spec.replicas === 'number' ? m.spec.replicas : 1;
    selected.push(`${m.kind} ${m.metadata?.name}`);
  }
  if (selected.length === 0 || min < replicas) return [];
  return [
    {
      path: 'spec.minAvailable',
      message: `minAvailable ${min} equals or exceeds the ${replicas} replica(s) it selects (${selected.join(', ')}): no pod may ever be evicted, so node drains and upgrades would hang; set minAvailable to at most ${Math.max(replicas - 1, 0)}, or use maxUnavailable: 1`,
    },
  ];
}

/** Workloads with a replica count (what a PodDisruptionBudget's minAvailable is weighed against), by namespace and `app` label. */
const scaled = new WeakMap<readonly any[], Map<string, any[]>>();

/**
 * The scaled workloads of `namespace` (only those with pod label `app`, when the selector names
 * one), grouped once per manifest list: scanning every object for every budget made validation
 * quadratic (2.3 of 7 s for a generated release of 200 services).
 */
function scaledWorkloads(manifests: readonly any[], namespace: string | undefined, app: unknown): any[] {
  let groups = scaled.get(manifests);
  if (!groups) {
    groups = new Map();
    for (const m of manifests) {
      if (!podTemplateOf(m) || m.kind === 'Pod' || m.kind === 'Job' || m.kind === 'CronJob' || m.kind === 'DaemonSet')
        continue;
      const labels = m.spec?.template?.metadata?.labels;
      for (const key of [
        `${m.metadata?.namespace}|*`,
        ...(isObject(labels) && typeof labels.app === 'string' ? [`${m.metadata?.namespace}|app=${labels.app}`] : []),
      ]) {
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(m);
      }
    }
    scaled.set(manifests, groups);
  }
  return groups.get(typeof app === 'string' ? `${namespace}|app=${app}` : `${namespace}|*`) ?? [];
}
