import type { Manifest } from './manifest';
import { namespaceOf } from './manifest';
import type { ManifestIndex } from './manifest-index';
import { at, listAt, objectsAt, stringMapAt } from './manifest-kinds';

/**
 * Ambient mode as Istio decides it from labels, shared by the analyzer, explain and the plan check:
 * which pods ztunnel captures, and which waypoint a Service's traffic goes through.
 */

/** Enrols a namespace or pod in ambient mode (`ambient`), or keeps a pod out (`none`). */
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';
/** Sends a Service's (or a namespace's Services') traffic through the waypoint it names (`none` opts out). */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';
/** The namespace of that waypoint. @default - the Service's */
export const USE_WAYPOINT_NAMESPACE_LABEL = 'istio.io/use-waypoint-namespace';

/** The labels of a namespace by name (none for a namespace the input does not hold). */
export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>>;

/** The labels of the Namespaces among the objects of an index. */
export function namespaceLabelsOf(index: ManifestIndex): NamespaceLabels {
  return (ns) => index.ofKind('Namespace').find((n) => n.metadata.name === ns)?.metadata.labels ?? {};
}

/** Istio's NamespaceInAmbientMode (analyzers/util/in_mesh.go): `istio.io/dataplane-mode: ambient`, no sidecar injection label. */
export function namespaceInAmbient(labelsOf: NamespaceLabels, namespace: string): boolean {
  const labels = labelsOf(namespace);
  return (
    labels['istio-injection'] !== 'enabled' && !labels['istio.io/rev'] && labels[DATAPLANE_MODE_LABEL] === 'ambient'
  );
}

/** A pod (or pod template) in ambient mode: its own dataplane-mode label or redirection annotation, else its namespace's. */
export function podInAmbient(
  labelsOf: NamespaceLabels,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  annotations: Readonly<Record<string, string>>,
): boolean {
  if (labels[DATAPLANE_MODE_LABEL] === 'none') return false;
  return (
    labels[DATAPLANE_MODE_LABEL] === 'ambient' ||
    annotations['ambient.istio.io/redirection'] === 'enabled' ||
    namespaceInAmbient(labelsOf, namespace)
  );
}

/**
 * The waypoint (`namespace/name`) a Service uses, as Istio resolves it (serviceregistry/ambient/waypoints.go
 * fetchWaypointForTarget/getUseWaypoint): the Service's `istio.io/use-waypoint` label (`none` opts out),
 * else its namespace's; `istio.io/use-waypoint-namespace` names another namespace.
 */
export function waypointOf(labelsOf: NamespaceLabels, svc: Manifest): string | undefined {
  const ns = namespaceOf(svc);
  const use = (labels: Readonly<Record<string, string>>): string | undefined | null => {
    const name = labels[USE_WAYPOINT_LABEL];
    if (name === undefined || name === '') return undefined;
    if (name === 'none') return null;
    return `${labels[USE_WAYPOINT_NAMESPACE_LABEL] ?? ns}/${name}`;
  };
  const direct = use(svc.metadata.labels ?? {});
  if (direct !== undefined) return direct ?? undefined;
  return use(labelsOf(ns)) ?? undefined;
}

/** Lets a Service's traffic from the gateway go through its waypoint too (`true`); by default ingress bypasses waypoints. */
export const INGRESS_USE_WAYPOINT_LABEL = 'istio.io/ingress-use-waypoint';

/**
 * Whether a waypoint Gateway accepts Services of `serviceNamespace` (serviceregistry/ambient
 * waypoints.go: the HBONE listener's allowedRoutes.namespaces, `Same` by default, `All`, or a
 * Selector over the Namespace's labels, `kubernetes.io/metadata.name` being the namespace's name).
 * A waypoint that is not among the objects is taken as accepting (its listeners are not known).
 */
export function waypointAccepts(index: ManifestIndex, waypoint: string, serviceNamespace: string): boolean {
  const [ns, name] = waypoint.split('/');
  const gw = index.objects.find(
    (g) =>
      g.kind === 'Gateway' &&
      String(g.apiVersion ?? '').startsWith('gateway.networking.k8s.io/') &&
      g.metadata.name === name &&
      namespaceOf(g) === ns,
  );
  if (!gw) return true;
  const listeners = objectsAt(gw.spec, 'listeners');
  const hbone = listeners.filter((l) => String(l.protocol).toUpperCase() === 'HBONE');
  return (hbone.length > 0 ? hbone : listeners).some((l) => {
    const from = at(l, 'allowedRoutes', 'namespaces', 'from') ?? 'Same';
    if (from === 'All') return true;
    if (from === 'Same') return ns === serviceNamespace;
    if (from !== 'Selector') return false;
    const labels: Record<string, string> = {
      ...namespaceLabelsOf(index)(serviceNamespace),
      'kubernetes.io/metadata.name': serviceNamespace,
    };
    const sel = at(l, 'allowedRoutes', 'namespaces', 'selector') ?? {};
    return (
      Object.entries(stringMapAt(sel, 'matchLabels')).every(([k, v]) => labels[k] === v) &&
      listAt(sel, 'matchExpressions').length === 0
    );
  });
}
