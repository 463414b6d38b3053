import { IST0158 } from './catalogue';
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf } from '../manifest';
import type { AnalysisContext, PodView } from './context';
import { at, listAt } from '../manifest-kinds';

const INJECTOR = 'istio-sidecar-injector';

/**
 * IST0158, as Istio's injection.ImageAnalyzer (injection/injection-image.go,
 * util/proxyconfig.go): in a namespace injected by `istio-injection=enabled` or `istio.io/rev`,
 * a Pod's istio-proxy image differs from the one its injector ConfigMap
 * (`istio-sidecar-injector[-<rev>]`) would inject, with the effective image type suffix
 * (mesh default, root/namespace/workload ProxyConfig, `proxy.istio.io/config` annotation).
 * Pods with a `sidecar.istio.io/proxyImage` annotation are left out. Reported per namespace.
 */
export function proxyImages(ctx: AnalysisContext): void {
  const images = new Map<string, string>();
  for (const cm of ctx.ofKind('ConfigMap')) {
    if (cm.metadata.name.startsWith(INJECTOR)) images.set(cm.metadata.name, injectedImage(at(cm, 'data', 'values')));
  }
  if (images.size === 0) return;
  const revisions = new Map<string, string>();
  for (const ns of ctx.ofKind('Namespace')) {
    const labels = ns.metadata.labels ?? {};
    if ('istio.io/rev' in labels) revisions.set(ns.metadata.name, labels['istio.io/rev']);
    else if (labels['istio-injection'] === 'enabled') revisions.set(ns.metadata.name, 'default');
  }
  const mismatched = new Map<string, string[]>();
  for (const pod of ctx.pods.filter((p) => p.isPod && revisions.has(p.namespace))) {
    if (pod.annotations['sidecar.istio.io/proxyImage']) continue;
    const revision = revisions.get(pod.namespace)!;
    const expected = images.get(revision === '' || revision === 'default' ? INJECTOR : `${INJECTOR}-${revision}`);
    if (expected === undefined) continue;
    const variant = imageType(ctx, pod);
    const proxy = [...listAt(pod.spec, 'containers'), ...listAt(pod.spec, 'initContainers')].find(
      (c) => at(c, 'name') === 'istio-proxy',
    );
    const image = at(proxy, 'image');
    if (proxy && image !== expected && image !== `${expected}-${variant}`) {
      mismatched.set(pod.namespace, [...(mismatched.get(pod.namespace) ?? []), pod.source.metadata.name]);
    }
  }
  for (const [ns, pods] of mismatched) {
    const namespace = ctx.namespace(ns)!;
    ctx.report(IST0158.messages.mismatch, namespace, 'metadata.name', { pods: pods.sort().join(' ') });
  }
}

/** GetIstioProxyImage: `global.proxy.image` when it holds a `/`, else `<hub>/<image>:<tag>`. */
function injectedImage(values: unknown): string {
  try {
    const global = JSON.parse(String(values))?.global ?? {};
    const image = String(global.proxy?.image ?? '');
    return image.includes('/') ? image : `${global.hub ?? ''}/${image}:${global.tag ?? ''}`;
  } catch {
    return '';
  }
}

/** EffectiveProxyConfigResolver.ImageType: the most specific imageType set, `default` meaning none. */
function imageType(ctx: AnalysisContext, pod: PodView): string {
  let variant = ctx.meshConfig.proxyImageType ?? '';
  const typeOf = (pc: Manifest) => String(pc.spec?.image?.imageType ?? '');
  const configs = ctx.ofKind('ProxyConfig');
  const root = configs.filter((pc) => namespaceOf(pc) === ctx.rootNamespace).pop();
  if (root && typeOf(root)) variant = typeOf(root);
  const namespaceWide = configs
    .filter((pc) => namespaceOf(pc) === pod.namespace && namespaceOf(pc) !== ctx.rootNamespace && !pc.spec?.selector)
    .pop();
  if (namespaceWide && typeOf(namespaceWide)) variant = typeOf(namespaceWide);
  for (const pc of configs.filter(
    (c) => namespaceOf(c) === pod.namespace && namespaceOf(c) !== ctx.rootNamespace && c.spec?.selector,
  )) {
    if (labelsHold(pc.spec.selector.matchLabels ?? {}, pod.labels) && typeOf(pc)) variant = typeOf(pc);
  }
  const annotated = /imageType:\s*["']?([\w-]+)/.exec(pod.annotations['proxy.istio.io/config'] ?? '');
  if (annotated) variant = annotated[1];
  return variant === 'default' ? '' : variant;
}
