import { readFileSync } from 'fs';
import { join } from 'path';
import type { Manifest } from 'voting-mesh';
import { checkTransition, planTransition, ReleaseStage } from 'voting-mesh';
import { testApp } from '../support';
import type { GeneratedRelease } from './arbitraries';

// Counterexamples the long fuzz run found that are NOT fixed yet, kept as `test.failing` with their
// releases: each passes while the bug is there and fails the day it is fixed (then move it to
// regressions.test.ts as a plain test).
jest.setTimeout(120_000);

describe('open counterexamples of the release generator', () => {
  // npm run fuzz -- --runs 100 --seed 17001 --no-shrink (app 54, not shrunk), ambient 01 → 02, on
  // 83e8132: "auth-3's running pods call pay-lane-main:8080, allowed before the step and denied
  // after it" at the switch (step 5). auth 3 retires in 02 and dials pay-lane-main until then; in
  // 01 its call is allowed (waypoint, pay v4.1); the switch keeps the waypoint and moves the
  // selector from pay v4.1 to pay 2.1.2. Not diagnosed yet (found 20 minutes before the deadline):
  // look at which of the waypoint's pay-lane-main policy (make-step allowance) and pay 2.1.2's
  // ztunnel policy (admits the waypoint?) denies it after the switch; the fix is likely in
  // transition-allowances.ts (a Service that stays behind its waypoint but changes its selector).
  test.failing('GIVEN the release of seed 17001 app 54 THEN its ambient transition 01 → 02 passes the check', () => {
    const r: GeneratedRelease = JSON.parse(
      readFileSync(
        join(__dirname, 'counterexamples', 'seed-17001-app-54-retiring-caller-denied-at-lane-switch.json'),
        'utf8',
      ),
    );
    const [a, b] = [0, 1].map(
      (i) =>
        new ReleaseStage(testApp(), {
          application: r.app,
          stage: r.stages[i],
          flavour: 'gateway-api-ambient',
        }).toJson() as Manifest[],
    );
    expect(checkTransition(a, planTransition('01-stage', a, '02-stage', b))).toEqual([]);
  });
});
