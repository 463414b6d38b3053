import { TrafficSimulator } from 'voting-mesh';
import { exampleStages, expectCommittedOutput } from '../../__tests__/examples-support';
import { buildBookinfo } from './app';

const stages = exampleStages(buildBookinfo);
const PRODUCTPAGE = { app: 'productpage', version: 'v1' };
/** Where a call from productpage to reviews goes: [deployment, share] per destination. */
const reviews = (stage: string, headers: Record<string, string> = {}) =>
  new TrafficSimulator(stages.get(stage)!)
    .call({ sourceLabels: PRODUCTPAGE, service: 'reviews', port: 9080 }, { headers })
    .map((h) => [h.deployments.join(','), h.weight]);

describe('bookinfo-reviews', () => {
  test.each([
    [
      '01-reviews-100-0',
      [
        ['reviews-v1', 100],
        ['reviews-v2', 0],
      ],
    ],
    [
      '02-reviews-50-50',
      [
        ['reviews-v1', 50],
        ['reviews-v2', 50],
      ],
    ],
    [
      '03-reviews-0-100',
      [
        ['reviews-v1', 0],
        ['reviews-v2', 100],
      ],
    ],
  ])("GIVEN %s THEN productpage's calls to reviews are split %j", (stage, split) => {
    expect(reviews(stage)).toEqual(split);
  });

  test('GIVEN the header canary THEN user-agent "canary" (exactly) reaches v2, anything else v1', () => {
    expect(reviews('04-header-canary', { 'user-agent': 'canary' })).toEqual([['reviews-v2', 100]]);
    expect(reviews('04-header-canary', { 'user-agent': 'canary/1.0' })).toEqual([['reviews-v1', 100]]);
    expect(reviews('04-header-canary')).toEqual([['reviews-v1', 100]]);
  });

  test('GIVEN the cookie canary THEN canary=true anywhere in the cookie reaches v2, lookalikes v1', () => {
    expect(reviews('05-cookie-canary', { cookie: 'session=1; canary=true' })).toEqual([['reviews-v2', 100]]);
    expect(reviews('05-cookie-canary', { cookie: 'canary=truex' })).toEqual([['reviews-v1', 100]]);
    expect(reviews('05-cookie-canary', { cookie: 'xcanary=true' })).toEqual([['reviews-v1', 100]]);
  });

  test('GIVEN any stage THEN subsets are selected by the version label and the gateway reaches productpage', () => {
    for (const m of stages.values()) {
      const dr = m.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'reviews')!;
      expect(dr.spec.subsets).toEqual([
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ]);
      expect(new TrafficSimulator(m).ingress('bookinfo-gateway')[0].deployments).toEqual(['productpage-v1']);
    }
  });

  test('GIVEN reviews v2 THEN it may call ratings (authorization follows the call graph)', () => {
    const authz = stages
      .get('03-reviews-0-100')!
      .find((o) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'ratings-v1')!;
    // reviews v1 never calls ratings (it shows no stars), so only reviews v2 is allowed.
    expect(authz.spec.rules).toEqual([
      {
        from: [{ source: { principals: ['cluster.local/ns/bookinfo/sa/reviews-v2'] } }],
        to: [{ operation: { ports: ['9080'] } }],
      },
    ]);
  });

  test('GIVEN the committed output THEN it is what the stages render', () => {
    expectCommittedOutput('bookinfo-reviews', buildBookinfo);
  });
});
