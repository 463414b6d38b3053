import { spawnSync } from 'child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Yaml } from 'cdk8s';
import { buildVotingRelease } from '../lib';
import { testApp } from './support';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');

function synth(outdir: string, ...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'scripts', 'synth.mjs'), '--outdir', outdir, ...args], { cwd: ROOT, encoding: 'utf8' });
}

function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('dist/', () => {
  let scratch: string;
  beforeEach(() => { scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-')); });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('GIVEN the committed dist/ WHEN synthesized afresh through npm run synth\'s pipeline THEN every file is byte-identical', () => {
    const out = join(scratch, 'dist');
    const run = synth(out, '--quiet');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // If this fails: run `npm run synth` and commit dist/ (or find what made synth non-deterministic).
    expect(snapshotDir(out)).toEqual(snapshotDir(DIST));
  });

  test.each([
    ['the app crashes', 'node -e "process.exit(3)"', /cdk8s synth exited with 1/],
    ['the app writes nothing', 'node -e "0"', /app expected to create/],
    ['the app writes no manifest', 'node -e "require(\'fs\').mkdirSync(process.env.CDK8S_OUTDIR, { recursive: true })"', /no manifest was written/],
    ['the app writes an empty manifest', 'node -e "require(\'fs\').mkdirSync(process.env.CDK8S_OUTDIR); require(\'fs\').writeFileSync(process.env.CDK8S_OUTDIR + \'/a.k8s.yaml\', \'\')"',
      /empty manifests: a\.k8s\.yaml/],
  ])('GIVEN %s WHEN synth runs THEN the previous output is left untouched', (_, app, reason) => {
    const out = join(scratch, 'dist');
    cpSync(DIST, out, { recursive: true });
    writeFileSync(join(out, 'marker.txt'), 'previous release');
    const before = snapshotDir(out);
    const run = synth(out, '--app', app);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(reason);
    expect(run.stderr).toMatch(/was left untouched/);
    expect(snapshotDir(out)).toEqual(before);
    expect(readdirSync(scratch)).toEqual(['dist']); // no staging directory left behind
  });

  test('GIVEN an unknown option THEN synth prints usage and exits 2', () => {
    const run = synth(join(scratch, 'dist'), '--fast');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown or incomplete option '--fast'\nusage: /);
  });

  test('GIVEN two independent builds THEN the rendered stages are byte-identical', () => {
    const render = () => buildVotingRelease(testApp()).map((chart) => Yaml.stringify(...chart.toJson()));
    expect(render()).toEqual(render());
  });
});
