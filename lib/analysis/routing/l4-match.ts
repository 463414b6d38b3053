/**
 * TCP and TLS route matches (istio/istio pilot/pkg/networking/core/gateway.go l4SingleMatch,
 * pilot/pkg/networking/core/tls.go matchTLS/matchTCP): port, sourceLabels, sourceNamespace and
 * gateways decide for the proxy; a TLS route also needs one of its sniHosts to cover the SNI.
 * destinationSubnets needs the destination IP, which a simulated request has not: named and
 * taken as holding.
 */
import { hostMatches } from './hosts';
import type { RoutingProxy } from './match';
import { proxyMatchHolds } from './match';
import { listAt } from '../manifest-kinds';

export function tcpMatchHolds(
  m: unknown,
  proxy: RoutingProxy,
  vsNamespace: string,
  at: string,
  notModelled: string[],
): boolean {
  if (!proxyMatchHolds(m, proxy, vsNamespace)) return false;
  if (listAt(m, 'destinationSubnets').length) notModelled.push(`${at}.destinationSubnets`);
  return true;
}

export function tlsMatchHolds(
  m: unknown,
  proxy: RoutingProxy,
  vsNamespace: string,
  sni: string | undefined,
  at: string,
  notModelled: string[],
): boolean {
  if (!tcpMatchHolds(m, proxy, vsNamespace, at, notModelled)) return false;
  return sni !== undefined && listAt(m, 'sniHosts').some((h) => hostMatches(String(h), sni));
}
