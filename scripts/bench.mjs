#!/usr/bin/env node
// npm run bench: times whole processes (median, min, max over several runs) with peak memory.
// Nothing here is a test; the figures go into the README.
//
//   npm run bench                 # default runs per case
//   npm run bench -- --runs 3     # fewer runs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { buildEntries } from './build.mjs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > -1 ? Number(process.argv[runsArg + 1]) : 7;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-bench-'));

/** Runs `argv` once; returns wall seconds and peak RSS (MiB) of the largest process in the tree. */
function once(argv, env = {}) {
  const statsFile = join(scratch, 'time.txt');
  const cmd = GNU_TIME ? [GNU_TIME, '-f', '%M', '-o', statsFile, ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: 'ignore', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...env } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}`);
  const peakMiB = GNU_TIME ? Number(readFileSync(statsFile, 'utf8').trim().split('\n').pop()) / 1024 : NaN;
  return { seconds, peakMiB };
}

function bench(name, argv, env, runs = RUNS) {
  once(argv, env); // warm-up: file cache, jest transform cache
  const samples = Array.from({ length: runs }, () => once(argv, env));
  const s = samples.map((x) => x.seconds).sort((a, b) => a - b);
  const row = {
    name,
    median: s[Math.floor(s.length / 2)],
    min: s[0],
    max: s[s.length - 1],
    peakMiB: Math.max(...samples.map((x) => x.peakMiB)),
  };
  console.log(`| ${row.name} | ${row.median.toFixed(2)} s | ${row.min.toFixed(2)} s | ${row.max.toFixed(2)} s | ${Number.isNaN(row.peakMiB) ? 'n/a' : `${row.peakMiB.toFixed(0)} MiB`} |`);
  return row;
}

console.log(`voting-mesh benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}, ${RUNS} runs per case\n`);
console.log('| case | median | min | max | peak RSS |');
console.log('|---|---|---|---|---|');
try {
  const out = join(scratch, 'dist');
  const [main, generated] = await buildEntries(['main.ts', 'bench/generated-release.ts']);
  bench('(a) `npm run synth` (build + cdk8s CLI + app + publish, 4 stages)', ['npm', 'run', '-s', 'synth', '--', '--outdir', out, '--quiet']);
  bench('(a) app process alone (`node .build/main.js`, 4 stages)', [process.execPath, main], { CDK8S_OUTDIR: join(scratch, 'app') });
  // (b) a generated plan: services x 10 stages through the same pipeline; time should grow linearly.
  const points = [10, 30, 100, 200].map((n) => ({ n, row: bench(`(b) generated release, ${n} services x 10 stages (app process)`, [process.execPath, generated, String(n), '10'], { CDK8S_OUTDIR: join(scratch, `gen${n}`) }, Math.min(RUNS, 3)) }));
  const slope = (a, b) => (b.row.median - a.row.median) / (b.n - a.n);
  console.log(`\n(b) seconds per extra service (x 10 stages): ${points.slice(1).map((p, i) => `${slope(points[i], p).toFixed(4)} from ${points[i].n} to ${p.n}`).join(', ')} (equal slopes = linear)\n`);
  bench('(c) `npm test`', ['npm', 'test', '--silent'], {}, Math.min(RUNS, 3));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
