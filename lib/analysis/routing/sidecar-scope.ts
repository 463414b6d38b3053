/**
 * Which Services and VirtualServices a sidecar imports, as istiod scopes them
 * (pilot/pkg/model/sidecar.go at 1.30.3, PILOT_UNIFIED_SIDECAR_SCOPE on, its default):
 * the Sidecar of the workload's namespace whose workloadSelector selects it, else the namespace's
 * Sidecar without one, else the root namespace's (push_context.go doGetSidecarScope); its egress
 * listener for the port called, else its listener without a port (GetEgressListenerForRDS); the
 * listener's `namespace/dnsName` hosts (`.` the workload's namespace, `*` any; `~` matches none).
 * A Service is imported when it is exported to the workload's namespace (annotation
 * `networking.istio.io/exportTo`) and its host is covered by a host of its own namespace or of `*`
 * (selectServices); a VirtualService when one of its hosts and an imported host cover each other
 * (SelectVirtualServices, VSMatches: both directions). Without a Sidecar everything exported is imported.
 */
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf } from '../manifest';
import { sortByCreation } from '../manifest-index';
import type { ManifestIndex } from '../manifest-index';
import { parseWithYamlLibrary } from '../../release/yaml-reader';
import { hostIntersection, hostMatches, resolveShortName } from './hosts';

/** Istio's default root namespace (meshConfig.rootNamespace). */
const ROOT_NAMESPACE = 'istio-system';
const EXPORT_TO = 'networking.istio.io/exportTo';

export type OutboundMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** The egress listener that serves a port: its hosts by namespace. */
export interface EgressListener {
  /** Hosts by the namespace they import from (`*` for any); `~` never matches a namespace. */
  readonly hosts: ReadonlyMap<string, readonly string[]>;
  /** `egress[i]` of the Sidecar, for messages. */
  readonly at: string;
  /** Fields of the listener that change what it captures, not evaluated (bind, captureMode). */
  readonly notModelled: readonly string[];
  /** The protocol of the listener's declared port (`HTTP`, `TCP`, ...), uppercased. @default - no port declared */
  readonly protocol?: string;
  /** The IP address the listener is bound to (`bind`, not a Unix domain socket), when captureMode is not set. @default - none */
  readonly boundTo?: string;
}

/** The Sidecar scope of one workload. */
export interface SidecarScope {
  /**
   * The Sidecar that applies (`namespace/name`).
   * @default - none: every Service and VirtualService exported to the namespace
   */
  readonly sidecar?: string;
  /** What the sidecar does with traffic to a host it does not import. */
  readonly mode: OutboundMode;
  /** `outboundTrafficPolicy.egressProxy`: unknown traffic goes to that proxy (not evaluated). @default - none */
  readonly egressProxy?: string;
  /** The egress listener for `port`; undefined when the Sidecar has none for it (no listener at all). */
  listener(port: number): EgressListener | undefined;
  /** The Unix domain socket egress listener bound to `path` (`unix://...`; GetEgressListenerForRDS with port 0 matches the bind). */
  socket(path: string): EgressListener | undefined;
}

const EVERYTHING: EgressListener = { hosts: new Map([['*', ['*']]]), at: 'default', notModelled: [] };

/** The Sidecar scope of a workload with `labels` in `namespace`. */
export function sidecarScope(
  index: ManifestIndex,
  labels: Readonly<Record<string, string>>,
  namespace: string,
  meshMode: OutboundMode = 'ALLOW_ANY',
): SidecarScope {
  const sidecars = index.ofKind('Sidecar');
  const own = sortByCreation(sidecars.filter((s) => namespaceOf(s) === namespace));
  const selecting = (s: Manifest) => {
    const wanted: unknown = s.spec?.workloadSelector?.labels;
    return wanted !== undefined && labelsHold(wanted as Record<string, string>, labels);
  };
  const forAll = (s: Manifest) => s.spec?.workloadSelector === undefined;
  const sc =
    own.find(selecting) ??
    own.find(forAll) ??
    sortByCreation(sidecars.filter((s) => namespaceOf(s) === ROOT_NAMESPACE && forAll(s)))[0];
  if (!sc) return { mode: meshMode, listener: () => EVERYTHING, socket: () => undefined };
  const declared = sc.spec?.outboundTrafficPolicy?.mode;
  const mode: OutboundMode = declared === 'REGISTRY_ONLY' || declared === 'ALLOW_ANY' ? declared : meshMode;
  // No egress: one listener importing everything (initSidecarScopeInternalIndexes).
  const declaredEgress: unknown = sc.spec?.egress;
  const egress: unknown[] =
    Array.isArray(declaredEgress) && declaredEgress.length > 0 ? declaredEgress : [{ hosts: ['*/*'] }];
  const sidecar = `${namespaceOf(sc)}/${sc.metadata.name}`;
  const listeners = egress.map((e, i) => ({ port: portOf(e), listener: egressListener(e, i, namespace, sidecar) }));
  const egressProxy: unknown = sc.spec?.outboundTrafficPolicy?.egressProxy;
  return {
    sidecar,
    mode,
    ...(egressProxy !== undefined ? { egressProxy: `Sidecar ${sidecar} outboundTrafficPolicy.egressProxy` } : {}),
    listener: (port) => listeners.find((l) => l.port === undefined || l.port === port)?.listener,
    socket: (path) => listeners.find((l, i) => l.port === 0 && bindOf(egress[i]) === path)?.listener,
  };
}

/** An egress listener's `bind`, when it has one. */
function bindOf(e: unknown): string | undefined {
  const bind = (e as { bind?: unknown } | undefined)?.bind;
  return typeof bind === 'string' ? bind : undefined;
}

/** The listener's port; 0 for a port without a number (a Unix domain socket listener, which serves no TCP port); undefined without a port. */
function portOf(e: unknown): number | undefined {
  const port = (e as { port?: { number?: unknown } } | undefined)?.port;
  if (port === undefined || port === null) return undefined;
  return typeof port.number === 'number' && port.number > 0 ? port.number : 0;
}

function egressListener(e: unknown, i: number, namespace: string, sidecar: string): EgressListener {
  const hosts = new Map<string, string[]>();
  const list = (e as { hosts?: unknown } | undefined)?.hosts;
  for (const h of Array.isArray(list) ? list.map(String) : []) {
    // Istio skips hosts not of the form namespace/dnsName (convertIstioListenerToWrapper).
    if (h.split('/').length !== 2) continue;
    const [ns, name] = h.split('/');
    const key = ns === '.' ? namespace : ns;
    hosts.set(key, [...(hosts.get(key) ?? []), name.toLowerCase()]);
  }
  const fields = ['bind', 'captureMode'].filter((f) => (e as Record<string, unknown> | undefined)?.[f] !== undefined);
  // An HTTP_PROXY port takes every port's virtual hosts (httproute.go BuildSidecarOutboundVirtualHosts: listenerPort 0).
  const protocol = (e as { port?: { protocol?: unknown } } | undefined)?.port?.protocol;
  if (String(protocol ?? '').toUpperCase() === 'HTTP_PROXY') fields.push('port.protocol HTTP_PROXY');
  const bind = bindOf(e);
  const ipBound = typeof bind === 'string' && !bind.startsWith('unix://') && !fields.includes('captureMode');
  return {
    hosts,
    at: `egress[${i}]`,
    notModelled: fields.map((f) => `Sidecar ${sidecar} egress[${i}].${f}`),
    ...(protocol !== undefined ? { protocol: String(protocol).toUpperCase() } : {}),
    ...(ipBound ? { boundTo: bind } : {}),
  };
}

/**
 * What the listener leaves unevaluated for a call to `address`: its `bind` is evaluated when the
 * call dials the bound IP itself (the listener's address is bind:port, and the outbound capture
 * hands it the connection whose original destination that is; listener.go
 * buildSidecarOutboundListeners). A call to another address keeps `bind` named.
 */
export function listenerNotes(l: EgressListener, address: string | undefined): readonly string[] {
  if (l.boundTo === undefined || l.boundTo !== address) return l.notModelled;
  return l.notModelled.filter((n) => !n.endsWith(`${l.at}.bind`));
}

/** The parts of the mesh config the simulator reads. */
interface MeshConfigRead {
  readonly outboundTrafficPolicy?: { readonly mode?: unknown };
  readonly defaultConfig?: { readonly proxyHeaders?: { readonly xForwardedHost?: { readonly enabled?: unknown } } };
}

/** The mesh config of the `istio` ConfigMap of the root namespace (its `mesh` key, as istiod reads it); undefined without one. */
function meshConfigOf(index: ManifestIndex): MeshConfigRead | undefined {
  const cm = index.ofKind('ConfigMap').find((m) => m.metadata.name === 'istio' && namespaceOf(m) === ROOT_NAMESPACE);
  const text = (cm as { data?: Record<string, unknown> } | undefined)?.data?.mesh;
  if (typeof text !== 'string') return undefined;
  return parseWithYamlLibrary(text, `ConfigMap ${ROOT_NAMESPACE}/istio data.mesh`, '1.2')[0] as
    MeshConfigRead | undefined;
}

/** The mesh's outboundTrafficPolicy mode from the mesh config, when the manifests have one; undefined otherwise. */
export function meshOutboundMode(index: ManifestIndex): OutboundMode | undefined {
  const mode = meshConfigOf(index)?.outboundTrafficPolicy?.mode;
  return mode === 'REGISTRY_ONLY' || mode === 'ALLOW_ANY' ? mode : undefined;
}

/** Whether the mesh config's proxies append the original host to x-forwarded-host on a rewrite (defaultConfig.proxyHeaders.xForwardedHost). */
export function meshXForwardedHost(index: ManifestIndex): boolean {
  return meshConfigOf(index)?.defaultConfig?.proxyHeaders?.xForwardedHost?.enabled === true;
}

/** Whether a Service's `networking.istio.io/exportTo` annotation makes it visible in `namespace` (absent: all). */
export function serviceExportedTo(svc: Manifest, namespace: string): boolean {
  const meta = svc.metadata as { annotations?: Record<string, string> };
  const annotations: Readonly<Record<string, string>> = meta.annotations ?? {};
  const raw = annotations[EXPORT_TO];
  if (raw === undefined) return true;
  const to = String(raw)
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  return to.some((x) => x === '*' || x === namespace || (x === '.' && namespaceOf(svc) === namespace));
}

/** Whether the listener imports a Service seen from `namespace` (selectServices, hostClassification.Matches). */
export function importsService(index: ManifestIndex, l: EgressListener, svc: Manifest, namespace: string): boolean {
  if (!serviceExportedTo(svc, namespace)) return false;
  return importsHost(l, namespaceOf(svc), index.serviceHost(svc));
}

/** Whether the listener imports `host` of a service of namespace `ns` (a Service's or a ServiceEntry's): a host of `ns` or of `*` covers it. */
export function importsHost(l: EgressListener, ns: string, host: string): boolean {
  const covers = (hosts: readonly string[] | undefined) => (hosts ?? []).some((h) => hostMatches(h, host));
  return covers(l.hosts.get(ns)) || covers(l.hosts.get('*'));
}

/** Whether the listener imports a mesh VirtualService (SelectVirtualServices, VSMatches without gateway semantics). */
export function importsVirtualService(index: ManifestIndex, l: EgressListener, vs: Manifest): boolean {
  const written: unknown = vs.spec?.hosts;
  const vsHosts = (Array.isArray(written) ? written : []).map((h) =>
    resolveShortName(String(h), namespaceOf(vs), index.clusterDomain),
  );
  const meets = (h: string) => vsHosts.some((v) => hostIntersection(h, v) !== undefined);
  const covers = (hosts: readonly string[] | undefined) => (hosts ?? []).some(meets);
  return covers(l.hosts.get(namespaceOf(vs))) || covers(l.hosts.get('*'));
}

/**
 * Whether the listener imports an HTTPRoute that routes `svc` (SelectVirtualServices with gateway
 * semantics: the VirtualService istiod derives from it has the Service's host, which must be a
 * subset of a host imported from the route's namespace or from `*`).
 */
export function importsHttpRoute(index: ManifestIndex, l: EgressListener, route: Manifest, svc: Manifest): boolean {
  const host = index.serviceHost(svc);
  const covers = (hosts: readonly string[] | undefined) => (hosts ?? []).some((h) => hostMatches(h, host));
  return covers(l.hosts.get(namespaceOf(route))) || covers(l.hosts.get('*'));
}
