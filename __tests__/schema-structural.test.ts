import { SchemaRegistry } from 'voting-mesh';

// How the API server applies a CRD's structural schema (apiextensions-apiserver): defaults are
// filled in before validation, and the branches of oneOf/anyOf/allOf/not are value validation
// only (they do not declare which fields exist). Gateway API v1.5.1's Gateway `spec.addresses`
// uses both: its items default `type` to IPAddress, then `oneOf` an IP address form or "any other
// type", whose schema names only `type`. The cases are those of the Gateway API example
// examples/standard/gateway-addresses.yaml and of the items' rules.
const registry = SchemaRegistry.load();
const gateway = (addresses: object[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: 'default' },
  spec: { gatewayClassName: 'istio', addresses, listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
});
const errors = (addresses: object[]) =>
  registry.validate(gateway(addresses)).map(({ path, message }) => `${path}: ${message}`);

describe('GIVEN Gateway addresses (defaults and oneOf branches, as the API server evaluates them)', () => {
  test('WHEN untyped IP addresses and a typed Hostname are given THEN they are valid (the Hostname matches the second form, its value is no unknown field)', () => {
    expect(
      errors([
        { value: '2001:db8:3c4d:15:0:d234:3eee::' },
        { value: '1.1.1.1' },
        { type: 'IPAddress', value: '255.255.255.255' },
        { type: 'Hostname', value: 'example.com' },
      ]),
    ).toEqual([]);
  });

  test('WHEN an untyped address holds a hostname THEN it is rejected: the type defaults to IPAddress, so neither form holds', () => {
    expect(errors([{ value: 'example.com' }])).toEqual([
      'spec.addresses[0]: matches none of the allowed forms (oneOf)',
    ]);
  });

  test('WHEN an untyped and a typed address repeat one IP THEN the uniqueness rule sees both as IPAddress (defaulted before CEL)', () => {
    expect(errors([{ value: '1.2.3.4' }, { type: 'IPAddress', value: '1.2.3.4' }])).toEqual([
      'spec.addresses: IPAddress values must be unique',
    ]);
  });

  test('WHEN a field no form or structural schema declares is set THEN it is still an unknown field', () => {
    expect(errors([{ type: 'Hostname', value: 'example.com', port: 80 }])).toEqual([
      "spec.addresses[0].port: unknown field 'port'",
    ]);
  });

  test('WHEN a defaulted field is null THEN it is pruned and defaulted, not rejected as null', () => {
    expect(errors([{ type: null, value: '1.2.3.4' }])).toEqual([]);
    expect(errors([{ type: null, value: 'example.com' }])).toEqual([
      'spec.addresses[0]: matches none of the allowed forms (oneOf)',
    ]);
  });
});
