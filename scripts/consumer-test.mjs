#!/usr/bin/env node
// npm run consumer-test: proves the package from outside, as a platform team adopts it.
// 1. `npm pack` (which builds out/ with tsc) and checks what the tarball carries;
// 2. a fresh cdk8s app in a temporary directory outside the repo installs the tarball with its
//    peer dependencies from the registry, type-checks its TypeScript against the shipped .d.ts
//    and compiles it;
// 3. there, through the package's bin: synth, validate (text and JSON), explain (text and JSON),
//    plan; a failing synth leaves the app's output untouched; the standard `app.synth()` idiom
//    works (one copy of cdk8s); `require` and `import` of the main entry expose the library and
//    no voting symbol, and internal paths are not importable;
// 4. the first hour of a new user (scripts/init-app-test.mjs): voting-mesh init, npm install,
//    synth, npm test and validate with no edit, then plain `cdk8s synth` with the plugin.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './build.cjs';
import { firstHour } from './init-app-test.mjs';

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const pinned = (name) => `${name}@${lock.packages[`node_modules/${name}`].version}`;
const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-consumer-'));
const app = join(scratch, 'platform-app');
// The consumer sees none of this repo's settings: no schema overrides, no npm script context.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(npm_|K8S_SCHEMA_DEFINITIONS|ISTIO_CRDS|ARGO_ROLLOUT_CRD|EXTRA_CRDS|CDK8S_OUTDIR)/.test(k),
  ),
);
env.CDK8S_CHECK_UPGRADE = 'false';
let failures = 0;
let passed = 0;

function check(what, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok   ${what}`);
  } else {
    failures++;
    console.log(`FAIL ${what}${detail ? `\n     ${detail.replace(/\n/g, '\n     ')}` : ''}`);
  }
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: app, env: { ...env, ...(options.env ?? {}) }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const bin = (...args) =>
  run(process.execPath, [join(app, 'node_modules', 'voting-mesh', 'out', 'cli', 'main.js'), ...args]);
const digest = (dir) =>
  createHash('sha256')
    .update(
      readdirSync(dir)
        .sort()
        .map((f) => `${f}\0${readFileSync(join(dir, f))}`)
        .join('\0'),
    )
    .digest('hex');

try {
  // 1. The tarball.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    }),
  );
  const files = packed[0].files.map((f) => f.path);
  const tarball = join(scratch, packed[0].filename);
  check(
    'the tarball carries the compiled library, its declarations, the bin and the bundled schemas',
    [
      'out/lib/index.js',
      'out/lib/index.d.ts',
      'out/cli/main.js',
      'out/cli/cdk8s-plugin.js',
      'templates/app/main.ts',
      'templates/app/gitignore',
      'schemas/kubernetes-1.27.0.json',
      'schemas/crds-istio-1.30.3.json',
      'package.json',
      'README.md',
      'LICENSE',
    ].every((f) => files.includes(f)),
    files.join(', '),
  );
  const stray = files.filter(
    (f) =>
      /^(__tests__|examples|dist|bench|\.ci|scripts|docs|voting|lib|cli|imports)\//.test(f) ||
      (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('templates/app/')),
  );
  check(
    "the tarball carries no tests, examples, dist, bench, CI, scripts, voting app or TypeScript sources (but init's app template)",
    stray.length === 0,
    stray.join(', '),
  );
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  check(
    'cdk8s, constructs and cdk8s-plus-27 are peer dependencies, not dependencies',
    ['cdk8s', 'constructs', 'cdk8s-plus-27'].every(
      (p) => manifest.peerDependencies?.[p] && !manifest.dependencies?.[p],
    ),
  );

  // 2. A fresh cdk8s app outside the repo.
  cpSync(join(root, 'scripts', 'consumer-app'), app, { recursive: true });
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify({ name: 'platform-app', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  writeFileSync(join(app, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\noutput: dist\n');
  const install = run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    tarball,
    pinned('cdk8s'),
    pinned('constructs'),
    pinned('cdk8s-plus-27'),
    pinned('@types/node'),
  ]);
  check('npm install of the tarball and its peer dependencies', install.code === 0, install.stderr);
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'voting-mesh', 'package.json'), 'utf8'));
  check(
    'the published package.json carries no jest configuration, and jest.config.js is not packed',
    installed.jest === undefined && !files.includes('jest.config.js'),
    Object.keys(installed).join(', '),
  );
  const tsc = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
  check(
    "the app's TypeScript type-checks against the shipped declarations and compiles",
    tsc.code === 0,
    tsc.stdout + tsc.stderr,
  );

  // 3. The bin, in the consumer's directory.
  const synth = bin('synth');
  const written = ['01-stable.k8s.yaml', '02-canary.k8s.yaml', 'RELEASE.md', 'mesh-context.json'];
  check(
    'voting-mesh synth writes the stages, RELEASE.md, mesh-context.json and the manifest listing them',
    synth.code === 0 &&
      JSON.stringify(readdirSync(join(app, 'dist')).sort()) === JSON.stringify(['.voting-mesh-output', ...written]) &&
      JSON.stringify(Object.keys(JSON.parse(readFileSync(join(app, 'dist', '.voting-mesh-output'), 'utf8')).files)) ===
        JSON.stringify(written) &&
      JSON.parse(readFileSync(join(app, 'dist', 'mesh-context.json'), 'utf8')).ingressPrincipal ===
        'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    synth.stdout + synth.stderr,
  );
  const canary = readFileSync(join(app, 'dist', '02-canary.k8s.yaml'), 'utf8');
  check(
    "the app's escape hatch (a JSON patch on web's Deployments) is in the output",
    (canary.match(/proxy\.istio\.io\/config: "\{\\"holdApplicationUntilProxyStarts\\": true\}"/g) ?? []).length === 2,
    canary.slice(0, 400),
  );
  const validate = bin('validate');
  check(
    'voting-mesh validate: every stage and transition valid',
    validate.code === 0 && /\nvalid\n$/.test(validate.stdout) && validate.stdout.includes('01-stable → 02-canary'),
    validate.stdout + validate.stderr,
  );
  const ambient = run(
    process.execPath,
    [join(app, 'node_modules', 'voting-mesh', 'out', 'cli', 'main.js'), 'synth', '--outdir', 'dist-ambient'],
    { env: { FLAVOUR: 'gateway-api-ambient' } },
  );
  const ambientCanary = ambient.code === 0 ? readFileSync(join(app, 'dist-ambient', '02-canary.k8s.yaml'), 'utf8') : '';
  const ambientValid = bin('validate', '--dist', 'dist-ambient');
  check(
    'the same app in the gateway-api-ambient flavour: HTTPRoutes, lane Services its callers dial, an ambient namespace, valid',
    ambient.code === 0 &&
      /kind: HTTPRoute\n[^]*?name: api-lane-next\n/.test(ambientCanary) &&
      /name: API_HOST\n\s+value: api-lane-next\n/.test(ambientCanary) &&
      ambientCanary.includes('istio.io/dataplane-mode: ambient') &&
      ambientValid.code === 0 &&
      /\nvalid\n$/.test(ambientValid.stdout),
    ambient.stdout + ambient.stderr + ambientValid.stdout + ambientValid.stderr,
  );
  const json = bin('validate', '-o', 'json');
  check(
    'voting-mesh validate -o json prints an empty array',
    json.code === 0 && JSON.stringify(JSON.parse(json.stdout)) === '[]',
    json.stdout + json.stderr,
  );
  const explain = bin('explain', '02', '--header', 'x-canary=always');
  check(
    'voting-mesh explain follows the canary lane: web 1.1, then api 2.0',
    explain.code === 0 &&
      /100% → web 1\.1 \[web-1-1/.test(explain.stdout) &&
      /100% → api 2\.0 \[api-2-0/.test(explain.stdout),
    explain.stdout + explain.stderr,
  );
  const explainJson = bin('explain', '02-canary', '-o', 'json');
  let hops;
  try {
    hops = JSON.parse(explainJson.stdout).hops;
  } catch {
    hops = [];
  }
  check(
    'voting-mesh explain -o json gives the hops with their shares',
    explainJson.code === 0 &&
      hops[0]?.deployments?.[0] === 'web-1-0' &&
      hops[0]?.share === 100 &&
      hops[0]?.calls?.[0]?.deployments?.[0] === 'api-1-0',
    explainJson.stdout + explainJson.stderr,
  );
  const plan = bin('plan', '01', '02', '--outdir', 'plans/01-02');
  check(
    'voting-mesh plan writes its steps under --outdir and proves the transition',
    plan.code === 0 &&
      plan.stdout.includes('kubectl apply -f plans/01-02/01-make.yaml') &&
      /transition check: at no moment/.test(plan.stdout),
    plan.stdout + plan.stderr,
  );

  const before = digest(join(app, 'dist'));
  const broken = run(process.execPath, [join(app, 'node_modules', '.bin', 'voting-mesh'), 'synth'], {
    env: { BREAK: '1' },
  });
  const errLines = broken.stderr.trim().split('\n');
  check(
    'a failing synth exits 1 with one error line per problem, no stack trace, and leaves dist/ exactly as it was',
    broken.code === 1 &&
      digest(join(app, 'dist')) === before &&
      errLines.length === 2 &&
      /lane 'nowhere' is not defined/.test(errLines[0]) &&
      /dist was left untouched/.test(errLines[1]) &&
      !/\n\s+at /.test(broken.stderr),
    broken.stderr,
  );
  mkdirSync(join(app, 'manifests'));
  writeFileSync(join(app, 'manifests', 'hand-written.yaml'), 'kind: ConfigMap\n');
  const foreign = bin('synth', '--outdir', 'manifests');
  check(
    'synth refuses an output directory it did not write (exit 2), and deletes nothing there',
    foreign.code === 2 &&
      /refusing to replace --outdir manifests/.test(foreign.stderr) &&
      readFileSync(join(app, 'manifests', 'hand-written.yaml'), 'utf8') === 'kind: ConfigMap\n',
    foreign.stderr,
  );

  const plain = run(process.execPath, ['plain.js'], { env: { CDK8S_OUTDIR: join(scratch, 'plain-out') } });
  check(
    'the standard `new App(); ...; app.synth()` renders the constructs (a single cdk8s)',
    plain.code === 0 && readdirSync(join(scratch, 'plain-out')).includes('01-hello.k8s.yaml'),
    plain.stderr,
  );

  const probe = `const keys = Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule');
    const voting = keys.filter((k) => /voting/i.test(k));
    const needed = ['ReleaseStage', 'StageChart', 'TrafficSimulator', 'analyzeMesh', 'explainRequest', 'planTransition', 'runSynth', 'SchemaRegistry'].filter((k) => !keys.includes(k));
    console.log(JSON.stringify({ count: keys.length, voting, needed }));`;
  const cjs = run(process.execPath, ['-e', `const m = require('voting-mesh'); ${probe}`]);
  const esm = run(process.execPath, ['--input-type=module', '-e', `import * as m from 'voting-mesh'; ${probe}`]);
  for (const [what, r] of [
    ['require', cjs],
    ['import', esm],
  ]) {
    let out = {};
    try {
      out = JSON.parse(r.stdout);
    } catch {
      /* reported below */
    }
    check(
      `${what}('voting-mesh') exposes the library (${out.count ?? '?'} names) and no voting symbol`,
      r.code === 0 && out.voting?.length === 0 && out.needed?.length === 0,
      r.stdout + r.stderr,
    );
  }
  const deep = run(process.execPath, ['-e', "require('voting-mesh/out/lib/release/yaml-writer')"]);
  check(
    'internal modules are not importable (only the package entry points are exported)',
    deep.code !== 0 && deep.stderr.includes('ERR_PACKAGE_PATH_NOT_EXPORTED'),
    deep.stderr,
  );
  const plugin = run(process.execPath, [
    '-e',
    "console.log(typeof require('voting-mesh/cdk8s-plugin').VotingMeshValidation)",
  ]);
  check(
    'voting-mesh/cdk8s-plugin exports the cdk8s validation plugin class',
    plugin.code === 0 && plugin.stdout.trim() === 'function',
    plugin.stdout + plugin.stderr,
  );

  // 4. From an empty directory to a validated first synth.
  firstHour({ root, scratch, tarball, env, check });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`consumer: ${passed} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
