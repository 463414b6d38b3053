import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import * as api from 'voting-mesh';

const ROOT = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'dist' || entry === 'node_modules') return [];
    return statSync(join(ROOT, path)).isDirectory() ? sources(path) : entry.endsWith('.ts') ? [path] : [];
  });
}

describe('the package', () => {
  test('GIVEN package.json THEN it is a publishable package whose only entry points are the library, the cdk8s plugin and package.json', () => {
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.exports)).toEqual(['.', './cdk8s-plugin', './package.json']);
    expect(pkg.exports['.']).toEqual({ types: './out/lib/index.d.ts', default: './out/lib/index.js' });
    expect(pkg.exports['./cdk8s-plugin']).toEqual({
      types: './out/cli/cdk8s-plugin.d.ts',
      default: './out/cli/cdk8s-plugin.js',
    });
    expect([pkg.main, pkg.types, pkg.bin['voting-mesh']]).toEqual([
      'out/lib/index.js',
      'out/lib/index.d.ts',
      'out/cli/main.js',
    ]);
    expect(
      pkg.files.every((f: string) =>
        /^(out\/(lib|imports|cli)\/|schemas\/|templates\/app\/\*$|README\.md$|LICENSE$)/.test(f),
      ),
    ).toBe(true);
  });

  test('GIVEN package.json THEN it carries no jest configuration (jest.config.js, which is not packed, does)', () => {
    expect(pkg.jest).toBeUndefined();
    expect(pkg.files.some((f: string) => f.includes('jest'))).toBe(false);
  });

  test("GIVEN the cdk8s stack THEN it is a peer dependency (one copy in the consumer's app) and a dev dependency here", () => {
    for (const name of ['cdk8s', 'cdk8s-plus-27', 'constructs']) {
      expect(pkg.peerDependencies[name]).toBe(`^${pkg.devDependencies[name]}`);
      expect(pkg.dependencies?.[name]).toBeUndefined();
    }
  });

  test('GIVEN the main entry THEN it exposes no voting symbol and none of the internal helpers', () => {
    const names = Object.keys(api);
    expect(names.filter((n) => /voting/i.test(n))).toEqual([]);
    for (const internal of [
      'toYaml',
      'scalarString',
      'joinPath',
      'isObject',
      'ManifestIndex',
      'checkStage',
      'deriveComponents',
      'httpRoutes',
      'istioKinds',
      'assertReplaceable',
      'byKind',
    ]) {
      expect(names).not.toContain(internal);
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'ReleaseStage',
        'RolloutStage',
        'TrafficSimulator',
        'analyzeMesh',
        'explainRequest',
        'planTransition',
        'checkTransition',
        'renderRelease',
        'runSynth',
      ]),
    );
  });

  test.each(['voting', 'examples', 'docs', 'bench', 'templates', 'main.ts'])(
    'GIVEN %s THEN it uses the library only through the package name, as a consumer does',
    (dir) => {
      const files = dir.endsWith('.ts') ? [dir] : sources(dir);
      expect(files.length).toBeGreaterThan(0);
      const reaching = files
        .filter((f) => /from '(\.\.\/)+(lib|cli|imports)(\/|')/.test(readFileSync(join(ROOT, f), 'utf8')))
        .map((f) => relative(ROOT, join(ROOT, f)));
      expect(reaching).toEqual([]);
    },
  );

  test("GIVEN tsconfig.json THEN `voting-mesh` resolves to the source of the package's main entry", () => {
    const tsconfig = readFileSync(join(ROOT, 'tsconfig.json'), 'utf8');
    expect(tsconfig).toContain('"voting-mesh": ["./lib/index.ts"]');
    expect(require('../jest.config.js').moduleNameMapper['^voting-mesh$']).toBe('<rootDir>/lib/index.ts');
    expect(pkg.exports['.'].default.replace(/^\.\/out\//, '').replace(/\.js$/, '.ts')).toBe('lib/index.ts');
  });
});

describe('the guide for platform teams', () => {
  test('GIVEN docs/constructs.md THEN it shows the consumer app that CI installs and runs, verbatim', () => {
    const guide = readFileSync(join(ROOT, 'docs', 'constructs.md'), 'utf8');
    const section = guide.slice(guide.indexOf('## A two-service app, from zero to the first synth'));
    const app = readFileSync(join(ROOT, 'scripts', 'consumer-app', 'main.ts'), 'utf8');
    expect(section).toContain(`\`\`\`ts\n${app}\`\`\``);
  });
});
