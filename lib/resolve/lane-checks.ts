import { ReleaseConfigError, show } from '../model/errors';
import { assertDnsLabel } from '../model/names';
import type { ApplicationSpec, ComponentSpec, LaneSpec, StageSpec } from '../model/spec';
import type { DeployedVersion } from './resolved-stage';

// The checks of a stage's lanes (names, versions, reachability, pinning), split out of stage-checks.ts:
// run by its StageChecker after the deployments are resolved, in the same order, with the same errors.

/** What the lane checks read: the application, the stage, its deployed versions and its lanes. */
export interface LaneCheckInput {
  readonly app: ApplicationSpec;
  readonly stage: StageSpec;
  /** Components by name. */
  readonly byName: ReadonlyMap<string, ComponentSpec>;
  /** Deployed versions per component. */
  readonly deployed: ReadonlyMap<string, readonly DeployedVersion[]>;
  readonly lanes: readonly LaneSpec[];
}

/** Every lane is named once, pins only deployed, lane-routed components, and names a version of each component its entry reaches. */
export function checkLanes(c: LaneCheckInput): void {
  const s = c.stage.name;
  if (c.lanes.length === 0) {
    throw new ReleaseConfigError(
      { stage: s, field: 'lanes' },
      'the stage defines no lane',
      'Define at least one lane of component versions.',
    );
  }
  const names = new Set<string>();
  c.lanes.forEach((lane, i) => {
    const field = `lanes[${i}]`;
    assertDnsLabel(lane.name, { stage: s, field: `${field}.name` });
    if (names.has(lane.name)) {
      throw new ReleaseConfigError(
        { stage: s, field: `${field}.name` },
        `lane ${show(lane.name)} is defined twice`,
        'Give each lane a unique name.',
      );
    }
    names.add(lane.name);
    for (const [component, version] of Object.entries(lane.versions)) {
      const at = { stage: s, component, field: `${field}.versions['${component}']` };
      const running = c.deployed.get(component);
      if (!c.byName.has(component)) {
        throw new ReleaseConfigError(
          at,
          `${show(component)} is not a component`,
          `Use one of ${[...c.byName.keys()].join(', ')}.`,
        );
      }
      if (!running || !running.some((d) => d.version === version)) {
        throw new ReleaseConfigError(
          at,
          `lane '${lane.name}' routes to version ${show(version)}, which is not deployed in this stage`,
          `Add it to deployments['${component}'] (deployed: ${running ? running.map((d) => d.version).join(', ') : 'none'}) or route to a deployed version.`,
        );
      }
      // serviceRoutes take precedence over lanes for calls to a component: a lane pin would be ignored.
      if (serviceRouted(c, component)) {
        throw new ReleaseConfigError(
          at,
          `lane '${lane.name}' pins ${component} to version ${show(version)}, but serviceRoutes['${component}'] routes every call to ${component} (service routes take precedence over lanes)`,
          `Remove '${component}' from lane '${lane.name}', or remove serviceRoutes['${component}'] to route it by lane.`,
        );
      }
    }
    const missing = reachable(c, lane).filter((n) => lane.versions[n] === undefined && !serviceRouted(c, n));
    if (missing.length > 0) {
      throw new ReleaseConfigError(
        { stage: s, component: missing[0], field: `${field}.versions` },
        `lane '${lane.name}' does not say which version of '${missing[0]}' its callers use`,
        `Add '${missing[0]}' to the lane: every component the entry component reaches through 'calls' needs a version in each lane.`,
      );
    }
  });
}

/** Whether calls to `component` are routed by the stage's serviceRoutes rather than by lanes. */
function serviceRouted(c: LaneCheckInput, component: string): boolean {
  return (c.stage.serviceRoutes ?? {})[component] !== undefined;
}

/** Components reachable from the entry component through `calls`, in discovery order. */
function reachable(c: LaneCheckInput, lane: LaneSpec): string[] {
  const order: string[] = [];
  const visit = (name: string): void => {
    if (order.includes(name)) return;
    order.push(name);
    if (lane.versions[name] === undefined || serviceRouted(c, name)) return;
    for (const callee of c.byName.get(name)?.calls ?? []) visit(callee);
  };
  visit(c.app.entryComponent);
  return order;
}

/** Calls stay in lane by the caller's version, so a caller version must pin each callee to one version. */
export function checkPinning(c: LaneCheckInput): void {
  const s = c.stage.name;
  const pins = new Map<string, { lane: string; version: string }>();
  for (const lane of c.lanes) {
    for (const [caller, callerVersion] of Object.entries(lane.versions)) {
      for (const callee of c.byName.get(caller)?.calls ?? []) {
        const version = lane.versions[callee];
        if (version === undefined) continue;
        const key = `${caller}@${callerVersion}->${callee}`;
        const earlier = pins.get(key);
        if (earlier && earlier.version !== version) {
          throw new ReleaseConfigError(
            { stage: s, component: callee, field: `lanes['${lane.name}'].versions['${callee}']` },
            `lanes '${earlier.lane}' and '${lane.name}' both run ${caller} ${callerVersion} but send it to ${callee} ${earlier.version} and ${version}`,
            `Routing pins calls by the caller's version (sourceLabels): give the lanes different ${caller} versions or the same ${callee} version.`,
          );
        }
        pins.set(key, earlier ?? { lane: lane.name, version });
      }
    }
  }
}
