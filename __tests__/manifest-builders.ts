import type { Manifest } from 'voting-mesh';

// Hand-made manifests for the routing tests: the smallest objects explain and the simulator read.

/** A Deployment of one replica whose pods carry `labels` (and run as `serviceAccountName` when given). */
export const deployment = (
  name: string,
  ns: string,
  labels: Record<string, string>,
  serviceAccountName?: string,
): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [] } },
  },
});

/** A networking.istio.io/v1 object of `kind` (VirtualService, Sidecar, ServiceEntry, ...). */
export const istioObject = (kind: string, name: string, ns: string, spec: Record<string, unknown>): Manifest => ({
  apiVersion: 'networking.istio.io/v1',
  kind,
  metadata: { name, namespace: ns },
  spec,
});
