import type { Manifest, TransitionPlan } from 'voting-mesh';
import { ReleaseStage, checkTransition, objectKey, planTransition } from 'voting-mesh';
import { createVotingApplication, votingStages } from '../voting';
import { testApp, votingManifests } from './support';

const stages = votingManifests();
const names = [...stages.keys()];
const plan = (from: string, to: string) => planTransition(from, stages.get(from)!, to, stages.get(to)!);
const summary = (p: TransitionPlan) =>
  p.steps.map((s) => [
    s.kind,
    [
      ...s.apply.map(objectKey),
      ...s.waitFor.map((d) => `wait ${d.metadata.name}`),
      ...s.remove.map((m) => `delete ${objectKey(m)}`),
    ],
  ]);

describe('transitions between consecutive stages, forward and back', () => {
  const pairs = names.slice(1).flatMap((to, i) => [
    [names[i], to],
    [to, names[i]],
  ]);
  test.each(pairs)('GIVEN %s → %s THEN no moment routes to a missing subset, port or pod', (from, to) => {
    expect(checkTransition(stages.get(from)!, plan(from, to))).toEqual([]);
  });

  test('GIVEN 01 → 02 THEN identity, widened policies, workloads and subsets come first, routes after the rollout, narrowed policies and strict mTLS last', () => {
    expect(summary(plan('01-v1', '02-analytics-1-1-lock'))).toEqual([
      [
        'make',
        [
          'ServiceAccount voting/voting-analytics-1-1',
          'AuthorizationPolicy voting/voting-analytics-1-1',
          'AuthorizationPolicy voting/voting-storage-1-0',
          'NetworkPolicy voting/voting-app-1-0',
          'NetworkPolicy voting/voting-analytics-1-0',
          'NetworkPolicy voting/voting-analytics-1-1',
          'NetworkPolicy voting/voting-storage-1-0',
          'Deployment voting/voting-analytics-1-1',
          'DestinationRule voting/voting-app',
          'DestinationRule voting/voting-analytics',
          'DestinationRule voting/voting-storage',
        ],
      ],
      ['wait', ['wait voting-analytics-1-1']],
      [
        'switch',
        [
          'VirtualService voting/voting-app',
          'VirtualService voting/voting-analytics',
          'VirtualService voting/voting-storage',
          'VirtualService voting/voting-app-ingress',
        ],
      ],
      [
        'break',
        [
          'AuthorizationPolicy voting/voting-storage-1-0',
          'NetworkPolicy voting/voting-app-1-0',
          'NetworkPolicy voting/voting-analytics-1-0',
          'NetworkPolicy voting/voting-storage-1-0',
          'PeerAuthentication voting/default',
          'delete AuthorizationPolicy voting/voting-analytics-1-0',
        ],
      ],
    ]);
    // During the move, storage 1.0 admits both analytics versions; afterwards the idle 1.0 only loses it.
    const widened = plan('01-v1', '02-analytics-1-1-lock').steps[0].apply.find(
      (m) => m.kind === 'AuthorizationPolicy' && m.metadata.name === 'voting-storage-1-0',
    )!;
    expect(widened.spec.rules.map((r: any) => r.from[0].source.principals[0])).toEqual([
      'cluster.local/ns/voting/sa/voting-app-1-0',
      'cluster.local/ns/voting/sa/voting-analytics-1-1',
      'cluster.local/ns/voting/sa/voting-analytics-1-0',
    ]);
  });

  test('GIVEN 03 → 04 THEN routes move before subsets, ports and the 1.x policies are dropped, 1.x is retired, then its identities', () => {
    expect(summary(plan('03-cookie-canary', '04-full-rollout'))).toEqual([
      [
        'switch',
        [
          'VirtualService voting/voting-app',
          'VirtualService voting/voting-analytics',
          'VirtualService voting/voting-storage',
          'VirtualService voting/voting-app-ingress',
        ],
      ],
      [
        'break',
        [
          'Service voting/voting-storage',
          'DestinationRule voting/voting-app',
          'DestinationRule voting/voting-analytics',
          'DestinationRule voting/voting-storage',
          'delete AuthorizationPolicy voting/voting-app-1-0',
          'delete AuthorizationPolicy voting/voting-analytics-1-1',
          'delete AuthorizationPolicy voting/voting-storage-1-0',
          'delete NetworkPolicy voting/voting-app-1-0',
          'delete NetworkPolicy voting/voting-analytics-1-0',
          'delete NetworkPolicy voting/voting-analytics-1-1',
          'delete NetworkPolicy voting/voting-storage-1-0',
          'delete PodDisruptionBudget voting/voting-app-1-0',
        ],
      ],
      [
        'retire',
        [
          'delete Deployment voting/voting-app-1-0',
          'delete Deployment voting/voting-analytics-1-0',
          'delete Deployment voting/voting-analytics-1-1',
          'delete Deployment voting/voting-storage-1-0',
        ],
      ],
      [
        'clean',
        [
          'delete ServiceAccount voting/voting-app-1-0',
          'delete ServiceAccount voting/voting-analytics-1-0',
          'delete ServiceAccount voting/voting-analytics-1-1',
          'delete ServiceAccount voting/voting-storage-1-0',
        ],
      ],
    ]);
  });

  test('GIVEN the rollback 03 → 02 with an ExternalSecret THEN it is deleted only after the 2.0 Deployments that read its Secret', () => {
    const app = createVotingApplication({ externalSecret: { storeName: 'vault', remoteKey: 'voting/mysql' } });
    const render = (name: string) =>
      new ReleaseStage(testApp(), {
        application: app,
        stage: votingStages.find((x) => x.name === name)!,
      }).toJson() as Manifest[];
    const p = planTransition(
      '03-cookie-canary',
      render('03-cookie-canary'),
      '02-analytics-1-1-lock',
      render('02-analytics-1-1-lock'),
    );
    const stepOf = (key: string) => p.steps.findIndex((x) => x.remove.some((m) => objectKey(m) === key));
    expect(stepOf('ExternalSecret voting/voting-storage-secret')).toBeGreaterThan(
      stepOf('Deployment voting/voting-storage-2-0'),
    );
    expect(stepOf('ExternalSecret voting/voting-storage-secret')).toBeGreaterThan(
      stepOf('Deployment voting/voting-app-2-0'),
    );
    expect(p.steps[stepOf('ExternalSecret voting/voting-storage-secret')].kind).toBe('clean');
  });

  test('GIVEN the rollback 04 → 03 THEN the 1.x subsets exist and 1.x is ready before any route uses them', () => {
    const p = plan('04-full-rollout', '03-cookie-canary');
    expect(p.steps.map((s) => s.kind)).toEqual(['make', 'wait', 'switch']);
    const storage = p.steps[0].apply.find((m) => m.kind === 'Service' && m.metadata.name === 'voting-storage')!;
    expect(storage.spec.ports.map((x: any) => x.port)).toEqual([3306, 6379]);
    expect(p.steps[1].waitFor.map((d) => d.metadata.name)).toEqual([
      'voting-app-1-0',
      'voting-analytics-1-0',
      'voting-analytics-1-1',
      'voting-storage-1-0',
    ]);
  });

  test('GIVEN the rollback 02 → 01 THEN mTLS is relaxed first and the mesh routing is removed before its subsets', () => {
    expect(summary(plan('02-analytics-1-1-lock', '01-v1'))).toEqual([
      [
        'make',
        [
          'AuthorizationPolicy voting/voting-analytics-1-0',
          'AuthorizationPolicy voting/voting-storage-1-0',
          'NetworkPolicy voting/voting-app-1-0',
          'NetworkPolicy voting/voting-analytics-1-0',
          'NetworkPolicy voting/voting-storage-1-0',
          'delete PeerAuthentication voting/default',
        ],
      ],
      [
        'switch',
        [
          'VirtualService voting/voting-app-ingress',
          'delete VirtualService voting/voting-app',
          'delete VirtualService voting/voting-analytics',
          'delete VirtualService voting/voting-storage',
        ],
      ],
      [
        'break',
        [
          'AuthorizationPolicy voting/voting-storage-1-0',
          'NetworkPolicy voting/voting-app-1-0',
          'NetworkPolicy voting/voting-storage-1-0',
          'delete AuthorizationPolicy voting/voting-analytics-1-1',
          'delete NetworkPolicy voting/voting-analytics-1-1',
          'delete DestinationRule voting/voting-app',
          'delete DestinationRule voting/voting-analytics',
          'delete DestinationRule voting/voting-storage',
        ],
      ],
      ['retire', ['delete Deployment voting/voting-analytics-1-1']],
      ['clean', ['delete ServiceAccount voting/voting-analytics-1-1']],
    ]);
  });

  test('GIVEN the rollback 03 → 02 THEN the MySQL volume claim is kept and reported, never deleted', () => {
    const p = plan('03-cookie-canary', '02-analytics-1-1-lock');
    expect(p.steps.flatMap((s) => s.remove).map(objectKey)).not.toContain(
      'PersistentVolumeClaim voting/mysql-pv-claim',
    );
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /^PersistentVolumeClaim voting\/mysql-pv-claim is not in 02-analytics-1-1-lock but is kept/,
      ),
    ]);
  });
});

describe('the transition check can fail', () => {
  /** Everything at once, as a plain `kubectl apply --prune` would do. */
  const bigBang = (from: string, to: string): TransitionPlan => {
    const p = plan(from, to);
    const apply: Manifest[] = stages.get(to)!;
    return { ...p, steps: [{ kind: 'switch', title: 'all at once', apply, waitFor: [], remove: [...p.removed] }] };
  };
  test('GIVEN 02 → 03 applied at once THEN routes reach 2.0 subsets before their pods are ready', () => {
    const problems = checkTransition(
      stages.get('02-analytics-1-1-lock')!,
      bigBang('02-analytics-1-1-lock', '03-cookie-canary'),
    );
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        "VirtualService voting/voting-app-ingress route featureflag-cookie → voting-app/v2-0: subset 'v2-0' is not defined throughout the step",
        'VirtualService voting/voting-storage route tcp[1] → voting-storage/v2-0: port 3306 is not on the Service throughout the step',
      ]),
    );
  });
  test('GIVEN 03 → 04 applied at once THEN old routes still point at subsets and pods being removed', () => {
    const problems = checkTransition(stages.get('03-cookie-canary')!, bigBang('03-cookie-canary', '04-full-rollout'));
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        "VirtualService voting/voting-app-ingress route default → voting-app/v1-0: subset 'v1-0' is not defined throughout the step",
        'VirtualService voting/voting-storage route tcp[0] → voting-storage/v1-0: port 6379 is not on the Service throughout the step',
      ]),
    );
  });
  test('GIVEN 02 → 03 without waiting for the rollout THEN the switch routes to pods that are not ready', () => {
    const p = plan('02-analytics-1-1-lock', '03-cookie-canary');
    const hasty = { ...p, steps: p.steps.filter((s) => s.kind !== 'wait') };
    expect(
      checkTransition(stages.get('02-analytics-1-1-lock')!, hasty).map((x) => `${x.kind}: ${x.message}`),
    ).toContain(
      'switch: VirtualService voting/voting-app-ingress route featureflag-cookie → voting-app/v2-0: no ready pods throughout the step',
    );
  });
});
