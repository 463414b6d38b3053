import { IST0002, IST0101, IST0157, IST0159, IST0160, IST0166 } from './catalogue';
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf } from '../manifest';
import type { AnalysisContext, PodView } from './context';
import { selectorString } from './gateways';
import { at, listAt } from '../manifest-kinds';

const names = (items: Manifest[]) =>
  `[${items
    .map((t) => t.metadata.name)
    .sort()
    .join(' ')}]`;

/**
 * IST0101 (selector) and IST0159, as Istio's telemetry.SelectorAnalyzer (telemetry/selector.go):
 * a Telemetry's selector matches a pod of its namespace, and no pod is selected by two of them.
 */
export function telemetrySelectors(ctx: AnalysisContext): void {
  const byPod = new Map<PodView, Manifest[]>();
  for (const t of ctx.ofKind('Telemetry')) {
    const labels: Record<string, string> = t.spec?.selector?.matchLabels ?? {};
    if (Object.keys(labels).length === 0) continue;
    const pods = ctx.podsSelected(labels, namespaceOf(t));
    if (pods.length === 0)
      ctx.report(IST0101.messages.workloadSelector, t, 'spec.selector.matchLabels', {
        selector: selectorString(labels),
      });
    for (const p of pods) byPod.set(p, [...(byPod.get(p) ?? []), t]);
  }
  for (const [pod, telemetries] of byPod) {
    if (telemetries.length < 2) continue;
    for (const t of telemetries) {
      ctx.report(IST0159.messages.samePod, t, 'spec.selector', {
        telemetries: names(telemetries),
        namespace: pod.namespace,
        pod: pod.source.metadata.name,
      });
    }
  }
}

/** IST0160, as Istio's telemetry.DefaultSelectorAnalyzer (telemetry/default_selector.go): one selector-less Telemetry per namespace. */
export function telemetryDefaultSelectors(ctx: AnalysisContext): void {
  const byNamespace = new Map<string, Manifest[]>();
  for (const t of ctx.ofKind('Telemetry')) {
    if (t.spec?.selector !== undefined && t.spec?.selector !== null) continue;
    byNamespace.set(namespaceOf(t), [...(byNamespace.get(namespaceOf(t)) ?? []), t]);
  }
  for (const [ns, telemetries] of byNamespace) {
    if (telemetries.length < 2) continue;
    for (const t of telemetries) {
      ctx.report(IST0160.messages.noSelector, t, 'spec.selector', { telemetries: names(telemetries), namespace: ns });
    }
  }
}

/**
 * IST0157, as Istio's telemetry.ProviderAnalyzer (telemetry/providers.go): without mesh default
 * access-log providers, an enabled accessLogging entry naming no provider is ignored.
 */
export function telemetryProviders(ctx: AnalysisContext): void {
  if (ctx.meshConfig.defaultAccessLogProviders?.length) return;
  for (const t of ctx.ofKind('Telemetry')) {
    listAt(t.spec, 'accessLogging').forEach((l, i) => {
      if (at(l, 'disabled') === true || listAt(l, 'providers').length > 0) return;
      ctx.report(IST0157.messages.emptyProviders, t, `spec.accessLogging[${i}].providers`, {
        telemetry: t.metadata.name,
        namespace: namespaceOf(t),
      });
    });
  }
}

/** IST0002, as Istio's telemetry.LightstepAnalyzer (telemetry/lightstep.go): tracing through a Lightstep extension provider is deprecated. */
export function telemetryLightstep(ctx: AnalysisContext): void {
  const lightstep = new Set(ctx.meshConfig.lightstepProviders ?? []);
  if (lightstep.size === 0) return;
  for (const t of ctx.ofKind('Telemetry')) {
    listAt(t.spec, 'tracing').forEach((tracing, i) =>
      listAt(tracing, 'providers').forEach((p) => {
        const name = at(p, 'name');
        if (typeof name === 'string' && lightstep.has(name)) {
          ctx.report(IST0002.messages.lightstep, t, `spec.tracing[${i}].providers`, { provider: name });
        }
      }),
    );
  }
}

const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';
const POLICY_KINDS = ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin'];

/**
 * IST0166, as Istio's k8sgateway.SelectorAnalyzer (k8sgateway/workloadselector.go): a policy
 * without targetRef whose selector matches the pods of a Kubernetes Gateway (they carry
 * `gateway.networking.k8s.io/gateway-name`) should use targetRef instead.
 */
export function kubernetesGatewaySelectors(ctx: AnalysisContext): void {
  const gatewayPods = ctx.pods.filter((p) => p.isPod && GATEWAY_NAME in p.labels);
  for (const kind of POLICY_KINDS) {
    for (const policy of ctx.ofKind(kind)) {
      if (policy.spec?.targetRef || !policy.spec?.selector) continue;
      for (const pod of gatewayPods.filter((p) => p.namespace === namespaceOf(policy))) {
        if (labelsHold(policy.spec.selector.matchLabels ?? {}, pod.labels)) {
          ctx.report(IST0166.messages.selector, policy, 'spec.selector', { gateway: String(pod.labels[GATEWAY_NAME]) });
        }
      }
    }
  }
}
