/**
 * The listener istiod builds for one ServiceEntry address and port whose protocol is sniffed
 * (1.30.3 listener.go buildSidecarOutboundListener, buildSidecarOutboundHTTPListenerOpts): a port
 * without a declared protocol, on a catch-all egress listener (no port protocol of its own), bound
 * to the entry's address rather than 0.0.0.0, gets its own route configuration `host:port`. It
 * holds only the virtual host of route configuration `<port>` that names the host, and with one
 * such virtual host its domains become `*` (httproute.go getVirtualHostsForSniffedServicePort):
 * any Host reaches it, and there is no catch-all virtual host.
 */
import type { EntryHost } from './service-entry-hosts';
import { entryAddresses } from './service-entry-hosts';
import type { EgressListener } from './sidecar-scope';
import type { SidecarVirtualHost } from './sidecar-virtual-hosts';

/** Whether a call that dialled `dialled` on a sniffed port of the entry reaches the entry's own sniffed listener (its address, not a CIDR). */
export function reachesSniffedListener(entry: EntryHost, dialled: string, listener: EgressListener): boolean {
  if (listener.protocol !== undefined) return false;
  // The listener's address is the entry's first address (service.GetAddressForProxy).
  const [address] = entryAddresses(entry.se);
  return address !== undefined && address === dialled;
}

/** The virtual hosts of route configuration `host:port`: those of `<port>` with a domain equal to the host; a single one matches any Host. */
export function sniffedVirtualHosts(vhosts: readonly SidecarVirtualHost[], host: string): SidecarVirtualHost[] {
  const own = vhosts.filter((v) => v.domains.some((d) => d.toLowerCase() === host.toLowerCase()));
  return own.length === 1 ? [{ ...own[0], domains: ['*'] }] : own;
}
