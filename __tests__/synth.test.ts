import { createHash } from 'crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { renderRelease } from 'voting-mesh';
import { buildVotingRelease } from '../voting';
import { cli, ROOT } from './cli-support';
import { testApp } from './support';

const DIST = join(ROOT, 'dist');
const MARKER = '.voting-mesh-output';

/** Every file under `dir` (flavour subdirectories included), by path relative to it. */
function snapshotDir(dir: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((e) =>
        e.isDirectory()
          ? Object.entries(snapshotDir(join(dir, e.name), `${prefix}${e.name}/`))
          : [[`${prefix}${e.name}`, readFileSync(join(dir, e.name), 'utf8')]],
      ),
  );
}

describe('dist/', () => {
  test('GIVEN the committed dist/ WHEN the release is rendered afresh THEN every file is byte-identical', () => {
    const fresh = Object.fromEntries(renderRelease(buildVotingRelease(testApp())).map((f) => [f.file, f.content]));
    // If this fails: run `npm run synth` and commit dist/ (or find what made synth non-deterministic).
    const committed = snapshotDir(DIST);
    // The manifest lists every file written, recursively, with its sha256.
    const hashes = Object.fromEntries(
      Object.entries(fresh).map(([f, text]) => [f, createHash('sha256').update(text).digest('hex')]),
    );
    expect(JSON.parse(committed[MARKER])).toEqual({
      format: 'voting-mesh-output/v2',
      owner: 'synth',
      note: expect.any(String),
      files: hashes,
    });
    delete committed[MARKER];
    expect(fresh).toEqual(committed);
  });

  test('GIVEN two independent builds THEN the rendered stages are byte-identical', () => {
    const render = () => renderRelease(buildVotingRelease(testApp()));
    expect(render()).toEqual(render());
  });
});

describe('voting-mesh synth', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-synth-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  /** An app directory with a previous output (dist/, marked) and the given app files. */
  function project(files: Record<string, string>): string {
    const dir = join(scratch, 'app');
    mkdirSync(dir);
    cpSync(DIST, join(dir, 'dist'), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  const writes = (body: string) =>
    `const fs = require('fs'); const out = process.env.CDK8S_OUTDIR; fs.mkdirSync(out, { recursive: true }); ${body}`;

  test.each([
    [
      'the app exits with 3 (in process)',
      { 'app.js': 'process.exit(3)' },
      'node app.js',
      /synth failed \(the app exited with 3\)/,
    ],
    [
      'the app throws (in process)',
      { 'app.js': "throw new Error('boom\\nsecond line')" },
      'node app.js',
      /synth failed \(the app threw: boom second line\)/,
    ],
    [
      'the app sets a failing exit code (in process)',
      { 'app.js': "console.error('error: bad stage'); process.exitCode = 1" },
      'node app.js',
      /synth failed \(the app exited with 1\)/,
    ],
    ['the app writes nothing (in process)', { 'app.js': '0' }, 'node app.js', /the app wrote no manifest/],
    [
      'the app writes an empty manifest (in process)',
      { 'app.js': writes("fs.writeFileSync(out + '/a.k8s.yaml', '')") },
      'node app.js',
      /empty manifests: a\.k8s\.yaml/,
    ],
    ['the app crashes (child process)', {}, 'node -e "process.exit(3)"', /synth failed \(the app exited with 3\)/],
    [
      'the app writes no manifest (child process)',
      {},
      `node -e "require('fs').mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true })"`,
      /the app wrote no manifest/,
    ],
  ])('GIVEN %s WHEN synth runs THEN the previous output is left exactly as it was', async (_, files, app, reason) => {
    const dir = project(files);
    writeFileSync(join(dir, 'cdk8s.yaml'), `app: ${JSON.stringify(app)}\noutput: dist\n`);
    const before = snapshotDir(join(dir, 'dist'));
    const result = await cli(['synth'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/dist was left untouched\.\n$/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(snapshotDir(join(dir, 'dist'))).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['cdk8s.yaml', 'dist', ...Object.keys(files)].sort()); // no staging directory left behind
  });

  test('GIVEN an app that writes manifests (in process) THEN they replace the output, marked, and stale files are gone', async () => {
    const dir = project({
      'app.js': writes(
        "fs.writeFileSync(out + '/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: a\\n')",
      ),
    });
    writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
    const result = await cli(['synth'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^ {2}dist\/01-a\.k8s\.yaml +1 objects +\d+ bytes\nsynthesized 1 manifest file\(s\), 1 objects into dist\n$/,
    );
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual([MARKER, '01-a.k8s.yaml']);
    expect(process.env.CDK8S_OUTDIR).toBeUndefined(); // the in-process run restored the environment
  });

  test('GIVEN an app that writes a flavour subdirectory THEN the summary lists its manifests too, aligned', async () => {
    const dir = project({
      'app.js': writes(
        "fs.writeFileSync(out + '/01-a.k8s.yaml', 'kind: x'); fs.mkdirSync(out + '/gateway-api-ambient'); " +
          "fs.writeFileSync(out + '/gateway-api-ambient/01-a.k8s.yaml', 'kind: x\\n---\\nkind: y'); fs.writeFileSync(out + '/gateway-api-ambient/RELEASE.md', '# Release')",
      ),
    });
    writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
    const result = await cli(['synth'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^  ${'dist/01-a.k8s.yaml'.padEnd(44)}   1 objects +\\d+ bytes$`));
    expect(lines[1]).toMatch(
      new RegExp(`^  ${'dist/gateway-api-ambient/01-a.k8s.yaml'.padEnd(44)}   2 objects +\\d+ bytes$`),
    );
    expect(lines.slice(2)).toEqual(['synthesized 2 manifest file(s), 3 objects into dist', '']);
    expect(readFileSync(join(dir, 'dist', 'gateway-api-ambient', 'RELEASE.md'), 'utf8')).toBe('# Release');
  });

  test('GIVEN an output directory voting-mesh did not write THEN synth refuses it and deletes nothing', async () => {
    const dir = project({ 'app.js': writes("fs.writeFileSync(out + '/a.k8s.yaml', 'kind: x')") });
    mkdirSync(join(dir, 'keep'));
    writeFileSync(join(dir, 'keep', 'file.txt'), 'mine');
    const result = await cli(['synth', '--app', 'node app.js', '--outdir', 'keep'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: refusing to replace --outdir keep: keep/file.txt was not written by voting-mesh (the directory has no .voting-mesh-output manifest and is not a plain cdk8s synth output of *.k8s.yaml files only). Move it out of keep, or name another directory (--force replaces keep, deleting everything in it)\n',
    );
    expect(readFileSync(join(dir, 'keep', 'file.txt'), 'utf8')).toBe('mine');
  });

  test('GIVEN a file of my own added to the synthesized dist/ THEN synth refuses, names it, and deletes nothing', async () => {
    const dir = project({
      'app.js': writes(
        "fs.writeFileSync(out + '/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: a\\n')",
      ),
    });
    writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
    expect((await cli(['synth', '--quiet'], dir)).code).toBe(0);
    writeFileSync(join(dir, 'dist', 'notes.txt'), 'mine');
    const result = await cli(['synth'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: refusing to replace cdk8s.yaml's output dist: dist/notes.txt was not written by voting-mesh (the .voting-mesh-output manifest does not list it). Move it out of dist, or name another directory (--force replaces dist, deleting everything in it)\n",
    );
    expect(readFileSync(join(dir, 'dist', 'notes.txt'), 'utf8')).toBe('mine');
  });

  test('GIVEN --outdir . THEN synth refuses to replace the working directory', async () => {
    const dir = project({ 'app.js': '0' });
    const result = await cli(['synth', '--app', 'node app.js', '--outdir', '.'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: refusing to write --outdir \.: it is or contains the working directory/);
    expect(existsSync(join(dir, 'app.js'))).toBe(true);
  });

  test('GIVEN no cdk8s.yaml and no --app THEN a usage error, exit 2', async () => {
    const result = await cli(['synth'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: no app to run: cdk8s\.yaml is missing or has no 'app', and --app is not given\nusage: voting-mesh synth/,
    );
  });

  test('GIVEN an unknown option THEN synth prints usage and exits 2', async () => {
    const result = await cli(['synth', '--fast'], scratch);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: unknown option '--fast'\nusage: voting-mesh synth /);
  });
});
