import type {
  DestinationRuleSpecTrafficPolicy,
  VirtualServiceSpecHttp,
  VirtualServiceSpecTcp,
} from '../../imports/networking.istio.io';
import type { VersionTrafficPolicy } from '../model/stage-spec';
import { subsetName } from '../model/names';
import type { Route } from '../resolve/resolved-stage';

/** Renders routes as Istio HTTP routes to `host`; `subsets: false` routes to the Service without subsets. */
export function httpRoutes(routes: readonly Route[], host: string, subsets = true): VirtualServiceSpecHttp[] {
  return routes.map((r) => ({
    name: r.name,
    match:
      r.matches.length > 0
        ? r.matches.map((m) => ({
            ...(m.headers ? { headers: { ...m.headers } } : {}),
            ...(m.uri ? { uri: { ...m.uri } } : {}),
            ...(m.port !== undefined ? { port: m.port } : {}),
            ...(m.sourceLabels ? { sourceLabels: { ...m.sourceLabels } } : {}),
          }))
        : undefined,
    route: r.destinations.map((d) => ({
      destination: { host, ...(subsets ? { subset: subsetName(d.version) } : {}), port: { number: d.port } },
      ...(d.weight !== undefined ? { weight: d.weight } : {}),
      // A sticky split: the response of a request sent here names the version, for the cookie route before the split.
      ...(d.setCookie !== undefined ? { headers: { response: { add: { 'Set-Cookie': d.setCookie } } } } : {}),
    })),
    ...(r.timeout !== undefined ? { timeout: r.timeout } : {}),
    ...(r.retries
      ? {
          retries: {
            attempts: r.retries.attempts,
            ...(r.retries.perTryTimeout !== undefined ? { perTryTimeout: r.retries.perTryTimeout } : {}),
            ...(r.retries.retryOn ? { retryOn: r.retries.retryOn.join(',') } : {}),
          },
        }
      : {}),
    ...(r.mirror
      ? {
          mirror: {
            host,
            ...(subsets ? { subset: subsetName(r.mirror.version) } : {}),
            port: { number: r.mirror.port },
          },
          mirrorPercentage: { value: r.mirror.percent },
        }
      : {}),
  }));
}

/** A version's connection pool and outlier detection as an Istio traffic policy (field names as the bindings spell them). */
export function trafficPolicy(p: VersionTrafficPolicy | undefined): DestinationRuleSpecTrafficPolicy {
  if (!p) return {};
  const o = p.outlierDetection;
  return {
    ...(p.connectionPool
      ? {
          connectionPool: {
            ...(p.connectionPool.tcp ? { tcp: { ...p.connectionPool.tcp } } : {}),
            ...(p.connectionPool.http ? { http: { ...p.connectionPool.http } } : {}),
          },
        }
      : {}),
    ...(o
      ? {
          outlierDetection: {
            ...(o.consecutive5xxErrors !== undefined ? { consecutive5XxErrors: o.consecutive5xxErrors } : {}),
            ...(o.interval !== undefined ? { interval: o.interval } : {}),
            ...(o.baseEjectionTime !== undefined ? { baseEjectionTime: o.baseEjectionTime } : {}),
            ...(o.maxEjectionPercent !== undefined ? { maxEjectionPercent: o.maxEjectionPercent } : {}),
          },
        }
      : {}),
  };
}

/** Renders routes as Istio TCP routes to `host` (TCP routes carry no name). */
export function tcpRoutes(routes: readonly Route[], host: string): VirtualServiceSpecTcp[] {
  return routes.map((r) => ({
    match:
      r.matches.length > 0
        ? r.matches.map((m) => ({
            ...(m.port !== undefined ? { port: m.port } : {}),
            ...(m.sourceLabels ? { sourceLabels: { ...m.sourceLabels } } : {}),
          }))
        : undefined,
    route: r.destinations.map((d) => ({
      destination: { host, subset: subsetName(d.version), port: { number: d.port } },
      ...(d.weight !== undefined ? { weight: d.weight } : {}),
    })),
  }));
}
