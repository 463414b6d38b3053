// What the stage data says a request does (the routing intent), independent of the objects the
// constructs emit: the entry route it matches, the lane shares, and at every hop the version (or
// weighted versions, for a service-routed callee) that is called. Compared with explain's reading
// of the synthesized objects by the routing-intent property.
import type { ApplicationSpec, EntryRouteSpec, ExplainNode, LaneSpec, SimulatedRequest, StageSpec } from 'voting-mesh';
import { deploymentName } from 'voting-mesh';

/** One hop of a request's path: `web@1.0>cart@v2` with its share of all requests and its Deployments. */
export interface PathShare {
  readonly path: string;
  readonly share: number;
  readonly deployments: string;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A request that matches an entry route (and, by the generator's construction, no earlier route). */
export function entryRequest(route: EntryRouteSpec): SimulatedRequest {
  const m = route.match?.[0];
  if (!m) return { headers: {}, path: '/' };
  if (m.cookie) return { headers: { cookie: `session=1; ${m.cookie.name}=${m.cookie.value}` }, path: '/' };
  if (m.uri) return { headers: {}, path: m.uri.exact ?? `${m.uri.prefix}page` };
  const h = m.header!;
  return { headers: { [h.name]: h.exact ?? (h.prefix !== undefined ? `${h.prefix}ta` : 'v12') }, path: '/' };
}

/** The entry route a request matches: the first whose match holds (the generator's matches are exact values). */
function matchedRoute(stage: StageSpec, request: SimulatedRequest): EntryRouteSpec {
  const headers = request.headers ?? {};
  const holds = (r: EntryRouteSpec) =>
    !r.match ||
    r.match.some((m) => {
      if (m.cookie)
        return (headers.cookie ?? '')
          .split(';')
          .map((x) => x.trim())
          .includes(`${m.cookie.name}=${m.cookie.value}`);
      if (m.uri)
        return m.uri.exact !== undefined
          ? request.path === m.uri.exact
          : (request.path ?? '/').startsWith(m.uri.prefix!);
      const h = m.header!;
      const v = headers[h.name];
      if (v === undefined) return false;
      return h.exact !== undefined
        ? v === h.exact
        : h.prefix !== undefined
          ? v.startsWith(h.prefix)
          : new RegExp(`^(?:${h.regex})$`).test(v);
    });
  return stage.entry.find(holds)!;
}

const targets = <T extends string>(
  to: string | readonly { weight: number }[],
  key: T,
): { target: string; weight: number }[] =>
  typeof to === 'string' ? [{ target: to, weight: 100 }] : to.map((t: any) => ({ target: t[key], weight: t.weight }));

/** The lane of the default entry route (its largest share; the first on a tie). */
function defaultLane(stage: StageSpec): LaneSpec {
  const t = targets(stage.entry[stage.entry.length - 1].to as any, 'lane').reduce((a, b) =>
    b.weight > a.weight ? b : a,
  );
  return stage.lanes.find((l) => l.name === t.target)!;
}

/**
 * Every hop the stage data says `request` takes, with its share: the matched entry route's lanes
 * (merged by entry version), then per caller version its lane (the first lane running it, else the
 * default route's lane) and that lane's version of each callee; a service-routed callee by its
 * first matching service route's weights (headers reach it only when propagated).
 */
export function expectedPaths(
  app: ApplicationSpec,
  stage: StageSpec,
  request: SimulatedRequest,
  propagate: boolean,
): PathShare[] {
  const out: PathShare[] = [];
  const byName = new Map(app.components.map((c) => [c.name, c]));
  const shares = new Map<string, number>();
  for (const t of targets(matchedRoute(stage, request).to as any, 'lane')) {
    const v = stage.lanes.find((l) => l.name === t.target)!.versions[app.entryComponent];
    shares.set(v, (shares.get(v) ?? 0) + t.weight);
  }
  // A hop taken by a weight > 0 counts even when its share of all requests rounds to 0.
  const visit = (component: string, version: string, share: number, path: string, weight = 100) => {
    if (weight === 0) return;
    const here = `${path}${path ? '>' : ''}${component}@${version}`;
    out.push({ path: here, share, deployments: deploymentName(component, version) });
    const lane = stage.lanes.find((l) => l.versions[component] === version) ?? defaultLane(stage);
    for (const callee of byName.get(component)!.calls ?? []) {
      const routes = stage.serviceRoutes?.[callee];
      if (routes) {
        const route = routes.find(
          (r) =>
            !r.match ||
            (propagate &&
              r.match.some((m) => m.header !== undefined && request.headers?.[m.header.name] === m.header.exact)),
        )!;
        for (const t of targets(route.to as any, 'version'))
          visit(callee, t.target, round((share * t.weight) / 100), here, t.weight);
      } else {
        visit(
          callee,
          stage.versionRouting === false ? stage.deployments[callee][0] : lane.versions[callee],
          share,
          here,
        );
      }
    }
  };
  for (const [version, weight] of shares) visit(app.entryComponent, version, round(weight), '', weight);
  return sortPaths(out);
}

/** The hops of explain's tree (weight > 0), in the same form; a hop answered by the proxy (a 503) or denied names itself. */
export function explainedPaths(hops: readonly ExplainNode[]): PathShare[] {
  const out: PathShare[] = [];
  const visit = (n: ExplainNode, path: string) => {
    if (n.weight === 0) return;
    const here = `${path}${path ? '>' : ''}${n.component}@${n.version ?? '?'}${n.answer !== undefined ? ` ANSWER ${n.answer}` : ''}${n.authorization?.allowed === false ? ' DENIED' : ''}`;
    out.push({ path: here, share: n.share, deployments: n.deployments.join('+') });
    n.calls.forEach((c) => visit(c, here));
  };
  hops.forEach((h) => visit(h, ''));
  return sortPaths(out);
}

/** Paths merged (the same path reached twice adds up) and sorted. */
function sortPaths(paths: readonly PathShare[]): PathShare[] {
  const merged = new Map<string, PathShare>();
  for (const p of paths) {
    const m = merged.get(p.path);
    merged.set(p.path, m ? { ...m, share: round(m.share + p.share) } : p);
  }
  return [...merged.values()].sort((a, b) => a.path.localeCompare(b.path));
}
