/**
 * What a caller names when it calls: a Service (short name, `name.namespace`, fully qualified), a
 * Service's cluster IP, an endpoint address of its EndpointSlices (a headless Service's pods), a
 * ServiceEntry host or address, or a pod IP. An ExternalName Service that names a Service of the manifests is an alias of it: Istio
 * sends its traffic to the concrete Service, and the alias's name stays the Host (the sidecar's
 * virtual host for the alias carries the concrete Service's routes; istio/istio
 * pilot/pkg/serviceregistry/kube/conversion.go, ENABLE_EXTERNAL_NAME_ALIAS).
 */
import type { Manifest } from './manifest';
import { namespaceOf } from './manifest';
import type { ManifestIndex } from './manifest-index';
import { endpointSlicesOf } from './endpoint-slices';
import { at, listAt } from './manifest-kinds';
import type { EntryHost } from './routing/service-entry-hosts';
import { entryAt, entryNamed } from './routing/service-entry-hosts';

export interface CallTarget {
  /** The Service whose routes apply. */
  readonly svc?: Manifest;
  /** A pod called by its IP: no Service, no route (PassthroughCluster). */
  readonly pod?: Manifest;
  /** A ServiceEntry host, called by name or by an address of the entry (whatever its exportTo: the sidecar decides). */
  readonly entry?: EntryHost;
  /** An address no object of the manifests has, or a Unix domain socket path (`unix://...`), that a Sidecar egress listener binds (`bind`): the caller's listeners decide. */
  readonly address?: string;
  /** A host name outside the cluster that no Service or ServiceEntry names (e.g. `www.google.com`): the sidecar's route configuration for the port decides. */
  readonly outside?: boolean;
  /** The Host the call carries by default (the alias name for an ExternalName alias). */
  readonly host?: string;
  /** What the resolution did that the answer should say. */
  readonly notes: string[];
}

const IPV4 = /^[0-9]{1,3}(\.[0-9]{1,3}){3}$/;

/** The target of a call named `name` from `namespace`; undefined when nothing of the manifests has that name or address. */
export function resolveCallTarget(index: ManifestIndex, name: string, namespace: string): CallTarget | undefined {
  if (IPV4.test(name)) return byAddress(index, name);
  if (name.startsWith('unix://')) return boundBySidecar(index, name) ? { address: name, notes: [] } : undefined;
  const svc = index.serviceForHost(name, namespace);
  if (!svc) {
    const entry = entryNamed(index, name);
    if (entry) return { entry, host: name, notes: [] };
    return isOutsideHost(index, name) ? outsideTarget(name) : undefined;
  }
  return svc.spec?.type === 'ExternalName' ? alias(index, svc) : { svc, notes: [] };
}

function byAddress(index: ManifestIndex, ip: string): CallTarget | undefined {
  const svc = index.services.find((s) => s.spec?.clusterIP === ip || (s.spec?.clusterIPs ?? []).includes(ip));
  if (svc) return { svc, notes: [] };
  const pod = index.workloads.find(
    (w) =>
      w.kind === 'Pod' &&
      (at(w, 'status', 'podIP') === ip || listAt(w, 'status', 'podIPs').some((p) => at(p, 'ip') === ip)),
  );
  for (const s of index.services) {
    const slices = endpointSlicesOf(index, s);
    if (slices.some((e) => listAt(e, 'endpoints').some((x) => listAt(x, 'addresses').includes(ip)))) {
      // A headless Service's endpoint: the sidecar knows the address as that Service's (outbound|port||service).
      if (s.spec?.clusterIP === 'None') return { svc: s, notes: [] };
    }
  }
  const entry = entryAt(index, ip);
  if (entry) return { entry, host: ip, notes: [] };
  if (pod) return { pod, notes: [] };
  return boundBySidecar(index, ip) ? { address: ip, notes: [] } : undefined;
}

/** Whether an egress listener of some Sidecar is bound to the address or Unix domain socket path (listener.go buildSidecarOutboundListeners: the listener's address is `bind`). */
function boundBySidecar(index: ManifestIndex, ip: string): boolean {
  return index.ofKind('Sidecar').some((sc) => listAt(sc, 'spec', 'egress').some((e) => at(e, 'bind') === ip));
}

function alias(index: ManifestIndex, svc: Manifest): CallTarget | undefined {
  const external = String(svc.spec?.externalName ?? '');
  const concrete = index.serviceForHost(external.replace(/\.$/, ''), namespaceOf(svc));
  const own = index.serviceHost(svc);
  if (!concrete)
    return {
      notes: [
        `Service ${namespaceOf(svc)}/${svc.metadata.name} is ExternalName '${external}', a host outside the manifests (DNS)`,
      ],
    };
  return {
    svc: concrete,
    host: own,
    notes: [
      `Service ${namespaceOf(svc)}/${svc.metadata.name} is an ExternalName alias of ${concrete.metadata.name}.${namespaceOf(concrete)}`,
    ],
  };
}

/** A DNS name that cannot be a Service's: it has a dot, no `.svc` suffix, and its second label is no namespace of the manifests. */
function isOutsideHost(index: ManifestIndex, name: string): boolean {
  const h = name.toLowerCase().replace(/\.$/, '');
  const labels = h.split('.');
  if (labels.length < 2 || !/^[a-z0-9*-]+(\.[a-z0-9-]+)+$/.test(h)) return false;
  if (h.endsWith('.svc') || h.endsWith(`.svc.${index.clusterDomain}`)) return false;
  return !index.objects.some((m) => namespaceOf(m) === labels[1]);
}

/** The target of a call to an outside host: the address its name resolves to (DNS) is outside the manifests. */
function outsideTarget(name: string): CallTarget {
  return {
    outside: true,
    host: name,
    notes: [`the address '${name}' resolves to (DNS, outside the manifests); the sidecar routes by Host on the port`],
  };
}
