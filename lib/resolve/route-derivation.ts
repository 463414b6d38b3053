import type { MeshContext } from '../model/defaults';
import { serviceHost } from '../model/names';
import type { LaneSpec, PortSpec } from '../model/spec';
import type { ResolvedComponent, Route, VersionEdge, VersionRef } from './resolved-stage';
import { INGRESS_PEER } from './resolved-stage';
import { defaultLaneName, routeName, targetsOf, toRouteMatch } from './route-lists';
import type { StageFacts } from './stage-checks';
import { HTTP_FAMILY } from './stage-checks';
import { withStickiness } from './sticky-routes';

/**
 * Derives every component's routing table and edges from checked stage facts:
 * - the gateway's entry routes, mapped from lanes onto versions of the entry component;
 * - per callee, one route per lane that pins the lane's callers (`sourceLabels`) to the lane's
 *   version, then a catch-all per port to the default lane's version;
 * - service-routed components get the stage's own routes to versions instead;
 * - the edges (caller, callee, ports) that authorization and network policies allow.
 */
export function deriveComponents(
  f: StageFacts,
  context: MeshContext,
): { components: ResolvedComponent[]; gatewayRoutes: Route[]; edges: VersionEdge[] } {
  return new RouteDerivation(f, context).run();
}

class RouteDerivation {
  constructor(
    private readonly f: StageFacts,
    private readonly context: MeshContext,
  ) {}

  run(): { components: ResolvedComponent[]; gatewayRoutes: Route[]; edges: VersionEdge[] } {
    const { app, versionRouting, entryPort } = this.f;
    const defaultLane = this.defaultLane();
    const entryName = app.entryComponent;
    const entryRoutes = this.withPolicy(this.entryRoutes(entryPort), entryName);
    const components = app.components
      .filter((c) => this.f.deployed.has(c.name))
      .map((c): ResolvedComponent => {
        const ports = this.f.ports.get(c.name)!;
        const http = ports.filter((p) => HTTP_FAMILY.has(p.protocol));
        const tcp = ports.filter((p) => !HTTP_FAMILY.has(p.protocol));
        const serviceRouted = this.f.stage.serviceRoutes?.[c.name] !== undefined;
        return {
          spec: c,
          name: c.name,
          host: serviceHost(c.name, app.namespace, this.context.clusterDomain),
          versions: this.f.deployed.get(c.name)!,
          ports,
          httpRoutes: !versionRouting
            ? []
            : this.withPolicy(
                serviceRouted
                  ? this.serviceRoutes(c.name, http)
                  : [
                      ...this.pinningRoutes(c.name, http),
                      ...(c.name === entryName ? entryRoutes : this.defaultRoutes(c.name, http, defaultLane)),
                    ],
                c.name,
              ),
          ...this.versionPolicies(c.name),
          tcpRoutes: versionRouting
            ? [...this.pinningRoutes(c.name, tcp), ...this.defaultRoutes(c.name, tcp, defaultLane)]
            : [],
        };
      });
    return { components, gatewayRoutes: entryRoutes, edges: this.edges() };
  }

  /**
   * The calls each lane makes, version to version: the gateway to the entry version of every
   * lane on the entry port; in each lane, every caller version to its callees' versions of that
   * lane (or, for a service-routed callee, to every version its routes send to), on the callee
   * version's ports. A version in no lane (kept idle for rollback), or only in lanes no request
   * reaches (weight 0), calls nothing and is called by nothing. Sorted by callee, then caller, so the policies are stable.
   */
  private edges(): VersionEdge[] {
    const { app, lanes, stage, entryPort } = this.f;
    const byKey = new Map<string, { from: VersionRef | typeof INGRESS_PEER; to: VersionRef; ports: Set<number> }>();
    const add = (from: VersionRef | typeof INGRESS_PEER, to: VersionRef, ports: readonly number[]) => {
      const key = `${from === INGRESS_PEER ? from : `${from.component}@${from.version}`}>${to.component}@${to.version}`;
      const edge = byKey.get(key) ?? { from, to, ports: new Set<number>() };
      ports.forEach((p) => edge.ports.add(p));
      byKey.set(key, edge);
    };
    const portsOf = (v: VersionRef) =>
      this.f.deployed
        .get(v.component)!
        .find((d) => d.version === v.version)!
        .workload.ports.map((p) => p.port);
    // A service-routed component has no version in the lanes: its versions are those its routes send to.
    const routed = (component: string) => {
      const routes = stage.serviceRoutes?.[component];
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
    };
    // Walked as routing sends calls, from each lane's entry version: a caller version calls in the
    // first lane that runs it (sourceLabels pinning; the lane Services it dials), a version in no lane
    // (a service-routed one) as the default route does. A lane's version that no call reaches calls nothing.
    const defaultLane = this.defaultLane();
    const visited = new Set<string>();
    const visit = (component: string, version: string): void => {
      if (visited.has(`${component}@${version}`)) return;
      visited.add(`${component}@${version}`);
      const lane = lanes.find((l) => l.versions[component] === version) ?? defaultLane;
      const caller = this.f.byName.get(component)!;
      const calls =
        this.f.deployed.get(component)!.find((d) => d.version === version)!.workload.calls ?? caller.calls ?? [];
      for (const callee of calls.filter((c) => this.f.deployed.has(c))) {
        // A callee no lane names (reached only through a service-routed component): its first version, as its default route.
        const targets = routed(callee) ?? [lane.versions[callee] ?? this.f.deployed.get(callee)![0].version];
        for (const target of targets) {
          add(
            { component, version },
            { component: callee, version: target },
            portsOf({ component: callee, version: target }),
          );
          visit(callee, target);
        }
      }
    };
    // A lane that the entry routes give a share of 0 only, and mirror none, receives no request (a
    // dark lane, routed at weight 0 until a later stage shifts traffic to it): the gateway may not
    // call it, and its versions call only as other lanes' requests make them.
    const entered = new Set(
      stage.entry.flatMap((r) => [
        ...targetsOf(r)
          .filter((t) => t.weight > 0)
          .map((t) => t.target),
        ...(r.mirror ? [r.mirror.lane] : []),
      ]),
    );
    for (const lane of lanes.filter((l) => entered.has(l.name))) {
      add(INGRESS_PEER, { component: app.entryComponent, version: lane.versions[app.entryComponent] }, [entryPort]);
      visit(app.entryComponent, lane.versions[app.entryComponent]);
    }
    const order = (v: VersionRef | typeof INGRESS_PEER) =>
      v === INGRESS_PEER
        ? ''
        : `${app.components
            .findIndex((c) => c.name === v.component)
            .toString()
            .padStart(4, '0')}@${v.version}`;
    return [...byKey.values()]
      .map((e) => ({ from: e.from, to: e.to, ports: [...e.ports].sort((a, b) => a - b) }))
      .sort((a, b) => order(a.to).localeCompare(order(b.to)) || order(a.from).localeCompare(order(b.from)));
  }

  /** The lane of the default entry route (its largest share when split): where unmatched mesh callers go. */
  private defaultLane(): LaneSpec {
    const name = defaultLaneName(this.f.stage.entry);
    return this.f.lanes.find((l) => l.name === name)!;
  }

  /** The HTTP routes to `component` with the stage's timeout and retries for it. */
  private withPolicy(routes: Route[], component: string): Route[] {
    const p = this.f.stage.trafficPolicies?.[component];
    if (!p || (p.timeout === undefined && p.retries === undefined)) return routes;
    return routes.map((r) => ({
      ...r,
      ...(p.timeout !== undefined ? { timeout: p.timeout } : {}),
      ...(p.retries !== undefined ? { retries: p.retries } : {}),
    }));
  }

  /** The component's connection pool and outlier detection, for all versions and per version. */
  private versionPolicies(component: string): Pick<ResolvedComponent, 'trafficPolicy' | 'versionTrafficPolicies'> {
    const p = this.f.stage.trafficPolicies?.[component];
    if (!p) return {};
    const own = {
      ...(p.connectionPool ? { connectionPool: p.connectionPool } : {}),
      ...(p.outlierDetection ? { outlierDetection: p.outlierDetection } : {}),
    };
    return {
      ...(Object.keys(own).length > 0 ? { trafficPolicy: own } : {}),
      ...(p.versions ? { versionTrafficPolicies: p.versions } : {}),
    };
  }

  /** A service-routed component's HTTP routes: the stage's routes to its versions, per HTTP port. */
  private serviceRoutes(component: string, ports: readonly PortSpec[]): Route[] {
    const routes = this.f.stage.serviceRoutes![component];
    const multiPort = ports.length > 1;
    return ports.flatMap((port) =>
      routes.flatMap((route, i) => {
        const name = routeName(route, i);
        const destinations = targetsOf(route).map((t) => ({
          version: t.target,
          port: port.port,
          ...(typeof route.to === 'string' ? {} : { weight: t.weight }),
        }));
        const matches = (route.match ?? [])
          .map(toRouteMatch)
          .map((m) => ({ ...m, ...(multiPort ? { port: port.port } : {}) }));
        return withStickiness(
          {
            name: multiPort ? `${name}-${port.port}` : name,
            matches: matches.length === 0 && multiPort ? [{ port: port.port }] : matches,
            destinations,
          },
          route.sticky,
        );
      }),
    );
  }

  private servesPort(component: string, version: string, port: number): boolean {
    return this.f.deployed
      .get(component)!
      .find((d) => d.version === version)!
      .workload.ports.some((p) => p.port === port);
  }

  /** Routes that keep each lane's calls to `component` inside the lane, matched by caller version. */
  private pinningRoutes(component: string, ports: readonly PortSpec[]): Route[] {
    const routes: Route[] = [];
    const routed = new Set<string>();
    const multiPort = ports.length > 1;
    for (const lane of this.f.lanes) {
      const version = lane.versions[component];
      if (version === undefined) continue;
      const callers = this.f.app.components
        .filter((c) => (c.calls ?? []).includes(component) && lane.versions[c.name] !== undefined)
        .map((c) => ({ app: c.name, version: lane.versions[c.name] }))
        .filter((labels) => !routed.has(`${labels.app}@${labels.version}`));
      if (callers.length === 0) continue;
      callers.forEach((c) => routed.add(`${c.app}@${c.version}`));
      for (const port of ports.filter((p) => this.servesPort(component, version, p.port))) {
        routes.push({
          name: multiPort ? `lane-${lane.name}-${port.port}` : `lane-${lane.name}`,
          matches: callers.map((labels) => ({ sourceLabels: labels, ...(multiPort ? { port: port.port } : {}) })),
          destinations: [{ version, port: port.port }],
        });
      }
    }
    return routes;
  }

  /** The final catch-all route per port, to the default lane's version (or the first version serving the port). */
  private defaultRoutes(component: string, ports: readonly PortSpec[], defaultLane: LaneSpec): Route[] {
    const multiPort = ports.length > 1;
    return ports.map((port) => {
      const candidates = [defaultLane, ...this.f.lanes]
        .map((l) => l.versions[component])
        .concat(this.f.deployed.get(component)!.map((d) => d.version))
        .filter((v): v is string => v !== undefined);
      const version = candidates.find((v) => this.servesPort(component, v, port.port))!;
      return {
        name: multiPort ? `default-${port.port}` : 'default',
        matches: multiPort ? [{ port: port.port }] : [],
        destinations: [{ version, port: port.port }],
      };
    });
  }

  /** Entry routes mapped onto versions of the entry component (identical versions merged). */
  private entryRoutes(port: number): Route[] {
    const entry = this.f.app.entryComponent;
    return this.f.stage.entry.flatMap((route, i) => {
      const shares = new Map<string, number>();
      for (const t of targetsOf(route)) {
        const version = this.f.lanes.find((l) => l.name === t.target)!.versions[entry]!;
        shares.set(version, (shares.get(version) ?? 0) + t.weight);
      }
      const destinations = [...shares.entries()].map(([version, weight]) => ({
        version,
        port,
        ...(shares.size > 1 ? { weight } : {}),
      }));
      const mirror = route.mirror
        ? {
            version: this.f.lanes.find((l) => l.name === route.mirror!.lane)!.versions[entry],
            port,
            percent: route.mirror.percent,
          }
        : undefined;
      return withStickiness(
        {
          name: routeName(route, i),
          matches: (route.match ?? []).map(toRouteMatch),
          destinations,
          ...(mirror ? { mirror } : {}),
        },
        route.sticky,
      );
    });
  }
}
