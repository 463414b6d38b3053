import { assertConstructId, ReleaseConfigError, show } from '../model/errors';
import { assertDnsLabel, assertVersion, deploymentName, subsetName } from '../model/names';
import { validateInstallation } from './installation-checks';
import type { ApplicationSpec, ComponentSpec } from '../model/spec';
import { validateWorkload } from './validate-workload';

/**
 * Checks an application's data on its own (names, images, ports, identities, resources),
 * independently of any stage. Throws a {@link ReleaseConfigError} at the first problem.
 */
export function validateApplication(app: ApplicationSpec, stage?: string): void {
  assertDnsLabel(app.name, { stage, field: 'application.name' });
  assertDnsLabel(app.namespace, { stage, field: 'application.namespace' });
  assertDnsLabel(app.gateway.name, { stage, field: 'application.gateway.name' }, 253);
  validateInstallation(app, stage);
  const names = new Set<string>();
  for (const component of app.components) {
    const at = { stage, component: component.name, field: 'name' };
    assertDnsLabel(component.name, at);
    assertConstructId(component.name, at);
    if (names.has(component.name)) {
      throw new ReleaseConfigError(
        at,
        `component ${show(component.name)} is defined twice`,
        'Give each component a unique name.',
      );
    }
    names.add(component.name);
  }
  if (!names.has(app.entryComponent)) {
    throw new ReleaseConfigError(
      { stage, field: 'application.entryComponent' },
      `entry component ${show(app.entryComponent)} is not a component`,
      `Use one of ${[...names].join(', ')}.`,
    );
  }
  for (const component of app.components) {
    validateComponent(component, names, stage);
  }
}

/** Checks one component: its calls, its versions' spellings, and each version's workload and calls. */
function validateComponent(component: ComponentSpec, names: Set<string>, stage?: string): void {
  for (const callee of component.calls ?? []) {
    if (!names.has(callee) || callee === component.name) {
      throw new ReleaseConfigError(
        { stage, component: component.name, field: 'calls' },
        `${show(callee)} is not another component of the application`,
        `Use one of ${[...names].filter((n) => n !== component.name).join(', ')}.`,
      );
    }
  }
  const versions = Object.keys(component.versions);
  if (versions.length === 0) {
    throw new ReleaseConfigError(
      { stage, component: component.name, field: 'versions' },
      'the component has no versions',
      'Define at least one version.',
    );
  }
  // Two spellings of one version (`1.0` and `v1.0`) would share a subset or a Deployment name.
  const byName = new Map<string, string>();
  for (const version of versions) {
    assertVersion(version, { stage, component: component.name, field: `versions['${version}']` });
    for (const name of [`subset ${subsetName(version)}`, `Deployment ${deploymentName(component.name, version)}`]) {
      const other = byName.get(name);
      if (other !== undefined) {
        throw new ReleaseConfigError(
          { stage, component: component.name, field: `versions['${version}']` },
          `versions '${other}' and '${version}' both become ${name}`,
          'Spell every version of a component one way (e.g. 1.0 and 2.0, or v1 and v2).',
        );
      }
      byName.set(name, version);
    }
  }
  for (const version of versions) {
    validateWorkload(
      component.versions[version],
      { stage, component: component.name, field: `versions['${version}']` },
      version,
    );
    for (const callee of component.versions[version].calls ?? []) {
      if (!(component.calls ?? []).includes(callee)) {
        throw new ReleaseConfigError(
          { stage, component: component.name, field: `versions['${version}'].calls` },
          `${show(callee)} is not among the component's calls (${(component.calls ?? []).join(', ') || 'none'})`,
          "A version calls a subset of its component's calls: add it to the component's calls first.",
        );
      }
    }
  }
}
