import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { aksIstioAddOnProfile, renderReleaseNotes, ApplicationSpec, ReleaseConfigError, ReleaseStage, StageSpec } from 'voting-mesh';
import { markdownText } from '../lib/release/release-notes';
import { votingApplication, votingStages } from '../voting';
import { cli } from './cli-support';
import { testApp, votingManifests } from './support';

// Each bad input gets one line: what, where, the value, how to fix (no stack trace, no second line).
const first = votingStages[0];

function errorOf(build: () => void): Error {
  try {
    build();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

const stageOf = (application: ApplicationSpec, stage: StageSpec = first) => () => new ReleaseStage(testApp(), { application, stage });
const withWorkload = (change: Record<string, unknown>): ApplicationSpec => ({
  ...votingApplication,
  components: votingApplication.components.map((c, i) => (i === 0 ? { ...c, versions: Object.fromEntries(Object.entries(c.versions).map(([v, w]) => [v, { ...w, ...change }])) } : c)),
});

describe('release data: one ReleaseConfigError line', () => {
  test('GIVEN two stages with one name in one app THEN one line names the stage name, not a construct stack trace', () => {
    const app = testApp();
    new ReleaseStage(app, { application: votingApplication, stage: first });
    const err = errorOf(() => new ReleaseStage(app, { application: votingApplication, stage: first }));
    expect(err).toBeInstanceOf(ReleaseConfigError);
    expect(err.message).toBe(`stage '${first.name}', field 'name': the stage name "${first.name}" is used twice. Give each stage of the release a unique name.`);
  });

  test('GIVEN a component named constructor THEN one line says the name is reserved', () => {
    const c = votingApplication.components[0];
    const err = errorOf(stageOf({ ...votingApplication, components: [{ ...c, name: 'constructor' }, ...votingApplication.components.slice(1)] }));
    expect(err).toBeInstanceOf(ReleaseConfigError);
    expect(err.message).toMatch(/component 'constructor', field 'name': the name 'constructor' is reserved .* Choose another name\.$/);
  });

  test('GIVEN a bad AKS revision THEN a ReleaseConfigError line when the profile is made (never at module load)', () => {
    const err = errorOf(() => aksIstioAddOnProfile({ revision: '1.26' }));
    expect(err).toBeInstanceOf(ReleaseConfigError);
    expect(err.message).toBe("field 'installation.revision': AKS Istio add-on revision '1.26' is not of the form asm-1-<minor> (e.g. asm-1-26). See az aks mesh get-revisions.");
  });

  test('GIVEN NaN replicas THEN the message shows NaN, not null', () => {
    const err = errorOf(stageOf(withWorkload({ replicas: NaN })));
    expect(err.message).toMatch(/replicas NaN is not a whole number/);
  });

  test.each([
    ['a newline', 'redis:7.2.4\nx', 'contains a space, a control character or a non-ASCII character'],
    ['a space', 'red is:7.2.4', 'contains a space'],
    ['a non-ASCII character', 'rédis:7.2.4', 'non-ASCII character'],
    ['an upper-case repository', 'docker.io/Library/redis:7.2.4', "has the repository path part 'Library'"],
    ['a bad tag', 'redis:-7', "has the tag '-7'"],
  ])('GIVEN an image reference with %s THEN it is refused in one line', (_, image, why) => {
    const err = errorOf(stageOf(withWorkload({ image })));
    expect(err).toBeInstanceOf(ReleaseConfigError);
    expect(err.message).toContain(why);
    expect(err.message).toContain('.image');
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('GIVEN valid references with a registry port and a digest THEN they are accepted', () => {
    expect(() => stageOf(withWorkload({ image: `registry.example.com:5000/team/app@sha256:${'a'.repeat(64)}` }))()).not.toThrow();
  });
});

describe('RELEASE.md: a stage description is text, never Markdown or HTML', () => {
  test.each([
    ['HTML', 'fine <img src=x onerror=alert(1)>', 'fine \\<img src=x onerror=alert(1)\\>'],
    ['a link and emphasis', '[click](http://evil) *now*', '\\[click\\](http://evil) \\*now\\*'],
    ['a heading on a new line', 'first\n# Approved', 'first # Approved'],
    ['a heading at the start', '# Approved', '\\# Approved'],
    ['a leading list marker', '- approved', '\\- approved'],
  ])('GIVEN a description with %s THEN it is escaped into one paragraph', (_, description, rendered) => {
    expect(markdownText(description)).toBe(rendered);
    const notes = renderReleaseNotes([{ name: first.name, description, manifests: votingManifests().get(first.name)! }]);
    expect(notes).toContain(`\n\n${rendered}\n\n`);
  });
});

describe('CLI numbers and repeated options', () => {
  test.each([['1e3'], ['0x50'], ['+80'], ['80.0'], ['']])('GIVEN --port %j THEN a usage error (decimal digits only)', async (port) => {
    const r = await cli(['explain', '03', '--port', port]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: malformed --port '${port.replace(/[.+]/g, '\\$&')}': expected a port number 1-65535`));
  });

  test('GIVEN --to with port 0x50 written as digits only THEN the port is checked as a decimal number', async () => {
    const r = await cli(['explain', '03', '--from', 'voting-app', '--to', 'voting-storage:99999']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: malformed --to port '99999': expected a port number 1-65535/);
  });

  test('GIVEN --header twice with one name THEN a usage error instead of silently keeping the last', async () => {
    const r = await cli(['explain', '03', '--header', 'x-user=a', '--header', 'X-User=b']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --header x-user is given twice \('a' and 'b'\)/);
  });
});

describe('YAML input', () => {
  let scratch: string;
  beforeEach(() => { scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-lines-')); });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('GIVEN a circular alias THEN one line, no stack trace', async () => {
    writeFileSync(join(scratch, 'loop.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: &x\n  self: *x\n');
    const r = await cli(['validate', '-f', 'loop.yaml'], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: loop\.yaml /);
  });
});
