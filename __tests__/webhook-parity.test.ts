import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import { cli } from './cli-support';
import { SchemaRegistry } from '../lib/analysis/schema/schema-registry';

/**
 * Istio's own validation tests (pkg/config/validation/validation_test.go at 1.30.3), transcribed
 * as data in fixtures/istio-validation/cases.json: each case is the object the admission webhook
 * would see, with Istio's verdict. Each runs through what `validate` and synth run on an object
 * (SchemaRegistry.validate: the CRD schema, its CEL rules and the webhook's rules); the counts are
 * the README's. Istio's valid cases must all pass; of its rejections at least the floor below must
 * be caught.
 */
interface Case {
  readonly test: string;
  readonly subtest: string;
  readonly istio: 'valid' | 'invalid';
  readonly fragment?: string;
  readonly manifest: any;
}

const TABLE = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'istio-validation', 'cases.json'), 'utf8'));
const cases: Case[] = TABLE.cases;
const registry = SchemaRegistry.load();
const verdicts = cases.map((c) => ({ c, errors: registry.validate(c.manifest) }));
const rejected = verdicts.filter((v) => v.c.istio === 'invalid');
const accepted = verdicts.filter((v) => v.c.istio === 'valid');
const caught = rejected.filter((v) => v.errors.length > 0);
const wholeObject = (v: { c: Case }) => v.c.fragment === undefined;
const name = (c: Case) => `${c.test}/${c.subtest}`;

/**
 * Cases Istio's Go test accepts that the API server rejects before the webhook runs: the test
 * calls the webhook's function on a proto, the cluster first applies the CRD schema. Each is
 * rejected here by the CRD schema (Istio 1.30.3's own CRD), not by a webhook rule.
 */
const SCHEMA_STRICTER: Readonly<Record<string, string>> = {
  // `endpoints: []` is present to the CRD's CEL rule (has(self.endpoints)); a proto drops the empty list.
  'TestValidateServiceEntries/partial wildcard hosts': 'spec: NONE mode cannot set endpoints',
  // The CRD gives jwtRules[].issuer minLength 1; the webhook itself accepts an empty issuer with a jwksUri.
  'TestValidateRequestAuthentication/empty issuer and set jwksUri':
    'spec.jwtRules[0].issuer: shorter than 1 characters',
  // The CRD gives tlsCertificates maxItems 2; the webhook only warns ("can support up to 2 server certificates").
  'TestValidateTlsOptions/simple more than 2 certs': 'spec.servers[0].tls.tlsCertificates: more than 2 items',
  'TestValidateTlsOptions/mutual more than 2 certs': 'spec.servers[0].tls.tlsCertificates: more than 2 items',
};
const fromWebhook = (m: string) => m.startsWith('Istio webhook: ');

if (process.env.WEBHOOK_PARITY_REPORT) {
  writeFileSync(
    process.env.WEBHOOK_PARITY_REPORT,
    JSON.stringify(
      {
        missed: rejected.filter((v) => v.errors.length === 0).map((v) => ({ case: name(v.c), manifest: v.c.manifest })),
        falseRejections: accepted
          .filter((v) => v.errors.length > 0)
          .map((v) => ({ case: name(v.c), errors: v.errors })),
      },
      null,
      1,
    ),
  );
}

describe("validate against Istio 1.30.3's validation tests", () => {
  test('GIVEN the cases Istio accepts WHEN validated THEN none is rejected, but for those the CRD schema itself rejects', () => {
    const rejectedHere = accepted.filter((v) => v.errors.length > 0);
    expect(
      rejectedHere
        .filter((v) => !(name(v.c) in SCHEMA_STRICTER))
        .map((v) => `${name(v.c)}: ${v.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`),
    ).toEqual([]);
    expect(
      Object.fromEntries(
        rejectedHere.map((v) => [name(v.c), v.errors.map((e) => `${e.path}: ${e.message}`).join('; ')]),
      ),
    ).toEqual(SCHEMA_STRICTER);
    expect(rejectedHere.flatMap((v) => v.errors).filter((e) => fromWebhook(e.message))).toEqual([]);
  });

  test('GIVEN a rejected fragment WHEN validated THEN an error is at the fragment or its parent, not elsewhere in the minimal object', () => {
    const elsewhere = caught
      .filter((v) => v.c.fragment !== undefined)
      .filter((v) => {
        const at = v.c.fragment!.replace(/\.(set|add)$/, '');
        const parent = at.replace(/(\.[A-Za-z]+|\[\d+\])$/, '');
        return !v.errors.some((e) => e.path.startsWith(at) || e.path === parent);
      });
    expect(elsewhere.map((v) => name(v.c))).toEqual([]);
  });

  test('GIVEN the cases Istio rejects WHEN the webhook rules alone are counted THEN they catch what the schema misses', () => {
    // Without the webhook rules validate caught 52 of 186 whole objects and 7 of 79 fragments (the issue's measurement); the rest must come from them.
    const onlyWebhook = caught.filter((v) => v.errors.every((e) => fromWebhook(e.message)));
    expect(onlyWebhook.length).toBeGreaterThan(rejected.length / 2);
  });

  test('GIVEN the cases Istio rejects WHEN validated THEN at least 95 % are rejected, whole objects and fragments alike', () => {
    const whole = rejected.filter(wholeObject);
    const fragments = rejected.filter((v) => !wholeObject(v));
    const counts = {
      whole: `${whole.filter((v) => v.errors.length > 0).length}/${whole.length}`,
      fragments: `${fragments.filter((v) => v.errors.length > 0).length}/${fragments.length}`,
      all: `${caught.length}/${rejected.length}`,
      accepted: accepted.length,
    };
    // The README and docs/validation-parity.md quote these counts.
    expect(counts).toEqual(EXPECTED_COUNTS);
    expect(caught.length / rejected.length).toBeGreaterThanOrEqual(0.95);
  });
});

const EXPECTED_COUNTS = { whole: '199/199', fragments: '188/188', all: '387/387', accepted: 283 };

describe('the webhook rules through `voting-mesh validate -f`', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-webhook-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const validateFile = async (objects: any[]) => {
    const file = join(scratch, 'input.yaml');
    writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
    return cli(['validate', '-f', file, '-o', 'json']);
  };
  const vs = (weights: number[]) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      hosts: ['web'],
      http: [{ route: weights.map((weight, i) => ({ destination: { host: 'web', subset: `v${i + 1}` }, weight })) }],
    },
  });

  test('GIVEN route weights 1 and 3 (Istio takes them as 25 % and 75 %) WHEN validated THEN it passes, with a warning naming the shares', async () => {
    const deployment = (version: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `web-${version}`, namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web', version } },
        template: {
          metadata: { labels: { app: 'web', version } },
          spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] },
        },
      },
    });
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    };
    const subsets = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { host: 'web', subsets: ['v1', 'v2'].map((v) => ({ name: v, labels: { version: v } })) },
    };
    const result = await validateFile([service, subsets, deployment('v1'), deployment('v2'), vs([1, 3])]);
    expect(result.stdout).not.toMatch(/"level": "Error"/);
    expect(result.code).toBe(0);
    const messages = JSON.parse(result.stdout);
    expect(messages.filter((m: any) => m.level === 'Error')).toEqual([]);
    expect(messages.find((m: any) => m.code === 'VM0002')?.message).toMatch(/relative shares \(25 %, 75 %\)/);
  });

  test("GIVEN route weights that are all 0 WHEN validated THEN the webhook rejects it in Istio's words", async () => {
    const result = await validateFile([vs([0, 0])]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toContainEqual(
      expect.objectContaining({
        code: 'VM0100',
        origin: 'VirtualService shop/web',
        field: 'spec.http[0].route',
        message: 'Istio webhook: total destination weight = 0',
      }),
    );
  });

  test('GIVEN an AuthorizationPolicy with an empty principal and a lookahead VirtualService regex WHEN validated THEN each is one error at its field', async () => {
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow', namespace: 'shop' },
      spec: { rules: [{ from: [{ source: { principals: [''] } }] }] },
    };
    const regex = vs([100]);
    (regex.spec.http[0] as any).match = [{ uri: { regex: '/(?=admin)' } }];
    const result = await validateFile([policy, regex]);
    expect(result.code).toBe(1);
    const errors = JSON.parse(result.stdout)
      .filter((m: any) => m.message.startsWith('Istio webhook: '))
      .map((m: any) => `${m.origin} ${m.field}: ${m.message.split(';')[0]}`);
    expect(errors).toEqual([
      'AuthorizationPolicy shop/allow spec.rules[0].from[0].source.principals: Istio webhook: empty value not allowed, found in principals',
      expect.stringMatching(/^VirtualService shop\/web spec.http\[0\].match\[0\].uri: Istio webhook: "uri": .*\(\?=/),
    ]);
  });
});
