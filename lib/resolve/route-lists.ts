import { cookieRegex } from './entry-match';
import type { RouteMatch } from './resolved-stage';
import type { EntryMatch, EntryRouteSpec, ServiceRouteSpec } from '../model/spec';
import type { WeightedLane, WeightedVersion } from '../model/stage-spec';

/** An entry route (to lanes) or a service route (to versions). */
export type RouteSpecLike = EntryRouteSpec | ServiceRouteSpec;

/** The name a route is given: its own, `default` for the route without match, else `entry-<index>`. */
export function routeName(route: RouteSpecLike, index: number): string {
  return route.name ?? (route.match === undefined ? 'default' : `entry-${index}`);
}

/** The targets of a route (lanes or versions) with their shares; a single target gets 100. */
export function targetsOf(route: RouteSpecLike): { target: string; weight: number }[] {
  if (typeof route.to === 'string') return [{ target: route.to, weight: 100 }];
  const shares: readonly (Partial<WeightedLane> & Partial<WeightedVersion> & { readonly weight: number })[] = route.to;
  return shares.map((t) => ({ target: (t.lane ?? t.version)!, weight: t.weight }));
}

/**
 * The default lane: the target of the last entry route (the one without match), its heaviest
 * share when it splits (the first of equal shares). Callers in no lane are routed to it.
 */
export function defaultLaneName(entry: readonly EntryRouteSpec[]): string {
  return targetsOf(entry[entry.length - 1]).reduce((a, b) => (b.weight > a.weight ? b : a)).target;
}

/** A stage-data match as an Istio HTTP match (the cookie becomes a full-match regex on the Cookie header). */
export function toRouteMatch(m: EntryMatch): RouteMatch {
  const headers: Record<string, { exact?: string; prefix?: string; regex?: string }> = {};
  if (m.cookie) headers.cookie = { regex: cookieRegex(m.cookie.name, m.cookie.value) };
  if (m.header) {
    const { name, exact, prefix, regex } = m.header;
    headers[name] = exact !== undefined ? { exact } : prefix !== undefined ? { prefix } : { regex };
  }
  return {
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(m.uri ? { uri: m.uri.exact !== undefined ? { exact: m.uri.exact } : { prefix: m.uri.prefix } } : {}),
  };
}

/** Whether every request matching `m` also matches `earlier` (string conditions by exact/prefix implication). */
export function implies(m: RouteMatch, earlier: RouteMatch): boolean {
  const cond = (
    later?: { exact?: string; prefix?: string; regex?: string },
    e?: { exact?: string; prefix?: string; regex?: string },
  ) => {
    if (!e) return true;
    if (!later) return false;
    if (e.exact !== undefined) return later.exact === e.exact;
    if (e.prefix !== undefined) return (later.exact ?? later.prefix)?.startsWith(e.prefix) ?? false;
    return e.regex !== undefined && later.regex === e.regex;
  };
  return (
    Object.entries(earlier.headers ?? {}).every(([name, c]) => cond(m.headers?.[name], c)) && cond(m.uri, earlier.uri)
  );
}
