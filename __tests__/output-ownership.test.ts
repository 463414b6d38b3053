import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cli } from './cli-support';

// Section 1 of the output safety promise (docs/output-safety.md): synth replaces a directory only
// when its manifest proves every entry is one voting-mesh wrote, unchanged.
let dir: string;
const APP = `const fs = require('fs'); const out = process.env.CDK8S_OUTDIR; fs.mkdirSync(out + '/flavour', { recursive: true });
fs.writeFileSync(out + '/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: a\\n'); fs.writeFileSync(out + '/flavour/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: b\\n');`;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'voting-mesh-own-'));
  writeFileSync(join(dir, 'app.js'), APP);
  writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const synth = (...extra: string[]) => cli(['synth', '--quiet', ...extra], dir);
const put = (rel: string, text = 'mine') => { mkdirSync(join(dir, rel, '..'), { recursive: true }); writeFileSync(join(dir, rel), text); };

describe('synth replaces only what it can prove it wrote', () => {
  test.each([
    ['an empty marker', '', /dist\/\.voting-mesh-output is not a voting-mesh-output\/v2 manifest \(not JSON\)\. If nothing in it is yours, run once with --force/],
    ['a marker of an earlier version', 'Written by voting-mesh synth, which replaces this directory as a whole: keep nothing else in it. Its files:\nkeep.txt\nsub\n', /is the marker of an earlier voting-mesh version/],
  ])('GIVEN %s beside my files THEN synth refuses in one line and deletes nothing', async (_, marker, message) => {
    put('dist/.voting-mesh-output', marker);
    put('dist/keep.txt');
    put('dist/sub/x.txt');
    const r = await synth();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').length).toBe(2);
    expect(readFileSync(join(dir, 'dist/keep.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'dist/sub/x.txt'), 'utf8')).toBe('mine');
  });

  test('GIVEN my file inside a subdirectory synth wrote THEN synth names it and keeps it', async () => {
    expect((await synth()).code).toBe(0);
    put('dist/flavour/notes.md');
    const r = await synth();
    expect(r.stderr).toBe("error: refusing to replace cdk8s.yaml's output dist: dist/flavour/notes.md was not written by voting-mesh (the .voting-mesh-output manifest does not list it). Move it out of dist, or name another directory (--force replaces dist, deleting everything in it)\n");
    expect(existsSync(join(dir, 'dist/flavour/notes.md'))).toBe(true);
  });

  test('GIVEN a forged manifest naming my file with another hash, or a changed file THEN synth refuses', async () => {
    expect((await synth()).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/.voting-mesh-output'), 'utf8'));
    manifest.files['keep.txt'] = '0'.repeat(64);
    writeFileSync(join(dir, 'dist/.voting-mesh-output'), JSON.stringify(manifest));
    put('dist/keep.txt');
    expect((await synth()).stderr).toMatch(/dist\/keep\.txt changed since voting-mesh wrote it/);
    rmSync(join(dir, 'dist/keep.txt'));
    put('dist/01-a.k8s.yaml', 'edited by hand');
    expect((await synth()).stderr).toMatch(/dist\/01-a\.k8s\.yaml changed since voting-mesh wrote it/);
    expect(readFileSync(join(dir, 'dist/01-a.k8s.yaml'), 'utf8')).toBe('edited by hand');
  });

  test('GIVEN a symlink inside, or dist itself a symlink THEN synth refuses and the link stays', async () => {
    expect((await synth()).code).toBe(0);
    symlinkSync('/etc', join(dir, 'dist/link'));
    expect((await synth()).stderr).toMatch(/dist\/link is a symbolic link, which voting-mesh never writes/);
    rmSync(join(dir, 'dist/link'));
    mkdirSync(join(dir, 'real'));
    symlinkSync('real', join(dir, 'out'));
    const r = await synth('--output', 'out');
    expect(r.stderr).toMatch(/^error: refusing to write --output out: it is a symbolic link \(to real\)/);
    expect(readdirSync(join(dir, 'real'))).toEqual([]);
  });

  test('GIVEN a plain cdk8s synth output (only *.k8s.yaml, no marker) THEN synth replaces it', async () => {
    put('dist/app.k8s.yaml', 'kind: x');
    const r = await synth();
    expect(r.stderr).toBe('');
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['.voting-mesh-output', '01-a.k8s.yaml', 'flavour']);
  });

  test('GIVEN --force THEN a directory of unknown files is replaced (everything in it deleted)', async () => {
    put('dist/keep.txt');
    expect((await synth()).code).toBe(1);
    expect((await synth('--force')).code).toBe(0);
    expect(existsSync(join(dir, 'dist/keep.txt'))).toBe(false);
  });

  test('GIVEN a lock held by a running process THEN synth refuses in one line; a stale lock is taken over', async () => {
    writeFileSync(join(dir, '.dist.voting-mesh-lock'), JSON.stringify({ pid: process.ppid, command: 'synth' }));
    const held = await synth();
    expect(held.code).toBe(1);
    expect(held.stderr).toMatch(new RegExp(`^error: dist is being written by another voting-mesh synth \\(PID ${process.ppid}, lock .*\\): wait for it to finish; if no such process runs, delete the lock file\\n$`));
    writeFileSync(join(dir, '.dist.voting-mesh-lock'), JSON.stringify({ pid: 2 ** 22 + 7, command: 'synth' }));
    expect((await synth()).code).toBe(0);
    expect(readdirSync(dir).filter((e) => e.includes('voting-mesh-'))).toEqual([]);
  });

  test('GIVEN an output path under a file THEN a filesystem error is one line naming the path and the code', async () => {
    put('afile');
    const r = await synth('--output', 'afile/dist');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot create afile\/dist: .*afile is a file, not a directory: name a directory path\n$/);
  });
});
