import type { Manifest, ReleaseFlavour, ServiceRouteSpec, StageSpec } from 'voting-mesh';
import { ReleaseConfigError, ReleaseStage, TrafficSimulator } from 'voting-mesh';
import { bookinfo, bookinfoStages } from '../examples/bookinfo-reviews/app';
import { shop, shopStages } from '../examples/sticky-canary/app';
import { testApp } from './support';

const reviewsStage = (reviews: readonly ServiceRouteSpec[]): StageSpec => ({
  ...bookinfoStages[1],
  name: '02-sticky',
  serviceRoutes: { reviews },
});
const render = (stage: StageSpec, flavour: ReleaseFlavour = 'istio-sidecar', app = bookinfo) =>
  new ReleaseStage(testApp(), { application: app, stage, flavour }).toJson() as Manifest[];
const sticky50 = reviewsStage([
  {
    name: 'split',
    to: [
      { version: 'v1', weight: 50 },
      { version: 'v2', weight: 50 },
    ],
    sticky: { cookie: 'reviews' },
  },
]);

describe('sticky service routes (in-mesh weighted versions)', () => {
  test.each(['istio-sidecar', 'gateway-api-ambient'] as const)(
    "GIVEN reviews split 50/50 with sticky, %s THEN productpage's calls split and set the cookie; with it they go back",
    (flavour) => {
      const sim = new TrafficSimulator(render(sticky50, flavour));
      const call = (cookie?: string) =>
        sim.call(
          {
            sourceLabels: { app: 'productpage', version: 'v1' },
            service: 'reviews',
            namespace: 'bookinfo',
            port: 9080,
          },
          cookie ? { headers: { cookie } } : {},
        );
      const first = call();
      expect(first.map((h) => [h.deployments.join(','), h.weight, h.setCookies?.[0]])).toEqual([
        ['reviews-v1', 50, 'reviews=v1; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax'],
        ['reviews-v2', 50, 'reviews=v2; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax'],
      ]);
      expect(call('reviews=v2').map((h) => [h.deployments.join(','), h.weight])).toEqual([['reviews-v2', 100]]);
      expect(call('a=b; reviews=v1').map((h) => [h.deployments.join(','), h.weight])).toEqual([['reviews-v1', 100]]);
    },
  );

  test('GIVEN a sticky 100/0 "split" THEN it is rejected: there is nothing to stick to', () => {
    const stage = reviewsStage([
      {
        name: 'split',
        to: [
          { version: 'v1', weight: 100 },
          { version: 'v2', weight: 0 },
        ],
        sticky: { cookie: 'reviews' },
      },
    ]);
    expect(() => render(stage)).toThrow(/sticky needs a weighted split/);
  });
});

describe('sticky data that cannot be honoured is rejected with one line', () => {
  const canary = shopStages[1];
  const withSticky = (sticky: any, match?: any): StageSpec => ({
    ...canary,
    entry: [
      ...(match
        ? [
            {
              name: 'm',
              match,
              to: [
                { lane: 'stable', weight: 50 },
                { lane: 'canary', weight: 50 },
              ],
              sticky,
            },
          ]
        : []),
      {
        name: 'split',
        to: [
          { lane: 'stable', weight: 90 },
          { lane: 'canary', weight: 10 },
        ],
        sticky,
      },
    ],
  });
  test.each([
    [
      { ...canary, entry: [{ name: 'all', to: 'stable', sticky: { cookie: 'c' } }] },
      /field 'entry\[0\]\.sticky': sticky needs a weighted split: the route sends everything to one target/,
    ],
    [withSticky({ cookie: 'bad name' }), /field 'entry\[0\]\.sticky\.cookie': 'bad name' is not a cookie name/],
    [
      withSticky({ cookie: 'c', maxAgeSeconds: 0 }),
      /field 'entry\[0\]\.sticky\.maxAgeSeconds': 0 is not a whole number of seconds/,
    ],
    [
      withSticky({ cookie: 'c' }, [{ cookie: { name: 'beta', value: 'yes' } }]),
      /field 'entry\[0\]\.sticky': a sticky route cannot also match a cookie/,
    ],
  ])('GIVEN %# THEN ReleaseConfigError naming the field', (stage, message) => {
    expect(() => render(stage as StageSpec, 'istio-sidecar', shop)).toThrow(ReleaseConfigError);
    expect(() => render(stage as StageSpec, 'istio-sidecar', shop)).toThrow(message);
  });

  test('GIVEN a sticky split behind a header match THEN the cookie routes keep the header match', () => {
    const stage = withSticky({ cookie: 'c' }, [{ header: { name: 'x-beta', exact: '1' } }]);
    const vs = render(stage, 'istio-sidecar', shop).find(
      (m) => m.kind === 'VirtualService' && m.metadata.name === 'shop-ingress',
    )!;
    expect(
      vs.spec.http.map((r: any) => [
        r.name,
        r.match?.map((m: any) =>
          Object.keys(m.headers ?? {})
            .sort()
            .join('+'),
        ),
      ]),
    ).toEqual([
      ['m-sticky-v1', ['cookie+x-beta']],
      ['m-sticky-v2', ['cookie+x-beta']],
      ['m', ['x-beta']],
      ['split-sticky-v1', ['cookie']],
      ['split-sticky-v2', ['cookie']],
      ['split', undefined],
    ]);
  });
});
