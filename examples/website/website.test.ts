import { TrafficSimulator } from 'voting-mesh';
import { exampleStages, expectCommittedOutput } from '../../__tests__/examples-support';
import { buildWebsite } from './app';

const stages = exampleStages(buildWebsite);
const enter = (stage: string, headers: Record<string, string> = {}) =>
  new TrafficSimulator(stages.get(stage)!)
    .ingress('website-gateway', { headers })
    .map((h) => [h.deployments.join(','), h.weight]);

describe('website', () => {
  test('GIVEN 4 pods of version 1 and 1 of version 2 THEN both run in every stage', () => {
    for (const m of stages.values()) {
      expect(m.filter((o) => o.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.replicas])).toEqual([
        ['website-v1', 4],
        ['website-v2', 1],
      ]);
    }
  });
  test('GIVEN the header canary THEN qa: canary-test reaches version 2 and everyone else version 1', () => {
    expect(enter('01-header-canary', { qa: 'canary-test' })).toEqual([['website-v2', 100]]);
    expect(enter('01-header-canary', { qa: 'other' })).toEqual([['website-v1', 100]]);
    expect(enter('01-header-canary')).toEqual([['website-v1', 100]]);
  });
  test('GIVEN the 20/80 stage THEN testers stay on version 2 and everyone else is split 20/80', () => {
    expect(enter('02-split-20-80', { qa: 'canary-test' })).toEqual([['website-v2', 100]]);
    expect(enter('02-split-20-80')).toEqual([
      ['website-v1', 20],
      ['website-v2', 80],
    ]);
  });
  test('GIVEN the gateway-api-ambient flavour THEN a Gateway of class istio and an HTTPRoute for www.example.com route to the version Services', () => {
    const m = stages.get('02-split-20-80')!;
    expect(m.filter((o) => o.kind === 'Gateway').map((g) => [g.metadata.name, g.spec.gatewayClassName])).toEqual([
      ['website-gateway', 'istio'],
    ]);
    const route = m.find((o) => o.kind === 'HTTPRoute')!;
    expect(route.spec.hostnames).toEqual(['www.example.com']);
    expect(route.spec.rules.map((r: any) => r.backendRefs.map((b: any) => `${b.name}:${b.weight ?? ''}`))).toEqual([
      ['website-v2:'],
      ['website-v1:20', 'website-v2:80'],
    ]);
    expect(m.find((o) => o.kind === 'Namespace')!.metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'website',
      'istio.io/dataplane-mode': 'ambient',
    });
    expect(m.some((o) => o.kind === 'VirtualService')).toBe(false);
  });
  test('GIVEN the committed output THEN it is what the stages render', () => {
    expectCommittedOutput('website', buildWebsite);
  });
});
