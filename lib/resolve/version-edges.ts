import type { LaneSpec } from '../model/spec';
import type { VersionEdge, VersionRef } from './resolved-stage';
import { INGRESS_PEER } from './resolved-stage';
import { targetsOf } from './route-lists';
import type { StageFacts } from './stage-checks';

// The per-version edges of a stage (who calls whom, on which ports), split out of route-derivation.ts:
// what the authorization and network policies allow, walked as the routes send calls.

/**
 * The calls each lane makes, version to version: the gateway to the entry version of every
 * lane on the entry port; in each lane, every caller version to its callees' versions of that
 * lane (or, for a service-routed callee, to every version its routes send to), on the callee
 * version's ports. A version in no lane (kept idle for rollback), or only in lanes no request
 * reaches (weight 0), calls nothing and is called by nothing. Sorted by callee, then caller, so the policies are stable.
 * `defaultLane` is the lane of the default entry route, where a version in no lane calls.
 */
export function deriveEdges(f: StageFacts, defaultLane: LaneSpec): VersionEdge[] {
  const { app, lanes, entryPort } = f;
  const byKey = new Map<string, { from: VersionRef | typeof INGRESS_PEER; to: VersionRef; ports: Set<number> }>();
  const add = (from: VersionRef | typeof INGRESS_PEER, to: VersionRef, ports: readonly number[]) => {
    const key = `${from === INGRESS_PEER ? from : `${from.component}@${from.version}`}>${to.component}@${to.version}`;
    const edge = byKey.get(key) ?? { from, to, ports: new Set<number>() };
    ports.forEach((p) => edge.ports.add(p));
    byKey.set(key, edge);
  };
  // Walked as routing sends calls, from each lane's entry version: a caller version calls in the
  // first lane that runs it (sourceLabels pinning; the lane Services it dials), a version in no lane
  // (a service-routed one) as the default route does. A lane's version that no call reaches calls nothing.
  const visited = new Set<string>();
  const visit = (component: string, version: string): void => {
    if (visited.has(`${component}@${version}`)) return;
    visited.add(`${component}@${version}`);
    const lane = lanes.find((l) => l.versions[component] === version) ?? defaultLane;
    const caller = f.byName.get(component)!;
    const calls = f.deployed.get(component)!.find((d) => d.version === version)!.workload.calls ?? caller.calls ?? [];
    for (const callee of calls.filter((c) => f.deployed.has(c))) {
      // A callee no lane names (reached only through a service-routed component): its first version, as its default route.
      const targets = routedVersions(f, callee) ?? [lane.versions[callee] ?? f.deployed.get(callee)![0].version];
      for (const target of targets) {
        add(
          { component, version },
          { component: callee, version: target },
          portsOf(f, { component: callee, version: target }),
        );
        visit(callee, target);
      }
    }
  };
  const entered = enteredLanes(f);
  for (const lane of lanes.filter((l) => entered.has(l.name))) {
    add(INGRESS_PEER, { component: app.entryComponent, version: lane.versions[app.entryComponent] }, [entryPort]);
    visit(app.entryComponent, lane.versions[app.entryComponent]);
  }
  const order = (v: VersionRef | typeof INGRESS_PEER) => edgeEndOrder(f, v);
  return [...byKey.values()]
    .map((e) => ({ from: e.from, to: e.to, ports: [...e.ports].sort((a, b) => a - b) }))
    .sort((a, b) => order(a.to).localeCompare(order(b.to)) || order(a.from).localeCompare(order(b.from)));
}

/** The port numbers a deployed version declares: those an edge to it allows. */
function portsOf(f: StageFacts, v: VersionRef): number[] {
  return f.deployed
    .get(v.component)!
    .find((d) => d.version === v.version)!
    .workload.ports.map((p) => p.port);
}

/** A service-routed component has no version in the lanes: its versions are those its routes send to. */
function routedVersions(f: StageFacts, component: string): string[] | undefined {
  const routes = f.stage.serviceRoutes?.[component];
  return routes
    ? [
        ...new Set(
          routes.flatMap((r) =>
            targetsOf(r)
              .filter((t) => t.weight > 0)
              .map((t) => t.target),
          ),
        ),
      ]
    : undefined;
}

/**
 * The lanes that receive requests. A lane that the entry routes give a share of 0 only, and
 * mirror none, receives no request (a dark lane, routed at weight 0 until a later stage shifts
 * traffic to it): the gateway may not call it, and its versions call only as other lanes' requests make them.
 */
function enteredLanes(f: StageFacts): Set<string> {
  return new Set(
    f.stage.entry.flatMap((r) => [
      ...targetsOf(r)
        .filter((t) => t.weight > 0)
        .map((t) => t.target),
      ...(r.mirror ? [r.mirror.lane] : []),
    ]),
  );
}

/** The sort key of an edge's end: the gateway first, then by component (application order) and version. */
function edgeEndOrder(f: StageFacts, v: VersionRef | typeof INGRESS_PEER): string {
  return v === INGRESS_PEER
    ? ''
    : `${f.app.components
        .findIndex((c) => c.name === v.component)
        .toString()
        .padStart(4, '0')}@${v.version}`;
}
