import { SchemaRegistry } from '../lib/analysis/schema/schema-registry';
import { webhookViolations } from '../lib/analysis/webhook';

/**
 * Rules of Istio's webhook (pkg/config/validation/validation.go at 1.30.3) that its own test
 * tables do not exercise (see webhook-parity.test.ts for those): each case is one object, valid by
 * its schema, and the webhook's one error at its field, in Istio's words.
 */
const registry = SchemaRegistry.load();
const meta = { name: 'web', namespace: 'shop' };
const vs = (spec: any, metadata: any = meta) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata,
  spec,
});
const errors = (m: any) => registry.validate(m).map((v) => `${v.path}: ${v.message}`);

describe("Istio's webhook rules beyond its test tables", () => {
  test.each([
    [
      'the dry-run annotation on a VirtualService (checkDryRunAnnotation)',
      vs(
        { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] },
        { ...meta, annotations: { 'istio.io/dry-run': 'true' } },
      ),
      [
        'metadata.annotations.istio.io/dry-run: Istio webhook: shop/web has unsupported annotation istio.io/dry-run, please remove the annotation',
      ],
    ],
    [
      'a source label key with a bad prefix (labels.Instance.Validate)',
      vs({
        hosts: ['web'],
        http: [{ match: [{ sourceLabels: { '-bad.io/app': 'x' } }], route: [{ destination: { host: 'web' } }] }],
      }),
      ['spec.http[0].match[0].sourceLabels: Istio webhook: invalid tag key: "-bad.io/app"'],
    ],
  ])('GIVEN %s WHEN validated THEN the webhook rejects it', (_, manifest, expected) => {
    expect(errors(manifest)).toEqual(expected);
  });

  test.each([
    [
      'a TLS route with an SNI match',
      vs({
        hosts: ['web.example.com'],
        gateways: ['shop/gw'],
        tls: [{ match: [{ sniHosts: ['web.example.com'] }], route: [{ destination: { host: 'web' } }] }],
      }),
    ],
    [
      'a prefixed source label key',
      vs({
        hosts: ['web'],
        http: [
          {
            match: [{ sourceLabels: { 'app.kubernetes.io/name': 'client' } }],
            route: [{ destination: { host: 'web' } }],
          },
        ],
      }),
    ],
    [
      'weights 1 and 3',
      vs({
        hosts: ['web'],
        http: [
          {
            route: [
              { destination: { host: 'web', subset: 'a' }, weight: 1 },
              { destination: { host: 'web', subset: 'b' }, weight: 3 },
            ],
          },
        ],
      }),
    ],
  ])('GIVEN %s WHEN validated THEN nothing is rejected', (_, manifest) => {
    expect(errors(manifest)).toEqual([]);
  });

  test('GIVEN a TLS route without a match WHEN the webhook alone checks it THEN it rejects it as Istio does (the CRD, which requires match, comes first in a cluster)', () => {
    const manifest = vs({
      hosts: ['web.example.com'],
      gateways: ['shop/gw'],
      tls: [{ route: [{ destination: { host: 'web' } }] }],
    });
    expect(errors(manifest)).toEqual(['spec.tls[0].match: required field is missing']);
    expect(webhookViolations(manifest).map((v) => `${v.path}: ${v.message}`)).toEqual([
      'spec.tls[0].match: Istio webhook: TLS route must have at least one match condition',
    ]);
  });

  test('GIVEN an object the schema rejects WHEN validated THEN the webhook is not consulted (the API server calls it only after the schema)', () => {
    expect(errors(vs({ hosts: ['*'], http: [{ route: [{ destination: { host: 'web' } }] }], bogus: 1 }))).toEqual([
      "spec.bogus: unknown field 'bogus'",
    ]);
  });
});
