import { IST0128, IST0129, IST0173, IST0174 } from './catalogue';
import { labelsHold, namespaceOf } from '../manifest';
import type { AnalysisContext, PodView } from './context';
import { at, listAt, stringMapAt } from '../manifest-kinds';

const VERIFYING_MODES = ['SIMPLE', 'MUTUAL'];

/**
 * IST0128 and IST0129, as Istio's destinationrule.CaCertificateAnalyzer
 * (destinationrule/ca-certificates.go): SIMPLE or MUTUAL TLS without `caCertificates` does not
 * verify the server, unless a `credentialName` is used by a DestinationRule with a workloadSelector.
 */
export function caCertificates(ctx: AnalysisContext): void {
  for (const dr of ctx.ofKind('DestinationRule')) {
    const ns = namespaceOf(dr);
    const host = dr.spec?.host ?? '';
    const unverified = (tls: unknown) =>
      VERIFYING_MODES.includes(at(tls, 'mode') as string) &&
      !at(tls, 'caCertificates') &&
      !(at(tls, 'credentialName') && dr.spec?.workloadSelector);
    const tls: unknown = dr.spec?.trafficPolicy?.tls;
    if (unverified(tls)) {
      ctx.report(IST0128.messages.noCaCertificates, dr, 'spec.trafficPolicy.tls', {
        destinationRule: dr.metadata.name,
        namespace: ns,
        mode: String(at(tls, 'mode')),
        host: String(host),
      });
    }
    listAt(dr.spec, 'trafficPolicy', 'portLevelSettings').forEach((p, i) => {
      if (!unverified(at(p, 'tls'))) return;
      ctx.report(IST0129.messages.noCaCertificates, dr, `spec.trafficPolicy.portLevelSettings[${i}].tls`, {
        destinationRule: dr.metadata.name,
        namespace: ns,
        mode: String(at(p, 'tls', 'mode')),
        host: String(host),
        port: portText(at(p, 'port')),
      });
    });
  }
}

function portText(port: unknown): string {
  const number = at(port, 'number');
  return number !== undefined ? `number:${String(number)}` : '';
}

/**
 * IST0174 and IST0173, as Istio's destinationrule.PodNotSelectedAnalyzer
 * (destinationrule/subset.go): the host must be a Service or ServiceEntry visible to the rule;
 * each subset (its labels plus a ServiceEntry's workloadSelector) must select some pod of the
 * mesh, pod labels augmented as pilot does with the node's topology labels and hostname
 * (pilot/pkg/serviceregistry/util/label/label.go AugmentLabels).
 */
export function subsetsSelectPods(ctx: AnalysisContext): void {
  const nodes = new Map(ctx.ofKind('Node').map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  const podLabels = ctx.pods.map((p) => augmentedLabels(p, nodes));
  for (const dr of ctx.ofKind('DestinationRule')) {
    const host = String(dr.spec?.host ?? '');
    const entry = ctx.hosts.lookup(namespaceOf(dr), dr.spec?.exportTo ?? [], host);
    if (!entry) {
      ctx.report(IST0174.messages.unknownHost, dr, 'spec.host', { host: String(host), namespace: namespaceOf(dr) });
      continue;
    }
    listAt(dr.spec, 'subsets').forEach((s, i) => {
      const selector = { ...(entry.workloadLabels ?? {}), ...stringMapAt(s, 'labels') };
      if (!podLabels.some((labels) => labelsHold(selector, labels))) {
        ctx.report(IST0173.messages.noPods, dr, `spec.subsets[${i}]`, { subset: String(at(s, 'name')) });
      }
    });
  }
}

const REGION = 'topology.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const SUBZONE = 'topology.istio.io/subzone';
const HOSTNAME = 'kubernetes.io/hostname';

function augmentedLabels(pod: PodView, nodes: ReadonlyMap<string, Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...pod.labels };
  const nodeName: string | undefined = pod.spec?.nodeName;
  const node = nodeName !== undefined ? nodes.get(nodeName) : undefined;
  if (node) {
    // The locality string drops the subzone when there is no zone (LocalityToString).
    const region = node[REGION] ?? '';
    const zone = node[ZONE] ?? '';
    const subzone = zone ? (node[SUBZONE] ?? '') : '';
    if (region) out[REGION] = region;
    if (zone) out[ZONE] = zone;
    if (subzone) out[SUBZONE] = subzone;
  }
  if (nodeName) out[HOSTNAME] = nodeName;
  return out;
}
