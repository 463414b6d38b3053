/**
 * The endpoints of a Service without a selector: Kubernetes writes none for it, so only the
 * EndpointSlices someone else writes (label kubernetes.io/service-name) give it endpoints
 * (kubernetes.io docs, Services without selectors). What the answer should say about them.
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { endpointSlicesOf } from '../manifest-index';
import { at, listAt } from '../manifest-kinds';

/** For a Service without a selector: no endpoints at all, or endpoint addresses that are no workload of the manifests. */
export function endpointNotes(index: ManifestIndex, svc: Manifest): string[] {
  if (Object.keys(svc.spec?.selector ?? {}).length > 0) return [];
  const slices = endpointSlicesOf(index, svc);
  if (slices.length === 0)
    return [
      `Service ${namespaceOf(svc)}/${svc.metadata.name} has no selector and no EndpointSlice: no endpoints (Envoy answers 503)`,
    ];
  const known = new Set(index.podsBehind(svc).map((p) => p.metadata.name));
  const outside = slices.flatMap((e) =>
    listAt(e, 'endpoints')
      .filter((x) => !(at(x, 'targetRef', 'kind') === 'Pod' && known.has(String(at(x, 'targetRef', 'name')))))
      .flatMap((x) => listAt(x, 'addresses')),
  );
  return outside.length > 0 && known.size === 0
    ? [
        `Service ${namespaceOf(svc)}/${svc.metadata.name} endpoints ${outside.join(', ')} (EndpointSlice addresses, no workload of the manifests)`,
      ]
    : [];
}
