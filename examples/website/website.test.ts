import { TrafficSimulator } from 'voting-mesh';
import { exampleStages, expectCommittedOutput } from '../../__tests__/examples-support';
import { buildWebsite } from './app';

const stages = exampleStages(buildWebsite);
const enter = (stage: string, headers: Record<string, string> = {}) =>
  new TrafficSimulator(stages.get(stage)!).ingress('website-gateway', { headers }).map((h) => [h.deployments.join(','), h.weight]);

describe('website', () => {
  test('GIVEN 4 pods of version 1 and 1 of version 2 THEN both run in every stage', () => {
    for (const m of stages.values()) {
      expect(m.filter((o) => o.kind === 'Deployment').map((d) => [d.metadata.name, d.spec.replicas])).toEqual([['website-v1', 4], ['website-v2', 1]]);
    }
  });
  test('GIVEN the header canary THEN qa: canary-test reaches version 2 and everyone else version 1', () => {
    expect(enter('01-header-canary', { qa: 'canary-test' })).toEqual([['website-v2', 100]]);
    expect(enter('01-header-canary', { qa: 'other' })).toEqual([['website-v1', 100]]);
    expect(enter('01-header-canary')).toEqual([['website-v1', 100]]);
  });
  test('GIVEN the 20/80 stage THEN testers stay on version 2 and everyone else is split 20/80', () => {
    expect(enter('02-split-20-80', { qa: 'canary-test' })).toEqual([['website-v2', 100]]);
    expect(enter('02-split-20-80')).toEqual([['website-v1', 20], ['website-v2', 80]]);
  });
  test('GIVEN the gateway THEN it serves www.example.com only', () => {
    const gw = stages.get('01-header-canary')!.find((o) => o.kind === 'Gateway')!;
    expect(gw.spec.servers[0].hosts).toEqual(['www.example.com']);
  });
  test('GIVEN the committed output THEN it is what the stages render', () => {
    expectCommittedOutput('website', buildWebsite);
  });
});
