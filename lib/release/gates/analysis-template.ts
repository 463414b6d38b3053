import type { Manifest } from '../../analysis/manifest';
import type { ResolvedGate } from './gates';

/** Where the AnalysisTemplate's queries go unless the AnalysisRun passes `prometheus-address`. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus.istio-system.svc:9090';

/**
 * An Argo Rollouts AnalysisTemplate (Prometheus provider) with the gate's queries, one metric
 * each, measured once: the same decision as `voting-mesh gate`. Fewer requests than the minimum
 * (or no sample) is Inconclusive (neither condition holds), a bound broken is Failed; an
 * AnalysisRun made from it (an Argo CD PostSync hook, see docs/progressive-delivery.md) runs it.
 */
export function analysisTemplate(gate: ResolvedGate): Manifest {
  const has = 'len(result) > 0';
  const requests = new Map(gate.queries.filter((q) => q.measure === 'requests').map((q) => [q.workload, q]));
  const metrics = gate.queries.map((q) => {
    // A rate over too few requests decides nothing: the query answers nothing (Inconclusive) until the workload has the minimum.
    const count = requests.get(q.workload)!;
    const query = q.measure === 'requests' ? q.promql : `(${q.promql}) and on() (${count.promql} >= ${count.bound})`;
    const [ok, bad] =
      q.measure === 'p99-latency' ? [`<= ${q.bound}`, `> ${q.bound}`] : [`>= ${q.bound}`, `< ${q.bound}`];
    return {
      name: `${q.workload}-${q.measure}`,
      count: 1,
      successCondition: `${has} && result[0] ${ok}`,
      // Too few requests is no reason to roll back: Inconclusive, as `voting-mesh gate` exits 3.
      failureCondition: q.measure === 'requests' ? 'false' : `${has} && result[0] ${bad}`,
      failureLimit: 0,
      provider: { prometheus: { address: '{{args.prometheus-address}}', query } },
    };
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: {
      name: `${gate.stage}-${gate.name}`.slice(0, 253),
      namespace: gate.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'voting-mesh' },
    },
    spec: { args: [{ name: 'prometheus-address', value: DEFAULT_PROMETHEUS_ADDRESS }], metrics },
  } as Manifest;
}
