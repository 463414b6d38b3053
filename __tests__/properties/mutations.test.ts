import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { Manifest } from 'voting-mesh';
import type { GeneratedRelease } from './arbitraries';
import {
  leastPrivilege,
  leastPrivilegeIn,
  routingIntent,
  schemasAndAnalyzer,
  synthAllOrOneLine,
  synthAllOrOneLineIn,
  synthDeterministic,
  transitionsPass,
  validateSynthesized,
} from './properties';
import { shopApplication, shopStages } from './shop';
import type { BuiltRelease } from './support';
import { build, withTempDir } from './support';

// Each property can fail: one rule of the code broken in a helper, or a deliberately bad
// release, and the property says so. A property that cannot fail would prove nothing.
const shop: GeneratedRelease = { app: shopApplication, stages: shopStages };

/** The shop built, with `f` applied to the manifests of every stage of both flavours. */
function mutated(f: (m: Manifest[], stage: number) => Manifest[]): BuiltRelease {
  const b = build(shop);
  return {
    ...b,
    stages: new Map(
      [...b.stages].map(([flavour, stages]) => [
        flavour,
        stages.map((s, i) => ({ ...s, manifests: f(s.manifests, i) })),
      ]),
    ),
  };
}
const editing = (kind: string, name: string, edit: (m: Manifest) => Manifest) => (ms: Manifest[]) =>
  ms.map((m) => (m.kind === kind && m.metadata.name === name ? edit(m) : m));

describe('every property can fail', () => {
  test('GIVEN the shop THEN every property holds (the baseline of the mutations below)', async () => {
    for (const p of [
      synthAllOrOneLine,
      schemasAndAnalyzer,
      routingIntent,
      leastPrivilege,
      transitionsPass,
      synthDeterministic,
    ])
      await p(build(shop));
  });

  test('1. GIVEN synth that cannot write its second file THEN "synth writes every file or refuses with one line" fails', () => {
    // A directory where the second stage file goes: the write fails after the first file is out.
    withTempDir((dir) => {
      mkdirSync(join(dir, '02-header-canary.k8s.yaml'));
      expect(() => synthAllOrOneLineIn(build(shop), dir)).toThrow(/a failed synth wrote files/);
    });
  });

  test('1. GIVEN a corrupted release that the library accepted THEN the property fails', () => {
    expect(() => synthAllOrOneLine({ ...build(shop), release: { ...shop, corruption: 'pretend' } })).toThrow(
      'the corrupted release (pretend) was accepted',
    );
  });

  test('2. GIVEN a Deployment whose replicas is a string THEN "every object passes the strict schemas" fails', () => {
    const b = mutated(editing('Deployment', 'cart-1-0', (m) => ({ ...m, spec: { ...m.spec, replicas: 'three' } })));
    expect(() => schemasAndAnalyzer(b)).toThrow(/schema Deployment shop\/cart-1-0 .*replicas/);
  });

  test('2. GIVEN a VirtualService routing to a subset no DestinationRule defines THEN the analyzer Error fails the property', () => {
    const b = mutated(
      editing('VirtualService', 'cart', (m) => ({
        ...m,
        spec: {
          ...m.spec,
          http: m.spec.http.map((r: any) => ({
            ...r,
            route: r.route.map((d: any) => ({ ...d, destination: { ...d.destination, subset: 'v9' } })),
          })),
        },
      })),
    );
    expect(() => schemasAndAnalyzer(b)).toThrow(/IST0101/);
  });

  test('3. GIVEN stage data that says payments v2 where the objects route to v1 THEN "routing intent" fails', () => {
    const b = build(shop);
    const lie = {
      ...b,
      release: {
        ...shop,
        stages: [
          {
            ...shopStages[0],
            lanes: [{ ...shopStages[0].lanes[0], versions: { ...shopStages[0].lanes[0].versions, payments: 'v2' } }],
          },
          ...shopStages.slice(1),
        ],
      },
    };
    const stages = new Map(
      [...b.stages].map(([f, s]) => [f, s.map((x, i) => (i === 0 ? { ...x, spec: lie.release.stages[0] } : x))]),
    );
    expect(() => routingIntent({ ...lie, stages })).toThrow(
      /01-one-lane no match \(default route\): explain reaches .*payments@v1.*the stage data says .*payments@v2/,
    );
  });

  test('4. GIVEN an AuthorizationPolicy and NetworkPolicy that let frontend 1.0 reach postgres directly THEN "least privilege" fails', () => {
    const widen = (ms: Manifest[]) =>
      ms.map((m) => {
        if (m.kind === 'AuthorizationPolicy' && m.metadata.name === 'postgres-16')
          return {
            ...m,
            spec: {
              ...m.spec,
              rules: [
                ...m.spec.rules,
                {
                  from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend-1-0'] } }],
                  to: [{ operation: { ports: ['5432'] } }],
                },
              ],
            },
          };
        if (m.kind === 'NetworkPolicy' && m.metadata.name === 'postgres-16')
          return {
            ...m,
            spec: {
              ...m.spec,
              ingress: [
                ...m.spec.ingress,
                {
                  from: [{ podSelector: { matchLabels: { app: 'frontend', version: '1.0' } } }],
                  ports: [{ port: 5432, protocol: 'TCP' }],
                },
              ],
            },
          };
        if (m.kind === 'NetworkPolicy' && m.metadata.name === 'frontend-1-0')
          return {
            ...m,
            spec: {
              ...m.spec,
              egress: [
                ...m.spec.egress,
                {
                  to: [{ podSelector: { matchLabels: { app: 'postgres', version: '16' } } }],
                  ports: [{ port: 5432, protocol: 'TCP' }],
                },
              ],
            },
          };
        return m;
      });
    expect(() => leastPrivilege(mutated(widen))).toThrow(/policies allow frontend-1-0 → postgres-16 beyond routing/);
  });

  test('4. GIVEN an ambient ztunnel policy that lets frontend 1.0 reach postgres directly THEN "least privilege" fails in the ambient flavour', () => {
    const widen = (ms: Manifest[]) =>
      ms.map((m) =>
        m.kind === 'AuthorizationPolicy' && m.metadata.name === 'postgres-16'
          ? {
              ...m,
              spec: {
                ...m.spec,
                rules: [
                  ...(m.spec.rules ?? []),
                  {
                    from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend-1-0'] } }],
                    to: [{ operation: { ports: ['5432'] } }],
                  },
                ],
              },
            }
          : m,
      );
    expect(() => leastPrivilegeIn(mutated(widen), 'gateway-api-ambient')).toThrow(
      /gateway-api-ambient .*policies allow frontend-1-0 → postgres-16 beyond routing/,
    );
  });

  test('5. GIVEN postgres on a Recreate rollout whose template changes between stages THEN "every transition passes" fails', () => {
    const b = mutated((ms, i) =>
      editing('Deployment', 'postgres-16', (m) => ({
        ...m,
        spec: {
          ...m.spec,
          template: {
            ...m.spec.template,
            metadata: { ...m.spec.template.metadata, annotations: { restartedAt: `stage-${i}` } },
          },
        },
      }))(ms),
    );
    expect(() => transitionsPass(b)).toThrow(
      /01-one-lane → 02-header-canary: step 1 \(make\): .*postgres.*no ready pods throughout the step/,
    );
  });

  test('6. GIVEN a synthesized stage whose Service loses its port THEN "validate -f and --dist pass" fails', async () => {
    const dropPort = (dir: string) => {
      const file = join(dir, '01-one-lane.k8s.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          /appProtocol: tcp\n(\s+)name: tcp-postgres\n\s+port: 5432/,
          'appProtocol: tcp\n$1name: tcp-postgres\n$1port: 5433',
        ),
      );
    };
    await expect(validateSynthesized(build({ ...shop, stages: shopStages.slice(0, 1) }), dropPort)).rejects.toThrow(
      /validate .* exited 1/,
    );
  });

  test('7. GIVEN stage data that changes every time it is read THEN "synth twice is byte-identical" fails', () => {
    let reads = 0;
    const stage = { ...shopStages[0] };
    Object.defineProperty(stage, 'description', { get: () => `Read ${reads++} times.`, enumerable: true });
    expect(() => synthDeterministic(build({ ...shop, stages: [stage, ...shopStages.slice(1)] }))).toThrow(
      'two syntheses of the same release differ',
    );
  });
});
