/**
 * ServiceEntry hosts as a sidecar knows them (istio/istio 1.30.3
 * pilot/pkg/serviceregistry/serviceentry/conversion.go convertServices): each host of a
 * ServiceEntry is a service of its own, with the entry's ports (and their protocol), its
 * `addresses` (IPs; CIDR ranges are no virtual host domain), `exportTo`, `resolution` and
 * `location`. Hosts are taken as written (a ServiceEntry host is not expanded as a short name).
 */
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { exportedTo } from '../manifest-index';
import { portProtocol } from './gateway';
import type { Hop } from './hop';
import { hostMatches } from './hosts';
import type { EgressListener } from './sidecar-scope';
import { importsHost } from './sidecar-scope';

/** One host of a ServiceEntry. */
export interface EntryHost {
  readonly se: Manifest;
  /** The host as written, lowercased (`*.example.org` for a wildcard). */
  readonly host: string;
}

const IPV4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/;

/** The hosts of a ServiceEntry, lowercased. */
export function entryHosts(se: Manifest): string[] {
  const hosts: unknown = se.spec?.hosts;
  return (Array.isArray(hosts) ? hosts : []).map((h) => String(h).toLowerCase());
}

/** The ServiceEntry host a call names (exactly, else by a wildcard host), whatever its exportTo; undefined when none does. */
export function entryNamed(index: ManifestIndex, name: string): EntryHost | undefined {
  const h = name.toLowerCase().replace(/\.$/, '');
  const entries = index.ofKind('ServiceEntry');
  for (const se of entries) if (entryHosts(se).includes(h)) return { se, host: h };
  for (const se of entries) {
    const host = entryHosts(se).find((x) => x.startsWith('*') && hostMatches(x, h));
    if (host !== undefined) return { se, host };
  }
  return undefined;
}

/** The ServiceEntry that declares address `ip` (its first host), whatever its exportTo. */
export function entryAt(index: ManifestIndex, ip: string): EntryHost | undefined {
  const se = index.ofKind('ServiceEntry').find((x) => entryAddresses(x).includes(ip));
  const host = se ? entryHosts(se)[0] : undefined;
  return se && host !== undefined ? { se, host } : undefined;
}

/** The IP addresses of a ServiceEntry that are virtual host domains (no CIDR ranges). */
export function entryAddresses(se: Manifest): string[] {
  const addresses: unknown = se.spec?.addresses;
  return (Array.isArray(addresses) ? addresses.map(String) : []).filter((a) => IPV4.test(a) && a !== '0.0.0.0');
}

/** The declared port `port` of a ServiceEntry, if it declares it. */
export function entryPort(se: Manifest, port: number): { number: number; protocol?: string } | undefined {
  const ports: unknown = se.spec?.ports;
  return (Array.isArray(ports) ? ports : []).find((p) => p?.number === port);
}

/** How a ServiceEntry port's protocol is routed: HTTP route configuration, TLS, TCP, or sniffed (unset). */
export function entryProtocol(p: { protocol?: string }): 'http' | 'tls' | 'tcp' | 'sniffed' {
  return portProtocol({ appProtocol: String(p.protocol ?? '') });
}

/** Whether an egress listener imports a ServiceEntry host for a caller in `namespace` (exportTo, then the listener's hosts). */
export function importsEntry(l: EgressListener, e: EntryHost, namespace: string): boolean {
  return exportedTo(e.se, namespace) && importsHost(l, namespaceOf(e.se), e.host);
}

/**
 * The hop of a call that takes a ServiceEntry host's own route (cluster `outbound|port||host`):
 * the workloads its workloadSelector selects, else endpoints outside the manifests; where its
 * resolution sends the request (NONE: the address dialled; DNS: the host's or its endpoints'
 * DNS answer; STATIC: its endpoints) is said in the rule.
 */
export function entryHop(index: ManifestIndex, e: EntryHost, port: number, notes: readonly string[]): Hop {
  const { se, host } = e;
  const name = `${namespaceOf(se)}/${se.metadata.name}`;
  const selector: unknown = se.spec?.workloadSelector?.labels;
  const pods = selector
    ? index.workloadsSelected(namespaceOf(se), selector as Record<string, string>).map((w) => w.metadata.name)
    : [];
  const own = selector ? [] : [`ServiceEntry ${name} endpoints (outside the manifests)`];
  const all = [...new Set([...notes, ...own])];
  return {
    service: host,
    port,
    weight: 100,
    deployments: pods,
    rule: `service (ServiceEntry ${name}, ${resolutionOf(se)}, ${String(se.spec?.location ?? 'MESH_EXTERNAL')})`,
    serviceEntry: name,
    ...(all.length > 0 ? { notModelled: all } : {}),
  };
}

/** Where a ServiceEntry's resolution sends a request (networking/v1 ServiceEntry.Resolution). */
function resolutionOf(se: Manifest): string {
  const resolution = String(se.spec?.resolution ?? 'NONE');
  if (resolution === 'NONE') return 'resolution NONE: to the address dialled';
  if (resolution === 'STATIC') return 'resolution STATIC: to its endpoints';
  if (resolution === 'DNS_ROUND_ROBIN') return 'resolution DNS_ROUND_ROBIN: to one address of the DNS answer';
  return `resolution ${resolution}: to the DNS answer for ${
    (se.spec?.endpoints ?? []).length > 0 ? 'its endpoints' : 'the host'
  }`;
}
