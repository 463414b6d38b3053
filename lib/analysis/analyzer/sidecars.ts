import { IST0101, IST0110, IST0111, IST0167 } from './catalogue';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { AnalysisContext, PodView } from './context';
import { selectorString } from './gateways';
import { namespaceInAmbient } from './gateway-api-objects';

/**
 * IST0101 (selector), IST0110, IST0111 and IST0167, as Istio's sidecar.SelectorAnalyzer
 * (sidecar/selector.go): a Sidecar's workloadSelector matches a pod of its namespace; no pod is
 * selected by two Sidecars; a namespace has at most one selector-less Sidecar; a Sidecar for an
 * ambient pod or namespace has no effect.
 */
export function sidecarSelectors(ctx: AnalysisContext): void {
  const byPod = new Map<PodView, Manifest[]>();
  const namespaceWide = new Map<string, Manifest[]>();
  for (const sc of ctx.ofKind('Sidecar')) {
    const labels: Record<string, string> = sc.spec?.workloadSelector?.labels ?? {};
    if (Object.keys(labels).length === 0) {
      namespaceWide.set(namespaceOf(sc), [...(namespaceWide.get(namespaceOf(sc)) ?? []), sc]);
      continue;
    }
    const pods = ctx.podsSelected(labels, namespaceOf(sc));
    if (pods.length === 0)
      ctx.report(IST0101.messages.workloadSelector, sc, 'spec.workloadSelector.labels', {
        selector: selectorString(labels),
      });
    for (const p of pods) byPod.set(p, [...(byPod.get(p) ?? []), sc]);
  }
  const names = (list: Manifest[]) =>
    `[${list
      .map((s) => s.metadata.name)
      .sort()
      .join(' ')}]`;
  for (const [pod, list] of byPod) {
    const ambient = pod.annotations['ambient.istio.io/redirection'] === 'enabled';
    if (list.length === 1 && !ambient) continue;
    for (const sc of list) {
      if (ambient) {
        ctx.report(IST0167.messages.ambientWorkload, sc, 'spec.workloadSelector');
      } else {
        ctx.report(IST0110.messages.samePod, sc, 'spec.workloadSelector', {
          sidecars: names(list),
          namespace: pod.namespace,
          pod: pod.source.metadata.name,
        });
      }
    }
  }
  for (const [ns, list] of namespaceWide) {
    const ambientNamespace = namespaceInAmbient(ctx, ns);
    for (const sc of list) {
      if (ambientNamespace) ctx.report(IST0167.messages.ambientNamespace, sc, 'metadata.namespace');
      else if (list.length > 1) {
        ctx.report(IST0111.messages.noSelector, sc, 'spec.workloadSelector', { sidecars: names(list), namespace: ns });
      }
    }
  }
}
