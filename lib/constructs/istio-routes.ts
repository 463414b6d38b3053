import { VirtualServiceSpecHttp, VirtualServiceSpecTcp } from '../../imports/networking.istio.io';
import { subsetName } from '../model/names';
import { Route } from '../resolve/resolved-stage';

/** Renders routes as Istio HTTP routes to `host`; `subsets: false` routes to the Service without subsets. */
export function httpRoutes(routes: readonly Route[], host: string, subsets = true): VirtualServiceSpecHttp[] {
  return routes.map((r) => ({
    name: r.name,
    match: r.matches.length > 0 ? r.matches.map((m) => ({
      ...(m.headers ? { headers: { ...m.headers } } : {}),
      ...(m.uri ? { uri: { ...m.uri } } : {}),
      ...(m.port !== undefined ? { port: m.port } : {}),
      ...(m.sourceLabels ? { sourceLabels: { ...m.sourceLabels } } : {}),
    })) : undefined,
    route: r.destinations.map((d) => ({
      destination: { host, ...(subsets ? { subset: subsetName(d.version) } : {}), port: { number: d.port } },
      ...(d.weight !== undefined ? { weight: d.weight } : {}),
    })),
  }));
}

/** Renders routes as Istio TCP routes to `host` (TCP routes carry no name). */
export function tcpRoutes(routes: readonly Route[], host: string): VirtualServiceSpecTcp[] {
  return routes.map((r) => ({
    match: r.matches.length > 0 ? r.matches.map((m) => ({
      ...(m.port !== undefined ? { port: m.port } : {}),
      ...(m.sourceLabels ? { sourceLabels: { ...m.sourceLabels } } : {}),
    })) : undefined,
    route: r.destinations.map((d) => ({
      destination: { host, subset: subsetName(d.version), port: { number: d.port } },
      ...(d.weight !== undefined ? { weight: d.weight } : {}),
    })),
  }));
}
