/**
 * The load balancing a proxy uses for a route's destination, from the DestinationRules that apply
 * to it, as istiod 1.30.3 derives it:
 * - the route's hash policy (pilot/pkg/networking/core/route/route.go HashForHTTPDestination, and
 *   hashForService for a Service's default route): the subset's port-level consistentHash, else the
 *   subset's, else the rule's port-level one (only when the destination names its port), else the
 *   rule's; every destination of a route adds its own (weighted destinations of weight 0 excepted);
 * - the cluster's lb_policy (pilot/pkg/networking/util MergeSubsetTrafficPolicy, then
 *   cluster_traffic_policy.go applyLoadBalancer): the port-level policy replaces the rule's, the
 *   subset's (its own port-level one first) replaces a field when set, and a port-level one always.
 */
import { namespaceOf } from '../manifest';
import type { Manifest } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { resolveShortName } from './hosts';

/** One key Envoy hashes the request on (the route's `hash_policy`, route.go consistentHashToHashPolicy). */
export interface HashPolicy {
  /** `consistentHash.httpHeaderName`. */
  readonly header?: string;
  /** `consistentHash.httpCookie`: the cookie, with the ttl, path and attributes Envoy sets when it generates one. */
  readonly cookie?: {
    readonly name: string;
    readonly ttl?: string;
    readonly path?: string;
    readonly attributes?: readonly { readonly name: string; readonly value?: string }[];
  };
  /** `consistentHash.useSourceIp`. */
  readonly sourceIp?: boolean;
  /** `consistentHash.httpQueryParameterName`. */
  readonly queryParameter?: string;
}

/** The load balancing of a hop: the cluster's policy and what the route hashes on. */
export interface HopLoadBalancing {
  /**
   * Envoy's lb_policy for the destination's cluster: RING_HASH or MAGLEV (consistentHash),
   * ROUND_ROBIN, LEAST_REQUEST (also LEAST_CONN, and Istio's default), RANDOM, or CLUSTER_PROVIDED
   * (PASSTHROUGH, and the original-destination cluster of a ServiceEntry with resolution NONE).
   */
  readonly policy: string;
  /** RING_HASH's minimum ring size (Envoy's 1024 unless `ringHash`/`minimumRingSize` sets it). @default - not a ring hash */
  readonly minimumRingSize?: number;
  /** MAGLEV's table size, when set. @default - not set */
  readonly tableSize?: number;
  /** What sets the cluster's policy: the DestinationRule field, or the ServiceEntry of an original-destination cluster. @default - nothing: Istio's default */
  readonly from?: string;
  /** The route's hash policies, in order: what a RING_HASH or MAGLEV cluster hashes on. @default - none */
  readonly hashPolicy?: readonly HashPolicy[];
}

/** A route destination as VirtualServices write it. */
interface Destination {
  readonly host?: string;
  readonly subset?: string;
  readonly port?: { readonly number?: number };
}

/** The DestinationRule fields read here (networking.istio.io LoadBalancerSettings, TrafficPolicy, Subset). */
interface ConsistentHash {
  readonly httpHeaderName?: string;
  readonly httpCookie?: {
    readonly name?: string;
    readonly ttl?: string;
    readonly path?: string;
    readonly attributes?: readonly { readonly name?: string; readonly value?: string }[];
  };
  readonly useSourceIp?: boolean;
  readonly httpQueryParameterName?: string;
  readonly ringHash?: { readonly minimumRingSize?: number };
  readonly maglev?: { readonly tableSize?: number };
  readonly minimumRingSize?: number;
}
interface LoadBalancer {
  readonly simple?: string;
  readonly consistentHash?: ConsistentHash;
}
interface TrafficPolicy {
  readonly loadBalancer?: LoadBalancer;
  readonly portLevelSettings?: readonly {
    readonly port?: { readonly number?: number };
    readonly loadBalancer?: LoadBalancer;
  }[];
}

/** A loadBalancer found at a DestinationRule field (`value` undefined: that policy leaves it to the default). */
interface Found {
  readonly value: LoadBalancer | undefined;
  readonly from: string;
}

/** The rules applying to a destination host seen from the routing proxy, and the ServiceEntry that makes its cluster an original-destination one. */
interface HostRules {
  readonly rules: readonly Manifest[];
  readonly originalDestination?: string;
}

/** Resolves a destination host (written in `vsNamespace`) to the DestinationRules the proxy in `proxyNamespace` applies. */
function hostRules(index: ManifestIndex, host: string, vsNamespace: string, proxyNamespace: string): HostRules {
  const svc = index.serviceForIstioHost(host, vsNamespace);
  const fqdn = resolveShortName(host, vsNamespace, index.clusterDomain);
  if (svc) return { rules: index.rulesForHost(fqdn, namespaceOf(svc), proxyNamespace) ?? [] };
  const se = index.serviceEntryDeclaring(host, proxyNamespace);
  if (!se) return { rules: [] };
  return {
    rules: index.rulesForHost(fqdn, namespaceOf(se), proxyNamespace) ?? [],
    ...((se.spec?.resolution ?? 'NONE') === 'NONE'
      ? {
          originalDestination: `ServiceEntry ${namespaceOf(se)}/${se.metadata.name} resolution NONE (original destination)`,
        }
      : {}),
  };
}

/**
 * The policies that may decide for a destination, most specific first: the subset's port-level
 * setting for `port`, the subset's policy, the rule's port-level setting, the rule's policy (the
 * first rule with one, as mergeDestinationRule keeps). A port-level entry is there when it names
 * the port, whether or not it sets a loadBalancer.
 */
function candidates(rules: readonly Manifest[], subset: string | undefined, port: number | undefined) {
  const name = (dr: Manifest, field: string) => `DestinationRule ${namespaceOf(dr)}/${dr.metadata.name} ${field}`;
  const top = rules.find((dr) => dr.spec?.trafficPolicy !== undefined);
  const subsets = (dr: Manifest): { name?: string; trafficPolicy?: TrafficPolicy }[] => dr.spec?.subsets ?? [];
  const owner = subset === undefined ? undefined : rules.find((dr) => subsets(dr).some((s) => s?.name === subset));
  const own = owner ? subsets(owner).find((s) => s?.name === subset)?.trafficPolicy : undefined;
  const portLevel = (p: TrafficPolicy | undefined, dr: Manifest, at: string): Found | undefined => {
    const i = port === undefined ? -1 : (p?.portLevelSettings ?? []).findIndex((x) => x?.port?.number === port);
    return i === -1
      ? undefined
      : { value: p!.portLevelSettings![i].loadBalancer, from: name(dr, `${at}.portLevelSettings[${i}]`) };
  };
  const whole = (p: TrafficPolicy | undefined, dr: Manifest, at: string): Found | undefined =>
    p === undefined ? undefined : { value: p.loadBalancer, from: name(dr, at) };
  const subsetAt = `subsets[${subset}].trafficPolicy`;
  return {
    subsetPort: owner && portLevel(own, owner, subsetAt),
    subset: owner && whole(own, owner, subsetAt),
    rulePort: top && portLevel(top.spec.trafficPolicy, top, 'trafficPolicy'),
    rule: top && whole(top.spec.trafficPolicy, top, 'trafficPolicy'),
  };
}

/** The consistentHash the route carries for one destination (route.go HashForHTTPDestination: port-level only for a destination that names its port). */
function destinationHash(rules: readonly Manifest[], dest: Destination): ConsistentHash | undefined {
  const c = candidates(rules, dest.subset, dest.port?.number);
  return [c.subsetPort, c.subset, c.rulePort, c.rule].map((f) => f?.value?.consistentHash).find((h) => h !== undefined);
}

/**
 * The loadBalancer of the destination's cluster on `port` (MergeSubsetTrafficPolicy): a port-level
 * policy replaces the rule's whole policy (omitted fields take the defaults), the subset's own
 * port-level policy replaces it likewise, else the subset's loadBalancer replaces it when set.
 */
function clusterLoadBalancer(rules: readonly Manifest[], subset: string | undefined, port: number): Found | undefined {
  const c = candidates(rules, subset, port);
  const ruleLevel = c.rulePort ?? (c.rule?.value !== undefined ? c.rule : undefined);
  const subsetLevel = c.subsetPort ?? (c.subset?.value !== undefined ? c.subset : undefined);
  const found = subsetLevel ?? ruleLevel;
  return found?.value === undefined ? undefined : found;
}

/** Envoy's hash policy of a consistentHash; undefined when it names no key (only ring settings). */
function hashPolicyOf(hash: ConsistentHash | undefined): HashPolicy | undefined {
  if (hash?.httpHeaderName !== undefined) return { header: String(hash.httpHeaderName) };
  const c = hash?.httpCookie;
  if (c !== undefined && c !== null) {
    const attributes = (c.attributes ?? []).map((a) => ({
      name: String(a?.name),
      ...(a?.value !== undefined ? { value: String(a.value) } : {}),
    }));
    return {
      cookie: {
        name: String(c.name ?? ''),
        ...(c.ttl !== undefined ? { ttl: String(c.ttl) } : {}),
        ...(c.path ? { path: String(c.path) } : {}),
        ...(attributes.length > 0 ? { attributes } : {}),
      },
    };
  }
  if (hash?.useSourceIp !== undefined) return { sourceIp: hash.useSourceIp === true };
  if (hash?.httpQueryParameterName !== undefined) return { queryParameter: String(hash.httpQueryParameterName) };
  return undefined;
}

/** The cluster's lb_policy for a loadBalancer (cluster_traffic_policy.go applyLoadBalancer, ApplyRingHashLoadBalancer). */
function clusterPolicy(
  lb: LoadBalancer | undefined,
): Pick<HopLoadBalancing, 'policy' | 'minimumRingSize' | 'tableSize'> {
  const hash = lb?.consistentHash;
  if (hash) {
    if (hash.maglev)
      return { policy: 'MAGLEV', ...(hash.maglev.tableSize ? { tableSize: Number(hash.maglev.tableSize) } : {}) };
    if (hash.ringHash)
      return {
        policy: 'RING_HASH',
        // Without a size Istio sets no ring config, and Envoy's 1024 applies.
        minimumRingSize: Number(hash.ringHash.minimumRingSize || 1024),
      };
    return { policy: 'RING_HASH', minimumRingSize: Number(hash.minimumRingSize || 1024) };
  }
  const simple: Record<string, string> = {
    LEAST_CONN: 'LEAST_REQUEST',
    LEAST_REQUEST: 'LEAST_REQUEST',
    RANDOM: 'RANDOM',
    ROUND_ROBIN: 'ROUND_ROBIN',
    PASSTHROUGH: 'CLUSTER_PROVIDED',
  };
  return { policy: simple[String(lb?.simple)] ?? 'LEAST_REQUEST' };
}

/** What one hop balances with: its cluster's policy and the route's hash policies; undefined when no DestinationRule sets either. */
function loadBalancingOf(
  hr: HostRules,
  subset: string | undefined,
  port: number,
  hashPolicy: readonly HashPolicy[],
): HopLoadBalancing | undefined {
  const lb = clusterLoadBalancer(hr.rules, subset, port);
  if (!lb && hashPolicy.length === 0) return undefined;
  // An original-destination cluster (ServiceEntry resolution NONE) is CLUSTER_PROVIDED whatever the rule says.
  const cluster = hr.originalDestination ? { policy: 'CLUSTER_PROVIDED' } : clusterPolicy(lb?.value);
  const from = hr.originalDestination ?? lb?.from;
  return { ...cluster, ...(from !== undefined ? { from } : {}), ...(hashPolicy.length > 0 ? { hashPolicy } : {}) };
}

/**
 * The hash policies of a route. HTTP: one per destination that has a consistentHash, in order.
 * TCP and TLS: the source IP when the rule says so, the subset counting for a single destination
 * only; Istio reads the rule of the Service the listener is for, and the first destination's host
 * stands for it (the same host unless the route sends elsewhere). Hosts are resolved in the
 * VirtualService's namespace; the rules are those the routing proxy in `proxyNamespace` sees.
 */
export function routeHashPolicies(
  index: ManifestIndex,
  route: readonly { readonly destination?: Destination; readonly weight?: number }[],
  vsNamespace: string,
  proxyNamespace: string,
  http: boolean,
): HashPolicy[] {
  const rulesOf = (d: Destination) => hostRules(index, d.host ?? '', vsNamespace, proxyNamespace).rules;
  if (!http) {
    const first = route[0]?.destination ?? {};
    return tcpSourceIp(rulesOf(first), route.length === 1 ? first.subset : undefined);
  }
  // A weighted route leaves out destinations of weight 0 (route.go TranslateRoute).
  const counted = route.filter((d) => route.length === 1 || (d.weight ?? 0) > 0);
  return counted
    .map((d) => hashPolicyOf(destinationHash(rulesOf(d.destination ?? {}), d.destination ?? {})))
    .filter((h): h is HashPolicy => h !== undefined);
}

/** Whether a TCP proxy hashes on the source IP (networkfilter.go maybeSetHashPolicy): the rule's useSourceIp, unless the subset sets its own loadBalancer. */
function tcpSourceIp(rules: readonly Manifest[], subset: string | undefined): HashPolicy[] {
  const top: TrafficPolicy | undefined = rules.find((dr) => dr.spec?.trafficPolicy !== undefined)?.spec?.trafficPolicy;
  const subsets: { name?: string; trafficPolicy?: TrafficPolicy }[] = rules.flatMap((dr) => dr.spec?.subsets ?? []);
  const own = subset === undefined ? undefined : subsets.find((s) => s?.name === subset)?.trafficPolicy?.loadBalancer;
  const hash = own !== undefined ? own.consistentHash : top?.loadBalancer?.consistentHash;
  return hash?.useSourceIp === true ? [{ sourceIp: true }] : [];
}

/** The load balancing of one destination of an HTTP route on `port`, with the route's hash policies; undefined where no DestinationRule sets any. */
export function destinationLoadBalancing(
  index: ManifestIndex,
  dest: Destination,
  port: number,
  hashPolicy: readonly HashPolicy[],
  vsNamespace: string,
  proxyNamespace: string,
): HopLoadBalancing | undefined {
  return loadBalancingOf(hostRules(index, dest.host ?? '', vsNamespace, proxyNamespace), dest.subset, port, hashPolicy);
}

/** The load balancing of a Service's default route (no VirtualService: route.go hashForService; TCP: maybeSetHashPolicy). */
export function serviceLoadBalancing(
  index: ManifestIndex,
  svc: Manifest,
  port: number,
  clientNamespace: string,
  http: boolean,
): HopLoadBalancing | undefined {
  return defaultRouteLoadBalancing(index, index.serviceHost(svc), namespaceOf(svc), port, clientNamespace, http);
}

/** The load balancing of the default route of a Service or ServiceEntry host (declared in `hostNamespace`) on `port`. */
export function defaultRouteLoadBalancing(
  index: ManifestIndex,
  host: string,
  hostNamespace: string,
  port: number,
  clientNamespace: string,
  http: boolean,
): HopLoadBalancing | undefined {
  const hr = hostRules(index, host, hostNamespace, clientNamespace);
  const c = candidates(hr.rules, undefined, port);
  // The port-level setting of the port decides only when it has a consistentHash.
  const chosen = c.rulePort?.value?.consistentHash ?? c.rule?.value?.consistentHash;
  const hash = hashPolicyOf(chosen);
  return loadBalancingOf(hr, undefined, port, http ? (hash ? [hash] : []) : tcpSourceIp(hr.rules, undefined));
}
