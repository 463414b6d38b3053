import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { PLUGIN_CLASS, PLUGIN_PATH } from '../cli/commands/init';
import { projectConfig } from '../cli/project-config';
import { cli, ROOT } from './cli-support';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const WRITTEN = [
  '.gitignore',
  'cdk8s.yaml',
  'jest.config.js',
  'main.test.ts',
  'main.ts',
  'package.json',
  'tsconfig.json',
];

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-init-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('voting-mesh init', () => {
  test('GIVEN a new directory WHEN init runs THEN it writes the app there and says what to run next', async () => {
    const result = await cli(['init', 'my-shop'], scratch);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(readdirSync(join(scratch, 'my-shop')).sort()).toEqual(WRITTEN);
    expect(result.stdout).toContain(
      `wrote package.json, cdk8s.yaml, main.ts, main.test.ts, tsconfig.json, jest.config.js, .gitignore into my-shop\nnext:\n  cd my-shop\n  npm install\n`,
    );
    for (const [template, file] of [
      ['main.ts', 'main.ts'],
      ['main.test.ts', 'main.test.ts'],
      ['tsconfig.json', 'tsconfig.json'],
      ['jest.config.js', 'jest.config.js'],
      ['gitignore', '.gitignore'],
    ]) {
      expect(readFileSync(join(scratch, 'my-shop', file), 'utf8')).toBe(
        readFileSync(join(ROOT, 'templates', 'app', template), 'utf8'),
      );
    }
  });

  test("GIVEN init's package.json THEN cdk8s, its plus library, constructs, typescript and jest are pinned to exactly the versions this package is built with", async () => {
    await cli(['init', 'app'], scratch);
    const app = JSON.parse(readFileSync(join(scratch, 'app', 'package.json'), 'utf8'));
    expect(app.name).toBe('app');
    for (const name of ['cdk8s', 'cdk8s-plus-27', 'constructs'])
      expect(app.dependencies[name]).toBe(pkg.devDependencies[name]);
    for (const name of ['typescript', 'jest', '@types/jest', '@types/node'])
      expect(app.devDependencies[name]).toBe(pkg.devDependencies[name]);
    expect(
      Object.values({ ...app.dependencies, ...app.devDependencies }).filter(
        (v) => !/^\d+\.\d+\.\d+$/.test(v as string),
      ),
    ).toEqual([`^${pkg.version}`]);
    expect(app.dependencies['voting-mesh']).toBe(`^${pkg.version}`);
    expect(app.scripts).toEqual({
      synth: 'voting-mesh synth',
      validate: 'voting-mesh validate',
      test: 'jest',
      typecheck: 'tsc --noEmit',
    });
  });

  test("GIVEN init's cdk8s.yaml THEN voting-mesh synth reads its app and output, and cdk8s loads the plugin this package exports", async () => {
    await cli(['init', 'app'], scratch);
    const config = projectConfig(join(scratch, 'app'));
    expect([config.app, config.output]).toEqual(['npx ts-node main.ts', 'dist']);
    const yaml = parse(readFileSync(join(scratch, 'app', 'cdk8s.yaml'), 'utf8'));
    expect(yaml.validations).toEqual([{ package: PLUGIN_PATH, class: PLUGIN_CLASS, version: pkg.version }]);
    // cdk8s takes a path starting with ./ as a local plugin; it is the file the package exports as voting-mesh/cdk8s-plugin.
    expect(PLUGIN_PATH).toBe(
      `./node_modules/voting-mesh/${pkg.exports['./cdk8s-plugin'].default.replace(/^\.\//, '')}`,
    );
    expect(Object.keys(require('../cli/cdk8s-plugin'))).toContain(PLUGIN_CLASS);
  });

  test('GIVEN --source with the packed tarball WHEN init runs THEN package.json installs voting-mesh from that file, relative to the app', async () => {
    writeFileSync(join(scratch, 'voting-mesh-0.2.0.tgz'), '');
    const result = await cli(['init', 'apps/shop', '--source', 'voting-mesh-0.2.0.tgz'], scratch);
    expect(result.code).toBe(0);
    expect(
      JSON.parse(readFileSync(join(scratch, 'apps', 'shop', 'package.json'), 'utf8')).dependencies['voting-mesh'],
    ).toBe('file:../../voting-mesh-0.2.0.tgz');
    expect(result.stdout).not.toContain('installed from the registry');
  });

  test('GIVEN --source naming a tarball that does not exist THEN init refuses it (exit 2) and writes nothing', async () => {
    const result = await cli(['init', 'shop', '--source', '../voting-mesh-0.2.0.tgz'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      'error: --source ../voting-mesh-0.2.0.tgz: no such file or directory (give the packed tarball, e.g. voting-mesh-0.2.0.tgz, or a version range)',
    );
    expect(existsSync(join(scratch, 'shop'))).toBe(false);
  });

  test('GIVEN --source naming a checkout (a directory) THEN init refuses it (exit 2): npm would link it, with its own cdk8s', async () => {
    mkdirSync(join(scratch, 'voting-mesh'));
    const result = await cli(['init', 'shop', '--source', 'voting-mesh'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(
      "error: --source voting-mesh is a directory: npm would link it, and its own copy of cdk8s would load beside the app's. Run npm pack there and give the .tgz",
    );
    expect(existsSync(join(scratch, 'shop'))).toBe(false);
  });

  test('GIVEN a directory that is not empty WHEN init runs THEN it refuses in one line (exit 2) and leaves every file as it was', async () => {
    mkdirSync(join(scratch, 'shop'));
    writeFileSync(join(scratch, 'shop', 'main.ts'), '// mine\n');
    const result = await cli(['init', 'shop'], scratch);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: refusing to write into shop: it is not empty (main.ts); give a new or empty directory (voting-mesh init <dir>)\n',
    });
    expect(readdirSync(join(scratch, 'shop'))).toEqual(['main.ts']);
    expect(readFileSync(join(scratch, 'shop', 'main.ts'), 'utf8')).toBe('// mine\n');
  });

  test('GIVEN no directory WHEN the current one is empty THEN init writes there; WHEN it is not THEN it is refused', async () => {
    const first = await cli(['init'], scratch);
    expect(first.code).toBe(0);
    expect(readdirSync(scratch).sort()).toEqual(WRITTEN);
    expect(first.stdout).not.toContain('  cd ');
    const again = await cli(['init'], scratch);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(
      'error: refusing to write into .: it is not empty (.gitignore, cdk8s.yaml, jest.config.js, and 4 more); give a new or empty directory (voting-mesh init <dir>)\n',
    );
  });

  test('GIVEN docs/getting-started.md THEN it shows the plugin entry init writes, and every file init writes', async () => {
    await cli(['init', 'app'], scratch);
    const guide = readFileSync(join(ROOT, 'docs', 'getting-started.md'), 'utf8');
    const entry = /```yaml\n([\s\S]*?)```/.exec(guide)![1];
    expect(readFileSync(join(scratch, 'app', 'cdk8s.yaml'), 'utf8')).toContain(entry);
    for (const file of WRITTEN) expect(guide).toContain(`\`${file}\``);
  });

  test('GIVEN a file WHEN init is given it THEN it refuses in one line (exit 2)', async () => {
    writeFileSync(join(scratch, 'notes.txt'), 'x');
    expect(await cli(['init', 'notes.txt'], scratch)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: notes.txt is a file, not a directory: give a new or empty directory (voting-mesh init <dir>)\n',
    });
  });
});
