#!/usr/bin/env node
// npm run bench: whole-process timings as ratios against a peer measured in the same run (the
// machine is shared and noisy, so cases are interleaved round by round and each ratio is the
// median of the per-round ratios). Nothing here is a test; the figures go into the README, and a
// missed target is flagged and makes the run exit 1.
//
//   npm run bench                 # default rounds
//   npm run bench -- --runs 5     # fewer rounds
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEntries, root } from './build.cjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > -1 ? Number(process.argv[runsArg + 1]) : 9;
const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-bench-'));
const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** Runs argv once; returns wall seconds. */
function once(argv, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, ...extraEnv } });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return seconds;
}

/** Interleaves the cases for `rounds` rounds after one warm-up round; returns each case's samples. */
function measure(cases, rounds) {
  for (const c of cases) once(c.argv, c.env);
  const samples = cases.map(() => []);
  for (let r = 0; r < rounds; r++) cases.forEach((c, i) => samples[i].push(once(c.argv, c.env)));
  return samples;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pairedRatio = (a, b) => median(a.map((x, i) => x / b[i]));
const row = (name, s) => console.log(`| ${name} | ${median(s).toFixed(3)} s | ${Math.min(...s).toFixed(3)} s | ${Math.max(...s).toFixed(3)} s |`);
const targets = [];
const target = (what, value, limit) => targets.push({ what, value, limit, ok: value <= limit });

console.log(`voting-mesh benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}, ${RUNS} rounds\n`);
try {
  // Everything is built first, so each case times only what it names.
  if (spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit', env }).status !== 0) throw new Error('npm run build failed');
  const [, generated] = await buildEntries(['main.ts', 'bench/generated-release.ts', 'cli/run.ts']);
  // The same app as a consumer's usually runs: its dependencies loaded from node_modules, not inlined.
  const { build } = await import('esbuild');
  const external = join(root, '.build', 'bench', 'main-external.js');
  await build({ entryPoints: [join(root, 'main.ts')], outfile: external, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  const bin = join(root, 'out', 'cli', 'main.js');

  console.log('(a) synthesizing the voting release: four stages in each of its two flavours\n');
  console.log('| case | median | min | max |\n|---|---|---|---|');
  const synthCases = [
    { name: '`npm run synth` (main.ts bundle up to date, then `voting-mesh synth`)', argv: ['npm', 'run', '-s', 'synth', '--', '--output', join(scratch, 'npm-synth'), '--quiet'] },
    { name: '`voting-mesh synth` (the bin; the app runs in its process)', argv: [process.execPath, bin, 'synth', '--output', join(scratch, 'bin-synth'), '--quiet'] },
    { name: 'the app alone (`node .build/main.js`, dependencies inlined)', argv: [process.execPath, join(root, '.build', 'main.js')], env: { CDK8S_OUTDIR: join(scratch, 'app') } },
    { name: '`voting-mesh synth` of the app loading its dependencies from node_modules', argv: [process.execPath, bin, 'synth', '--app', `node ${external}`, '--output', join(scratch, 'bin-external'), '--quiet'] },
  ];
  if (kubectl) {
    // The peer: kustomize rendering the same stages (both flavours: dist/ and dist/gateway-api-ambient/),
    // one kustomization per stage file.
    const layout = join(scratch, 'kustomize');
    for (const sub of ['', 'gateway-api-ambient']) {
      for (const f of readdirSync(join(root, 'dist', sub)).filter((x) => x.endsWith('.k8s.yaml'))) {
        const dir = join(layout, `${sub ? `${sub}-` : ''}${f.replace(/\.k8s\.yaml$/, '')}`);
        mkdirSync(dir, { recursive: true });
        cpSync(join(root, 'dist', sub, f), join(dir, f));
        writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n- ${f}\n`);
      }
    }
    const dirs = readdirSync(layout).sort().map((d) => join(layout, d));
    synthCases.push({ name: '`kubectl kustomize` of the same eight stage files (peer)', argv: ['sh', '-c', dirs.map((d) => `kubectl kustomize ${d} >/dev/null`).join(' && ')] });
  }
  const synth = measure(synthCases, RUNS);
  synthCases.forEach((c, i) => row(c.name, synth[i]));
  if (kubectl) {
    const [npmRun, binRun, appRun, externalRun, kustomize] = synth;
    console.log(`\nratios to kustomize (median of per-round ratios): npm run synth ${pairedRatio(npmRun, kustomize).toFixed(2)}×, voting-mesh synth ${pairedRatio(binRun, kustomize).toFixed(2)}×, app alone ${pairedRatio(appRun, kustomize).toFixed(2)}×, voting-mesh synth with node_modules dependencies ${pairedRatio(externalRun, kustomize).toFixed(2)}×`);
    target('`npm run synth` ÷ kustomize', pairedRatio(npmRun, kustomize), 1.5);
    target('`voting-mesh synth` ÷ kustomize', pairedRatio(binRun, kustomize), 1.0);
  } else {
    console.log('\n(kubectl not found: no kustomize peer, the synth ratios are not measured)');
  }

  console.log('\n(b) a generated release: N services × 10 stages, through the same pipeline (app process)\n');
  console.log('| case | median | min | max |\n|---|---|---|---|');
  const sizes = [10, 30, 100, 200, 300];
  const genCases = sizes.map((n) => ({ name: `${n} services × 10 stages`, argv: [process.execPath, generated, String(n), '10'], env: { CDK8S_OUTDIR: join(scratch, `gen${n}`) } }));
  const gen = measure(genCases, Math.min(RUNS, 3));
  genCases.forEach((c, i) => row(c.name, gen[i]));
  const r300 = pairedRatio(gen[sizes.indexOf(300)], gen[sizes.indexOf(100)]);
  console.log(`\n300 services ÷ 100 services: ${r300.toFixed(2)}× (3.00× is linear)`);
  target('generated release, 300 ÷ 100 services', r300, 3.1);

  console.log('\n(c) the test suite\n');
  console.log('| case | median | min | max |\n|---|---|---|---|');
  const tests = measure([{ name: '`npm test`', argv: ['npm', 'test', '--silent'] }], Math.min(RUNS, 3))[0];
  row('`npm test` (wall, 2 jest workers)', tests);
  target('`npm test` wall seconds', median(tests), 12);

  console.log('\n(d) the release generator: generated apps (both flavours, all seven properties) per minute\n');
  const fuzz = spawnSync('npm', ['run', '-s', 'fuzz', '--', '--runs', '40', '--seed', '1'], { cwd: root, encoding: 'utf8', env });
  const apm = /(\d+) apps\/minute/.exec(`${fuzz.stdout}${fuzz.stderr}`);
  console.log(apm ? `| generated apps per minute (40 apps, seed 1, one process) | ${apm[1]} |` : `(fuzz run failed: exit ${fuzz.status})`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

console.log('\n| target | measured | limit | |\n|---|---|---|---|');
for (const t of targets) console.log(`| ${t.what} | ${t.value.toFixed(2)} | ≤ ${t.limit} | ${t.ok ? 'met' : '**MISSED**'} |`);
const missed = targets.filter((t) => !t.ok);
if (missed.length > 0) {
  console.log(`\nMISSED: ${missed.map((t) => t.what).join('; ')}`);
  process.exit(1);
}
