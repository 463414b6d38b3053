import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Manifest, TransitionPlan } from 'voting-mesh';
import {
  checkTransition,
  diffStages,
  explainRequest,
  formatChange,
  objectKey,
  planTransition,
  renderRelease,
  TrafficSimulator,
} from 'voting-mesh';
import { buildVotingFlavour } from '../voting';
import { cli } from './cli-support';
import { testApp } from './support';

// The gateway-api-ambient flavour of the voting release: Gateway API Gateway and HTTPRoutes
// (GAMMA routes on lane Services), per-version and lane Services, a waypoint.
const charts = buildVotingFlavour(testApp(), 'gateway-api-ambient');
const stages = new Map(charts.map((s) => [s.stageName, s.toJson() as Manifest[]]));
const names = [...stages.keys()];
const plan = (from: string, to: string) => planTransition(from, stages.get(from)!, to, stages.get(to)!);
const summary = (p: TransitionPlan) =>
  p.steps.map((s) => [
    s.kind,
    [
      ...s.apply.map(objectKey),
      ...s.waitFor.map((d) => `wait ${objectKey(d)}`),
      ...s.remove.map((m) => `delete ${objectKey(m)}`),
    ],
  ]);
const isRoute = (m: Manifest) => m.kind === 'HTTPRoute';
const backends = (r: Manifest): string[] =>
  (r.spec?.rules ?? []).flatMap((x: any) =>
    (x.backendRefs ?? []).map((b: any) => `Service ${r.metadata.namespace}/${b.name}`),
  );

describe('ambient flavour: make before break, every transition forward and back', () => {
  const pairs = names.slice(1).flatMap((to, i) => [
    [names[i], to],
    [to, names[i]],
  ]);

  test('GIVEN the ambient flavour THEN it has the four stages', () => {
    expect(names).toEqual(['01-v1', '02-analytics-1-1-lock', '03-cookie-canary', '04-full-rollout']);
  });

  test.each(pairs)(
    'GIVEN %s → %s THEN the transition check finds no moment that routes to a missing Service, port, pod or waypoint',
    (from, to) => {
      expect(checkTransition(stages.get(from)!, plan(from, to))).toEqual([]);
    },
  );

  test.each(pairs)(
    'GIVEN %s → %s THEN HTTPRoutes move only once their backend Services exist and the Deployments behind them are ready, and before anything they leave is deleted',
    (from, to) => {
      const p = plan(from, to);
      const stepOf = (key: string, where: 'apply' | 'waitFor' | 'remove') =>
        p.steps.findIndex((s) => s[where].some((m) => objectKey(m) === key));
      const fromKeys = new Set(stages.get(from)!.map(objectKey));
      const toObjects = stages.get(to)!;
      for (const [i, step] of p.steps.entries()) {
        for (const r of step.apply.filter(isRoute)) {
          expect(step.kind).toBe('switch');
          for (const svc of backends(r).filter((k) => !fromKeys.has(k))) {
            // A new backend Service is made before the switch, and its new Deployments are waited for.
            expect(stepOf(svc, 'apply')).toBeGreaterThanOrEqual(0);
            expect(stepOf(svc, 'apply')).toBeLessThan(i);
            const service = toObjects.find((m) => objectKey(m) === svc)!;
            const selected = toObjects.filter(
              (m) =>
                m.kind === 'Deployment' &&
                !fromKeys.has(objectKey(m)) &&
                Object.entries<string>(service.spec.selector).every(
                  ([k, v]) => m.spec.template.metadata.labels[k] === v,
                ),
            );
            for (const d of selected) expect(stepOf(objectKey(d), 'waitFor')).toBeLessThan(i);
          }
        }
        for (const r of step.remove.filter(isRoute)) {
          expect(step.kind).toBe('switch');
          // What the removed route sent to, if the target drops it, goes later.
          for (const svc of backends(r).filter((k) => !toObjects.some((m) => objectKey(m) === k)))
            expect(stepOf(svc, 'remove')).toBeGreaterThan(i);
        }
      }
      // Every Service and Deployment the target drops is deleted after the last route change.
      const lastSwitch = p.steps.findIndex((s) => s.kind === 'switch');
      for (const m of p.removed.filter((x) => ['Service', 'Deployment', 'Gateway'].includes(x.kind)))
        expect(stepOf(objectKey(m), 'remove')).toBeGreaterThan(lastSwitch);
    },
  );

  test('GIVEN 01 → 02 THEN the waypoint and analytics 1.1 are ready before the lane Service changes its selector and waypoint and the HTTPRoutes switch', () => {
    const p = plan('01-v1', '02-analytics-1-1-lock');
    expect(p.steps.map((s) => s.kind)).toEqual(['make', 'wait', 'switch', 'break']);
    const [make, wait, switchStep] = p.steps;
    expect(make.apply.map(objectKey)).toEqual(
      expect.arrayContaining([
        'Gateway voting/waypoint',
        'Deployment voting/voting-analytics-1-1',
        'Service voting/voting-app-1-0',
        'Service voting/voting-analytics-1-0',
        'Service voting/voting-analytics-1-1',
      ]),
    );
    // The lane Service is not touched before the switch: it keeps selecting every analytics pod, without the waypoint.
    expect(make.apply.filter((m) => m.kind === 'Service' && m.metadata.name.includes('-lane-'))).toEqual([]);
    expect(make.apply.filter(isRoute)).toEqual([]);
    expect(wait.waitFor.map(objectKey)).toEqual(['Deployment voting/voting-analytics-1-1', 'Gateway voting/waypoint']);
    expect(switchStep.apply.map(objectKey)).toEqual([
      'Service voting/voting-analytics-lane-v1',
      'Service voting/voting-storage-lane-v1',
      'HTTPRoute voting/voting-app-ingress',
      'HTTPRoute voting/voting-analytics-lane-v1',
    ]);
    const lane = switchStep.apply.find((m) => m.metadata.name === 'voting-analytics-lane-v1' && m.kind === 'Service')!;
    expect(lane.spec.selector).toEqual({ app: 'voting-analytics', version: '1.1' });
    expect(lane.metadata.labels!['istio.io/use-waypoint']).toBe('waypoint');
  });

  test('GIVEN 02 → 03 THEN the 2.0 Services and Deployments are made and ready before the ingress and lane-v2 HTTPRoutes send to them', () => {
    expect(
      summary(plan('02-analytics-1-1-lock', '03-cookie-canary')).map(([kind, objs]) => [
        kind,
        (objs as string[]).filter((o) => /Service |HTTPRoute |Deployment /.test(o)),
      ]),
    ).toEqual([
      [
        'make',
        [
          'Service voting/voting-storage',
          'Service voting/voting-app-2-0',
          'Service voting/voting-analytics-2-0',
          'Service voting/voting-analytics-lane-v2',
          'Service voting/voting-storage-lane-v2',
          'Deployment voting/voting-app-2-0',
          'Deployment voting/voting-analytics-2-0',
          'Deployment voting/voting-storage-2-0',
        ],
      ],
      [
        'wait',
        [
          'wait Deployment voting/voting-app-2-0',
          'wait Deployment voting/voting-analytics-2-0',
          'wait Deployment voting/voting-storage-2-0',
        ],
      ],
      ['switch', ['HTTPRoute voting/voting-app-ingress', 'HTTPRoute voting/voting-analytics-lane-v2']],
      ['break', []],
    ]);
  });

  test('GIVEN the rollback 03 → 02 THEN the lane-v2 HTTPRoute and the cookie rule go first, the 2.0 Services next, the 2.0 Deployments last', () => {
    const s = summary(plan('03-cookie-canary', '02-analytics-1-1-lock')).map(([kind, objs]) => [
      kind,
      (objs as string[]).filter((o) => /Service |HTTPRoute |Deployment /.test(o)),
    ]);
    expect(s).toEqual([
      ['make', []],
      ['switch', ['HTTPRoute voting/voting-app-ingress', 'delete HTTPRoute voting/voting-analytics-lane-v2']],
      [
        'break',
        [
          'Service voting/voting-storage',
          'delete Service voting/voting-app-2-0',
          'delete Service voting/voting-analytics-2-0',
          'delete Service voting/voting-analytics-lane-v2',
          'delete Service voting/voting-storage-lane-v2',
        ],
      ],
      [
        'retire',
        [
          'delete Deployment voting/voting-app-2-0',
          'delete Deployment voting/voting-analytics-2-0',
          'delete Deployment voting/voting-storage-2-0',
        ],
      ],
      ['clean', []],
    ]);
  });

  test('GIVEN the rollback 02 → 01 THEN the lane Service gets its old selector and leaves the waypoint before the waypoint and the per-version Services are deleted', () => {
    const p = plan('02-analytics-1-1-lock', '01-v1');
    const at = (kind: string) => p.steps.find((s) => s.kind === kind)!;
    const lane = at('switch').apply.find((m) => objectKey(m) === 'Service voting/voting-analytics-lane-v1')!;
    expect(lane.spec.selector).toEqual({ app: 'voting-analytics' });
    expect(lane.metadata.labels!['istio.io/use-waypoint']).toBeUndefined();
    expect(at('switch').remove.map(objectKey)).toEqual(['HTTPRoute voting/voting-analytics-lane-v1']);
    expect(at('break').remove.map(objectKey)).toEqual(
      expect.arrayContaining([
        'Gateway voting/waypoint',
        'Service voting/voting-app-1-0',
        'Service voting/voting-analytics-1-1',
      ]),
    );
    expect(at('retire').remove.map(objectKey)).toEqual(['Deployment voting/voting-analytics-1-1']);
  });

  test('GIVEN 03 → 04 THEN the ingress HTTPRoute moves and lane-v1 goes before the 1.x Services, and those before the 1.x Deployments', () => {
    const s = summary(plan('03-cookie-canary', '04-full-rollout'));
    expect(s.map(([kind]) => kind)).toEqual(['make', 'switch', 'break', 'retire', 'clean']);
    expect(s[1][1]).toEqual([
      'HTTPRoute voting/voting-app-ingress',
      'delete HTTPRoute voting/voting-analytics-lane-v1',
    ]);
    expect(s[2][1]).toEqual(
      expect.arrayContaining([
        'delete Service voting/voting-app-1-0',
        'delete Service voting/voting-analytics-lane-v1',
        'delete Service voting/voting-storage-lane-v1',
      ]),
    );
  });

  test('GIVEN the plan printed THEN it waits for the new waypoint to be programmed and says every proxy must receive the routes', () => {
    const { formatPlan } = jest.requireActual('voting-mesh');
    const p = plan('01-v1', '02-analytics-1-1-lock');
    const text: string = formatPlan(p, {
      files: p.steps.map((s, i) => (s.apply.length > 0 ? `plan/${i + 1}.yaml` : undefined)),
      stageFile: 'dist/gateway-api-ambient/02.yaml',
    });
    expect(text).toContain(
      '   kubectl -n voting wait --for=condition=Programmed gateway.gateway.networking.k8s.io/waypoint --timeout=10m',
    );
    expect(text).toContain('   kubectl -n voting rollout status deployment/voting-analytics-1-1 --timeout=10m');
    expect(text).toContain(
      'sleep 30    # let every proxy (sidecars, gateways, waypoints, ztunnels) receive the new routes before anything is taken away',
    );
  });
});

describe('ambient flavour: the transition check can fail', () => {
  /** Everything at once, as a plain `kubectl apply --prune` would do. */
  const bigBang = (from: string, to: string): TransitionPlan => {
    const p = plan(from, to);
    return {
      ...p,
      steps: [{ kind: 'switch', title: 'all at once', apply: stages.get(to)!, waitFor: [], remove: [...p.removed] }],
    };
  };
  const messages = (from: string, p: TransitionPlan) =>
    checkTransition(stages.get(from)!, p).map((x) => `${x.kind}: ${x.origin}: ${x.message}`);

  test('GIVEN 02 → 03 applied at once THEN the cookie rule reaches a Service that does not exist yet', () => {
    expect(messages('02-analytics-1-1-lock', bigBang('02-analytics-1-1-lock', '03-cookie-canary'))).toEqual(
      expect.arrayContaining([
        "switch: HTTPRoute voting/voting-app-ingress: HTTPRoute voting/voting-app-ingress rule featureflag-cookie → voting-app-2-0:8080: Service 'voting-app-2-0' does not exist throughout the step",
        "switch: HTTPRoute voting/voting-analytics-lane-v2: HTTPRoute voting/voting-analytics-lane-v2 rule lane-v2 → voting-analytics-2-0:8080: Service 'voting-analytics-2-0' does not exist throughout the step",
      ]),
    );
  });

  test('GIVEN 03 → 04 applied at once THEN the old default rule still sends to the 1.0 Service being deleted', () => {
    expect(messages('03-cookie-canary', bigBang('03-cookie-canary', '04-full-rollout'))).toContain(
      "switch: HTTPRoute voting/voting-app-ingress: HTTPRoute voting/voting-app-ingress rule default → voting-app-1-0:8080: Service 'voting-app-1-0' does not exist throughout the step",
    );
  });

  test('GIVEN 01 → 02 without the wait THEN the lane Service selects analytics 1.1 before it is ready and uses a waypoint not yet programmed', () => {
    const p = plan('01-v1', '02-analytics-1-1-lock');
    const hasty = { ...p, steps: p.steps.filter((s) => s.kind !== 'wait') };
    expect(messages('01-v1', hasty)).toEqual(
      expect.arrayContaining([
        'switch: HTTPRoute voting/voting-analytics-lane-v1: HTTPRoute voting/voting-analytics-lane-v1 rule lane-v1 → voting-analytics-1-1:8080: no ready pods throughout the step',
        'switch: Service voting/voting-analytics-lane-v1: Service voting/voting-analytics-lane-v1: its selector ({"app":"voting-analytics"} or {"app":"voting-analytics","version":"1.1"}) selects no ready pods throughout the step',
        'switch: Service voting/voting-analytics-lane-v1: Service voting/voting-analytics-lane-v1: its waypoint Gateway voting/waypoint is not programmed throughout the step',
      ]),
    );
  });

  test('GIVEN 02 → 01 deleting the waypoint while the lane Service still uses it THEN the check names the waypoint', () => {
    const p = plan('02-analytics-1-1-lock', '01-v1');
    const waypoint = p.steps.flatMap((s) => s.remove).find((m) => objectKey(m) === 'Gateway voting/waypoint')!;
    const early = {
      ...p,
      steps: [
        { kind: 'make' as const, title: 'waypoint first', apply: [], waitFor: [], remove: [waypoint] },
        ...p.steps,
      ],
    };
    expect(messages('02-analytics-1-1-lock', early)).toContain(
      'make: Service voting/voting-analytics-lane-v1: Service voting/voting-analytics-lane-v1: its waypoint Gateway voting/waypoint is not programmed throughout the step',
    );
  });
});

describe('ambient flavour: diff, explain, release notes', () => {
  test('GIVEN 01 → 02 THEN the diff shows the ingress backendRef moving to the per-version Service and the lane Service selector pinning 1.1', () => {
    const d = diffStages(stages.get('01-v1')!, stages.get('02-analytics-1-1-lock')!);
    const changes = (key: string) =>
      d.changed.find((c) => objectKey(c.after) === key)!.changes.map((c) => formatChange(c));
    expect(changes('HTTPRoute voting/voting-app-ingress')).toEqual([
      'spec.rules[name=default].backendRefs[name=voting-app]: - {"group":"","kind":"Service","name":"voting-app","port":8080}',
      'spec.rules[name=default].backendRefs[name=voting-app-1-0]: + {"group":"","kind":"Service","name":"voting-app-1-0","port":8080}',
    ]);
    expect(changes('Service voting/voting-analytics-lane-v1')).toEqual([
      'metadata.labels["istio.io/use-waypoint"]: + "waypoint"',
      'spec.selector.version: + "1.1"',
    ]);
    expect(changes('Service voting/voting-storage-lane-v1')).toEqual(['spec.selector.version: + "1.0"']);
  });

  test('GIVEN stage 03 with the featureflag cookie THEN the request takes the 2.0 lane; without it the 1.x lane', () => {
    const m = stages.get('03-cookie-canary')!;
    const path = (headers: Record<string, string>) => {
      const [app] = explainRequest(m, { headers, path: '/' }).hops;
      const analytics = app.calls.find((c) => c.component === 'voting-analytics')!;
      // Through the waypoint: it authorizes the app, the analytics ztunnel authorizes the waypoint.
      return [
        app.deployments,
        analytics.rule,
        analytics.deployments,
        analytics.authorization?.allowed,
        analytics.calls.map((c) => c.deployments),
      ];
    };
    expect(path({ cookie: 'session=x; featureflag=on' })).toEqual([
      ['voting-app-2-0'],
      'voting-analytics-lane-v2/lane-v2',
      ['voting-analytics-2-0'],
      true,
      [['voting-storage-2-0']],
    ]);
    expect(path({})).toEqual([
      ['voting-app-1-0'],
      'voting-analytics-lane-v1/lane-v1',
      ['voting-analytics-1-1'],
      true,
      [['voting-storage-1-0']],
    ]);
  });

  test("GIVEN a cross-lane call through the waypoint THEN the waypoint's policy denies it, naming the waypoint", async () => {
    const result = await cli([
      'explain',
      'dist/gateway-api-ambient/03-cookie-canary.k8s.yaml',
      '--from',
      'voting-app-1-0',
      '--to',
      'voting-analytics-lane-v2',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'via voting-analytics-lane-v2/lane-v2 DENIED: waypoint voting/waypoint: no rule of voting-analytics-lane-v2-waypoint allows cluster.local/ns/voting/sa/voting-app-1-0 on port 8080',
    );
  });

  test('GIVEN a Gateway API gateway THEN possibleIngress lists every rule of its HTTPRoutes; a waypoint is no entry', () => {
    const sim = new TrafficSimulator(stages.get('03-cookie-canary')!);
    expect(sim.possibleIngress('voting/voting-app-gateway').map((h) => [h.rule, h.deployments])).toEqual([
      ['voting-app-ingress/featureflag-cookie', ['voting-app-2-0']],
      ['voting-app-ingress/default', ['voting-app-1-0']],
    ]);
    expect(sim.possibleIngress('voting/voting-app-gateway', ['tcp'])).toEqual([]);
    expect(() => sim.possibleIngress('voting/waypoint')).toThrow(/gatewayClassName 'istio-waypoint'/);
  });

  const notes = renderRelease(charts).find((f) => f.file === 'gateway-api-ambient/RELEASE.md')!.content;
  const section = (name: string) =>
    notes.slice(
      notes.indexOf(`## ${name}`),
      notes.indexOf('\n## ', notes.indexOf(`## ${name}`) + 1) === -1
        ? undefined
        : notes.indexOf('\n## ', notes.indexOf(`## ${name}`) + 1),
    );

  test('GIVEN the ambient RELEASE.md THEN the ingress Gateway is the entry node (not the waypoint) and the lanes are drawn through the HTTPRoutes', () => {
    const s3 = section('03-cookie-canary');
    expect(s3).toContain('  gateway_voting_app_gateway(["Gateway voting-app-gateway"])');
    expect(s3).not.toContain('Gateway waypoint');
    expect(s3).toContain('  gateway_voting_app_gateway -- "cookie featureflag=on · :8080" --> voting_app_2_0');
    expect(s3).toContain('  gateway_voting_app_gateway -- "any request · :8080" --> voting_app_1_0');
    expect(s3).toContain('  voting_app_1_0 -- "lane-v1 · :8080" --> voting_analytics_1_1');
    expect(s3).toContain('  voting_app_2_0 -- "lane-v2 · :8080" --> voting_analytics_2_0');
    expect(s3).toContain('  class voting_analytics_1_0 idle');
    expect(section('01-v1')).toContain('  gateway_voting_app_gateway -- "any request · :8080" --> voting_app_1_0');
  });

  test('GIVEN the ambient RELEASE.md THEN each stage has an HTTPRoute table (and no empty VirtualService table)', () => {
    const s3 = section('03-cookie-canary');
    expect(s3).not.toContain('| VirtualService |');
    expect(s3).toContain(
      [
        '| HTTPRoute | rule | match | backends | timeout/mirror |',
        '|---|---|---|---|---|',
        '| voting-app-ingress | featureflag-cookie | cookie featureflag=on | voting-app-2-0:8080 |  |',
        '| voting-app-ingress | default | any request | voting-app-1-0:8080 |  |',
        '| voting-analytics-lane-v1 | lane-v1 | any request | voting-analytics-1-1:8080 | timeout 3s |',
        '| voting-analytics-lane-v2 | lane-v2 | any request | voting-analytics-2-0:8080 | timeout 3s |',
      ].join('\n'),
    );
  });

  test('GIVEN HTTPRoutes with paths, headers, weights and a mirror THEN the table and the edges say so', () => {
    const base = stages.get('03-cookie-canary')!.filter((m) => !isRoute(m));
    const route: Manifest = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'voting' },
      spec: {
        parentRefs: [{ name: 'voting-app-gateway', sectionName: 'http' }],
        rules: [
          {
            name: 'api',
            matches: [
              { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-qa', value: 'yes' }], method: 'GET' },
            ],
            backendRefs: [
              { name: 'voting-app-1-0', port: 8080, weight: 80 },
              { name: 'voting-app-2-0', port: 8080, weight: 20 },
            ],
          },
          {
            name: 'rest',
            backendRefs: [{ name: 'voting-app-1-0', port: 8080 }],
            timeouts: { request: '5s' },
            filters: [
              {
                type: 'RequestMirror',
                requestMirror: { backendRef: { name: 'voting-app-2-0', port: 8080 }, percent: 10 },
              },
            ],
          },
        ],
      },
    };
    const text = renderRelease([
      {
        ...charts[2],
        stageName: 'x',
        description: undefined,
        limitations: [],
        manifests: [...base, route],
        outputDirectory: undefined,
      } as any,
    ]).find((f) => f.file === 'RELEASE.md')!.content;
    expect(text).toContain(
      '| web | api | header x-qa = yes and path /api* and method GET | voting-app-1-0:8080 80%, voting-app-2-0:8080 20% |  |',
    );
    expect(text).toContain(
      '| web | rest | any request | voting-app-1-0:8080 | timeout 5s · mirror 10% → voting-app-2-0:8080 (responses discarded) |',
    );
    expect(text).toContain(
      '  gateway_voting_app_gateway -- "header x-qa = yes and path /api* and method GET · 80% · :8080" --> voting_app_1_0',
    );
    expect(text).toContain('  gateway_voting_app_gateway -.->|"mirror 10% of rest · :8080"| voting_app_2_0');
  });
});

describe('ambient flavour: the command line on dist/gateway-api-ambient', () => {
  const file = (n: string) => `dist/gateway-api-ambient/${n}.k8s.yaml`;

  test('GIVEN explain with the cookie THEN the 2.0 lane through the lane-v2 HTTPRoute', async () => {
    const result = await cli(['explain', file('03-cookie-canary'), '--cookie', 'featureflag=on']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '└─ 100% → voting-app 2.0 [voting-app-2-0, no subset, port 8080/http] via voting-app-ingress/featureflag-cookie',
    );
    expect(result.stdout).toContain(
      '100% → voting-analytics 2.0 [voting-analytics-2-0, no subset, port 8080/http] via voting-analytics-lane-v2/lane-v2',
    );
    const plain = await cli(['explain', file('03-cookie-canary')]);
    expect(plain.stdout).toContain(
      'voting-analytics 1.1 [voting-analytics-1-1, no subset, port 8080/http] via voting-analytics-lane-v1/lane-v1',
    );
  });

  test('GIVEN plan 01 → 02 THEN exit 0, the steps in order and the transition check passes', async () => {
    const out = mkdtempSync(join(tmpdir(), 'voting-mesh-ambient-plan-'));
    try {
      const result = await cli(['plan', file('01-v1'), file('02-analytics-1-1-lock'), '--outdir', join(out, 'p')]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const steps = result.stdout
        .split('\n')
        .filter((l) => /^\d+\. \[/.test(l))
        .map((l) => /\[(\w+)\]/.exec(l)![1]);
      expect(steps).toEqual(['make', 'wait', 'switch', 'break']);
      expect(result.stdout).toMatch(
        /transition check: at no moment does a VirtualService or HTTPRoute route to a missing Service/,
      );
      expect(readdirSync(join(out, 'p')).filter((f) => f.endsWith('.yaml'))).toEqual([
        '01-make.yaml',
        '03-switch.yaml',
        '04-break.yaml',
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('GIVEN diff 01 → 02 THEN the backendRef and the lane Service selector changes are listed', async () => {
    const result = await cli(['diff', file('01-v1'), file('02-analytics-1-1-lock')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      [
        '~ HTTPRoute voting/voting-app-ingress',
        '    spec.rules[name=default].backendRefs[name=voting-app]: - {"group":"","kind":"Service","name":"voting-app","port":8080}',
        '    spec.rules[name=default].backendRefs[name=voting-app-1-0]: + {"group":"","kind":"Service","name":"voting-app-1-0","port":8080}',
      ].join('\n'),
    );
    expect(result.stdout).toContain(
      [
        '~ Service voting/voting-analytics-lane-v1',
        '    metadata.labels["istio.io/use-waypoint"]: + "waypoint"',
        '    spec.selector.version: + "1.1"',
      ].join('\n'),
    );
    expect(result.stdout).toContain('+ HTTPRoute voting/voting-analytics-lane-v1');
  });

  test('GIVEN diff 03 → 04 THEN the ingress default rule moves to voting-app-2-0 and the cookie rule goes', async () => {
    const result = await cli(['diff', file('03-cookie-canary'), file('04-full-rollout')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '    spec.rules[name=default].backendRefs[name=voting-app-2-0]: + {"group":"","kind":"Service","name":"voting-app-2-0","port":8080}',
    );
    expect(result.stdout).toMatch(/spec\.rules\[name=featureflag-cookie\]: - \{/);
  });
});
