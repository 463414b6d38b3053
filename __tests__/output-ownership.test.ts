import { spawn } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cli } from './cli-support';

// synth replaces an output directory only when it can prove it wrote every entry, unchanged
// (docs/output-safety.md). Every refusal is one line naming the first such path; nothing is deleted.
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-own-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const APP =
  "const fs = require('fs'); const out = process.env.CDK8S_OUTDIR; fs.mkdirSync(out + '/flavour', { recursive: true });" +
  "fs.writeFileSync(out + '/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: a\\n'); fs.writeFileSync(out + '/flavour/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: b\\n');";

function project(): string {
  const dir = join(scratch, 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
  writeFileSync(join(dir, 'app.js'), APP);
  return dir;
}
const synth = (dir: string, ...extra: string[]) => cli(['synth', '--quiet', ...extra], dir);
const refusal = (path: string, why: string) =>
  new RegExp(`^error: refusing to replace cdk8s.yaml's output dist: ${path.replace(/[./]/g, '\\$&')} ${why}`);

async function refused(dir: string, pattern: RegExp, kept: string[]): Promise<void> {
  const before = kept.map((f) => readFileSync(join(dir, f), 'utf8'));
  const r = await synth(dir);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(kept.map((f) => readFileSync(join(dir, f), 'utf8'))).toEqual(before);
}

describe('GIVEN a dist synth did not provably write', () => {
  test.each([
    ['an empty marker', '', 'is not a voting-mesh-output/v2 manifest'],
    [
      'a marker of an earlier version',
      'Written by voting-mesh 0.1.0. Files: 01-a.k8s.yaml\n',
      'is the marker of an earlier voting-mesh version',
    ],
    [
      'a forged marker naming keep.txt with a made-up hash',
      JSON.stringify({
        format: 'voting-mesh-output/v2',
        owner: 'synth',
        note: '',
        files: { 'keep.txt': '0'.repeat(64), 'sub/x.txt': '0'.repeat(64) },
      }),
      null,
    ],
  ])(
    'WHEN it holds %s and user files THEN synth refuses and keeps every file (top level and subdirectory)',
    async (_, marker, why) => {
      const dir = project();
      mkdirSync(join(dir, 'dist', 'sub'), { recursive: true });
      writeFileSync(join(dir, 'dist', '.voting-mesh-output'), marker);
      writeFileSync(join(dir, 'dist', 'keep.txt'), 'mine');
      writeFileSync(join(dir, 'dist', 'sub', 'x.txt'), 'mine too');
      await refused(
        dir,
        why ? refusal('dist/.voting-mesh-output', why) : refusal('dist/keep.txt', 'changed since voting-mesh wrote it'),
        ['dist/keep.txt', 'dist/sub/x.txt'],
      );
      if (why)
        expect((await synth(dir)).stderr).toMatch(
          /If nothing in it is yours, run once with --force, which deletes everything in it\n$/,
        );
    },
  );

  test('WHEN a user file sits in a subdirectory the manifest lists THEN synth names it and keeps it', async () => {
    const dir = project();
    expect((await synth(dir)).code).toBe(0);
    writeFileSync(join(dir, 'dist', 'flavour', 'notes.md'), 'mine');
    await refused(
      dir,
      refusal(
        'dist/flavour/notes.md',
        'was not written by voting-mesh \\(the \\.voting-mesh-output manifest does not list it\\)',
      ),
      ['dist/flavour/notes.md'],
    );
  });

  test('WHEN a file synth wrote was changed by hand THEN synth refuses naming it', async () => {
    const dir = project();
    expect((await synth(dir)).code).toBe(0);
    writeFileSync(join(dir, 'dist', 'flavour', '01-a.k8s.yaml'), 'edited');
    await refused(dir, refusal('dist/flavour/01-a.k8s.yaml', 'changed since voting-mesh wrote it'), [
      'dist/flavour/01-a.k8s.yaml',
    ]);
  });

  test('WHEN it holds a symbolic link THEN synth refuses (it never writes links) and the link target is untouched', async () => {
    const dir = project();
    expect((await synth(dir)).code).toBe(0);
    writeFileSync(join(scratch, 'target.txt'), 'mine');
    symlinkSync(join(scratch, 'target.txt'), join(dir, 'dist', 'flavour', 'link'));
    await refused(dir, refusal('dist/flavour/link', 'is a symbolic link'), ['dist/flavour/link']);
  });

  test('WHEN dist itself is a symbolic link THEN synth refuses and names the target to use instead', async () => {
    const dir = project();
    mkdirSync(join(scratch, 'real'));
    symlinkSync(join(scratch, 'real'), join(dir, 'dist'));
    const r = await synth(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: refusing to write cdk8s.yaml's output dist: it is a symbolic link \(to .*real\), and publishing would replace the link by a directory\. Name the directory it points to instead/,
    );
    expect(readdirSync(join(scratch, 'real'))).toEqual([]);
  });

  test('WHEN --force is given THEN synth replaces it, deleting what was in it', async () => {
    const dir = project();
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'keep.txt'), 'mine');
    const r = await synth(dir, '--force');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['.voting-mesh-output', '01-a.k8s.yaml', 'flavour']);
  });
});

describe('GIVEN outputs synth may replace', () => {
  test('WHEN dist is a plain cdk8s synth output (no marker, only *.k8s.yaml files) THEN synth replaces it', async () => {
    const dir = project();
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'old-chart.k8s.yaml'), 'kind: x\n');
    const r = await synth(dir);
    expect(r.stderr).toBe('');
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['.voting-mesh-output', '01-a.k8s.yaml', 'flavour']);
  });

  test('WHEN dist is its own earlier output THEN the manifest lists every file recursively with its sha256', async () => {
    const dir = project();
    expect((await synth(dir)).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'dist', '.voting-mesh-output'), 'utf8'));
    expect(manifest.format).toBe('voting-mesh-output/v2');
    expect(Object.keys(manifest.files)).toEqual(['01-a.k8s.yaml', 'flavour/01-a.k8s.yaml']);
    expect(Object.values(manifest.files).every((h) => /^[0-9a-f]{64}$/.test(String(h)))).toBe(true);
  });
});

describe('the lock and filesystem errors', () => {
  test('GIVEN a lock held by a running process THEN synth stops with one line naming it; a lock of a dead PID is taken over', async () => {
    const dir = project();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, '.dist.voting-mesh-lock'), `${JSON.stringify({ pid: holder.pid, command: 'synth' })}\n`);
      const r = await synth(dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^error: dist is being written by another voting-mesh synth \\(PID ${holder.pid}, lock .*\\): wait for it to finish; if no such process runs, delete the lock file\\n$`,
        ),
      );
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
    writeFileSync(
      join(dir, '.dist.voting-mesh-lock'),
      `${JSON.stringify({ pid: 2 ** 22 + 12345, command: 'synth' })}\n`,
    );
    expect((await synth(dir)).code).toBe(0);
    expect(existsSync(join(dir, '.dist.voting-mesh-lock'))).toBe(false);
  }, 20_000);

  test('GIVEN an output path under a regular file (ENOTDIR) THEN one line names the path, the code and what to do', async () => {
    const dir = project();
    writeFileSync(join(dir, 'file'), 'x');
    const r = await cli(['synth', '--quiet', '--outdir', 'file/dist'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: cannot create file\/dist: .*file is a file, not a directory: name a directory path\n$/,
    );
  });
});
