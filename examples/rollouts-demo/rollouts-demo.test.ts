import { ReleaseConfigError, RolloutStage, SchemaRegistry, TrafficSimulator } from 'voting-mesh';
import { exampleStages, expectCommittedOutput } from '../../__tests__/examples-support';
import { testApp } from '../../__tests__/support';
import { buildRolloutsDemo, rolloutsDemoStages } from './app';

const stages = exampleStages(buildRolloutsDemo);
const blue = stages.get('01-blue')!;
const get = (kind: string, name: string) => blue.find((o) => o.kind === kind && o.metadata.name === name)!;

describe('rollouts-demo (Argo Rollouts engine)', () => {
  test('GIVEN the Rollout THEN it is a canary over stable/canary Services with Istio routes in two VirtualServices', () => {
    const r = get('Rollout', 'rollouts-demo');
    expect(r.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(r.spec.strategy.canary).toEqual({
      canaryService: 'rollouts-demo-canary',
      stableService: 'rollouts-demo-stable',
      steps: [
        { setWeight: 20 },
        { pause: {} },
        { setWeight: 50 },
        { pause: { duration: '30s' } },
        { setWeight: 80 },
        { pause: { duration: '30s' } },
      ],
      trafficRouting: {
        istio: {
          virtualServices: [
            {
              name: 'rollouts-demo-vsvc1',
              routes: ['http-primary'],
              tlsRoutes: [{ port: 443, sniHosts: ['rollouts-demo-vsvc1.local'] }],
            },
            {
              name: 'rollouts-demo-vsvc2',
              routes: ['http-secondary'],
              tlsRoutes: [{ port: 443, sniHosts: ['rollouts-demo-vsvc2.local'] }],
              tcpRoutes: [{ port: 8020 }],
            },
          ],
        },
      },
    });
    expect(r.spec.selector).toEqual({ matchLabels: { app: 'rollouts-demo' } });
    expect(r.spec.template.metadata.labels).toEqual({ app: 'rollouts-demo' });
  });

  test('GIVEN the Rollout of 5 replicas THEN its pods keep a PodDisruptionBudget of 4, as a Deployment of 5 would', () => {
    expect(get('Rollout', 'rollouts-demo').spec.replicas).toBe(5);
    const pdb = get('PodDisruptionBudget', 'rollouts-demo');
    expect(pdb.spec).toEqual({ minAvailable: 4, selector: { matchLabels: { app: 'rollouts-demo' } } });
  });

  test('GIVEN each VirtualService THEN every HTTP, TLS and TCP route starts at stable 100 / canary 0', () => {
    for (const name of ['rollouts-demo-vsvc1', 'rollouts-demo-vsvc2']) {
      const vs = get('VirtualService', name);
      for (const r of [...(vs.spec.http ?? []), ...(vs.spec.tls ?? []), ...(vs.spec.tcp ?? [])]) {
        expect(r.route.map((d: any) => [d.destination.host.split('.')[0], d.weight])).toEqual([
          ['rollouts-demo-stable', 100],
          ['rollouts-demo-canary', 0],
        ]);
      }
    }
    expect(get('VirtualService', 'rollouts-demo-vsvc2').spec.tcp[0].match).toEqual([{ port: 8020 }]);
  });

  test("GIVEN a request at the gateway THEN all of it reaches the stable Service (the Rollout's pods), none the canary", () => {
    const hops = new TrafficSimulator(blue).ingress('rollouts-demo-gateway', {
      headers: { host: 'rollouts-demo-vsvc1.local' },
    });
    expect(hops.map((h) => [h.service, h.weight, h.deployments, h.rule])).toEqual([
      ['rollouts-demo-stable', 100, ['rollouts-demo'], 'rollouts-demo-vsvc1/http-primary'],
      ['rollouts-demo-canary', 0, ['rollouts-demo'], 'rollouts-demo-vsvc1/http-primary'],
    ]);
    const second = new TrafficSimulator(blue).ingress('rollouts-demo-gateway', {
      headers: { Host: 'rollouts-demo-vsvc2.local:80' },
    });
    expect(second.map((h) => [h.service, h.weight, h.rule])).toEqual([
      ['rollouts-demo-stable', 100, 'rollouts-demo-vsvc2/http-secondary'],
      ['rollouts-demo-canary', 0, 'rollouts-demo-vsvc2/http-secondary'],
    ]);
    expect(
      new TrafficSimulator(blue).ingress('rollouts-demo-gateway', { headers: { host: 'elsewhere.example.com' } })[0],
    ).toMatchObject({
      noRoute: true,
      answer: expect.stringContaining(
        "no VirtualService bound to gateway 'rollouts-demo-gateway' serves host 'elsewhere.example.com'",
      ),
    });
  });

  test('GIVEN the next stage THEN only the image changes (the controller does the rest)', () => {
    const image = (name: string) =>
      stages.get(name)!.find((o) => o.kind === 'Rollout')!.spec.template.spec.containers[0].image;
    expect([image('01-blue'), image('02-yellow-canary')]).toEqual([
      'docker.io/argoproj/rollouts-demo:blue',
      'docker.io/argoproj/rollouts-demo:yellow',
    ]);
  });

  test('GIVEN the Argo Rollouts v1.9.1 CRD (bundled) THEN the Rollout validates strictly', () => {
    expect(SchemaRegistry.load().validateAll(blue)).toEqual([]);
  });

  test.each([
    [{ steps: [{ setWeight: 120 }] }, /field 'steps\[0\]\.setWeight': weight 120 is not a whole percentage/],
    [
      { steps: [{ pause: { duration: 'soon' } }] },
      /field 'steps\[0\]\.pause\.duration': duration 'soon' is not a duration/,
    ],
    [{ steps: [] }, /field 'steps': the canary has no steps/],
    [
      { virtualServices: [{ name: 'v', hosts: ['h'], tcpRoutes: [{ port: 9999 }] }] },
      /field 'virtualServices\[0\]\.tcpRoutes\[0\]\.port': port 9999 is not a port of the workload/,
    ],
  ])('GIVEN %j THEN it is rejected', (change, message) => {
    const build = () => new RolloutStage(testApp(), { ...rolloutsDemoStages[0], ...change } as any);
    expect(build).toThrow(ReleaseConfigError);
    expect(build).toThrow(message);
  });

  test('GIVEN the committed output THEN it is what the stages render', () => {
    expectCommittedOutput('rollouts-demo', buildRolloutsDemo);
  });
});
