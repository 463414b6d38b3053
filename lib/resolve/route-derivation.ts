import type { MeshContext } from '../model/defaults';
import { serviceHost } from '../model/names';
import type { LaneSpec, PortSpec } from '../model/spec';
import type { ResolvedComponent, Route, VersionEdge } from './resolved-stage';
import { defaultLaneName, routeName, targetsOf, toRouteMatch } from './route-lists';
import type { StageFacts } from './stage-checks';
import { HTTP_FAMILY } from './stage-checks';
import { withStickiness } from './sticky-routes';
import { deriveEdges } from './version-edges';

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
    return { components, gatewayRoutes: entryRoutes, edges: deriveEdges(this.f, this.defaultLane()) };
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
