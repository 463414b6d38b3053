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

/** Kinds whose pod template runs the pods a Service selects: Deployments and Argo Rollouts. */
export function isWorkload(m: Manifest): boolean {
  return m.kind === 'Deployment' || (m.kind === 'Rollout' && m.apiVersion.startsWith('argoproj.io/'));
}

/** Whether every label of `want` is in `have` with the same value. */
export function labelsHold(want: Readonly<Record<string, string>> | undefined, have: Readonly<Record<string, string>>): boolean {
  for (const k in want ?? {}) if (have[k] !== want![k]) return false;
  return true;
}

/** The labels of a workload's pods. */
export function podLabels(workload: Manifest): Record<string, string> {
  return workload.spec?.template?.metadata?.labels ?? {};
}

/** The namespace of a namespaced object (`default` when the manifest names none). */
export function namespaceOf(m: Manifest): string {
  return m.metadata.namespace ?? 'default';
}
