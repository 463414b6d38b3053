// The first hour of a platform engineer, from the packed tarball, as docs/getting-started.md
// tells it: `voting-mesh init` into an empty directory, `npm install` (the tarball and the pinned
// packages from the registry), `npx voting-mesh synth`, `npm test` and `npx voting-mesh validate`,
// with no edit in between, timed against the ten minutes. Then the same app's other
// flavours, its type-check, and plain `cdk8s synth` (the repository's cdk8s-cli) with the
// validation plugin init configured: a good app passes; a bad stage fails with exactly the
// messages `voting-mesh validate` gives for it.
// scripts/consumer-test.mjs calls firstHour() with the tarball it packed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TEN_MINUTES_MS = 10 * 60 * 1000;

/**
 * @param {{ root: string, scratch: string, tarball: string, env: NodeJS.ProcessEnv, check: (what: string, ok: boolean, detail?: string) => void }} options
 */
export function firstHour({ root, scratch, tarball, env, check }) {
  const home = join(scratch, 'first-hour');
  mkdirSync(home);
  const app = join(home, 'shop');
  const run = (cwd, cmd, args, extraEnv = {}) => {
    const r = spawnSync(cmd, args, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8' });
    return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, stdout: r.stdout ?? '' };
  };
  const npx = (...args) => run(app, 'npx', ['--no-install', ...args]);
  const started = Date.now();

  // The sequence the guide gives, each step on the previous one's result.
  const init = run(home, 'npx', ['--yes', '--package', tarball, 'voting-mesh', 'init', 'shop', '--source', tarball]);
  check(
    'npx --package <tarball> voting-mesh init shop: writes the app into the new directory',
    init.code === 0 &&
      JSON.stringify(readdirSync(app).sort()) ===
        JSON.stringify([
          '.gitignore',
          'cdk8s.yaml',
          'jest.config.js',
          'main.test.ts',
          'main.ts',
          'package.json',
          'tsconfig.json',
        ]),
    init.out,
  );
  if (init.code !== 0) return;
  const install = run(app, 'npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
  check(
    "npm install in the new app: the tarball and init's pinned packages, from the registry",
    install.code === 0,
    install.out,
  );
  const synth = npx('voting-mesh', 'synth');
  check(
    'npx voting-mesh synth (cdk8s.yaml: ts-node main.ts) writes both stages',
    synth.code === 0 &&
      ['01-stable.k8s.yaml', '02-canary.k8s.yaml', 'RELEASE.md', 'mesh-context.json'].every((f) =>
        readdirSync(join(app, 'dist')).includes(f),
      ),
    synth.out,
  );
  const test = run(app, 'npm', ['test']);
  check(
    "npm test: the app's jest tests (both flavours' routing, a refused stage) pass, without warnings",
    test.code === 0 && /Tests:\s+\d+ passed, \d+ total/.test(test.out) && !/failed|WARN/.test(test.out),
    test.out,
  );
  const validate = npx('voting-mesh', 'validate', '--dist', 'dist');
  check(
    'npx voting-mesh validate --dist dist: every stage and both transitions valid',
    validate.code === 0 && /\nvalid\n$/.test(validate.stdout) && validate.stdout.includes('01-stable → 02-canary'),
    validate.out,
  );
  const minutes = (Date.now() - started) / 60000;
  console.log(`     first hour: init, install, synth, test and validate took ${minutes.toFixed(1)} min`);
  check(
    'the whole sequence takes less than ten minutes',
    Date.now() - started < TEN_MINUTES_MS,
    `${minutes.toFixed(1)} min`,
  );

  const both = run(app, 'npx', ['--no-install', 'voting-mesh', 'synth'], { FLAVOUR: 'both' });
  const ambient = npx('voting-mesh', 'validate', '--dist', 'dist/gateway-api-ambient');
  check(
    'FLAVOUR=both synthesizes the gateway-api-ambient flavour into dist/gateway-api-ambient/ too, and it validates',
    both.code === 0 &&
      readFileSync(join(app, 'dist', 'gateway-api-ambient', '02-canary.k8s.yaml'), 'utf8').includes(
        'kind: HTTPRoute',
      ) &&
      ambient.code === 0 &&
      /\nvalid\n$/.test(ambient.stdout),
    both.out + ambient.out,
  );
  const wrong = run(app, 'npx', ['--no-install', 'voting-mesh', 'synth'], { FLAVOUR: 'ambient' });
  check(
    'an unknown FLAVOUR fails synth with one line naming the choices',
    wrong.code === 1 &&
      wrong.out.includes("error: FLAVOUR is 'ambient', not one of istio-sidecar, gateway-api-ambient, both"),
    wrong.out,
  );
  const typecheck = run(app, 'npm', ['run', 'typecheck']);
  check(
    "npm run typecheck: the app's tsconfig.json compiles main.ts and its test",
    typecheck.code === 0,
    typecheck.out,
  );

  plainCdk8sSynth({ root, app, run, check });
}

/** Plain `cdk8s synth` in the app: the plugin of init's cdk8s.yaml checks the stages as validate does. */
function plainCdk8sSynth({ root, app, run, check }) {
  const cdk8s = (...args) =>
    run(app, process.execPath, [join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), ...args]);
  const good = cdk8s('synth', '--output', 'cdk8s-dist');
  check(
    "plain cdk8s synth runs the voting-mesh plugin of init's cdk8s.yaml: the app's stages pass",
    good.code === 0 &&
      good.out.includes('Validation Report (') &&
      /Status\s*│\s*success/.test(good.out) &&
      /Checked\s*│\s*2 stage\(s\) in cdk8s-dist/.test(good.out),
    good.out,
  );

  // A bad stage: the good stages, with the canary lane's api route sent to a subset no DestinationRule has.
  writeFileSync(
    join(app, 'bad-app.js'),
    [
      "const fs = require('fs');",
      'const out = process.env.CDK8S_OUTDIR;',
      'fs.mkdirSync(out, { recursive: true });',
      "for (const f of ['01-stable.k8s.yaml', 'mesh-context.json']) fs.copyFileSync(`dist/${f}`, `${out}/${f}`);",
      "fs.writeFileSync(`${out}/02-canary.k8s.yaml`, fs.readFileSync('dist/02-canary.k8s.yaml', 'utf8').replace('subset: v2-0', 'subset: v9-9'));",
      '',
    ].join('\n'),
  );
  const bad = cdk8s(
    'synth',
    '--app',
    'node bad-app.js',
    '--output',
    'bad-dist',
    '--validation-reports-output-file',
    'reports.json',
  );
  const validated = run(app, 'npx', ['--no-install', 'voting-mesh', 'validate', '--dist', 'bad-dist', '-o', 'json']);
  let reported = [];
  let expected = [];
  try {
    reported = JSON.parse(readFileSync(join(app, 'reports.json'), 'utf8')).reports[0].violations.map((v) => {
      const [, code, level, stage] = /^(\S+) \S* ?\((\w+)\) in (.+)$/.exec(v.ruleName);
      return {
        code,
        level,
        origin: v.violatingConstructs[0].resourceName,
        field: v.violatingConstructs[0].locations[0],
        message: v.recommendation,
        stage,
      };
    });
    expected = JSON.parse(validated.stdout);
  } catch {
    /* reported below */
  }
  check(
    'plain cdk8s synth of a bad stage fails (exit 2) with exactly the messages voting-mesh validate gives for it',
    bad.code === 2 &&
      /Status\s*│\s*failure/.test(bad.out) &&
      validated.code === 1 &&
      expected.some((m) => m.code === 'IST0101' && m.stage === '02-canary') &&
      JSON.stringify(reported) === JSON.stringify(expected),
    `${bad.out}\nvalidate -o json:\n${validated.out}`,
  );
}
