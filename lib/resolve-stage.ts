import { cookieRegex, validateEntryMatch } from './entry-match';
import { ReleaseConfigError, show } from './errors';
import { assertDnsLabel, assertVersion, deploymentName, serviceHost, subsetName } from './names';
import { ApplicationSpec, ComponentSpec, EntryMatch, EntryRouteSpec, LaneSpec, PortSpec, ServiceRouteSpec, StageSpec, WorkloadSpec } from './spec';
import { validateApplication } from './validate-application';

/** One deployed version of a component in a stage. */
export interface DeployedVersion {
  readonly version: string;
  /** DestinationRule subset name (`v1-0`). */
  readonly subset: string;
  /** Deployment name (`voting-app-1-0`). */
  readonly deploymentName: string;
  readonly workload: WorkloadSpec;
}

/** A destination of a route: a version of the component on one port, with its share. */
export interface RouteDestination {
  readonly version: string;
  readonly port: number;
  /** Percentage; undefined when the route has a single destination. */
  readonly weight?: number;
}

/** One condition set of a route (all fields must hold). */
export interface RouteMatch {
  /** Caller pod labels (mesh traffic only). */
  readonly sourceLabels?: Readonly<Record<string, string>>;
  /** Destination port, set only when the Service has several ports of the route's protocol. */
  readonly port?: number;
  /** Header conditions, keyed by lower-case header name. */
  readonly headers?: Readonly<Record<string, { readonly exact?: string; readonly prefix?: string; readonly regex?: string }>>;
  /** Path condition. */
  readonly uri?: { readonly exact?: string; readonly prefix?: string };
}

/** An ordered route: the first route with a holding match (or no match) takes the request. */
export interface Route {
  /** Route name (HTTP routes only; Istio TCP routes are unnamed). */
  readonly name: string;
  /** Alternatives; empty means every request. */
  readonly matches: readonly RouteMatch[];
  readonly destinations: readonly RouteDestination[];
}

/** A component as it runs in one stage, with its routing table. */
export interface ResolvedComponent {
  readonly spec: ComponentSpec;
  readonly name: string;
  /** Fully qualified Service host. */
  readonly host: string;
  /** Deployed versions, in ascending version order. */
  readonly versions: readonly DeployedVersion[];
  /** Service ports: the union over the deployed versions, by port number. */
  readonly ports: readonly PortSpec[];
  /** Mesh HTTP routes (empty without version routing). */
  readonly httpRoutes: readonly Route[];
  /** Mesh TCP routes (empty without version routing). */
  readonly tcpRoutes: readonly Route[];
  /** Who calls this component in the stage's lanes, and on which ports (`ingress` is the gateway). */
  readonly inbound: readonly Edge[];
  /** Which components this one calls in the stage's lanes, and on which ports. */
  readonly outbound: readonly Edge[];
}

/** A caller/callee pair of components and the ports used between them in some lane. */
export interface Edge {
  /** The other component, or `ingress` for the ingress gateway. */
  readonly peer: string;
  /** Ports on the callee, ascending. */
  readonly ports: readonly number[];
}

/** The peer name of the ingress gateway in {@link Edge}. */
export const INGRESS_PEER = 'ingress';

/** A stage with every reference checked and every route derived. */
export interface ResolvedStage {
  readonly app: ApplicationSpec;
  readonly spec: StageSpec;
  readonly versionRouting: boolean;
  /** Deployed components, in application order. */
  readonly components: readonly ResolvedComponent[];
  /** The entry component. */
  readonly entry: ResolvedComponent;
  /** HTTP port of the entry component the gateway sends users to. */
  readonly entryPort: number;
  /** Routes of the gateway-bound VirtualService. */
  readonly gatewayRoutes: readonly Route[];
}

const HTTP_FAMILY = new Set(['http', 'http2', 'grpc']);

/** Compares dotted numeric versions (`1.10` > `1.9`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Checks a stage against its application and derives what runs and how traffic flows.
 * Throws a {@link ReleaseConfigError} naming stage, component, field and value at the first inconsistency.
 */
export function resolveStage(app: ApplicationSpec, stage: StageSpec): ResolvedStage {
  return new StageResolver(app, stage).resolve();
}

class StageResolver {
  private readonly s: string;
  private readonly byName: Map<string, ComponentSpec>;
  private readonly deployed = new Map<string, DeployedVersion[]>();
  private readonly lanes: readonly LaneSpec[];

  constructor(private readonly app: ApplicationSpec, private readonly stage: StageSpec) {
    this.s = stage.name;
    this.byName = new Map(app.components.map((c) => [c.name, c]));
    this.lanes = stage.lanes ?? [];
  }

  resolve(): ResolvedStage {
    assertDnsLabel(this.stage.name, { stage: this.s, field: 'name' });
    validateApplication(this.app, this.s);
    const versionRouting = this.stage.versionRouting ?? true;
    this.resolveDeployments();
    this.checkLanes();
    this.checkPinning();
    this.checkEntry(versionRouting);
    if (this.stage.mtls !== undefined && this.stage.mtls !== 'STRICT' && this.stage.mtls !== 'PERMISSIVE') {
      throw new ReleaseConfigError({ stage: this.s, field: 'mtls' }, `${show(this.stage.mtls)} is not an mTLS mode`, "Use 'STRICT' or 'PERMISSIVE'.");
    }

    if (this.app.gateway.bindMesh) {
      const hosts = this.app.gateway.hosts ?? ['*'];
      const callers = this.app.components.filter((c) => (c.calls ?? []).includes(this.app.entryComponent)).map((c) => c.name);
      if (hosts.some((h) => h.includes('*'))) {
        throw new ReleaseConfigError({ stage: this.s, field: 'application.gateway.hosts' }, `bindMesh with wildcard hosts ${hosts.join(', ')} would route every in-mesh call`,
          'Name the public hosts explicitly, or leave bindMesh off.');
      }
      if (callers.length > 0) {
        throw new ReleaseConfigError({ stage: this.s, component: this.app.entryComponent, field: 'application.gateway.bindMesh' },
          `the entry component is called by ${callers.join(', ')}, whose lane pinning needs its own mesh VirtualService`, 'Leave bindMesh off.');
      }
    }
    const defaultLane = this.defaultLane();
    const entryName = this.app.entryComponent;
    const entryPort = this.entryPort();
    const entryRoutes = this.entryRoutes(entryPort);
    const components = this.app.components
      .filter((c) => this.deployed.has(c.name))
      .map((c): ResolvedComponent => {
        const versions = this.deployed.get(c.name)!;
        const ports = this.servicePorts(c.name, versions);
        const http = ports.filter((p) => HTTP_FAMILY.has(p.protocol));
        const tcp = ports.filter((p) => !HTTP_FAMILY.has(p.protocol));
        return {
          spec: c,
          name: c.name,
          host: this.host(c.name),
          versions,
          ports,
          httpRoutes: !versionRouting ? [] : this.serviceRouted(c.name) ? this.serviceRoutes(c.name, http) : [
            ...this.pinningRoutes(c.name, http),
            ...(c.name === entryName ? entryRoutes : this.defaultRoutes(c.name, http, defaultLane)),
          ],
          tcpRoutes: versionRouting ? [...this.pinningRoutes(c.name, tcp), ...this.defaultRoutes(c.name, tcp, defaultLane)] : [],
          inbound: [
            ...(c.name === entryName ? [{ peer: INGRESS_PEER, ports: [entryPort] }] : []),
            ...this.app.components.filter((caller) => (caller.calls ?? []).includes(c.name))
              .map((caller) => ({ peer: caller.name, ports: this.edgePorts(caller.name, c.name) }))
              .filter((e) => e.ports.length > 0),
          ],
          outbound: (c.calls ?? []).map((callee) => ({ peer: callee, ports: this.edgePorts(c.name, callee) })).filter((e) => e.ports.length > 0),
        };
      });
    return {
      app: this.app,
      spec: this.stage,
      versionRouting,
      components,
      entry: components.find((c) => c.name === entryName)!,
      entryPort,
      gatewayRoutes: entryRoutes,
    };
  }

  private host(component: string): string {
    return serviceHost(component, this.app.namespace, this.app.clusterDomain ?? 'cluster.local');
  }

  private resolveDeployments(): void {
    const deployments = this.stage.deployments ?? {};
    for (const [component, versions] of Object.entries(deployments)) {
      const at = { stage: this.s, component, field: `deployments['${component}']` };
      const spec = this.byName.get(component);
      if (!spec) {
        throw new ReleaseConfigError(at, `${show(component)} is not a component of application '${this.app.name}'`,
          `Use one of ${[...this.byName.keys()].join(', ')}.`);
      }
      if (!Array.isArray(versions) || versions.length === 0) {
        throw new ReleaseConfigError(at, 'no version is deployed', 'List at least one version, or leave the component out of the stage.');
      }
      const seen = new Set<string>();
      for (const version of versions) {
        assertVersion(version, at);
        if (seen.has(version)) {
          throw new ReleaseConfigError(at, `version ${show(version)} is listed twice`, 'List each deployed version once.');
        }
        seen.add(version);
        if (!spec.versions[version]) {
          throw new ReleaseConfigError(at, `version ${show(version)} is not defined`, `Defined versions: ${Object.keys(spec.versions).join(', ')}.`);
        }
      }
      this.deployed.set(component, [...versions].sort(compareVersions).map((version) => ({
        version,
        subset: subsetName(version),
        deploymentName: deploymentName(component, version),
        workload: spec.versions[version],
      })));
    }
    if (!this.deployed.has(this.app.entryComponent)) {
      throw new ReleaseConfigError({ stage: this.s, component: this.app.entryComponent, field: 'deployments' },
        'the entry component is not deployed', `Deploy a version of '${this.app.entryComponent}'.`);
    }
  }

  private checkLanes(): void {
    if (this.lanes.length === 0) {
      throw new ReleaseConfigError({ stage: this.s, field: 'lanes' }, 'the stage defines no lane', 'Define at least one lane of component versions.');
    }
    const names = new Set<string>();
    this.lanes.forEach((lane, i) => {
      const field = `lanes[${i}]`;
      assertDnsLabel(lane.name, { stage: this.s, field: `${field}.name` });
      if (names.has(lane.name)) {
        throw new ReleaseConfigError({ stage: this.s, field: `${field}.name` }, `lane ${show(lane.name)} is defined twice`, 'Give each lane a unique name.');
      }
      names.add(lane.name);
      for (const [component, version] of Object.entries(lane.versions)) {
        const at = { stage: this.s, component, field: `${field}.versions['${component}']` };
        const running = this.deployed.get(component);
        if (!this.byName.has(component)) {
          throw new ReleaseConfigError(at, `${show(component)} is not a component`, `Use one of ${[...this.byName.keys()].join(', ')}.`);
        }
        if (!running || !running.some((d) => d.version === version)) {
          throw new ReleaseConfigError(at, `lane '${lane.name}' routes to version ${show(version)}, which is not deployed in this stage`,
            `Add it to deployments['${component}'] (deployed: ${running ? running.map((d) => d.version).join(', ') : 'none'}) or route to a deployed version.`);
        }
      }
      const missing = this.reachable(lane).filter((c) => lane.versions[c] === undefined && !this.serviceRouted(c));
      if (missing.length > 0) {
        throw new ReleaseConfigError({ stage: this.s, component: missing[0], field: `${field}.versions` },
          `lane '${lane.name}' does not say which version of '${missing[0]}' its callers use`,
          `Add '${missing[0]}' to the lane: every component the entry component reaches through 'calls' needs a version in each lane.`);
      }
    });
  }

  /** Whether calls to `component` are routed by the stage's serviceRoutes rather than by lanes. */
  private serviceRouted(component: string): boolean {
    return (this.stage.serviceRoutes ?? {})[component] !== undefined;
  }

  /** Components reachable from the entry component through `calls`, in discovery order. */
  private reachable(lane: LaneSpec): string[] {
    const order: string[] = [];
    const visit = (name: string): void => {
      if (order.includes(name)) return;
      order.push(name);
      if (lane.versions[name] === undefined || this.serviceRouted(name)) return;
      for (const callee of this.byName.get(name)?.calls ?? []) visit(callee);
    };
    visit(this.app.entryComponent);
    return order;
  }

  /** Calls stay in lane by the caller's version, so a caller version must pin each callee to one version. */
  private checkPinning(): void {
    const pins = new Map<string, { lane: string; version: string }>();
    for (const lane of this.lanes) {
      for (const [caller, callerVersion] of Object.entries(lane.versions)) {
        for (const callee of this.byName.get(caller)?.calls ?? []) {
          const version = lane.versions[callee];
          if (version === undefined) continue;
          const key = `${caller}@${callerVersion}->${callee}`;
          const earlier = pins.get(key);
          if (earlier && earlier.version !== version) {
            throw new ReleaseConfigError({ stage: this.s, component: callee, field: `lanes['${lane.name}'].versions['${callee}']` },
              `lanes '${earlier.lane}' and '${lane.name}' both run ${caller} ${callerVersion} but send it to ${callee} ${earlier.version} and ${version}`,
              `Routing pins calls by the caller's version (sourceLabels): give the lanes different ${caller} versions or the same ${callee} version.`);
          }
          pins.set(key, earlier ?? { lane: lane.name, version });
        }
      }
    }
  }

  private checkEntry(versionRouting: boolean): void {
    const entry = this.stage.entry ?? [];
    const targeted = this.checkRouteList(entry, 'entry', this.app.entryComponent, 'lane', new Set(this.lanes.map((l) => l.name)));
    for (const [component, routes] of Object.entries(this.stage.serviceRoutes ?? {})) {
      const at = { stage: this.s, component, field: `serviceRoutes['${component}']` };
      if (!this.deployed.has(component)) {
        throw new ReleaseConfigError(at, `${show(component)} is not deployed in this stage`, 'Route calls to deployed components only.');
      }
      if (component === this.app.entryComponent) {
        throw new ReleaseConfigError(at, 'the entry component is routed by the entry routes', 'Use entry for the entry component.');
      }
      if (!versionRouting) {
        throw new ReleaseConfigError(at, 'service routes need version routing', 'Enable versionRouting.');
      }
      this.checkRouteList(routes, `serviceRoutes['${component}']`, component, 'version', new Set(this.deployed.get(component)!.map((d) => d.version)));
    }
    const idle = this.lanes.find((l) => !targeted.has(l.name));
    if (idle) {
      throw new ReleaseConfigError({ stage: this.s, field: `lanes['${idle.name}']` }, `no entry route sends traffic to lane '${idle.name}'`,
        'Route to the lane, or remove it (keep idle versions in deployments only).');
    }
    if (!versionRouting) {
      const multi = [...this.deployed.entries()].find(([, v]) => v.length > 1);
      if (multi) {
        throw new ReleaseConfigError({ stage: this.s, component: multi[0], field: 'versionRouting' },
          `${multi[0]} runs ${multi[1].map((d) => d.version).join(' and ')} without version routing, so its Service would spread calls over all of them`,
          'Enable versionRouting, or deploy one version per component.');
      }
      if (entry.length > 1 || this.lanes.length > 1) {
        throw new ReleaseConfigError({ stage: this.s, field: 'versionRouting' }, 'matched entry routes and several lanes need version routing',
          'Enable versionRouting, or keep a single lane and a single default route.');
      }
    }
  }

  /**
   * Checks one ordered route list (entry routes to lanes, or service routes to versions):
   * default route last and only last, valid matches and names, known targets, whole weights
   * summing to 100, no route that an earlier one makes unreachable. Returns the targets used.
   */
  private checkRouteList(routes: readonly RouteSpecLike[], list: string, component: string, kind: 'lane' | 'version', valid: Set<string>): Set<string> {
    const at = (field: string) => ({ stage: this.s, component, field });
    if (routes.length === 0) {
      throw new ReleaseConfigError(at(list), 'there is no route', `Add a default route: { to: '<${kind}>' }.`);
    }
    const targeted = new Set<string>();
    const routeNames = new Set<string>();
    routes.forEach((route, i) => {
      const field = `${list}[${i}]`;
      const isLast = i === routes.length - 1;
      const hasMatch = route.match !== undefined;
      if (!hasMatch && !isLast) {
        throw new ReleaseConfigError(at(`${field}.match`), `route ${i} has no match, so it takes every request and the ${routes.length - 1 - i} route(s) after it never match`,
          'Give the route a match, or move it last as the default route.');
      }
      if (hasMatch && isLast) {
        throw new ReleaseConfigError(at(`${field}.match`), 'the last route has a match, so unmatched requests have no route',
          'End the routes with a default route that has no match.');
      }
      if (hasMatch) {
        if (route.match!.length === 0) {
          throw new ReleaseConfigError(at(`${field}.match`), 'the match list is empty', 'Add a match, or remove the match field for a default route.');
        }
        route.match!.forEach((m, j) => validateEntryMatch(m, at(`${field}.match[${j}]`)));
      }
      const name = this.routeName(route, i);
      assertDnsLabel(name, at(`${field}.name`));
      if (routeNames.has(name)) {
        throw new ReleaseConfigError(at(`${field}.name`), `route name ${show(name)} is used twice`, 'Give each route a unique name.');
      }
      routeNames.add(name);
      const targets = targetsOf(route);
      if (targets.length === 0) {
        throw new ReleaseConfigError(at(`${field}.to`), 'the route sends traffic nowhere', `Name a ${kind}, or list weighted ${kind}s.`);
      }
      for (const t of targets) {
        if (!valid.has(t.target)) {
          throw new ReleaseConfigError(at(`${field}.to`), kind === 'lane' ? `lane ${show(t.target)} is not defined in this stage`
            : `version ${show(t.target)} is not deployed in this stage`, `Use one of ${[...valid].join(', ')}.`);
        }
        if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > 100) {
          throw new ReleaseConfigError(at(`${field}.to`), `weight ${show(t.weight)} of ${kind} '${t.target}' is not a whole percentage`, 'Use whole numbers from 0 to 100.');
        }
        if (targets.filter((o) => o.target === t.target).length > 1) {
          throw new ReleaseConfigError(at(`${field}.to`), `${kind} ${show(t.target)} appears twice in one split`, `List each ${kind} once per route.`);
        }
        targeted.add(t.target);
      }
      const total = targets.reduce((sum, t) => sum + t.weight, 0);
      if (total !== 100) {
        throw new ReleaseConfigError(at(`${field}.to`), `weights sum to ${total}, not 100`, 'Make the weights of one route add up to 100.');
      }
    });
    // A route is dead when every one of its matches is implied by a match of an earlier route.
    routes.forEach((route, j) => {
      if (!route.match) return;
      const later = route.match.map(toRouteMatch);
      const i = routes.slice(0, j).findIndex((earlier) => earlier.match !== undefined
        && later.every((m) => earlier.match!.map(toRouteMatch).some((e) => implies(m, e))));
      if (i !== -1) {
        throw new ReleaseConfigError(at(`${list}[${j}].match`),
          `route ${j} (${show(this.routeName(route, j))}) can never match: every request it matches is already taken by route ${i} (${show(this.routeName(routes[i], i))})`,
          'Reorder the routes (more specific first) or remove the dead one.');
      }
    });
    return targeted;
  }

  private routeName(route: RouteSpecLike, index: number): string {
    return route.name ?? (route.match === undefined ? 'default' : `entry-${index}`);
  }


  /** The lane of the default entry route (its largest share when split): where unmatched mesh callers go. */
  private defaultLane(): LaneSpec {
    const last = this.stage.entry[this.stage.entry.length - 1];
    const best = targetsOf(last).reduce((a, b) => (b.weight > a.weight ? b : a));
    return this.lanes.find((l) => l.name === best.target)!;
  }

  private entryPort(): number {
    const entry = this.app.entryComponent;
    const ports = new Set(this.deployed.get(entry)!.map((d) => d.workload.ports.find((p) => HTTP_FAMILY.has(p.protocol))?.port));
    if (ports.size !== 1 || ports.has(undefined)) {
      throw new ReleaseConfigError({ stage: this.s, component: entry, field: 'ports' },
        `the deployed versions of the entry component expose HTTP on ${[...ports].map(String).join(', ')}`,
        'Give every version of the entry component the same first HTTP port.');
    }
    return [...ports][0]!;
  }

  private servicePorts(component: string, versions: readonly DeployedVersion[]): PortSpec[] {
    const byNumber = new Map<number, PortSpec>();
    for (const d of versions) {
      for (const p of d.workload.ports) {
        const other = byNumber.get(p.port);
        if (other && (other.name !== p.name || other.protocol !== p.protocol)) {
          throw new ReleaseConfigError({ stage: this.s, component, field: `versions['${d.version}'].ports` },
            `port ${p.port} is '${p.name}' (${p.protocol}) here but '${other.name}' (${other.protocol}) in another deployed version`,
            'One Service port serves all versions: give the port the same name and protocol in every version.');
        }
        byNumber.set(p.port, p);
      }
    }
    const ports = [...byNumber.values()].sort((a, b) => a.port - b.port);
    const names = new Set<string>();
    for (const p of ports) {
      if (names.has(p.name)) {
        throw new ReleaseConfigError({ stage: this.s, component, field: 'ports' }, `port name '${p.name}' is used for two port numbers`,
          'Service port names must be unique: rename one of them.');
      }
      names.add(p.name);
    }
    return ports;
  }

  /**
   * Ports of `callee` that `caller` reaches: those of the callee version of each lane holding
   * both, or, when no lane holds both (service-routed components), every deployed callee port.
   */
  private edgePorts(caller: string, callee: string): number[] {
    if (!this.deployed.has(caller) || !this.deployed.has(callee)) return [];
    const ports = new Set<number>();
    const shared = this.lanes.filter((l) => l.versions[caller] !== undefined && l.versions[callee] !== undefined);
    const versions = shared.length > 0 ? shared.map((l) => l.versions[callee]) : this.deployed.get(callee)!.map((d) => d.version);
    for (const version of versions) {
      this.deployed.get(callee)!.find((x) => x.version === version)!.workload.ports.forEach((p) => ports.add(p.port));
    }
    return [...ports].sort((a, b) => a - b);
  }

  /** A service-routed component's HTTP routes: the stage's routes to its versions, per HTTP port. */
  private serviceRoutes(component: string, ports: readonly PortSpec[]): Route[] {
    const routes = this.stage.serviceRoutes![component];
    const multiPort = ports.length > 1;
    return ports.flatMap((port) => routes.map((route, i) => {
      const name = this.routeName(route, i);
      const destinations = targetsOf(route).map((t) => ({ version: t.target, port: port.port, ...(typeof route.to === 'string' ? {} : { weight: t.weight }) }));
      const matches = (route.match ?? []).map(toRouteMatch).map((m) => ({ ...m, ...(multiPort ? { port: port.port } : {}) }));
      return { name: multiPort ? `${name}-${port.port}` : name, matches: matches.length === 0 && multiPort ? [{ port: port.port }] : matches, destinations };
    }));
  }

  private servesPort(component: string, version: string, port: number): boolean {
    return this.deployed.get(component)!.find((d) => d.version === version)!.workload.ports.some((p) => p.port === port);
  }

  /** Routes that keep each lane's calls to `component` inside the lane, matched by caller version. */
  private pinningRoutes(component: string, ports: readonly PortSpec[]): Route[] {
    const routes: Route[] = [];
    const routed = new Set<string>();
    const multiPort = ports.length > 1;
    for (const lane of this.lanes) {
      const version = lane.versions[component];
      if (version === undefined) continue;
      const callers = this.app.components
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
      const candidates = [defaultLane, ...this.lanes].map((l) => l.versions[component])
        .concat(this.deployed.get(component)!.map((d) => d.version))
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
    const entry = this.app.entryComponent;
    return this.stage.entry.map((route, i) => {
      const shares = new Map<string, number>();
      for (const t of targetsOf(route)) {
        const version = this.lanes.find((l) => l.name === t.target)!.versions[entry]!;
        shares.set(version, (shares.get(version) ?? 0) + t.weight);
      }
      const destinations = [...shares.entries()].map(([version, weight]) => ({ version, port, ...(shares.size > 1 ? { weight } : {}) }));
      return { name: this.routeName(route, i), matches: (route.match ?? []).map(toRouteMatch), destinations };
    });
  }
}

/** Whether every request matching `m` also matches `earlier` (string conditions by exact/prefix implication). */
function implies(m: RouteMatch, earlier: RouteMatch): boolean {
  const cond = (later?: { exact?: string; prefix?: string; regex?: string }, e?: { exact?: string; prefix?: string; regex?: string }) => {
    if (!e) return true;
    if (!later) return false;
    if (e.exact !== undefined) return later.exact === e.exact;
    if (e.prefix !== undefined) return (later.exact ?? later.prefix)?.startsWith(e.prefix) ?? false;
    return e.regex !== undefined && later.regex === e.regex;
  };
  return Object.entries(earlier.headers ?? {}).every(([name, c]) => cond(m.headers?.[name], c)) && cond(m.uri, earlier.uri);
}

/** An entry route (to lanes) or a service route (to versions). */
type RouteSpecLike = EntryRouteSpec | ServiceRouteSpec;

function targetsOf(route: RouteSpecLike): { target: string; weight: number }[] {
  if (typeof route.to === 'string') return [{ target: route.to, weight: 100 }];
  return (route.to as readonly any[]).map((t) => ({ target: t.lane ?? t.version, weight: t.weight }));
}

function toRouteMatch(m: EntryMatch): RouteMatch {
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
