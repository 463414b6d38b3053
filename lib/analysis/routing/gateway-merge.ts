/**
 * The servers an ingress proxy gets from every Istio Gateway that selects it, as istiod merges
 * them (istio/istio pilot/pkg/model/gateway.go MergeGateways): Gateways in config order (creation
 * time, name, namespace); the first server on a port decides its protocol; every plain HTTP server
 * on a port shares one route configuration (`http.<port>`), so a VirtualService bound to any of
 * those Gateways serves hosts there and an `httpsRedirect` of one server applies to the virtual host
 * it shares with another (gateway.go buildGatewayHTTPRouteConfig); a TCP port belongs to the first
 * Gateway that declares it (a later one conflicts and is dropped); each HTTPS server that
 * terminates TLS has its own route configuration, chosen by SNI.
 */
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf, podLabels } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { sortByCreation } from '../manifest-index';
import { hostMatches } from './hosts';

/** A server and the Gateway (`namespace/name`) it came from. */
export interface MergedServer {
  readonly server: any;
  readonly gateway: string;
  readonly gatewayNamespace: string;
}

/** The Gateways that program the same proxy as `gw`: their selectors pick its pods (or, without pods in the input, the same selector). */
export function gatewaysOfProxy(index: ManifestIndex, gw: Manifest, pod: Manifest | undefined): Manifest[] {
  const selector = gw.spec?.selector ?? {};
  const same = (g: Manifest) => {
    const other = g.spec?.selector ?? {};
    if (pod && Object.keys(other).length > 0) return labelsHold(other, podLabels(pod));
    return JSON.stringify(sortedLabels(other)) === JSON.stringify(sortedLabels(selector));
  };
  return sortByCreation(index.ofKind('Gateway').filter((g) => g === gw || same(g)));
}

function sortedLabels(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const PLAIN_HTTP = ['HTTP', 'HTTP2', 'GRPC'];

/** A server's protocol as the merge sees it: plain HTTP, TLS-terminating HTTPS, or L4 (TCP, TLS, passthrough HTTPS). */
export function serverKind(s: any): 'http' | 'https' | 'tls' | 'tcp' {
  const protocol = String(s.port?.protocol ?? 'HTTP').toUpperCase();
  const mode = String(s.tls?.mode ?? '').toUpperCase();
  if (PLAIN_HTTP.includes(protocol)) return 'http';
  if (protocol === 'HTTPS') return mode.includes('PASSTHROUGH') ? 'tls' : 'https';
  // A TLS server that terminates (SIMPLE, the default, or MUTUAL) routes the decrypted stream by tcp routes.
  if (protocol === 'TLS') return mode.includes('PASSTHROUGH') ? 'tls' : 'tcp';
  return 'tcp';
}

/**
 * The servers on `port` that the merged proxy keeps: the first server's kind decides; plain HTTP
 * keeps every plain HTTP server, TCP only the first Gateway's, TLS and HTTPS every server of a
 * TLS kind (told apart by SNI later).
 */
export function serversOnPort(gateways: readonly Manifest[], port: number | undefined): MergedServer[] {
  const all: MergedServer[] = gateways.flatMap((g) =>
    (g.spec?.servers ?? [])
      .filter((s: any) => s.port?.number === port)
      .map((server: any) => ({
        server,
        gateway: `${namespaceOf(g)}/${g.metadata.name}`,
        gatewayNamespace: namespaceOf(g),
      })),
  );
  if (all.length === 0) return [];
  const first = serverKind(all[0].server);
  if (first === 'http') return all.filter((s) => serverKind(s.server) === 'http');
  if (first === 'tcp') return all.filter((s) => s.gateway === all[0].gateway && serverKind(s.server) === 'tcp');
  return withoutDuplicateTlsHosts(all.filter((s) => ['https', 'tls'].includes(serverKind(s.server))));
}

/**
 * A TLS server repeating a host (as written, `./` read as the Gateway's namespace) that an earlier
 * TLS server on the port has is skipped ("skipping server on gateway ..., duplicate host names":
 * model/gateway.go CheckDuplicates; `bind` is not modelled). Different spellings of one SNI (two
 * namespaces' `./*`) are kept, and make Envoy reject the listener (serverForSni).
 */
function withoutDuplicateTlsHosts(servers: readonly MergedServer[]): MergedServer[] {
  const known = new Set<string>();
  return servers.filter((s) => {
    const hosts: string[] = (s.server.hosts ?? []).map((h: string) =>
      String(h).startsWith('./') ? `${s.gatewayNamespace}/${String(h).slice(2)}` : String(h),
    );
    if (hosts.some((h) => known.has(h))) return false;
    hosts.forEach((h) => known.add(h));
    return true;
  });
}

/** The server host as written without its `namespace/` part. */
export function serverHostName(raw: string): string {
  return String(raw).includes('/') ? String(raw).split('/', 2)[1] : String(raw);
}

/**
 * The TLS-terminating servers whose hosts cover `sni` (Envoy filter chain server_names; a server
 * with host `*` takes any SNI). Two servers of different Gateways with the same host make Envoy
 * reject the listener (duplicate filter chain match): returned as `conflict`.
 */
export function serverForSni(
  servers: readonly MergedServer[],
  sni: string | undefined,
): { chosen?: MergedServer; conflict?: string } {
  const covers = (s: MergedServer) =>
    (s.server.hosts ?? []).some(
      (h: string) => serverHostName(h) === '*' || (sni !== undefined && hostMatches(serverHostName(h), sni)),
    );
  const exact = servers.filter((s) =>
    (s.server.hosts ?? []).some(
      (h: string) => sni !== undefined && serverHostName(h).toLowerCase() === sni.toLowerCase(),
    ),
  );
  const matching = exact.length > 0 ? exact : servers.filter(covers);
  const hostsOf = (s: MergedServer) => JSON.stringify([...(s.server.hosts ?? []).map(serverHostName)].sort());
  const duplicate = matching.find((s, i) =>
    matching.some((o, j) => j !== i && o.gateway !== s.gateway && hostsOf(o) === hostsOf(s)),
  );
  if (duplicate)
    return {
      conflict: `two HTTPS servers on port ${duplicate.server.port?.number} (Gateways ${[...new Set(matching.map((s) => s.gateway))].join(', ')}) serve the same hosts: Envoy rejects the listener (multiple filter chains match)`,
    };
  return matching.length > 0 ? { chosen: matching[0] } : {};
}
