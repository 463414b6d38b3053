import { TrafficSimulator, explainRequest } from 'voting-mesh';
import { exampleStages, expectCommittedOutput } from '../../__tests__/examples-support';
import { buildFlaskapp } from './app';

const stages = exampleStages(buildFlaskapp);
const enter = (stage: string, path: string) =>
  new TrafficSimulator(stages.get(stage)!)
    .ingress('flaskapp-gateway', { path })
    .map((h) => [h.deployments.join(','), h.weight, h.rule]);

describe('flaskapp', () => {
  test('GIVEN stage 1 THEN / (exact) and every other path reach v1 on port 5000', () => {
    expect(enter('01-root-v1', '/')).toEqual([['flaskapp-v1', 100, 'flaskapp-ingress/root']]);
    expect(enter('01-root-v1', '/other')).toEqual([['flaskapp-v1', 100, 'flaskapp-ingress/default']]);
    expect(new TrafficSimulator(stages.get('01-root-v1')!).ingress('flaskapp-gateway')[0].port).toBe(5000);
  });
  test('GIVEN stage 2 THEN / is split 80/20 between v1 and v2 while /other stays on v1', () => {
    expect(enter('02-root-80-20', '/')).toEqual([
      ['flaskapp-v1', 80, 'flaskapp-ingress/root'],
      ['flaskapp-v2', 20, 'flaskapp-ingress/root'],
    ]);
    expect(enter('02-root-80-20', '/other')).toEqual([['flaskapp-v1', 100, 'flaskapp-ingress/default']]);
  });
  test('GIVEN either version THEN it reaches the one Redis over TCP 6379', () => {
    const { hops } = explainRequest(stages.get('02-root-80-20')!, { path: '/' });
    expect(hops.map((h) => [h.deployments, h.share, h.calls.map((c) => [c.deployments, c.port, c.protocol])])).toEqual([
      [['flaskapp-v1'], 80, [[['redis-7-2'], 6379, 'tcp']]],
      [['flaskapp-v2'], 20, [[['redis-7-2'], 6379, 'tcp']]],
    ]);
  });
  test('GIVEN the committed output THEN it is what the stages render', () => {
    expectCommittedOutput('flaskapp', buildFlaskapp);
  });
});
