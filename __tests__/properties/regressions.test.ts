import { readFileSync } from 'fs';
import { join } from 'path';
import type { Manifest, StageSpec } from 'voting-mesh';
import { authorize, checkTransition, explainRequest, planTransition, ReleaseStage } from 'voting-mesh';
import { testApp } from '../support';
import type { GeneratedRelease } from './arbitraries';
import { leastPrivilege, PROPERTIES } from './properties';
import { shopApplication, shopStages } from './shop';
import { build as buildBoth } from './support';

// Minimal counterexamples the generator found (issue 18), kept as named tests.
const build = (stage: StageSpec, flavour: 'istio-sidecar' | 'gateway-api-ambient', app = shopApplication) =>
  new ReleaseStage(testApp(), { application: app, stage, flavour }).toJson() as Manifest[];

/** A release the generator found, as kept in `counterexamples/`. */
const counterexample = (file: string): GeneratedRelease =>
  JSON.parse(readFileSync(join(__dirname, 'counterexamples', file), 'utf8'));
/** The first two stages of a kept release, synthesized in the ambient flavour. */
const ambientStages = (r: GeneratedRelease): [Manifest[], Manifest[]] => {
  return [build(r.stages[0], 'gateway-api-ambient', r.app), build(r.stages[1], 'gateway-api-ambient', r.app)];
};

describe('regressions found by the release generator', () => {
  test('GIVEN a service-routed caller (payments) and two lanes naming different postgres versions THEN its calls follow the default lane only, and policies allow only that', () => {
    const app = {
      ...shopApplication,
      components: shopApplication.components.map((c) =>
        c.name === 'postgres'
          ? { ...c, versions: { ...c.versions, '17': c.versions['16'] } }
          : c.name === 'cart'
            ? { ...c, versions: { ...c.versions, '2.0': c.versions['1.0'] } }
            : c,
      ),
    };
    const stage: StageSpec = {
      ...shopStages[2],
      deployments: { ...shopStages[2].deployments, cart: ['1.0', '2.0'], postgres: ['16', '17'] },
      lanes: [
        { name: 'main', versions: { frontend: '1.0', cart: '1.0', postgres: '16' } },
        { name: 'canary', versions: { frontend: '2.0', cart: '2.0', postgres: '17' } },
      ],
    };
    const m = build(stage, 'istio-sidecar', app);
    const ap = m.find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'postgres-17')!;
    // Only the canary lane's cart calls postgres 17; payments (in no lane) calls postgres 16, as its default route sends it.
    expect(JSON.stringify(ap.spec.rules)).not.toContain('payments');
  });

  test('GIVEN a service-routed component with two HTTP ports and a header route (ambient) THEN one HTTPRoute per port, each sending to its own port', () => {
    const HTTP2 = { name: 'http2-admin', port: 8081, protocol: 'http2' } as const;
    const app = {
      ...shopApplication,
      components: shopApplication.components.map((c) =>
        c.name === 'payments'
          ? {
              ...c,
              versions: Object.fromEntries(
                Object.entries(c.versions).map(([v, w]) => [v, { ...w, ports: [...w.ports, HTTP2] }]),
              ),
            }
          : c.name === 'frontend'
            ? {
                ...c,
                versions: Object.fromEntries(
                  Object.entries(c.versions).map(([v, w]) => [v, { ...w, env: { ...w.env, PAYMENTS_PORT: '8080' } }]),
                ),
              }
            : c,
      ),
    };
    const stage: StageSpec = {
      ...shopStages[2],
      serviceRoutes: {
        payments: [{ name: 'beta', match: [{ header: { name: 'x-beta', exact: 'yes' } }], to: 'v2' }, { to: 'v1' }],
      },
    };
    const routes = build(stage, 'gateway-api-ambient', app).filter(
      (o) => o.kind === 'HTTPRoute' && o.metadata.name.startsWith('payments'),
    );
    expect(
      routes.map((r) => [
        r.metadata.name,
        r.spec.parentRefs[0].port,
        [...new Set(r.spec.rules.flatMap((x: any) => x.backendRefs.map((b: any) => b.port)))],
      ]),
    ).toEqual([
      ['payments-8080', 8080, [8080]],
      ['payments-8081', 8081, [8081]],
    ]);
  });

  test('GIVEN a stage that creates the waypoint and new lane Services using it THEN they join it only at the switch, and the check passes', () => {
    const plain: StageSpec = { ...shopStages[0], versionRouting: false };
    const [a, b] = [build(plain, 'gateway-api-ambient'), build(shopStages[1], 'gateway-api-ambient')];
    const p = planTransition('01', a, '02', b);
    const made = p.steps[0].apply.filter((m) => m.kind === 'Service' && m.metadata.name.includes('-lane-canary'));
    expect(made.length).toBeGreaterThan(0);
    for (const s of made) expect(s.metadata.labels?.['istio.io/use-waypoint']).toBeUndefined();
    expect(checkTransition(a, p)).toEqual([]);
  });

  test('GIVEN a caller idle in the target whose environment changes THEN its restart is not reported for the target denying its calls', () => {
    const s1: StageSpec = {
      ...shopStages[1],
      entry: [
        {
          to: [
            { lane: 'main', weight: 50 },
            { lane: 'canary', weight: 50 },
          ],
        },
      ],
    };
    const s2: StageSpec = { ...shopStages[1], lanes: [shopStages[1].lanes[0]], entry: [{ to: 'main' }] };
    const [a, b] = [build(s1, 'gateway-api-ambient'), build(s2, 'gateway-api-ambient')];
    expect(checkTransition(a, planTransition('01', a, '02', b))).toEqual([]);
    expect(explainRequest(b, {}, 'shop-gateway').hops.map((h) => h.deployments)).toEqual([['frontend-1-0']]);
  });

  // npm run fuzz -- --runs 500 --seed 4004 (app 408, shrunk): api and cart service-routed, each
  // with an `x-beta` route to its newest version. The property counted only the hops explain takes
  // (api 1 → cart 2, api 2.0 → cart 4.1.2), but a service route matches the request, whoever sets
  // its header: api 1 may send x-beta itself, api 2.0 may not forward it. Routing (and the
  // analyzer's VM0005) lets every caller of cart reach every version cart's routes send to, so the
  // policies must allow those edges: the property was wrong, and now counts them.
  test('GIVEN service routes that match the same header at two hops THEN every api version may reach every cart version the routes name, and least privilege holds', () => {
    const r = counterexample('lane-callers-allowed-beyond-routing.json');
    expect(() => leastPrivilege(buildBoth(r))).not.toThrow();
    const m = build(r.stages[0], 'istio-sidecar', r.app);
    const callersOf = (name: string) =>
      m
        .find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === name)!
        .spec.rules.flatMap((x: any) => x.from[0].source.principals);
    expect(callersOf('cart-4-1-2')).toEqual(['cluster.local/ns/shop/sa/api-1', 'cluster.local/ns/shop/sa/api-2-0']);
    expect(callersOf('cart-2')).toEqual(['cluster.local/ns/shop/sa/api-1', 'cluster.local/ns/shop/sa/api-2-0']);
  });

  // npm run fuzz -- --runs 450 --seed 2002 (app 378, shrunk), ambient 02 → 01: the early switch
  // gives Service cart-lane-main its plain selector (app: cart) while cart v2.1, admitting only the
  // waypoint, runs until the retire step; the new api v1 and the old web v2.0.3 pods reach it and
  // cart v1 directly. The plan now admits them at both until the break (cart v2.1's policy until it
  // is retired); the check reports a running caller turned from allowed to denied.
  test('GIVEN a lane Service that loses its waypoint and version selector while the old version still runs THEN the plan admits its callers until the old pods are gone, and the check passes', () => {
    const [s1, s2] = ambientStages(counterexample('retired-version-behind-widened-lane-service.json'));
    const plan = planTransition('02-stage', s2, '01-stage', s1);
    expect(checkTransition(s2, plan)).toEqual([]);
    const retiring = plan.steps[0].apply.find(
      (m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'cart-v2-1',
    )!;
    expect(JSON.stringify(retiring.spec.rules)).toContain('sa/api-v1');
    expect(plan.steps.find((s) => s.kind === 'clean')!.remove.map((m) => `${m.kind}/${m.metadata.name}`)).toContain(
      'AuthorizationPolicy/cart-v2-1',
    );
    // Without the transition's allowances, the check says so.
    const bare = {
      ...plan,
      steps: plan.steps.map((s, i) =>
        i === 0
          ? {
              ...s,
              apply: s.apply.filter(
                (m) =>
                  m.kind !== 'AuthorizationPolicy' ||
                  s1.some(
                    (x) =>
                      x.kind === m.kind &&
                      x.metadata.name === m.metadata.name &&
                      JSON.stringify(x.spec) === JSON.stringify(m.spec),
                  ),
              ),
            }
          : s,
      ),
    };
    expect(
      checkTransition(s2, bare)
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/denied/);
  });

  // npm run fuzz -- --runs 1000 --seed 8008 (app 490) and --seed 9009 (app 544), ambient: a
  // restarted web whose api-lane-main widens onto a retiring api version (as seed 2002); fixed by
  // the same transition allowances.
  test.each([
    'seed-8008-restart-behind-widened-lane-service.json',
    'seed-9009-restart-behind-widened-lane-service.json',
  ])('GIVEN the shrunk release %s THEN every property holds', async (file) => {
    const r = counterexample(file);
    for (const p of Object.values(PROPERTIES)) await p(buildBoth(r));
  });

  // npm run fuzz -- --runs 1000 --seed 1010 (app 921, shrunk), sidecar: the default entry route
  // split main 0 / canary 54 / beta 46, and the policies admitted the gateway to main's entry
  // version web v3.0.3 (and its calls), which routing never sends a request: edges were made for
  // every lane. The product was wrong (a weight-0 destination gets no traffic in a VirtualService
  // or an HTTPRoute): the gateway is now admitted only to lanes an entry route gives a share above
  // 0, or mirrors. The route keeps the lane at weight 0; a later stage's plan admits it before the
  // switch that gives it a share (make before break).
  describe.each(['istio-sidecar', 'gateway-api-ambient'] as const)(
    'GIVEN a lane at weight 0 in the entry split (%s)',
    (flavour) => {
      const dark: StageSpec = {
        ...shopStages[1],
        entry: [
          {
            to: [
              { lane: 'main', weight: 100 },
              { lane: 'canary', weight: 0 },
            ],
          },
        ],
      };
      const gatewayMay = (stage: StageSpec, deployment: string) => {
        const chart = new ReleaseStage(testApp(), { application: shopApplication, stage, flavour });
        const m = chart.toJson() as Manifest[];
        const d = m.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment)!;
        return authorize(m, 'shop', d.spec.template.metadata.labels, chart.meshContext.ingressPrincipal, 8080).allowed;
      };
      test("THEN the gateway may call the main lane's frontend 1.0 and not the dark lane's frontend 2.0", () => {
        expect([gatewayMay(dark, 'frontend-1-0'), gatewayMay(dark, 'frontend-2-0')]).toEqual([true, false]);
      });
      test('THEN a lane that only receives mirrored copies is admitted (the gateway sends them)', () => {
        const mirrored: StageSpec = { ...dark, entry: [{ to: 'main', mirror: { lane: 'canary', percent: 10 } }] };
        expect(gatewayMay(mirrored, 'frontend-2-0')).toBe(true);
      });
      test('THEN the shrunk release of seed 1010 keeps least privilege', () => {
        const r = counterexample('seed-1010-entry-version-allowed-beyond-routing.json');
        expect(() => leastPrivilege(buildBoth(r))).not.toThrow();
      });
    },
  );

  // npm run fuzz -- --runs 1000 --seed 7007 (app 315, shrunk), ambient. 01 → 02: web v2 restarts
  // with API_HOST=api-lane-main, a TCP lane Service (no waypoint: ztunnel enforces at L4) that the
  // switch widens to {app: api}, onto api 3 (retiring) and api v1.1. api 3's policy already admitted
  // web v2, so the plan gave it no allowance and deleted it in the break step while api 3 still ran
  // behind the Service: the namespace's allow-nothing then resets web v2's connections to api 3
  // until the retire step. The product was wrong: it is now kept until the clean step. 02 → 01
  // (found once that was fixed): cart-lane-main joins the waypoint in the switch while api v1.1
  // (retiring) still dials it, and the waypoint's policy for it admitted only stage 01's callers:
  // the plan now admits the callers of either stage at the waypoint until the break.
  describe('GIVEN the shrunk release of seed 7007 (ambient)', () => {
    const r = counterexample('seed-7007-restarted-tcp-caller-denied-after-break.json');
    const [s1, s2] = ambientStages(r);
    const names = (ms: readonly Manifest[]) =>
      ms.filter((m) => m.kind === 'AuthorizationPolicy').map((m) => m.metadata.name);
    test('WHEN planning 01 → 02 THEN the retiring api 3 keeps its policy (admitting web v2) through the break, deleted after its pods, and the check passes', () => {
      const plan = planTransition('01-stage', s1, '02-stage', s2);
      const step = (kind: string) => plan.steps.find((s) => s.kind === kind)!;
      expect(names(step('break').remove)).not.toContain('api-3');
      expect(names(step('clean').remove)).toContain('api-3');
      expect(plan.steps.findIndex((s) => s.kind === 'retire')).toBeLessThan(
        plan.steps.findIndex((s) => s.kind === 'clean'),
      );
      expect(checkTransition(s1, plan)).toEqual([]);
    });
    test('WHEN planning 02 → 01 THEN the waypoint admits the retiring api v1.1 to cart-lane-main until the break, and the check passes', () => {
      const plan = planTransition('02-stage', s2, '01-stage', s1);
      const waypointPolicy = (kind: string) =>
        plan.steps
          .find((s) => s.kind === kind)!
          .apply.find((m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'cart-lane-main-waypoint')!;
      const principals = (m: Manifest) => m.spec.rules.flatMap((x: any) => x.from[0].source.principals);
      expect(principals(waypointPolicy('make'))).toContain('cluster.local/ns/shop/sa/api-v1-1');
      expect(principals(waypointPolicy('break'))).not.toContain('cluster.local/ns/shop/sa/api-v1-1');
      expect(checkTransition(s2, plan)).toEqual([]);
    });
    test('THEN every property holds', async () => {
      for (const p of Object.values(PROPERTIES)) await p(buildBoth(r));
    });
  });

  // npm run fuzz -- --runs 40 --seed 5005 (app 27, ambient 01 → 02; shrunk by hand to the shop):
  // search was service-routed with one version at weight 0, so no policy selected that version's
  // pods; the next stage routes search by lanes, and the switch takes Service `search` off the
  // waypoint with its plain selector {app: search}: the callers still dialling it reached that
  // version directly and were denied by allow-nothing. The product was wrong: the plan now gives
  // such pods a policy for the transition only.
  describe('GIVEN payments service-routed 100/0 (v2 idle, no policy) and then one lane without v2 and frontend 2.0 (ambient)', () => {
    const split: StageSpec = {
      ...shopStages[2],
      serviceRoutes: {
        payments: [
          {
            to: [
              { version: 'v1', weight: 100 },
              { version: 'v2', weight: 0 },
            ],
          },
        ],
      },
    };
    const [a, b] = [build(split, 'gateway-api-ambient'), build(shopStages[0], 'gateway-api-ambient')];
    const plan = planTransition('03', a, '01', b);
    const step = (kind: string) => plan.steps.find((s) => s.kind === kind)!;
    test('THEN the make step admits the frontends (2.0 retiring, still dialling payments) at payments v2 until its pods are retired, and the check passes', () => {
      expect(a.some((m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'payments-v2')).toBe(false);
      const made = step('make').apply.find(
        (m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'payments-v2',
      )!;
      expect(made.spec.selector.matchLabels).toEqual({ app: 'payments', version: 'v2' });
      expect(made.spec.rules.flatMap((x: any) => x.from[0].source.principals)).toEqual(
        expect.arrayContaining(['cluster.local/ns/shop/sa/frontend-1-0', 'cluster.local/ns/shop/sa/frontend-2-0']),
      );
      expect(step('clean').remove.map((m) => `${m.kind}/${m.metadata.name}`)).toContain(
        'AuthorizationPolicy/payments-v2',
      );
      expect(checkTransition(a, plan)).toEqual([]);
    });
  });

  test('GIVEN the release of seed 5005 app 27 (not shrunk: 12 components) THEN its ambient transitions 01 ⇄ 02 pass the check', () => {
    const [s1, s2] = ambientStages(
      counterexample('seed-5005-app-27-idle-version-behind-service-leaving-waypoint.json'),
    );
    const forward = planTransition('01-stage', s1, '02-stage', s2);
    expect(
      forward.steps[0].apply.find((m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'search-v1-1')?.spec
        .rules.length,
    ).toBeGreaterThan(0);
    expect(checkTransition(s1, forward)).toEqual([]);
    expect(checkTransition(s2, planTransition('02-stage', s2, '01-stage', s1))).toEqual([]);
  });

  // npm run fuzz -- --runs 100 --seed 14003 --no-shrink (app 65, not shrunk), ambient 01 → 02: auth
  // v1.1 is idle in both stages (01: in no lane; 02: in lane canary, but api, service-routed, calls
  // auth as the default lane does), so no policy of either stage admits it to cart-lane-canary. The
  // waypoint allowance (callers of either stage admitted while the Service moves) admitted it at the
  // make step, and the switch then moved the Service onto cart v3.0.3, which admits nobody: a call
  // "allowed before, denied after". The product was wrong: the allowance now admits only callers
  // some stage's policies admit to the Service; an idle caller stays denied throughout.
  test('GIVEN the release of seed 14003 app 65 (not shrunk) THEN the idle auth v1.1 is not admitted at the waypoint, and its ambient transitions 01 ⇄ 02 pass the check', () => {
    const [s1, s2] = ambientStages(counterexample('seed-14003-app-65-idle-caller-denied-at-lane-switch.json'));
    const forward = planTransition('01-stage', s1, '02-stage', s2);
    const waypoint = forward.steps[0].apply.find(
      (m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'cart-lane-canary-waypoint',
    );
    expect(JSON.stringify(waypoint?.spec.rules ?? [])).not.toContain('sa/auth-v1-1');
    expect(checkTransition(s1, forward)).toEqual([]);
    expect(checkTransition(s2, planTransition('02-stage', s2, '01-stage', s1))).toEqual([]);
  });
  // npm run fuzz -- --runs 100 --seed 17001 --no-shrink (app 54, not shrunk), ambient 01 → 02:
  // auth 3 retires in 02 and dials pay-lane-main until then. The switch keeps the Service behind
  // its waypoint and moves its selector from pay v4.1 to pay 2.1.2, which no caller reaches in the
  // target and so has no policy: behind the waypoint, its pods answered the waypoint with the
  // namespace's allow-nothing ("allowed before the step and denied after it"). The product was
  // wrong: the allowance admitted the callers at the waypoint only; the pods a moved waypoint
  // Service selects now admit the waypoint too (a transition-only policy here) until the break.
  test('GIVEN the release of seed 17001 app 54 (not shrunk) THEN pay 2.1.2 admits the waypoint while auth 3 still dials pay-lane-main, and its ambient transitions 01 ⇄ 02 pass the check', () => {
    const [s1, s2] = ambientStages(counterexample('seed-17001-app-54-retiring-caller-denied-at-lane-switch.json'));
    const forward = planTransition('01-stage', s1, '02-stage', s2);
    const stepOf = (kind: string) => forward.steps.findIndex((s) => s.kind === kind);
    const made = forward.steps[0].apply.find(
      (m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'pay-2-1-2',
    );
    expect(made?.spec.rules).toEqual([
      {
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/waypoint'] } }],
        to: [{ operation: { ports: ['8080', '8081'] } }],
      },
    ]);
    expect(s2.some((m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'pay-2-1-2')).toBe(false);
    expect(forward.steps[stepOf('break')].remove.map((m) => `${m.kind} ${m.metadata.name}`)).toContain(
      'AuthorizationPolicy pay-2-1-2',
    );
    expect(checkTransition(s1, forward)).toEqual([]);
    expect(checkTransition(s2, planTransition('02-stage', s2, '01-stage', s1))).toEqual([]);
  });

  // npm run fuzz -- --runs 1250 --seed 30003 --no-shrink (app 220, not shrunk), ambient 02 → 01:
  // stage 01 runs one auth version, so its lane Service auth-lane-main selects `{app: auth}` only.
  // Made in the make step while auth 1.0, v3 and v4.1 (the source's) still run, it sends the
  // restarted api v1.1's calls to them too, and they admitted no such caller (auth 1.0 and v3 had
  // no policy: allow-nothing). db-lane-main the same, after the break took db v2.1's policy. The
  // product was wrong: a new Service onto pods the target retires now gets the allowances a
  // widened one gets (transition-only policies, the retiring policies kept until the clean step).
  test('GIVEN the release of seed 30003 app 220 (not shrunk) THEN the pods a new lane Service selects until they retire admit its callers, and its ambient transitions 01 ⇄ 02 pass the check', () => {
    const [s1, s2] = ambientStages(counterexample('seed-30003-app-220-new-lane-service-onto-retiring-pods.json'));
    const back = planTransition('02-stage', s2, '01-stage', s1);
    const policy = (name: string) =>
      back.steps[0].apply.find((m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === name);
    // auth 1.0 and v3 get a policy for the transition; auth v4.1 admits api v1.1 already and keeps its policy until it retires.
    for (const name of ['auth-1-0', 'auth-v3'])
      expect(policy(name)?.spec.rules).toContainEqual({
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/api-v1-1'] } }],
        to: [{ operation: { ports: ['6379'] } }],
      });
    const clean = back.steps.find((s) => s.kind === 'clean')!;
    expect(clean.remove.map((m) => `${m.kind} ${m.metadata.name}`)).toEqual(
      expect.arrayContaining([
        'AuthorizationPolicy auth-1-0',
        'AuthorizationPolicy auth-v4-1',
        'AuthorizationPolicy db-v2-1',
      ]),
    );
    const breakStep = back.steps.find((s) => s.kind === 'break')!;
    expect(
      breakStep.remove.filter((m) => m.kind === 'AuthorizationPolicy' && /^(auth|db)-/.test(m.metadata.name)),
    ).toEqual([]);
    expect(checkTransition(s2, back)).toEqual([]);
    expect(checkTransition(s1, planTransition('01-stage', s1, '02-stage', s2))).toEqual([]);
  });
});
