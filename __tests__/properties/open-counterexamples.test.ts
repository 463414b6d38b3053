import { readFileSync } from 'fs';
import { join } from 'path';
import { checkTransition, Manifest, planTransition, ReleaseStage } from 'voting-mesh';
import { testApp } from '../support';
import { GeneratedRelease } from './arbitraries';

// Counterexamples the long fuzz run found that are NOT fixed yet, kept as `test.failing` with their
// releases: each passes while the bug is there and fails the day it is fixed (then move it to
// regressions.test.ts as a plain test).
jest.setTimeout(120_000);

describe('open counterexamples of the release generator', () => {
  // npm run fuzz -- --runs 100 --seed 14003 --no-shrink (app 65, not shrunk), ambient 01 → 02:
  // "auth-v1-1's running pods call cart-lane-canary:8080, allowed before the step and denied after
  // it" at the switch that moves cart-lane-canary from cart v1 to cart v3.0.3. auth v1.1 is idle in
  // both stages (01: in no lane; 02: in lane canary, but api, service-routed, calls auth as the
  // default lane main does), and cart-lane-canary-waypoint has no rules in either stage (no routed
  // caller): routing never sends auth v1.1 a request, so the call is denied by the target too.
  // Diagnosis so far: the check (checkRunningCallers) judges a caller that no request reaches;
  // the likely fix is to judge only callers routing uses in the from stage, not to admit it.
  test.failing('GIVEN the release of seed 14003 app 65 THEN its ambient transition 01 → 02 passes the check', () => {
    const r: GeneratedRelease = JSON.parse(readFileSync(join(__dirname, 'counterexamples', 'seed-14003-app-65-idle-caller-denied-at-lane-switch.json'), 'utf8'));
    const [a, b] = [0, 1].map((i) => new ReleaseStage(testApp(), { application: r.app, stage: r.stages[i], flavour: 'gateway-api-ambient' }).toJson() as Manifest[]);
    expect(checkTransition(a, planTransition('01-stage', a, '02-stage', b))).toEqual([]);
  });
});
