import { ReleaseConfigError, show } from '../model/errors';
import { assertDnsLabel, assertVersion, compareVersions, deploymentName, subsetName } from '../model/names';
import type { ApplicationSpec, ComponentSpec, EntryRouteSpec, LaneSpec, PortSpec, StageSpec } from '../model/spec';
import type { DeployedVersion } from './resolved-stage';
import { checkLanes, checkPinning } from './lane-checks';
import { checkRouteList } from './route-list-checks';
import { checkMirrors, checkTrafficPolicies } from './traffic-policy-checks';
import { validateApplication } from './validate-application';

/** Istio's HTTP-family protocols: their ports get HTTP routes, every other port TCP routes. */
export const HTTP_FAMILY: ReadonlySet<string> = new Set(['http', 'http2', 'grpc']);

/**
 * A stage whose data has been checked against its application: what runs, the lanes, the
 * Service ports and the entry port. Route derivation starts from these facts and never fails.
 */
export interface StageFacts {
  readonly app: ApplicationSpec;
  readonly stage: StageSpec;
  readonly versionRouting: boolean;
  /** Components by name. */
  readonly byName: ReadonlyMap<string, ComponentSpec>;
  /** Deployed versions per component, ascending. */
  readonly deployed: ReadonlyMap<string, readonly DeployedVersion[]>;
  readonly lanes: readonly LaneSpec[];
  /** Service ports per deployed component: the union over its deployed versions, by number. */
  readonly ports: ReadonlyMap<string, readonly PortSpec[]>;
  /** The HTTP port of the entry component the gateway sends users to. */
  readonly entryPort: number;
}

/**
 * Checks a stage against its application (names, deployments, lanes, pinning, entry and
 * service routes, ports, gateway binding, mTLS mode). Throws a {@link ReleaseConfigError} naming
 * stage, component, field and value at the first inconsistency.
 */
export function checkStage(app: ApplicationSpec, stage: StageSpec): StageFacts {
  return new StageChecker(app, stage).run();
}

class StageChecker {
  private readonly s: string;
  private readonly byName: Map<string, ComponentSpec>;
  private readonly deployed = new Map<string, DeployedVersion[]>();
  private readonly lanes: readonly LaneSpec[];
  private readonly versionRouting: boolean;

  constructor(
    private readonly app: ApplicationSpec,
    private readonly stage: StageSpec,
  ) {
    this.s = stage.name;
    this.byName = new Map(app.components.map((c) => [c.name, c]));
    this.lanes = stage.lanes ?? [];
    this.versionRouting = stage.versionRouting ?? true;
  }

  run(): StageFacts {
    assertDnsLabel(this.stage.name, { stage: this.s, field: 'name' });
    validateApplication(this.app);
    this.resolveDeployments();
    const lanes = { app: this.app, stage: this.stage, byName: this.byName, deployed: this.deployed, lanes: this.lanes };
    checkLanes(lanes);
    checkPinning(lanes);
    checkMirrors(this.stage, this.stage.entry ?? [], this.lanes, this.app.entryComponent, this.versionRouting);
    this.checkEntry();
    checkTrafficPolicies(this.stage, this.deployed, this.versionRouting, (c) =>
      this.deployed.get(c)!.some((d) => d.workload.ports.some((p) => HTTP_FAMILY.has(p.protocol))),
    );
    if (this.stage.mtls !== undefined && this.stage.mtls !== 'STRICT' && this.stage.mtls !== 'PERMISSIVE') {
      throw new ReleaseConfigError(
        { stage: this.s, field: 'mtls' },
        `${show(this.stage.mtls)} is not an mTLS mode`,
        "Use 'STRICT' or 'PERMISSIVE'.",
      );
    }
    this.checkBindMesh();
    const ports = new Map([...this.deployed.entries()].map(([c, versions]) => [c, this.servicePorts(c, versions)]));
    return {
      app: this.app,
      stage: this.stage,
      versionRouting: this.versionRouting,
      byName: this.byName,
      deployed: this.deployed,
      lanes: this.lanes,
      ports,
      entryPort: this.checkEntryPort(),
    };
  }

  private checkBindMesh(): void {
    if (!this.app.gateway.bindMesh) return;
    const hosts = this.app.gateway.hosts ?? ['*'];
    const callers = this.app.components
      .filter((c) => (c.calls ?? []).includes(this.app.entryComponent))
      .map((c) => c.name);
    if (hosts.some((h) => h.includes('*'))) {
      // The application's gateway, the same in every stage: the error names no stage.
      throw new ReleaseConfigError(
        { field: 'application.gateway.hosts' },
        `bindMesh with wildcard hosts ${hosts.join(', ')} would route every in-mesh call`,
        'Name the public hosts explicitly, or leave bindMesh off.',
      );
    }
    if (callers.length > 0) {
      throw new ReleaseConfigError(
        { component: this.app.entryComponent, field: 'application.gateway.bindMesh' },
        `the entry component is called by ${callers.join(', ')}, whose lane pinning needs its own mesh VirtualService`,
        'Leave bindMesh off.',
      );
    }
  }

  private resolveDeployments(): void {
    const deployments = this.stage.deployments ?? {};
    for (const [component, versions] of Object.entries(deployments)) {
      const at = { stage: this.s, component, field: `deployments['${component}']` };
      const spec = this.byName.get(component);
      if (!spec) {
        throw new ReleaseConfigError(
          at,
          `${show(component)} is not a component of application '${this.app.name}'`,
          `Use one of ${[...this.byName.keys()].join(', ')}.`,
        );
      }
      if (!Array.isArray(versions) || versions.length === 0) {
        throw new ReleaseConfigError(
          at,
          'no version is deployed',
          'List at least one version, or leave the component out of the stage.',
        );
      }
      const seen = new Set<string>();
      for (const version of versions) {
        assertVersion(version, at);
        if (seen.has(version)) {
          throw new ReleaseConfigError(
            at,
            `version ${show(version)} is listed twice`,
            'List each deployed version once.',
          );
        }
        seen.add(version);
        if (!spec.versions[version]) {
          throw new ReleaseConfigError(
            at,
            `version ${show(version)} is not defined`,
            `Defined versions: ${Object.keys(spec.versions).join(', ')}.`,
          );
        }
      }
      this.deployed.set(
        component,
        [...versions].sort(compareVersions).map((version) => ({
          version,
          subset: subsetName(version),
          deploymentName: deploymentName(component, version),
          serviceAccount: deploymentName(component, version),
          workload: spec.versions[version],
        })),
      );
    }
    if (!this.deployed.has(this.app.entryComponent)) {
      throw new ReleaseConfigError(
        { stage: this.s, component: this.app.entryComponent, field: 'deployments' },
        'the entry component is not deployed',
        `Deploy a version of '${this.app.entryComponent}'.`,
      );
    }
  }

  private checkEntry(): void {
    const entry = this.stage.entry ?? [];
    const targeted = checkRouteList(
      this.s,
      entry,
      'entry',
      this.app.entryComponent,
      'lane',
      new Set(this.lanes.map((l) => l.name)),
    );
    this.checkServiceRoutes();
    // A lane that only receives mirrored copies (a dark launch) is used too.
    for (const r of entry) if (r.mirror) targeted.add(r.mirror.lane);
    this.checkNoIdleLane(targeted);
    if (!this.versionRouting) this.checkWithoutVersionRouting(entry);
  }

  /** Checks each service route list: a deployed, non-entry component, under version routing. */
  private checkServiceRoutes(): void {
    for (const [component, routes] of Object.entries(this.stage.serviceRoutes ?? {})) {
      const at = { stage: this.s, component, field: `serviceRoutes['${component}']` };
      if (!this.deployed.has(component)) {
        throw new ReleaseConfigError(
          at,
          `${show(component)} is not deployed in this stage`,
          'Route calls to deployed components only.',
        );
      }
      if (component === this.app.entryComponent) {
        throw new ReleaseConfigError(
          at,
          'the entry component is routed by the entry routes',
          'Use entry for the entry component.',
        );
      }
      if (!this.versionRouting) {
        throw new ReleaseConfigError(at, 'service routes need version routing', 'Enable versionRouting.');
      }
      checkRouteList(
        this.s,
        routes,
        `serviceRoutes['${component}']`,
        component,
        'version',
        new Set(this.deployed.get(component)!.map((d) => d.version)),
      );
    }
  }

  /** Rejects the first lane that no entry route sends (or mirrors) traffic to. */
  private checkNoIdleLane(targeted: ReadonlySet<string>): void {
    const idle = this.lanes.find((l) => !targeted.has(l.name));
    if (idle) {
      throw new ReleaseConfigError(
        { stage: this.s, field: `lanes['${idle.name}']` },
        `no entry route sends (or mirrors) traffic to lane '${idle.name}'`,
        'Route to the lane, or remove it (keep idle versions in deployments only).',
      );
    }
  }

  /** Without version routing: one version per component, one lane and one default entry route. */
  private checkWithoutVersionRouting(entry: readonly EntryRouteSpec[]): void {
    const multi = [...this.deployed.entries()].find(([, v]) => v.length > 1);
    if (multi) {
      throw new ReleaseConfigError(
        { stage: this.s, component: multi[0], field: 'versionRouting' },
        `${multi[0]} runs ${multi[1].map((d) => d.version).join(' and ')} without version routing, so its Service would spread calls over all of them`,
        'Enable versionRouting, or deploy one version per component.',
      );
    }
    if (entry.length > 1 || this.lanes.length > 1) {
      throw new ReleaseConfigError(
        { stage: this.s, field: 'versionRouting' },
        'matched entry routes and several lanes need version routing',
        'Enable versionRouting, or keep a single lane and a single default route.',
      );
    }
  }

  private checkEntryPort(): number {
    const entry = this.app.entryComponent;
    const ports = new Set(
      this.deployed.get(entry)!.map((d) => d.workload.ports.find((p) => HTTP_FAMILY.has(p.protocol))?.port),
    );
    if (ports.size !== 1 || ports.has(undefined)) {
      throw new ReleaseConfigError(
        { stage: this.s, component: entry, field: 'ports' },
        `the deployed versions of the entry component expose HTTP on ${[...ports].map(String).join(', ')}`,
        'Give every version of the entry component the same first HTTP port.',
      );
    }
    return [...ports][0]!;
  }

  private servicePorts(component: string, versions: readonly DeployedVersion[]): PortSpec[] {
    const byNumber = new Map<number, PortSpec>();
    for (const d of versions) {
      for (const p of d.workload.ports) {
        const other = byNumber.get(p.port);
        if (other && (other.name !== p.name || other.protocol !== p.protocol)) {
          throw new ReleaseConfigError(
            { stage: this.s, component, field: `versions['${d.version}'].ports` },
            `port ${p.port} is '${p.name}' (${p.protocol}) here but '${other.name}' (${other.protocol}) in another deployed version`,
            'One Service port serves all versions: give the port the same name and protocol in every version.',
          );
        }
        byNumber.set(p.port, p);
      }
    }
    const ports = [...byNumber.values()].sort((a, b) => a.port - b.port);
    const names = new Set<string>();
    for (const p of ports) {
      if (names.has(p.name)) {
        throw new ReleaseConfigError(
          { stage: this.s, component, field: 'ports' },
          `port name '${p.name}' is used for two port numbers`,
          'Service port names must be unique: rename one of them.',
        );
      }
      names.add(p.name);
    }
    return ports;
  }
}
