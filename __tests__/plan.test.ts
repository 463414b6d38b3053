import { Manifest, TransitionPlan, checkTransition, objectKey, planTransition } from 'voting-mesh';
import { votingManifests } from './support';

const stages = votingManifests();
const names = [...stages.keys()];
const plan = (from: string, to: string) => planTransition(from, stages.get(from)!, to, stages.get(to)!);
const summary = (p: TransitionPlan) => p.steps.map((s) => [s.kind, [...s.apply.map(objectKey), ...s.waitFor.map((d) => `wait ${d.metadata.name}`), ...s.remove.map((m) => `delete ${objectKey(m)}`)]]);

describe('transitions between consecutive stages, forward and back', () => {
  const pairs = names.slice(1).flatMap((to, i) => [[names[i], to], [to, names[i]]]);
  test.each(pairs)('GIVEN %s → %s THEN no moment routes to a missing subset, port or pod', (from, to) => {
    expect(checkTransition(stages.get(from)!, plan(from, to))).toEqual([]);
  });

  test('GIVEN 01 → 02 THEN workloads and subsets come first, routes after the rollout, strict mTLS last', () => {
    expect(summary(plan('01-v1', '02-analytics-1-1-lock'))).toEqual([
      ['make', ['Deployment voting/voting-analytics-1-1', 'DestinationRule voting/voting-app', 'DestinationRule voting/voting-analytics', 'DestinationRule voting/voting-storage']],
      ['wait', ['wait voting-analytics-1-1']],
      ['switch', ['VirtualService voting/voting-app', 'VirtualService voting/voting-analytics', 'VirtualService voting/voting-storage', 'VirtualService voting/voting-app-ingress']],
      ['break', ['PeerAuthentication voting/default']],
    ]);
  });

  test('GIVEN 03 → 04 THEN routes move before subsets and ports are dropped, and 1.x is retired last', () => {
    expect(summary(plan('03-cookie-canary', '04-full-rollout'))).toEqual([
      ['switch', ['VirtualService voting/voting-app', 'VirtualService voting/voting-analytics', 'VirtualService voting/voting-storage', 'VirtualService voting/voting-app-ingress']],
      ['break', ['AuthorizationPolicy voting/voting-storage', 'NetworkPolicy voting/voting-app', 'NetworkPolicy voting/voting-analytics', 'NetworkPolicy voting/voting-storage',
        'Service voting/voting-storage', 'DestinationRule voting/voting-app', 'DestinationRule voting/voting-analytics', 'DestinationRule voting/voting-storage',
        'delete PodDisruptionBudget voting/voting-app-1-0']],
      ['retire', ['delete Deployment voting/voting-app-1-0', 'delete Deployment voting/voting-analytics-1-0', 'delete Deployment voting/voting-analytics-1-1', 'delete Deployment voting/voting-storage-1-0']],
    ]);
  });

  test('GIVEN the rollback 04 → 03 THEN the 1.x subsets exist and 1.x is ready before any route uses them', () => {
    const p = plan('04-full-rollout', '03-cookie-canary');
    expect(p.steps.map((s) => s.kind)).toEqual(['make', 'wait', 'switch']);
    const storage = p.steps[0].apply.find((m) => m.kind === 'Service' && m.metadata.name === 'voting-storage')!;
    expect(storage.spec.ports.map((x: any) => x.port)).toEqual([3306, 6379]);
    expect(p.steps[1].waitFor.map((d) => d.metadata.name)).toEqual(['voting-app-1-0', 'voting-analytics-1-0', 'voting-analytics-1-1', 'voting-storage-1-0']);
  });

  test('GIVEN the rollback 02 → 01 THEN mTLS is relaxed first and the mesh routing is removed before its subsets', () => {
    expect(summary(plan('02-analytics-1-1-lock', '01-v1'))).toEqual([
      ['make', ['delete PeerAuthentication voting/default']],
      ['switch', ['VirtualService voting/voting-app-ingress', 'delete VirtualService voting/voting-app', 'delete VirtualService voting/voting-analytics', 'delete VirtualService voting/voting-storage']],
      ['break', ['delete DestinationRule voting/voting-app', 'delete DestinationRule voting/voting-analytics', 'delete DestinationRule voting/voting-storage']],
      ['retire', ['delete Deployment voting/voting-analytics-1-1']],
    ]);
  });

  test('GIVEN the rollback 03 → 02 THEN the MySQL volume claim is kept and reported, never deleted', () => {
    const p = plan('03-cookie-canary', '02-analytics-1-1-lock');
    expect(p.steps.flatMap((s) => s.remove).map(objectKey)).not.toContain('PersistentVolumeClaim voting/mysql-pv-claim');
    expect(p.warnings).toEqual([expect.stringMatching(/^PersistentVolumeClaim voting\/mysql-pv-claim is not in 02-analytics-1-1-lock but is kept/)]);
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
    const problems = checkTransition(stages.get('02-analytics-1-1-lock')!, bigBang('02-analytics-1-1-lock', '03-cookie-canary'));
    expect(problems.map((p) => p.message)).toEqual(expect.arrayContaining([
      "VirtualService voting/voting-app-ingress route featureflag-cookie → voting-app/v2-0: subset 'v2-0' is not defined throughout the step",
      'VirtualService voting/voting-storage route tcp[1] → voting-storage/v2-0: port 3306 is not on the Service throughout the step',
    ]));
  });
  test('GIVEN 03 → 04 applied at once THEN old routes still point at subsets and pods being removed', () => {
    const problems = checkTransition(stages.get('03-cookie-canary')!, bigBang('03-cookie-canary', '04-full-rollout'));
    expect(problems.map((p) => p.message)).toEqual(expect.arrayContaining([
      'VirtualService voting/voting-app-ingress route default → voting-app/v1-0: subset \'v1-0\' is not defined throughout the step',
      'VirtualService voting/voting-storage route tcp[0] → voting-storage/v1-0: port 6379 is not on the Service throughout the step',
    ]));
  });
  test('GIVEN 02 → 03 without waiting for the rollout THEN the switch routes to pods that are not ready', () => {
    const p = plan('02-analytics-1-1-lock', '03-cookie-canary');
    const hasty = { ...p, steps: p.steps.filter((s) => s.kind !== 'wait') };
    expect(checkTransition(stages.get('02-analytics-1-1-lock')!, hasty).map((x) => `${x.kind}: ${x.message}`)).toContain(
      'switch: VirtualService voting/voting-app-ingress route featureflag-cookie → voting-app/v2-0: no ready pods throughout the step');
  });
});
