import type { Manifest } from 'voting-mesh';
import { explainRequest, formatExplanation, TrafficSimulator } from 'voting-mesh';
import { exampleStages, expectCommittedOutput } from '../../__tests__/examples-support';
import { cli } from '../../__tests__/cli-support';
import { buildShop, buildShopFlavour, shopStages } from './app';

const flavours = [
  ['istio-sidecar', 'shop-gateway'],
  ['gateway-api-ambient', 'shop/shop-gateway'],
] as const;
const stage = shopStages.find((s) => s.name === '02-sticky-canary')!;

/**
 * The oracle: what the stage data asks for, computed from the data alone. A visitor without the
 * cookie is split by the entry weights (lane → its shop version); a visitor whose cookie names a
 * version goes there, whatever the weights.
 */
function expected(cookie: string | undefined): [string, number][] {
  const split = stage.entry[0].to as readonly { lane: string; weight: number }[];
  const versionOf = (lane: string) => stage.lanes.find((l) => l.name === lane)!.versions.shop;
  const named = cookie === undefined ? undefined : split.map((t) => versionOf(t.lane)).find((v) => cookie === v);
  return named !== undefined ? [[`shop-${named}`, 100]] : split.map((t) => [`shop-${versionOf(t.lane)}`, t.weight]);
}

/** A browser's cookie jar, fed by Set-Cookie answers: `name=value` up to the first `;`. */
const jarAfter = (setCookie: string) => setCookie.split(';')[0].trim();

describe.each(flavours)('sticky weighted canary, %s flavour', (flavour, gateway) => {
  const stages = exampleStages((scope) => buildShopFlavour(scope, flavour));
  const objects = stages.get('02-sticky-canary')! as Manifest[];
  const enter = (cookie?: string) =>
    new TrafficSimulator(objects).ingress(gateway, {
      headers: cookie ? { cookie, host: 'shop.example.com' } : { host: 'shop.example.com' },
    });

  test("GIVEN a new visitor THEN the split is 90/10 and each side's answer sets the cookie naming its version", () => {
    const hops = enter();
    expect(hops.map((h) => [h.deployments.join(','), h.weight])).toEqual(expected(undefined));
    expect(hops.map((h) => h.setCookies)).toEqual([
      ['shop-canary=v1; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax'],
      ['shop-canary=v2; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax'],
    ]);
    expect(hops.flatMap((h) => h.notModelled ?? [])).toEqual([]);
  });

  test("GIVEN each side of the split THEN the visitor's next requests, carrying the cookie it set, all go back to the same version", () => {
    for (const first of enter()) {
      const jar = jarAfter(first.setCookies![0]);
      const again = enter(`session=abc; ${jar}; theme=dark`);
      expect(again.map((h) => [h.deployments.join(','), h.weight])).toEqual(expected(jar.split('=')[1]));
      expect(again[0].deployments).toEqual(first.deployments);
      // The cookie route refreshes nothing: the jar keeps what the split set.
      expect(again[0].setCookies).toBeUndefined();
    }
  });

  test('GIVEN a cookie of another name or value THEN the visitor is split as new', () => {
    for (const cookie of ['shop-canary=v3', 'my-shop-canary=v2', 'shop-canaryx=v2'])
      expect(enter(cookie).map((h) => [h.deployments.join(','), h.weight])).toEqual(expected(undefined));
  });

  test('GIVEN explain THEN each hop of the split says which cookie its response sets', () => {
    const text = formatExplanation(
      '02-sticky-canary',
      explainRequest(objects, { headers: { host: 'shop.example.com' } }, gateway),
    );
    expect(text).toContain('response sets cookie: shop-canary=v2; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax');
    expect(text).not.toContain('not modelled');
  });
});

describe('sticky-canary: the command line and committed output', () => {
  test('GIVEN explain with the canary cookie on the committed ambient stage THEN 100% to version 2', async () => {
    const r = await cli([
      'explain',
      'examples/sticky-canary/dist/gateway-api-ambient/02-sticky-canary.k8s.yaml',
      '--cookie',
      'shop-canary=v2',
      '--host',
      'shop.example.com',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /100% → shop v2 \[shop-v2, no subset, port 8080\/http\] via shop-ingress\/split-sticky-v2/,
    );
  });

  test('GIVEN the committed output THEN it is what the stages render', () => {
    expectCommittedOutput('sticky-canary', buildShop);
  });
});
