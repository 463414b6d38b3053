import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
// Types only: cdk8s-cli's package exports allow no deep import at run time.
import type { Validation, ValidationContext } from 'cdk8s-cli/lib/plugins';
import { renderRelease } from 'voting-mesh';
import type { Cdk8sValidationContext, Cdk8sViolation } from '../cli/cdk8s-plugin';
import { VotingMeshValidation } from '../cli/cdk8s-plugin';
import { buildRelease } from '../templates/app/main';
import { cli, ROOT } from './cli-support';
import { testApp } from './support';

// cdk8s' own plugin loader, as `cdk8s synth` runs it (cdk8s-cli exports only the plugin types).
const { PluginManager } = require(join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', '_manager.js'));
const { ValidationPlugin } = require(join(ROOT, 'node_modules', 'cdk8s-cli', 'lib', 'plugins', 'validation.js'));

let app: string;
beforeEach(() => {
  app = mkdtempSync(join(tmpdir(), 'voting-mesh-cdk8s-plugin-'));
});
afterEach(() => rmSync(app, { recursive: true, force: true }));

/** Writes the init template's release, both flavours, as synth writes it: dist/ and dist/gateway-api-ambient/. */
function writeRelease(): string[] {
  const files = renderRelease(buildRelease(testApp(), ['istio-sidecar', 'gateway-api-ambient']));
  for (const f of files) {
    mkdirSync(dirname(join(app, 'dist', f.file)), { recursive: true });
    writeFileSync(join(app, 'dist', f.file), f.content);
  }
  return files.filter((f) => f.file.endsWith('.yaml')).map((f) => join('dist', f.file));
}

/** Runs the plugin the way `cdk8s synth` does: loaded by path with cdk8s.yaml's entry, given cdk8s' context for the manifests. */
async function cdk8sValidate(manifests: string[], properties: Record<string, unknown> = {}) {
  const cwd = process.cwd();
  process.chdir(app);
  try {
    const entry = {
      package: join(ROOT, 'cli', 'cdk8s-plugin.ts'),
      class: 'VotingMeshValidation',
      version: '0.2.0',
      properties,
    };
    const { plugin, context } = ValidationPlugin.load(
      entry,
      { manifests },
      false,
      new PluginManager(join(app, '.plugins')),
    );
    await plugin.validate(context);
    return { json: context.report.toJson(), text: context.report.toString() as string };
  } finally {
    process.chdir(cwd);
  }
}

/** The fields of validate -o json that a violation carries. */
function asMessages(
  violations: readonly (Omit<Cdk8sViolation, 'violatingResources'> & {
    violatingConstructs: Cdk8sViolation['violatingResources'];
  })[],
) {
  return violations.map((v) => {
    const [, code, level, stage] = /^(\S+) \S* ?\((\w+)\) in (.+)$/.exec(v.ruleName)!;
    const accepted = /^Accepted \((.*)\): nothing to do\.$/.exec(v.fix)?.[1];
    return {
      code,
      level,
      origin: v.violatingConstructs[0].resourceName,
      field: v.violatingConstructs[0].locations[0],
      message: v.recommendation,
      stage,
      ...(accepted ? { accepted } : {}),
    };
  });
}

describe('the cdk8s validation plugin', () => {
  test("GIVEN the plugin class THEN it implements cdk8s-cli's Validation contract (npm run typecheck checks this assignment)", () => {
    const plugin: Validation = new VotingMeshValidation();
    const given = (context: ValidationContext): Cdk8sValidationContext => context;
    expect(typeof given).toBe('function');
    expect(typeof plugin.validate).toBe('function');
    expect(() => new VotingMeshValidation({ failureTreshold: 'Warning' } as never)).toThrow(
      "voting-mesh cdk8s plugin: unknown property 'failureTreshold' (properties: failureThreshold, profile, clusterDomain, trustDomain, ingressPrincipal)",
    );
  });

  test('GIVEN a good release in both flavours WHEN cdk8s runs the plugin THEN both directories and every stage are checked, and the report succeeds', async () => {
    const manifests = writeRelease();
    const { json, text } = await cdk8sValidate(manifests);
    const validated = await Promise.all(
      ['dist', 'dist/gateway-api-ambient'].map((d) => cli(['validate', '--dist', d, '-o', 'json'], app)),
    );
    expect(validated.map((v) => v.code)).toEqual([0, 0]);
    expect(json.summary.status).toBe('success');
    expect(json.summary.metadata.Checked).toBe(
      '4 stage(s) in dist, dist/gateway-api-ambient, and the transitions between them',
    );
    // Only advice and warnings (the ambient flavour's waypoint policy), and exactly validate's.
    expect(asMessages(json.violations)).toEqual(validated.flatMap((v) => JSON.parse(v.stdout)));
    expect(json.violations.filter((v: { ruleName: string }) => v.ruleName.includes('(Error)'))).toEqual([]);
    expect(text).toMatch(/^Validation Report \(.*cli\/cdk8s-plugin\.ts@0\.2\.0\)/);
  });

  test('GIVEN a bad stage WHEN cdk8s runs the plugin THEN it fails, reporting exactly the messages voting-mesh validate gives for that directory', async () => {
    const manifests = writeRelease();
    const canary = join(app, 'dist', '02-canary.k8s.yaml');
    // A route to a subset no DestinationRule defines, and a field the VirtualService schema does not have.
    const good = readFileSync(canary, 'utf8');
    const unknownSubset = good.replace('subset: v2-0', 'subset: v9-9');
    const bad = unknownSubset.replace(
      /^kind: VirtualService\nmetadata:\n/m,
      'kind: VirtualService\nmetadata:\n  colour: red\n',
    );
    expect([unknownSubset === good, bad === unknownSubset]).toEqual([false, false]);
    writeFileSync(canary, bad);
    const { json, text } = await cdk8sValidate(manifests);
    const validated = await cli(['validate', '--dist', 'dist', '-o', 'json'], app);
    expect(validated.code).toBe(1);
    const ambient = await cli(['validate', '--dist', 'dist/gateway-api-ambient', '-o', 'json'], app);
    const expected = [...JSON.parse(validated.stdout), ...JSON.parse(ambient.stdout)];
    expect(expected.map((m: { code: string }) => m.code)).toEqual(expect.arrayContaining(['VM0100', 'IST0101']));
    expect(json.summary.status).toBe('failure');
    expect(asMessages(json.violations)).toEqual(expected);
    expect(json.violations[0].violatingConstructs[0].manifestPath).toBe(join('dist', '02-canary.k8s.yaml'));
    expect(text).toContain(`  Recommendation: ${expected[0].message}`);
    expect(json.summary.metadata.Errors).toBe(
      String(expected.filter((m: { level: string }) => m.level === 'Error').length),
    );
  });

  test('GIVEN failureThreshold Warning in properties WHEN the only Warning is accepted (the ambient waypoint policy) THEN the report succeeds; WHEN nothing accepts it THEN it fails, as validate --failure-threshold Warning does', async () => {
    const manifests = writeRelease();
    const accepted = await cli(
      ['validate', '--dist', 'dist/gateway-api-ambient', '--failure-threshold', 'Warning'],
      app,
    );
    expect(accepted.code).toBe(0);
    expect((await cdk8sValidate(manifests, { failureThreshold: 'Warning' })).json.summary.status).toBe('success');
    rmSync(join(app, 'dist', 'gateway-api-ambient', 'accepted-findings.json'));
    const validated = await cli(
      ['validate', '--dist', 'dist/gateway-api-ambient', '--failure-threshold', 'Warning'],
      app,
    );
    expect(validated.code).toBe(1);
    const { json } = await cdk8sValidate(manifests, { failureThreshold: 'Warning' });
    expect(json.summary.status).toBe('failure');
  });

  test("GIVEN a stage file that is not YAML WHEN cdk8s runs the plugin THEN the report fails with validate's one line for it", async () => {
    const manifests = writeRelease();
    writeFileSync(join(app, 'dist', '01-stable.k8s.yaml'), 'kind: [\n');
    const { json } = await cdk8sValidate(manifests);
    expect(json.summary.status).toBe('failure');
    expect(json.violations[0].ruleName).toBe('voting-mesh could not validate dist');
    expect(json.violations[0].recommendation).toMatch(/^dist\/01-stable\.k8s\.yaml/);
  });
});
