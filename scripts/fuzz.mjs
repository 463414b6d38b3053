#!/usr/bin/env node
// Runs the property suite over many generated releases: `npm run fuzz -- --runs N --seed S`
// (defaults: 500 runs, a seed from the clock, printed so that a failure can be replayed).
import { spawnSync } from 'child_process';
import { dirname, join } from 'path';
import { fileURLToPath } from 'url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const USAGE = 'usage: npm run fuzz -- [--runs N] [--seed S] [--progress FILE] [--no-shrink]';
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    `${USAGE}\n  --runs N         generated apps (default 500)\n  --seed S         fast-check seed (default from the clock, printed)\n` +
      '  --progress FILE  append a line per app as it ends (refused, checked, or the failing property and release)\n' +
      '  --no-shrink      stop at the first failing app without shrinking it\n  FUZZ_COUNTEREXAMPLE=FILE  write the shrunk release of a failure there (JSON)',
  );
  process.exit(0);
}
const runs = Number(option('runs', '500'));
const seed = Number(option('seed', String(Date.now() % 2147483647)));
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  console.error(USAGE);
  process.exit(2);
}
console.log(`fuzz: ${runs} releases, seed ${seed}`);
// FUZZ_COUNTEREXAMPLE=file: where the shrunk release of a failure is written (JSON).
// --progress FILE (FUZZ_PROGRESS): a line per app as it ends; --no-shrink (FUZZ_SHRINK=0): stop at the first failure unshrunk.
const progress = option('progress', process.env.FUZZ_PROGRESS);
const shrink = !args.includes('--no-shrink') && process.env.FUZZ_SHRINK !== '0';
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(
  process.execPath,
  [jest, '--testMatch', '**/__tests__/properties/fuzz.ts', '--runInBand', '--silent=false'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      FUZZ_RUNS: String(runs),
      FUZZ_SEED: String(seed),
      CDK8S_CHECK_UPGRADE: 'false',
      ...(progress ? { FUZZ_PROGRESS: progress } : {}),
      FUZZ_SHRINK: shrink ? '1' : '0',
    },
  },
);
if (run.status !== 0) console.error(`fuzz: failed; replay with npm run fuzz -- --runs ${runs} --seed ${seed}`);
process.exit(run.status ?? 1);
