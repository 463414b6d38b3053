// How the analyzer reads its input: Lists expanded, Istio's ignored namespaces, the kind an object
// is indexed under, and the default ingress gateway `istioctl analyze` adds.
import type { Manifest } from '../manifest';
import { at, isObject } from '../manifest-kinds';

/** Istio drops objects of these namespaces before analysis (pkg/kube/inject/initializer.go IgnoredNamespaces, read by local/istiod_analyze.go). */
export const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);
const ISTIO_GROUPS = ['networking.istio.io/', 'security.istio.io/', 'telemetry.istio.io/', 'extensions.istio.io/'];
const ISTIO_KINDS = new Set([
  'VirtualService',
  'DestinationRule',
  'Gateway',
  'ServiceEntry',
  'Sidecar',
  'WorkloadEntry',
  'WorkloadGroup',
  'EnvoyFilter',
  'ProxyConfig',
  'AuthorizationPolicy',
  'PeerAuthentication',
  'RequestAuthentication',
  'Telemetry',
  'WasmPlugin',
]);
const CORE_KINDS: Readonly<Record<string, string>> = {
  Service: 'v1',
  Pod: 'v1',
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Node: 'v1',
  Deployment: 'apps/v1',
};
export function kindKey(m: Manifest): string {
  const istio = ISTIO_GROUPS.some((g) => m.apiVersion?.startsWith(g));
  if (ISTIO_KINDS.has(m.kind)) return istio ? m.kind : `${m.apiVersion}/${m.kind}`;
  // A Knative `Service` or another group's `Deployment` is not the Kubernetes kind the rules read.
  const core = CORE_KINDS[m.kind];
  return core === undefined || core === m.apiVersion ? m.kind : `${m.apiVersion}/${m.kind}`;
}

export function expandLists(manifests: readonly Manifest[]): Manifest[] {
  const valid = (m: unknown): m is Manifest =>
    isObject(m) && typeof m.kind === 'string' && typeof m.metadata === 'object' && m.metadata !== null;
  return manifests.flatMap((m: unknown) => {
    const items = at(m, 'items');
    return at(m, 'kind') === 'List' && Array.isArray(items) ? items.filter(valid) : valid(m) ? [m] : [];
  });
}

/** Istio's default ingress gateway Pod and Service (pkg/config/analysis/local/defaults.go), added unless ingress is OFF. */
export function defaultIngressGateway(
  service: string,
  ns: string,
  labels: Readonly<Record<string, string>>,
): Manifest[] {
  const port = (name: string, p: number) => ({ name, port: p, protocol: 'TCP', targetPort: p });
  return [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${service}-dummypod`, namespace: ns, labels: { ...labels } },
      spec: { containers: [{ name: 'istio-proxy' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace: ns },
      spec: {
        selector: { ...labels },
        ports: [port('http2', 80), port('https', 443), port('tcp', 31400), port('tls', 15443)],
      },
    },
  ];
}
