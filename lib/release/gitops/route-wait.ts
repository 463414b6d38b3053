import type { Manifest } from '../../analysis/manifest';
import type { DesiredState } from './states';

/**
 * How a state that moves traffic waits until every proxy has the new routes, before the next
 * state takes anything away. Istio objects have no health a GitOps engine understands:
 * - `delay`: a Job that sleeps (the kubectl plan's `sleep 30`), part of the state, so the
 *   state is healthy only once it completed (Argo CD: a Sync hook in the last wave; Flux: a health check);
 * - `reconciled`: Istio's `Reconciled` status condition, which istiod sets once every proxy
 *   acknowledged the object's configuration (istiod with PILOT_ENABLE_STATUS and config
 *   distribution tracking on; see docs/progressive-delivery.md), read by a health check.
 */
export type RouteWait = 'delay' | 'reconciled';

/** The kubectl plan's wait after a switch. */
export const DEFAULT_ROUTE_DELAY_SECONDS = 30;
/** A small image with `sleep`, pinned by tag. */
export const ROUTE_DELAY_IMAGE = 'busybox:1.37.0';

/** The name of the delay Job of `state`: one per state, so consecutive states never change a Job (its pod template is immutable). */
export function routeDelayJobName(series: string, state: DesiredState): string {
  return `${series}-route-wait-${state.name.split('-')[0]}`.slice(0, 63).replace(/-+$/, '');
}

/** The namespace of the routes a state moves (its first VirtualService, HTTPRoute or Istio Gateway). */
function routesNamespace(state: DesiredState): string {
  const route = state.objects.find(
    (m) => ['VirtualService', 'HTTPRoute', 'Gateway'].includes(m.kind) && m.metadata.namespace,
  );
  return route?.metadata.namespace ?? state.objects.find((m) => m.metadata.namespace)?.metadata.namespace ?? 'default';
}

/**
 * The Job that waits `seconds` once a state's routes are applied. Its pod stays out of the mesh
 * (no sidecar, no ambient redirection, no service account token): a sidecar would keep the Job
 * from ever completing, and it needs no network at all.
 */
export function routeDelayJob(
  series: string,
  state: DesiredState,
  seconds = DEFAULT_ROUTE_DELAY_SECONDS,
  annotations: Record<string, string> = {},
): Manifest {
  const labels = { 'app.kubernetes.io/name': 'route-wait', 'app.kubernetes.io/managed-by': 'voting-mesh' };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: routeDelayJobName(series, state),
      namespace: routesNamespace(state),
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      backoffLimit: 2,
      template: {
        metadata: { labels: { ...labels, 'sidecar.istio.io/inject': 'false', 'istio.io/dataplane-mode': 'none' } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'wait',
              image: ROUTE_DELAY_IMAGE,
              command: ['sleep', String(seconds)],
              resources: { requests: { cpu: '10m', memory: '8Mi' }, limits: { cpu: '50m', memory: '16Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

/** Istio kinds whose `Reconciled` condition says every proxy has their configuration. */
export const RECONCILED_KINDS = ['VirtualService', 'DestinationRule', 'Gateway'];

/** The routing objects of a state whose `Reconciled` condition a health check waits for. */
export function reconciledObjects(state: DesiredState): Manifest[] {
  return state.objects.filter(
    (m) => m.apiVersion.startsWith('networking.istio.io/') && RECONCILED_KINDS.includes(m.kind),
  );
}
