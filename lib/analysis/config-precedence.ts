// Which Istio configs a namespace sees (exportTo) and in which order Istio takes them (creation time).
import type { Manifest } from './manifest';
import { namespaceOf } from './manifest';
import { at } from './manifest-kinds';

/**
 * Whether an object's `exportTo` makes it visible in `namespace` (pkg/config/visibility):
 * absent or `*` is every namespace, `.` its own, otherwise the namespaces listed.
 */
export function exportedTo(m: Manifest, namespace: string): boolean {
  const to: string[] | undefined = m.spec?.exportTo;
  if (!to || to.length === 0) return true;
  return to.some((x) => x === '*' || x === namespace || (x === '.' && namespaceOf(m) === namespace));
}

/**
 * Istio's order of configs (pilot/pkg/model/config.go configCompareByCreationTime): creation
 * time, then name, then namespace. Manifests without a creationTimestamp compare equal on time.
 */
export function sortByCreation(configs: readonly Manifest[]): Manifest[] {
  const time = (m: Manifest) => String(at(m.metadata, 'creationTimestamp') ?? '');
  return [...configs].sort(
    (a, b) =>
      time(a).localeCompare(time(b)) || cmp(a.metadata.name, b.metadata.name) || cmp(namespaceOf(a), namespaceOf(b)),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
