/**
 * The order of the routes in a gateway virtual host (istio/istio pilot/pkg/networking/core/route/route.go
 * SortVHostRoutes): catch-all routes behind the others.
 */
import type { RouteRef } from './match';

/** The fields of an HTTPMatchRequest the catch-all test reads (YAML as written: any of them may be missing). */
interface MatchFields {
  readonly uri?: { readonly exact?: unknown; readonly prefix?: unknown; readonly regex?: unknown } | null;
  readonly [field: string]: unknown;
}

/**
 * Istio moves the catch-all routes of a gateway virtual host behind the others, keeping the order
 * within each group (route.go SortVHostRoutes, IsCatchAllRoute: path prefix `/` or regex `.*`, no
 * header or query parameter matcher; method, authority and scheme are header matchers in Envoy).
 */
export function sortVHostRoutes(routes: readonly RouteRef[]): RouteRef[] {
  const rest: RouteRef[] = [];
  const last: RouteRef[] = [];
  for (const r of routes) {
    const matches: (MatchFields | null | undefined)[] = r.route.match?.length ? r.route.match : [];
    if (matches.length === 0) {
      (envoyCatchAll(undefined) ? last : rest).push(r);
      continue;
    }
    // Istio writes one Envoy route per match: a route with some catch-all matches leaves those behind.
    const moved = matches.filter(envoyCatchAll);
    if (moved.length === 0) rest.push(r);
    else if (moved.length === matches.length) last.push(r);
    else {
      rest.push({ ...r, route: { ...r.route, match: matches.filter((m) => !envoyCatchAll(m)) } });
      last.push({ ...r, route: { ...r.route, match: moved } });
    }
  }
  return [...rest, ...last];
}

/** Whether Envoy takes a match (or no match) as catch-all: any path, no header, query or pseudo-header matcher. */
function envoyCatchAll(m: MatchFields | null | undefined): boolean {
  if (m === undefined || m === null) return true;
  const uri: NonNullable<MatchFields['uri']> = m.uri ?? {};
  const path =
    (uri.exact === undefined && uri.regex === undefined && (uri.prefix === undefined || uri.prefix === '/')) ||
    uri.regex === '.*';
  const maps = ['headers', 'withoutHeaders', 'queryParams'].some((k) => Object.keys(m[k] ?? {}).length > 0);
  const pseudo = ['method', 'authority', 'scheme'].some((k) => m[k] !== undefined && m[k] !== null);
  return path && !maps && !pseudo;
}
