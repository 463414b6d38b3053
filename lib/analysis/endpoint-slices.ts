// The EndpointSlices of a Service, and the workloads behind a Service without a selector.
import type { Manifest } from './manifest';
import { namespaceOf } from './manifest';
import type { ManifestIndex } from './manifest-index';
import { at, listAt, objectsAt } from './manifest-kinds';

/** The EndpointSlices of a Service (label kubernetes.io/service-name, same namespace). */
export function endpointSlicesOf(index: ManifestIndex, svc: Manifest): Manifest[] {
  return index
    .ofKind('EndpointSlice')
    .filter(
      (e) =>
        namespaceOf(e) === namespaceOf(svc) && e.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name,
    );
}

/**
 * The workloads behind a Service without a selector: Kubernetes gives it no endpoints of its own,
 * only those of EndpointSlices someone else writes; an endpoint is a workload of the manifests when
 * its targetRef names a Pod of them, or its address is a Pod's status.podIP.
 */
export function endpointSliceWorkloads(index: ManifestIndex, svc: Manifest): Manifest[] {
  const out = new Set<Manifest>();
  const pods = index.workloads.filter((w) => w.kind === 'Pod' && namespaceOf(w) === namespaceOf(svc));
  for (const slice of endpointSlicesOf(index, svc)) {
    for (const e of objectsAt(slice, 'endpoints')) {
      if (at(e, 'conditions', 'ready') === false) continue;
      const pod = pods.find(
        (p) =>
          (at(e, 'targetRef', 'kind') === 'Pod' && at(e, 'targetRef', 'name') === p.metadata.name) ||
          listAt(e, 'addresses').some((a) => a === at(p, 'status', 'podIP')),
      );
      if (pod) out.add(pod);
    }
  }
  return [...out];
}
