import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { aksIstioAddOnProfile, ReleaseConfigError, ReleaseStage, renderRelease } from 'voting-mesh';
import { website, websiteStages } from '../examples/website/app';
import { cli } from './cli-support';

// Section 4 of issue 17: each bad input is one clear line (what, where, the value, how to fix).
const stageOf = (application = website, stage = websiteStages[0]) => {
  const app = Testing.app();
  return new ReleaseStage(app, { application, stage, flavour: 'gateway-api-ambient' });
};
const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
};
const withV1 = (w: object) => ({
  ...website,
  components: [
    {
      ...website.components[0],
      versions: { ...website.components[0].versions, v1: { ...website.components[0].versions.v1, ...w } },
    },
  ],
});

describe('release data', () => {
  test('GIVEN two stages with one name THEN one ReleaseConfigError line naming the stage', () => {
    const e = errorOf(() => {
      const app = Testing.app();
      for (let i = 0; i < 2; i++) new ReleaseStage(app, { application: website, stage: websiteStages[0] });
    });
    expect(e).toBeInstanceOf(ReleaseConfigError);
    expect(e.message).toBe(
      `stage '01-header-canary', field 'name': the stage name "01-header-canary" is used twice. Give each stage of the release a unique name.`,
    );
  });

  test('GIVEN a component named constructor THEN one line says the name is reserved', () => {
    const c = { ...website.components[0], name: 'constructor' };
    const e = errorOf(() => stageOf({ ...website, entryComponent: 'constructor', components: [c] }));
    expect(e).toBeInstanceOf(ReleaseConfigError);
    expect(e.message).toMatch(
      /component 'constructor', field 'name': the name 'constructor' is reserved .* Choose another name\.$/,
    );
  });

  test('GIVEN NaN replicas THEN the message shows NaN, not null', () => {
    expect(errorOf(() => stageOf(withV1({ replicas: NaN }))).message).toMatch(/replicas NaN is not a whole number/);
  });

  test.each([
    ['a newline', 'nginx:1\nx', /contains a space, a control character or a non-ASCII character/],
    ['a space', 'ngi nx:1.2', /contains a space/],
    ['non-ASCII', 'ngïnx:1.2', /non-ASCII/],
    ['an upper-case repository', 'docker.io/Library/nginx:1.2', /repository path part 'Library'/],
    ['a bad digest', 'nginx@sha256:xyz', /has the digest 'sha256:xyz'/],
  ])('GIVEN an image with %s THEN it is rejected in one line', (_, image, why) => {
    const e = errorOf(() => stageOf(withV1({ image })));
    expect(e).toBeInstanceOf(ReleaseConfigError);
    expect(e.message).toMatch(why);
    expect(e.message).not.toMatch(/\n/);
  });

  test('GIVEN registry hosts with ports and digests THEN valid references pass', () => {
    expect(() =>
      stageOf(withV1({ image: 'Registry.Example.com:5000/team/app_x@sha256:' + 'a'.repeat(64) })),
    ).not.toThrow();
  });

  test('GIVEN a bad AKS revision THEN a ReleaseConfigError (runSynth prints it as one line)', () => {
    const e = errorOf(() => aksIstioAddOnProfile({ revision: '1.26' }));
    expect(e).toBeInstanceOf(ReleaseConfigError);
    expect(e.message).toBe(
      "field 'installation.revision': AKS Istio add-on revision '1.26' is not of the form asm-1-<minor> (e.g. asm-1-26). See az aks mesh get-revisions.",
    );
  });

  test('GIVEN a description with Markdown and HTML THEN RELEASE.md shows it as literal text', () => {
    const stage = { ...websiteStages[0], description: '# Title\n<script>alert(1)</script> [x](http://e) *b* `c`' };
    const notes = renderRelease([stageOf(website, stage)]).find((f) => f.file === 'RELEASE.md')!.content;
    expect(notes).toContain('\\# Title \\<script\\>alert(1)\\</script\\> \\[x\\](http://e) \\*b\\* \\`c\\`\n');
    expect(notes).not.toContain('<script>');
  });
});

describe('command line', () => {
  test('GIVEN a YAML file with a circular alias THEN validate -f fails in one line, no stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-alias-'));
    writeFileSync(join(dir, 'c.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &a\n  b: *a\n');
    const r = await cli(['validate', '-f', join(dir, 'c.yaml')]);
    rmSync(dir, { recursive: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*c\.yaml.*\n(usage: .*\n)?$/);
  });

  test.each([['1e3'], ['0x50'], ['+80'], ['80.0']])(
    'GIVEN --port %s THEN a usage error: decimal digits only',
    async (port) => {
      const r = await cli(['explain', '01-header-canary', '--dist', 'examples/website/dist', '--port', port]);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(
        `error: malformed --port '${port}': expected a port number 1-65535, written in decimal digits only`,
      );
    },
  );

  test('GIVEN --header twice with one name THEN a usage error instead of keeping the last', async () => {
    const r = await cli([
      'explain',
      '01-header-canary',
      '--dist',
      'examples/website/dist',
      '--header',
      'qa=1',
      '--header',
      'QA=2',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --header qa is given twice \('1' and '2'\): give it once/);
  });
});
