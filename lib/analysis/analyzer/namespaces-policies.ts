import { IST0101, IST0102, IST0103, IST0123, IST0127, IST0148 } from './catalogue';
import { DATAPLANE_MODE_LABEL } from '../ambient-mode';
import { podInAmbient } from './gateway-api-objects';
import { labelsHold, namespaceOf } from '../manifest';
import type { AnalysisContext, PodView } from './context';
import { selectorString } from './gateways';
import { at, listAt } from '../manifest-kinds';

const INJECTION = 'istio-injection';
const REVISION = 'istio.io/rev';
const INJECT = 'sidecar.istio.io/inject';
const ISTIO_SYSTEM = 'istio-system';

/**
 * IST0123, IST0102, IST0148 and IST0103, as Istio's injection.Analyzer (injection/injection.go):
 * a namespace (but istio-system) with more than one injection label; one with neither
 * `istio-injection` nor `istio.io/rev` and not ambient is not injected (Info), or injected by
 * default when the injector ConfigMap enables namespaces by default; `istio-injection=disabled`
 * is a deliberate choice and not reported. A Pod of an `istio-injection=enabled` namespace
 * without an istio-proxy container (and not opted out, not host network) misses its proxy.
 */
export function injection(ctx: AnalysisContext): void {
  const injected = new Set<string>();
  let enabledByDefault = false;
  for (const ns of ctx.ofKind('Namespace')) {
    const name = ns.metadata.name;
    if (name === ISTIO_SYSTEM) continue;
    const labels = ns.metadata.labels ?? {};
    const hasInjection = INJECTION in labels;
    const istioLabels = hasInjection ? [`${INJECTION}=${labels[INJECTION]}`] : [];
    for (const l of [REVISION, DATAPLANE_MODE_LABEL]) {
      if (l in labels && (!hasInjection || labels[INJECTION] === 'enabled')) istioLabels.push(`${l}=${labels[l]}`);
    }
    if (istioLabels.length > 1) {
      ctx.report(IST0123.messages.labels, ns, 'metadata.labels', { labels: istioLabels.join(' ') });
    }
    if (labels[DATAPLANE_MODE_LABEL] === 'ambient') continue;
    const configMapName =
      labels[REVISION] && labels[REVISION] !== 'default'
        ? `istio-sidecar-injector-${labels[REVISION]}`
        : 'istio-sidecar-injector';
    const configMap = ctx.ofKind('ConfigMap').find((c) => c.metadata.name === configMapName);
    if (configMap) enabledByDefault = injectorEnablesByDefault(at(configMap, 'data', 'values'));
    if (!labels[INJECTION] && !(REVISION in labels)) {
      if (enabledByDefault) {
        ctx.report(IST0148.messages.enabledByDefault, ns, 'metadata.labels', { namespace: name });
      } else {
        ctx.report(IST0102.messages.notInjected, ns, 'metadata.labels', { namespace: name });
      }
      continue;
    }
    if (labels[INJECTION] === 'enabled') injected.add(name);
  }
  for (const pod of ctx.pods.filter((p) => p.isPod && injected.has(p.namespace))) {
    const choice = pod.labels[INJECT] ?? pod.annotations[INJECT];
    if (String(choice).toLowerCase() === 'false' || pod.spec.hostNetwork) continue;
    if (!hasProxy(pod)) {
      ctx.report(IST0103.messages.missingProxy, pod.source, 'spec.containers', {
        pod: `${pod.namespace}/${pod.source.metadata.name}`,
      });
    }
  }
}

function injectorEnablesByDefault(values: unknown): boolean {
  try {
    return JSON.parse(String(values))?.sidecarInjectorWebhook?.enableNamespacesByDefault === true;
  } catch {
    return false;
  }
}

function hasProxy(pod: PodView): boolean {
  return [...listAt(pod.spec, 'containers'), ...listAt(pod.spec, 'initContainers')].some(
    (c) => at(c, 'name') === 'istio-proxy' && Boolean(at(c, 'image')),
  );
}

/** Istio's PodInMesh / PodInAmbientMode (util/in_mesh.go), on a pod or a workload's pod template. */
function podInMesh(ctx: AnalysisContext, pod: PodView): boolean {
  if (pod.annotations['ambient.istio.io/redirection'] === 'enabled' || hasProxy(pod)) return true;
  const choice = pod.labels[INJECT] ?? pod.annotations[INJECT];
  if (choice !== undefined) return choice === 'true';
  const ns = ctx.namespace(pod.namespace);
  // Offline addition: a workload's pod template in a namespace enrolled by revision
  // (`istio.io/rev`, as on AKS's add-on) will be injected by that revision's webhook. Istio's
  // check looks only at `istio-injection` because a live Pod shows its istio-proxy container.
  if (!pod.isPod && ns?.metadata.labels?.['istio.io/rev'] !== undefined && ns.metadata.labels[INJECTION] !== 'disabled')
    return true;
  // Offline addition, likewise: a pod template in an ambient namespace (istio.io/dataplane-mode)
  // gets istio-cni's redirection annotation, which Istio's check reads, once it runs.
  if (!pod.isPod && podInAmbient(ctx, pod.namespace, pod.labels, pod.annotations)) return true;
  return ns?.metadata.labels?.[INJECTION] === 'enabled';
}

/**
 * IST0127 and IST0101 (namespace), as Istio's authz.AuthorizationPoliciesAnalyzer
 * (authz/authorizationpolicies.go): a policy's selector must match a mesh pod of its namespace
 * (any namespace for a policy in the mesh root namespace; a selector-less policy needs some mesh
 * pod in its namespace, and in the root namespace nothing); every `namespaces` and
 * `notNamespaces` entry (with `*` prefix or suffix) must match a Namespace of the input.
 */
export function authorizationPolicies(ctx: AnalysisContext): void {
  const meshPods = ctx.pods.filter((p) => podInMesh(ctx, p));
  // The pods by namespace and by `app` label, so that each policy tests only the pods it can select.
  const group = <T>(key: (p: T) => string | undefined, items: readonly T[]) => {
    const out = new Map<string, T[]>();
    for (const x of items) {
      const k = key(x);
      if (k === undefined) continue;
      if (out.has(k)) out.get(k)!.push(x);
      else out.set(k, [x]);
    }
    return out;
  };
  const appOf = (p: (typeof meshPods)[number]) => (typeof p.labels.app === 'string' ? p.labels.app : undefined);
  const inNamespace = group((p) => p.namespace, meshPods);
  const byApp = group(appOf, meshPods);
  const byNamespaceApp = group((p) => (appOf(p) === undefined ? undefined : `${p.namespace}|${appOf(p)}`), meshPods);
  const namespaces = ctx.ofKind('Namespace').map((n) => n.metadata.name);
  for (const ap of ctx.ofKind('AuthorizationPolicy')) {
    const ns = namespaceOf(ap);
    const selector = ap.spec?.selector;
    const matchLabels: Record<string, string> = selector?.matchLabels ?? {};
    const root = ns === ctx.rootNamespace;
    const candidates = root ? meshPods : (inNamespace.get(ns) ?? []);
    if (selector !== undefined && selector !== null) {
      const app = matchLabels.app;
      const pool =
        typeof app === 'string' ? ((root ? byApp.get(app) : byNamespaceApp.get(`${ns}|${app}`)) ?? []) : candidates;
      if (!pool.some((p) => labelsHold(matchLabels, p.labels))) {
        ctx.report(IST0127.messages.selector, ap, 'spec.selector', { selector: selectorString(matchLabels) });
      }
    } else if (ns !== ctx.rootNamespace && candidates.length === 0) {
      ctx.report(IST0127.messages.emptyNamespace, ap, 'metadata.namespace', { namespace: ns });
    }
    listAt(ap.spec, 'rules').forEach((rule, i) =>
      listAt(rule, 'from').forEach((from, j) => {
        for (const key of ['namespaces', 'notNamespaces'] as const) {
          listAt(from, 'source', key).forEach((exp, k) => {
            if (!namespaces.some((n) => namespaceMatches(n, exp as string))) {
              ctx.report(IST0101.messages.namespace, ap, `spec.rules[${i}].from[${j}].source.${key}[${k}]`, {
                namespace: String(exp),
              });
            }
          });
        }
      }),
    );
  }
}

function namespaceMatches(ns: string, exp: string): boolean {
  if (exp === '*') return true;
  if (exp.startsWith('*')) return ns.endsWith(exp.slice(1));
  if (exp.endsWith('*')) return ns.startsWith(exp.slice(0, -1));
  return ns.toLowerCase() === exp.toLowerCase();
}
