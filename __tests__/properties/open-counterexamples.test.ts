import { readFileSync } from 'fs';
import { join } from 'path';
import { GeneratedRelease } from './arbitraries';
import { PROPERTIES } from './properties';
import { build } from './support';

// Counterexamples the long fuzz run found that are NOT fixed yet, kept as `test.failing` with
// their shrunk releases: each passes while the bug is there and fails the day it is fixed (then
// move it to regressions.test.ts as a plain test).
jest.setTimeout(120_000);
const release = (file: string): GeneratedRelease => JSON.parse(readFileSync(join(__dirname, 'counterexamples', file), 'utf8'));
const allHold = async (r: GeneratedRelease) => {
  for (const p of Object.values(PROPERTIES)) await p(build(r));
};

describe('open counterexamples of the release generator', () => {
  // npm run fuzz -- --runs 1000 --seed 1010 (app 921): sidecar stage 01's policies allow
  // gateway → web-v3-0-3 and web-v3-0-3's calls, which routing never uses.
  test.failing('GIVEN the shrunk release of seed 1010 THEN every property holds', () => allHold(release('seed-1010-entry-version-allowed-beyond-routing.json')));

  // npm run fuzz -- --runs 1000 --seed 7007 (app 315): ambient 01 → 02, web-v2 restarts with
  // calls to api-lane-main:6379 (TCP), allowed by the target but denied after the break step.
  test.failing('GIVEN the shrunk release of seed 7007 THEN every property holds', () => allHold(release('seed-7007-restarted-tcp-caller-denied-after-break.json')));
});
