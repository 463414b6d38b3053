#!/usr/bin/env node
// npm run bench: whole-process timings as ratios against a peer measured in the same run (the
// machine is shared and noisy, so cases are interleaved round by round and each ratio is the
// median of the per-round ratios). Nothing here is a test; the figures go into docs/performance.md, and a
// missed target is flagged and makes the run exit 1.
//
//   npm run bench                 # default rounds
//   npm run bench -- --runs 5     # fewer rounds
//   npm run bench -- --large      # also the 1,000-service release (slow: about ten minutes more)
//   npm run bench -- --scale-only # only (d), the tools at mesh scale
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEntries, root } from './build.cjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > -1 ? Number(process.argv[runsArg + 1]) : 9;
const LARGE = process.argv.includes('--large');
const SCALE_ONLY = process.argv.includes('--scale-only');
/** The heap budget (MB) of the synth case measured for the peak-memory target (`node --max-old-space-size`). */
const HEAP_BUDGET_MB = 256;
const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-bench-'));
const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
const kubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

/** The last run's output of each command line (the in-process timings and peak memory some cases report). */
const outputs = new Map();

/** Runs argv once; returns wall seconds. */
function once(argv, extraEnv = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, ...extraEnv },
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited with ${r.status}: ${r.stderr}`);
  outputs.set(argv.join(' '), { stdout: String(r.stdout), stderr: String(r.stderr) });
  return seconds;
}

/** Interleaves the cases for `rounds` rounds after one warm-up round; returns each case's samples (and calls `c.after` after each timed run). */
function measure(cases, rounds) {
  for (const c of cases) once(c.argv, c.env);
  const samples = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    cases.forEach((c, i) => {
      samples[i].push(once(c.argv, c.env));
      c.after?.(outputs.get(c.argv.join(' ')));
    });
  }
  return samples;
}

/** The peak memory (MB) that scripts/bench-peak.cjs reported on stderr. */
const peakMb = (output) => Number(/BENCH_MAXRSS_KB=(\d+)/.exec(output.stderr)?.[1]) / 1024;
/** The CPU seconds (user + system) that scripts/bench-peak.cjs reported on stderr. */
const cpuSeconds = (output) => Number(/BENCH_CPU_S=([0-9.e-]+)/.exec(output.stderr)?.[1]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pairedRatio = (a, b) => median(a.map((x, i) => x / b[i]));
const row = (name, s) =>
  console.log(
    `| ${name} | ${median(s).toFixed(3)} s | ${Math.min(...s).toFixed(3)} s | ${Math.max(...s).toFixed(3)} s |`,
  );
const targets = [];
const target = (what, value, limit) => targets.push({ what, value, limit, ok: value <= limit });

console.log(
  `voting-mesh benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), node ${process.version}, ${RUNS} rounds\n`,
);
try {
  // Everything is built first, so each case times only what it names.
  if (spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit', env }).status !== 0)
    throw new Error('npm run build failed');
  const [, generated] = await buildEntries(['main.ts', 'bench/generated-release.ts', 'cli/run.ts']);
  // The same app as a consumer's usually runs: its dependencies loaded from node_modules, not inlined.
  const { build } = await import('esbuild');
  const external = join(root, '.build', 'bench', 'main-external.js');
  await build({
    entryPoints: [join(root, 'main.ts')],
    outfile: external,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  const bin = join(root, 'out', 'cli', 'main.js');

  if (!SCALE_ONLY) {
    console.log('(a) synthesizing the voting release: four stages in each of its two flavours\n');
    console.log('| case | median | min | max |\n|---|---|---|---|');
    const synthCases = [
      {
        name: '`npm run synth` (main.ts bundle up to date, then `voting-mesh synth`)',
        argv: ['npm', 'run', '-s', 'synth', '--', '--outdir', join(scratch, 'npm-synth'), '--quiet'],
      },
      {
        name: '`voting-mesh synth` (the bin; the app runs in its process)',
        argv: [process.execPath, bin, 'synth', '--outdir', join(scratch, 'bin-synth'), '--quiet'],
      },
      {
        name: 'the app alone (`node .build/main.js`, dependencies inlined)',
        argv: [process.execPath, join(root, '.build', 'main.js')],
        env: { CDK8S_OUTDIR: join(scratch, 'app') },
      },
      {
        name: '`voting-mesh synth` of the app loading its dependencies from node_modules',
        argv: [
          process.execPath,
          bin,
          'synth',
          '--app',
          `node ${external}`,
          '--outdir',
          join(scratch, 'bin-external'),
          '--quiet',
        ],
      },
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
      const dirs = readdirSync(layout)
        .sort()
        .map((d) => join(layout, d));
      synthCases.push({
        name: '`kubectl kustomize` of the same eight stage files (peer)',
        argv: ['sh', '-c', dirs.map((d) => `kubectl kustomize ${d} >/dev/null`).join(' && ')],
      });
    }
    const synth = measure(synthCases, RUNS);
    synthCases.forEach((c, i) => row(c.name, synth[i]));
    if (kubectl) {
      const [npmRun, binRun, appRun, externalRun, kustomize] = synth;
      console.log(
        `\nratios to kustomize (median of per-round ratios): npm run synth ${pairedRatio(npmRun, kustomize).toFixed(2)}×, voting-mesh synth ${pairedRatio(binRun, kustomize).toFixed(2)}×, app alone ${pairedRatio(appRun, kustomize).toFixed(2)}×, voting-mesh synth with node_modules dependencies ${pairedRatio(externalRun, kustomize).toFixed(2)}×`,
      );
      target('`npm run synth` ÷ kustomize', pairedRatio(npmRun, kustomize), 1.5);
      target('`voting-mesh synth` ÷ kustomize', pairedRatio(binRun, kustomize), 1.0);
    } else {
      console.log('\n(kubectl not found: no kustomize peer, the synth ratios are not measured)');
    }

    console.log('\n(b) a generated release: N services × 10 stages, through the same pipeline (app process)\n');
    console.log('| case | median | min | max |\n|---|---|---|---|');
    const sizes = [10, 30, 100, 200, 300];
    const genCases = sizes.map((n) => ({
      name: `${n} services × 10 stages`,
      argv: [process.execPath, generated, String(n), '10'],
      env: { CDK8S_OUTDIR: join(scratch, `gen${n}`) },
    }));
    const gen = measure(genCases, Math.min(RUNS, 3));
    genCases.forEach((c, i) => row(c.name, gen[i]));
    const r300 = pairedRatio(gen[sizes.indexOf(300)], gen[sizes.indexOf(100)]);
    console.log(`\n300 services ÷ 100 services: ${r300.toFixed(2)}× (3.00× is linear)`);
    target('generated release, 300 ÷ 100 services', r300, 3.1);
  }
  await scaleSection(generated, bin);

  if (!SCALE_ONLY) {
    console.log('\n(c) the test suite\n');
    console.log('| case | median | min | max |\n|---|---|---|---|');
    const tests = measure([{ name: '`npm test`', argv: ['npm', 'test', '--silent'] }], Math.min(RUNS, 3))[0];
    row('`npm test` (wall, 2 jest workers)', tests);
    target('`npm test` wall seconds', median(tests), 12);

    console.log('\n(e) the release generator: generated apps (both flavours, all seven properties) per minute\n');
    const fuzz = spawnSync('npm', ['run', '-s', 'fuzz', '--', '--runs', '40', '--seed', '1'], {
      cwd: root,
      encoding: 'utf8',
      env,
    });
    const apm = /(\d+) apps\/minute/.exec(`${fuzz.stdout}${fuzz.stderr}`);
    console.log(
      apm
        ? `| generated apps per minute (40 apps, seed 1, one process) | ${apm[1]} |`
        : `(fuzz run failed: exit ${fuzz.status})`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * (d) the tools at mesh scale, on the generated release of (b): validate against reading the same
 * files with a YAML parser (js-yaml and the `yaml` library; the faster is the reference), synth
 * against the project's YAML writer alone, explain and plan of one stage, peak memory, and the
 * transition and least-privilege checks per object at 100, 300 (and with --large 1,000) services.
 */
async function scaleSection(generated, bin) {
  const [timings] = await buildEntries(['scripts/bench-stage-timings.ts']);
  const sizes = LARGE ? [100, 300, 1000] : [100, 300];
  const dist = (n) => join(scratch, `gen${n}`);
  for (const n of sizes)
    if (!existsSync(join(dist(n), 'RELEASE.md')))
      once([process.execPath, generated, String(n), '10'], { CDK8S_OUTDIR: dist(n) });
  const peak = join(root, 'scripts', 'bench-peak.cjs');
  const peaks = { validate: [], synth: [], synthBudget: [], synthEager: [] };
  const cpu = { explain: [], plan: [] };
  const inProcess = Object.fromEntries(sizes.map((n) => [n, []]));
  const read = join(root, 'scripts', 'bench-read.cjs');
  const stageFile = (n, name) => join(dist(n), `${name}.k8s.yaml`);
  const cases = [
    {
      name: 'js-yaml `loadAll` of the 300-service stage files (reference)',
      argv: [process.execPath, read, 'js-yaml', dist(300)],
    },
    {
      name: '`yaml` library `parseAllDocuments` + `toJS` (YAML 1.1) of the same files',
      argv: [process.execPath, read, 'yaml', dist(300)],
    },
    ...sizes.map((n) => ({
      name: `\`voting-mesh validate --dist\`, ${n} services`,
      argv: [process.execPath, peak, bin, 'validate', '--dist', dist(n)],
      after: (o) => n === 300 && peaks.validate.push(peakMb(o)),
    })),
    {
      name: '`voting-mesh explain -f` one stage file (05), 300 services',
      argv: [process.execPath, peak, bin, 'explain', '-f', stageFile(300, '05-canary-56')],
      after: (o) => cpu.explain.push(cpuSeconds(o)),
    },
    {
      name: '`voting-mesh plan 04 05`, 300 services',
      argv: [
        process.execPath,
        peak,
        bin,
        'plan',
        '--dist',
        dist(300),
        '04',
        '05',
        '--outdir',
        join(scratch, 'plan-04-05'),
      ],
      after: (o) => cpu.plan.push(cpuSeconds(o)),
    },
    {
      name: 'js-yaml `loadAll` of stage 05 alone (the peer of explain)',
      argv: [process.execPath, read, 'js-yaml', stageFile(300, '05-canary-56')],
    },
    {
      name: 'js-yaml `loadAll` of stages 04 and 05 (the peer of plan)',
      argv: [process.execPath, read, 'js-yaml', stageFile(300, '04-canary-44'), stageFile(300, '05-canary-56')],
    },
    {
      name: 'synth of the 300-service release (app process; stages from a generator, built one at a time)',
      argv: [process.execPath, peak, generated, '300', '10'],
      env: { CDK8S_OUTDIR: join(scratch, 'synth300') },
      after: (o) => peaks.synth.push(peakMb(o)),
    },
    // The same under a heap budget: the streamed synth needs about 110 MB live, but without a
    // budget V8 lets the heap grow to about four times what survived its last full collection.
    {
      name: `the same with a heap budget (\`node --max-old-space-size=${HEAP_BUDGET_MB}\`)`,
      argv: [process.execPath, `--max-old-space-size=${HEAP_BUDGET_MB}`, peak, generated, '300', '10'],
      env: { CDK8S_OUTDIR: join(scratch, 'synth300-budget') },
      after: (o) => peaks.synthBudget.push(peakMb(o)),
    },
    {
      name: 'the same with every stage built first (`--eager`: the stages given as an array)',
      argv: [process.execPath, peak, generated, '300', '10', '--eager'],
      env: { CDK8S_OUTDIR: join(scratch, 'synth300-eager') },
      after: (o) => peaks.synthEager.push(peakMb(o)),
    },
    // At 300 services, also the peer of synth: the same objects synthesized by a bare cdk8s App.
    ...sizes.map((n) => ({
      name: `in-process timings, ${n} services (scripts/bench-stage-timings.ts${n === 300 ? ' --cdk8s' : ''})`,
      argv: [process.execPath, timings, dist(n), ...(n === 300 ? ['--cdk8s'] : [])],
      after: (o) => inProcess[n].push(JSON.parse(o.stdout)),
    })),
  ];
  console.log(
    `\n(d) the tools at mesh scale: the generated release of (b) at ${sizes.join(', ')} services × 10 stages${LARGE ? '' : ' (1,000 with --large)'}\n`,
  );
  console.log('| case | median | min | max |\n|---|---|---|---|');
  const samples = measure(cases, Math.min(RUNS, 3));
  cases.forEach((c, i) => row(c.name, samples[i]));
  const [jsYaml, yamlLib] = samples;
  const validateOf = (n) => samples[2 + sizes.indexOf(n)];
  const [explain, plan, readOne, readTwo, synth, synthBudget, synthEager] = samples.slice(2 + sizes.length);
  const reference = median(jsYaml) <= median(yamlLib) ? { name: 'js-yaml', s: jsYaml } : { name: 'yaml', s: yamlLib };
  const writer = inProcess[300].map((t) => t.writer);
  const cdk8sApp = inProcess[300].map((t) => t.cdk8sApp);
  const cdk8sToJson = inProcess[300].map((t) => t.cdk8sToJson);
  const at = (n, field) => median(inProcess[n].map((t) => t[field]));
  const objects = (n) => inProcess[n][0].objects;
  console.log(
    `\nreading the 300-service files: js-yaml ${median(jsYaml).toFixed(2)} s, yaml ${median(yamlLib).toFixed(2)} s; the reference is ${reference.name}`,
  );
  console.log(
    `the project's YAML writer alone writes the ${objects(300)} objects of the 300-service release in ${median(writer).toFixed(3)} s`,
  );
  console.log(
    `a bare cdk8s App with the same objects (one Chart per stage): chart.toJson() ${median(cdk8sToJson).toFixed(2)} s, app.synth() ${median(cdk8sApp).toFixed(2)} s`,
  );
  const floor = inProcess[300].map((t) => t.cdk8sToJson + t.writer);
  console.log(
    `synth (300): ${pairedRatio(synth, writer).toFixed(2)}× the writer alone, ${pairedRatio(synth, cdk8sApp).toFixed(2)}× the bare cdk8s App's synth, ${pairedRatio(synth, cdk8sToJson).toFixed(2)}× its toJson alone; with a heap budget ${pairedRatio(synthBudget, writer).toFixed(2)}× the writer; eager ${pairedRatio(synthEager, writer).toFixed(2)}× the writer (${pairedRatio(synthEager, synth).toFixed(2)}× the streamed synth)`,
  );
  console.log(
    `the floor of this pipeline, cdk8s resolving the same objects (toJson) then the writer: ${(median(floor) / median(writer)).toFixed(2)}× the writer`,
  );
  console.log(
    `explain (300): ${median(explain).toFixed(3)} s wall, ${median(cpu.explain).toFixed(3)} s CPU, ${pairedRatio(explain, readOne).toFixed(2)}× js-yaml reading its stage file; plan: ${median(plan).toFixed(3)} s wall, ${median(cpu.plan).toFixed(3)} s CPU, ${pairedRatio(plan, readTwo).toFixed(2)}× js-yaml reading its two`,
  );
  console.log(
    `peak memory: validate (300) ${median(peaks.validate).toFixed(0)} MB, synth (300) ${median(peaks.synth).toFixed(0)} MB, with a ${HEAP_BUDGET_MB} MB heap budget ${median(peaks.synthBudget).toFixed(0)} MB, eager ${median(peaks.synthEager).toFixed(0)} MB`,
  );
  console.log(
    '\n| in process, per 1,000 objects | ' +
      sizes.map((n) => `${n} services (${objects(n)} objects)`).join(' | ') +
      ' |\n|---|' +
      sizes.map(() => '---|').join(''),
  );
  for (const [field, what] of [
    ['transitionCheck', 'transition check, 18 transitions'],
    ['leastPrivilege', 'project rules (least privilege), 10 stages'],
    ['writer', 'YAML writer, 10 stages'],
  ]) {
    console.log(
      `| ${what} | ${sizes.map((n) => `${((1000 * at(n, field)) / objects(n)).toFixed(4)} s`).join(' | ')} |`,
    );
  }
  target('validate --dist (300) ÷ reading the files (fastest parser)', pairedRatio(validateOf(300), reference.s), 3);
  target('validate --dist peak memory (300), MB', median(peaks.validate), 250);
  target('synth (300) ÷ the YAML writer alone', pairedRatio(synth, writer), 4);
  target(`synth peak memory (300), MB, with a ${HEAP_BUDGET_MB} MB heap budget`, median(peaks.synthBudget), 300);
  target('explain of one stage (300), seconds', median(explain), 0.5);
  target('plan of one stage (300), seconds', median(plan), 0.5);
  const big = sizes[sizes.length - 1];
  const linear = big / 100;
  target(
    `validate --dist, ${big} ÷ 100 services (${linear}× is linear)`,
    pairedRatio(validateOf(big), validateOf(100)),
    big === 1000 ? 10.5 : 3.15,
  );
  // Linear: the time per object at the largest size within 10% of the time per object at 100 services.
  for (const field of ['transitionCheck', 'leastPrivilege']) {
    const perObject = (n) => at(n, field) / objects(n);
    target(
      `${field === 'transitionCheck' ? 'transition check' : 'least-privilege check'} per object, ${big} ÷ 100 services (1.0 is linear)`,
      perObject(big) / perObject(100),
      1.1,
    );
  }
}

console.log('\n| target | measured | limit | |\n|---|---|---|---|');
for (const t of targets)
  console.log(`| ${t.what} | ${t.value.toFixed(2)} | ≤ ${t.limit} | ${t.ok ? 'met' : '**MISSED**'} |`);
const missed = targets.filter((t) => !t.ok);
if (missed.length > 0) {
  console.log(`\nMISSED: ${missed.map((t) => t.what).join('; ')}`);
  process.exit(1);
}
