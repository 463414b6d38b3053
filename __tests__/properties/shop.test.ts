import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, JsonPatch } from 'cdk8s';
import type { Manifest, StageSpec, TransitionPlan } from 'voting-mesh';
import {
  checkTransition,
  explainRequest,
  formatExplanation,
  objectKey,
  planTransition,
  ReleaseConfigError,
  ReleaseStage,
  synthRelease,
} from 'voting-mesh';
import { cli } from '../cli-support';
import { testApp } from '../support';
import { shopApplication, shopStages } from './shop';
import { chartsOf, FLAVOURS, quietly } from './support';

// The shop of issue 18, in both flavours: it synthesizes, validates, and every transition passes.
const release = { app: shopApplication, stages: shopStages };
const stagesOf = (flavour: (typeof FLAVOURS)[number]) => {
  const app = testApp();
  return shopStages.map(
    (stage) => new ReleaseStage(app, { application: shopApplication, stage, flavour }).toJson() as Manifest[],
  );
};
const summary = (p: TransitionPlan) =>
  p.steps.map(
    (s) =>
      `${s.kind}: ${[...s.apply.map(objectKey), ...s.remove.map((m) => `delete ${objectKey(m)}`)].filter((k) => /Deployment|HTTPRoute|Service /.test(k)).join(', ')}`,
  );

describe('the shop (issue 18), both flavours', () => {
  test.each(FLAVOURS)(
    'GIVEN the shop in %s THEN every transition forward and back gets a plan whose check passes',
    (flavour) => {
      const m = stagesOf(flavour);
      for (let i = 0; i + 1 < m.length; i++) {
        for (const [a, b] of [
          [i, i + 1],
          [i + 1, i],
        ])
          expect(checkTransition(m[a], planTransition(`${a}`, m[a], `${b}`, m[b]))).toEqual([]);
      }
    },
  );

  test('GIVEN the shop synthesized (both flavours) WHEN validate runs on the output THEN it is valid, transitions included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-'));
    try {
      const { app, charts } = chartsOf(release, dir);
      quietly(() => synthRelease(app, charts));
      writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node main.js\noutput: .\n');
      for (const argv of [
        ['validate', '--dist', '.'],
        ['validate', '--dist', 'gateway-api-ambient'],
        ['validate', '-f', '.'],
      ]) {
        const r = await cli(argv, dir);
        expect([
          argv.join(' '),
          r.code,
          r.stdout.split('\n').filter((l) => l.includes('problem') || l.includes('[Error]')),
        ]).toEqual([argv.join(' '), 0, []]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN 02 → 03 in the ambient flavour THEN the frontends restart only after Service payments has its waypoint and 90/10 route, and are rolled out before the lane Services go', () => {
    const [, s2, s3] = stagesOf('gateway-api-ambient');
    expect(summary(planTransition('02', s2, '03', s3))).toEqual([
      'make: Service shop/payments-v2, Deployment shop/payments-v2',
      'wait: ',
      'switch: Service shop/payments, HTTPRoute shop/payments',
      'restart: Deployment shop/frontend-1-0, Deployment shop/frontend-2-0',
      'switch: delete HTTPRoute shop/payments-lane-main, delete HTTPRoute shop/payments-lane-canary',
      'break: delete Service shop/payments-lane-main, delete Service shop/payments-lane-canary',
    ]);
  });

  test('GIVEN 02 → 03 with the frontends restarted in the make step (the old order) THEN the check names the 50/50 window, and no longer the false "no ready pods"', () => {
    const [, s2, s3] = stagesOf('gateway-api-ambient');
    const p = planTransition('02', s2, '03', s3);
    const restart = p.steps.find((s) => s.kind === 'restart')!;
    const oldOrder: TransitionPlan = {
      ...p,
      steps: p.steps
        .filter((s) => s !== restart)
        .map((s) =>
          s.kind === 'make'
            ? { ...s, apply: [...s.apply, ...restart.apply] }
            : s.kind === 'wait'
              ? { ...s, waitFor: [...s.waitFor, ...restart.waitFor] }
              : s,
        ),
    };
    const problems = checkTransition(s2, oldOrder);
    expect(problems.map((x) => x.origin)).toEqual(['Deployment shop/frontend-1-0', 'Deployment shop/frontend-2-0']);
    // Before the switch the new pods' calls reach payments v1 only (and are denied), then both versions by the Service alone.
    expect(problems[0].message).toMatch(
      /^Deployment shop\/frontend-1-0 restarts with calls to payments:8080 \(env PAYMENTS_HOST\), which go to .* instead of payments-v1 90%, payments-v2 10%: restart it only once that host's Service, waypoint, routes and policies are the target's$/,
    );
    expect(problems.some((x) => x.message.includes('no ready pods'))).toBe(false);
  });

  test('GIVEN a changed Deployment with the Recreate strategy THEN the check still says its pods stop serving (only a rolling update keeps them)', () => {
    const [, s2, s3] = stagesOf('gateway-api-ambient');
    const recreate = (m: Manifest[]) =>
      m.map((o) =>
        o.kind === 'Deployment' && o.metadata.name === 'frontend-1-0'
          ? { ...o, spec: { ...o.spec, strategy: { type: 'Recreate' } } }
          : o,
      );
    const problems = checkTransition(recreate(s2), planTransition('02', recreate(s2), '03', recreate(s3)));
    expect(problems.map((x) => x.message)).toContain(
      'HTTPRoute shop/frontend-ingress rule default → frontend-1-0:8080: no ready pods throughout the step',
    );
  });

  test('GIVEN a lane that pins payments while serviceRoutes routes payments THEN synth refuses with one line naming stage and field', () => {
    const s3 = shopStages[2];
    const bad: StageSpec = {
      ...s3,
      lanes: s3.lanes.map((l, i) => (i === 0 ? { ...l, versions: { ...l.versions, payments: 'v1' } } : l)),
    };
    let error: unknown;
    try {
      new ReleaseStage(testApp(), { application: shopApplication, stage: bad });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReleaseConfigError);
    expect((error as Error).message).toBe(
      "stage '03-payments-split', component 'payments', field 'lanes[0].versions['payments']': lane 'main' pins payments to version 'v1', but serviceRoutes['payments'] routes every call to payments (service routes take precedence over lanes). Remove 'payments' from lane 'main', or remove serviceRoutes['payments'] to route it by lane.",
    );
  });

  test.each(FLAVOURS)(
    'GIVEN %s and a payments route on x-canary WHEN explain enters with the header THEN inner hops see it only with propagateHeaders, and the text says which',
    (flavour) => {
      const stage: StageSpec = {
        ...shopStages[2],
        serviceRoutes: {
          payments: [
            { name: 'canary', match: [{ header: { name: 'x-canary', exact: 'true' } }], to: 'v2' },
            { to: 'v1' },
          ],
        },
      };
      const m = new ReleaseStage(testApp(), { application: shopApplication, stage, flavour }).toJson() as Manifest[];
      const request = { headers: { 'x-canary': 'true' }, path: '/' };
      const payments = (propagateHeaders: boolean) =>
        explainRequest(m, request, 'shop-gateway', { propagateHeaders }).hops[0].calls.find(
          (c) => c.component === 'payments',
        )!.version;
      expect([payments(false), payments(true)]).toEqual(['v1', 'v2']);
      expect(
        formatExplanation('03', explainRequest(m, request, 'shop-gateway'))
          .split('\n')
          .pop(),
      ).toBe(
        'inner hops: evaluated without the request headers (Istio does not propagate them; --propagate-headers if the app forwards them)',
      );
      expect(
        formatExplanation('03', explainRequest(m, request, 'shop-gateway', { propagateHeaders: true }))
          .split('\n')
          .pop(),
      ).toBe('inner hops: every workload is assumed to forward the request headers (--propagate-headers)');
    },
  );
});

describe('synth and plan do not publish what their own checks reject', () => {
  /** The shop with postgres restarted between stages: its Recreate rollout (a ReadWriteOnce volume) leaves Service postgres without pods. */
  function brokenRelease(outdir: string) {
    const { app, charts } = chartsOf(release, outdir);
    for (const c of charts.filter((x) => x.stageName === '02-header-canary')) {
      const d = c.node
        .findAll()
        .find(
          (x) =>
            ApiObject.isApiObject(x) &&
            (x as ApiObject).kind === 'Deployment' &&
            (x as ApiObject).name === 'postgres-16',
        ) as ApiObject;
      d.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { restartedAt: 'stage-2' }));
    }
    return { app, charts };
  }

  test('GIVEN a release whose transition check fails THEN synth writes nothing and names the transition; WITH allowFailingChecks THEN it writes and prints each failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-gate-'));
    try {
      const broken = brokenRelease(dir);
      expect(() => quietly(() => synthRelease(broken.app, broken.charts))).toThrow(
        /transition 01-one-lane → 02-header-canary step 1 \(make\): VirtualService shop\/postgres route tcp\[0\] → postgres\/v16: no ready pods throughout the step/,
      );
      expect(readdirSync(dir)).toEqual([]);
      const printed: string[] = [];
      const saved = console.error;
      console.error = (t: string) => printed.push(t);
      try {
        const again = brokenRelease(dir);
        synthRelease(again.app, again.charts, { allowFailingChecks: true });
      } finally {
        console.error = saved;
      }
      expect(readdirSync(dir)).toContain('02-header-canary.k8s.yaml');
      expect(
        printed.filter((t) =>
          t.startsWith(
            'warning: check failed, published anyway (allowFailingChecks): transition 01-one-lane → 02-header-canary',
          ),
        ).length,
      ).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GIVEN a plan whose check fails THEN plan writes no step file; WITH --allow-failing-checks THEN it writes them and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-plan-'));
    try {
      const broken = brokenRelease(dir);
      quietly(() => synthRelease(broken.app, broken.charts, { allowFailingChecks: true }));
      writeFileSync(join(dir, 'cdk8s.yaml'), 'app: node main.js\noutput: .\n');
      const refused = await cli(['plan', '01', '02', '--dist', '.', '--outdir', 'plan'], dir);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(
        'transition check failed: no step file was written (plan left as it was); fix the stages, or write them anyway with --allow-failing-checks',
      );
      expect(readdirSync(dir)).not.toContain('plan');
      const forced = await cli(['plan', '01', '02', '--dist', '.', '--outdir', 'plan', '--allow-failing-checks'], dir);
      expect(forced.code).toBe(1);
      expect(forced.stdout).toContain(
        'transition check failed; the step files were written anyway (--allow-failing-checks) into plan',
      );
      expect(readdirSync(join(dir, 'plan')).filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
