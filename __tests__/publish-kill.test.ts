import type { ChildProcess } from 'child_process';
import { spawn, spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ROOT } from './cli-support';

// Kills `voting-mesh synth` (a real process) at every named step of publishing, and at random
// moments, then checks that the output directory holds a complete output (the old or the new one)
// and that the next run finishes what the killed one left. The steps are reached deterministically
// with VOTING_MESH_TEST_PAUSE_AT, which stops the process there until it is killed.

const FILES = 60;
/** The app: FILES stage files whose content names the generation (GEN), so that a mix is visible. */
const APP = `const fs = require('fs'); const out = process.env.CDK8S_OUTDIR; fs.mkdirSync(out + '/flavour', { recursive: true });
if (process.env.GEN === 'fail') process.exit(3);
for (let i = 0; i < ${FILES}; i++) fs.writeFileSync(out + (i % 2 ? '/flavour/' : '/') + String(i).padStart(3, '0') + '.k8s.yaml', 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: gen-' + process.env.GEN + '\\n' + 'x'.repeat(20000) + '\\n');`;

let bundle: string;
let scratch: string;

beforeAll(() => {
  const build = spawnSync(
    process.execPath,
    ['-e', "require('./scripts/build.cjs').buildEntries(['cli/run.ts']).then(([b]) => console.log(b))"],
    { cwd: ROOT, encoding: 'utf8' },
  );
  bundle = build.stdout.trim();
  expect(existsSync(bundle)).toBe(true);
}, 60_000);
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-kill-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const runner = () =>
  `const m = require(${JSON.stringify(bundle)}); m.runCommand(['synth', '--quiet'], m.processIo()).then((c) => { process.exitCode = c; });`;
const env = (gen: string, pauseAt?: string) => ({
  ...process.env,
  GEN: gen,
  CDK8S_CHECK_UPGRADE: 'false',
  ...(pauseAt ? { VOTING_MESH_TEST_PAUSE_AT: pauseAt } : { VOTING_MESH_TEST_PAUSE_AT: '' }),
});

function project(): string {
  const dir = join(scratch, 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node app.js\noutput: dist\n');
  writeFileSync(join(dir, 'app.js'), APP);
  return dir;
}

function synthNow(dir: string, gen: string): { code: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', runner()], { cwd: dir, env: env(gen), encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

/** Which complete generation `dist` holds: every file present and of one generation; 'none' if dist is absent; throws on a mix or a partial output. */
function generation(dist: string): string {
  if (!existsSync(dist)) return 'none';
  const files = readdirSync(dist, { recursive: true, withFileTypes: true }).filter(
    (e) => e.isFile() && e.name.endsWith('.k8s.yaml'),
  );
  const gens = new Set(
    files.map((e) => /name: gen-(\w+)/.exec(readFileSync(join(e.parentPath ?? (e as any).path, e.name), 'utf8'))?.[1]),
  );
  if (files.length !== FILES || gens.size !== 1 || !existsSync(join(dist, '.voting-mesh-output')))
    throw new Error(
      `${dist} is not a complete output: ${files.length} stage files of generations ${[...gens].join(',')}`,
    );
  return [...gens][0]!;
}

/** Starts synth of generation `gen` stopped at `step`; resolves when it stops there. */
function startPausedAt(dir: string, gen: string, step: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', runner()], {
    cwd: dir,
    env: env(gen, step),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolvePaused, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += String(d);
      if (err.includes(`voting-mesh: paused at ${step}`)) resolvePaused(child);
    });
    child.on('exit', (code) => reject(new Error(`synth exited (${code}) before it reached ${step}: ${err}`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.on('exit', () => done());
    child.kill('SIGKILL');
  });
}

const leftovers = (dir: string) => readdirSync(dir).filter((e) => e.includes('.voting-mesh-'));

describe('publishing survives a kill at any step', () => {
  test.each([
    // step, what dist holds while the process is stopped there
    ['staged', '1'],
    ['journal-written', '1'],
    ['old-moved-aside', 'none'],
    ['new-in-place', '2'],
    ['old-removed', '2'],
  ])(
    'GIVEN synth of a new output killed at %s THEN dist is complete at that instant (or aside with a journal), and the next run leaves a complete output and no leftovers',
    async (step, during) => {
      const dir = project();
      expect(synthNow(dir, '1').code).toBe(0);
      const child = await startPausedAt(dir, '2', step);
      expect(generation(join(dir, 'dist'))).toBe(during);
      if (during === 'none') {
        // Between the two renames: the old output is complete beside it, and the journal says so.
        expect(existsSync(join(dir, '.dist.voting-mesh-journal'))).toBe(true);
        expect(generation(join(dir, `.dist.voting-mesh-previous-${child.pid}`))).toBe('1');
      }
      await kill(child);
      expect(leftovers(dir).length).toBeGreaterThan(0); // the lock, at least
      // The next run, even one whose app fails, first finishes what the killed run left.
      const next = synthNow(dir, 'fail');
      expect(next.code).toBe(1);
      expect(generation(join(dir, 'dist'))).toBe(during === '2' ? '2' : '1');
      expect(leftovers(dir)).toEqual([]);
      expect(synthNow(dir, '3').code).toBe(0);
      expect(generation(join(dir, 'dist'))).toBe('3');
    },
    30_000,
  );

  test.each([
    ['staged', 'none'],
    ['published', '2'],
  ])(
    'GIVEN the first synth (no dist yet) killed at %s THEN dist is absent or complete, and the next run cleans up',
    async (step, during) => {
      const dir = project();
      const child = await startPausedAt(dir, '2', step);
      expect(generation(join(dir, 'dist'))).toBe(during);
      await kill(child);
      expect(synthNow(dir, 'fail').code).toBe(1);
      expect(generation(join(dir, 'dist'))).toBe(during);
      expect(leftovers(dir)).toEqual([]);
    },
    30_000,
  );

  test('GIVEN the pending lock file of a run killed while taking the lock THEN the next run removes it and publishes', () => {
    const dir = project();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(dir, `.dist.voting-mesh-lock-${dead}`), `${JSON.stringify({ pid: dead, command: 'synth' })}\n`);
    expect(synthNow(dir, '1').code).toBe(0);
    expect(generation(join(dir, 'dist'))).toBe('1');
    expect(leftovers(dir)).toEqual([]);
  });

  test('GIVEN synth killed at 16 random moments THEN every time dist holds a complete output (or the journal restores one) and the next run recovers', async () => {
    const dir = project();
    expect(synthNow(dir, '0').code).toBe(0);
    const seen = new Set<string>();
    for (let i = 1; i <= 16; i++) {
      const before = generation(join(dir, 'dist'));
      const child = spawn(process.execPath, ['-e', runner()], { cwd: dir, env: env(String(i)), stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 60 + Math.floor(Math.random() * 400)));
      await kill(child);
      const after = generation(join(dir, 'dist'));
      seen.add(after === before ? 'old' : after === 'none' ? 'none' : 'new');
      if (after === 'none') expect(existsSync(join(dir, '.dist.voting-mesh-journal'))).toBe(true);
      expect(['none', before, String(i)]).toContain(after);
      const next = synthNow(dir, 'fail');
      expect(next.stderr).not.toMatch(/\n\s+at /);
      expect([before, String(i)]).toContain(generation(join(dir, 'dist')));
      expect(leftovers(dir)).toEqual([]);
    }
    // Which states the kills hit varies with the machine's speed; each of them was checked above.
    expect(seen.size).toBeGreaterThan(0);
    if (process.env.VOTING_MESH_TEST_VERBOSE) console.log([...seen]);
  }, 60_000);
});
