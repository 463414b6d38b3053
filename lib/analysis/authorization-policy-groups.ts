// Which AuthorizationPolicies apply where: grouped once per manifest list by namespace and by the
// `app` their selector names, the workload policies of a pod, and the targetRefs ones.
import type { Manifest } from './manifest';
import { labelsHold, namespaceOf } from './manifest';
import { ManifestIndex } from './manifest-index';

/** Whether a policy binds to gateways or waypoints (targetRefs) rather than to workloads (selector). */
export function targeted(m: Manifest): boolean {
  return (m.spec?.targetRefs ?? []).length > 0 || m.spec?.targetRef !== undefined;
}

/**
 * The policies of `namespace` that select pods with `podLabels` (no targetRefs), in manifest order.
 * Only those whose selector names no `app`, or the pods' `app`, are tested: every call of a large
 * release tested every policy of its namespace before.
 */
export function workloadPolicies(
  manifests: readonly Manifest[],
  namespace: string,
  podLabels: Readonly<Record<string, string>>,
): Manifest[] {
  const group = groupsOf(manifests).get(namespace);
  if (!group) return [];
  const own = podLabels.app !== undefined ? (group.byApp.get(podLabels.app) ?? []) : [];
  const candidates =
    own.length === 0
      ? group.anyApp
      : group.anyApp.length === 0
        ? own
        : [...own, ...group.anyApp].sort((a, b) => group.order.get(a)! - group.order.get(b)!);
  return candidates.filter((m) => labelsHold(m.spec?.selector?.matchLabels, podLabels));
}

/** The AuthorizationPolicies of one namespace: all of them, and the workload policies by the `app` their selector names. */
interface NamespacePolicies {
  readonly all: Manifest[];
  readonly byApp: Map<string, Manifest[]>;
  /** Workload policies whose selector names no `app` (the whole namespace, or other labels). */
  readonly anyApp: Manifest[];
  readonly order: Map<Manifest, number>;
}

const byNamespace = new WeakMap<ManifestIndex, Map<string, NamespacePolicies>>();

/** The AuthorizationPolicies by namespace, grouped once per manifest list. */
function groupsOf(manifests: readonly Manifest[]): Map<string, NamespacePolicies> {
  const index = ManifestIndex.of(manifests);
  let groups = byNamespace.get(index);
  if (!groups) {
    groups = new Map();
    index.ofKind('AuthorizationPolicy').forEach((m, i) => {
      const ns = namespaceOf(m);
      let group = groups!.get(ns);
      if (!group) groups!.set(ns, (group = { all: [], byApp: new Map(), anyApp: [], order: new Map() }));
      group.all.push(m);
      group.order.set(m, i);
      if (targeted(m)) return;
      const app = m.spec?.selector?.matchLabels?.app;
      if (typeof app !== 'string') group.anyApp.push(m);
      else if (group.byApp.has(app)) group.byApp.get(app)!.push(m);
      else group.byApp.set(app, [m]);
    });
    byNamespace.set(index, groups);
  }
  return groups;
}

/** The AuthorizationPolicies of a namespace, in manifest order. */
export function policiesIn(manifests: readonly Manifest[], namespace: string): Manifest[] {
  return groupsOf(manifests).get(namespace)?.all ?? [];
}
