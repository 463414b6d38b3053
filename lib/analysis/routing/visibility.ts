import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { exportedTo, sortByCreation } from '../manifest-index';

/**
 * The VirtualServices a proxy in `namespace` serving `gateway` (`mesh` or `ns/name`) sees, in
 * Istio's order (pilot/pkg/model/push_context.go VirtualServicesForGateway): private to its
 * namespace, then exported to it, then public; each by creation time, name, namespace.
 */
export function visibleVirtualServices(index: ManifestIndex, namespace: string, gateway: string): Manifest[] {
  // Computed once per index, namespace and gateway: every call and ingress asks again.
  let byKey = cache.get(index);
  if (!byKey) cache.set(index, (byKey = new Map()));
  const key = `${namespace}\0${gateway}`;
  let answer = byKey.get(key);
  if (!answer) byKey.set(key, (answer = compute(index, namespace, gateway)));
  return answer;
}

const cache = new WeakMap<ManifestIndex, Map<string, Manifest[]>>();

function compute(index: ManifestIndex, namespace: string, gateway: string): Manifest[] {
  const bound = index.ofKind('VirtualService').filter((vs) => {
    const refs: string[] = vs.spec?.gateways?.length ? vs.spec.gateways : ['mesh'];
    return (
      refs.some((g) => (g === 'mesh' ? 'mesh' : g.includes('/') ? g : `${namespaceOf(vs)}/${g}`) === gateway) &&
      exportedTo(vs, namespace)
    );
  });
  const exportTo = (vs: Manifest): string[] => vs.spec?.exportTo ?? [];
  const isPublic = (vs: Manifest) => exportTo(vs).length === 0 || exportTo(vs).includes('*');
  const isPrivate = (vs: Manifest) =>
    !isPublic(vs) && namespaceOf(vs) === namespace && exportTo(vs).every((x) => x === '.' || x === namespace);
  const privateOnes = sortByCreation(bound.filter(isPrivate));
  const exported = sortByCreation(bound.filter((vs) => !isPublic(vs) && !isPrivate(vs)));
  return [...privateOnes, ...exported, ...sortByCreation(bound.filter(isPublic))];
}
