import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { SchemaRegistry } from 'voting-mesh';
import type { CelValidationRule } from '../lib/analysis/schema/cel';
import { CelRuleEvaluator, toCel } from '../lib/analysis/schema/cel';
import { fastPathFor } from '../lib/analysis/schema/cel-fast-paths';
import { parseRequestUri } from '../lib/analysis/schema/cel-k8s-library';
import type { JsonSchema, SchemaViolation } from '../lib/analysis/schema/schema-validator';
import { SchemaValidator } from '../lib/analysis/schema/schema-validator';
import { readYamlFile } from '../lib/release/yaml-reader';

// CEL rules (x-kubernetes-validations) as k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go
// evaluates them on create, with the Kubernetes CEL library (k8s.io/apiserver/pkg/cel/library).
const schemaDir = join(__dirname, '..', 'schemas');

/** Every distinct rule of the bundled CRD schemas, by file. */
function bundledRules(): Map<string, CelValidationRule[]> {
  const out = new Map<string, CelValidationRule[]>();
  for (const file of readdirSync(schemaDir).filter((f) => f.startsWith('crds-'))) {
    const rules = new Map<string, CelValidationRule>();
    const walk = (o: any): void => {
      if (Array.isArray(o)) return o.forEach(walk);
      if (!o || typeof o !== 'object') return;
      for (const r of o['x-kubernetes-validations'] ?? []) rules.set(r.rule, r);
      Object.values(o).forEach(walk);
    };
    walk(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')).schemas);
    out.set(file, [...rules.values()]);
  }
  return out;
}

const registry = SchemaRegistry.load();
const check = (manifest: unknown) => registry.validate(manifest).map(({ path, message }) => ({ path, message }));
const meta = { name: 'x', namespace: 'voting' };

describe('CEL rules of the pinned Istio CRDs (x-kubernetes-validations)', () => {
  test.each([
    [
      'a timeout under 1ms (duration rule, 160 occurrences)',
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: meta,
        spec: { hosts: ['h'], http: [{ timeout: '0.5ms', route: [{ destination: { host: 'h' } }] }] },
      },
      [{ path: 'spec.http[0].timeout', message: 'must be a valid duration greater than 1ms' }],
    ],
    [
      'a duration CEL cannot parse (evaluation error: the API server names the error and the rule)',
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: meta,
        spec: { hosts: ['h'], http: [{ timeout: 'soon', route: [{ destination: { host: 'h' } }] }] },
      },
      [
        {
          path: 'spec.http[0].timeout',
          message:
            'Failed to parse duration: invalid syntax evaluating rule: must be a valid duration greater than 1ms',
        },
      ],
    ],
    [
      'a selector and targetRefs together',
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: meta,
        spec: {
          selector: { matchLabels: { app: 'a' } },
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }],
        },
      },
      [{ path: 'spec', message: 'only one of targetRefs or selector can be set' }],
    ],
    [
      'a wildcard in a label key and value',
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: meta,
        spec: { selector: { matchLabels: { 'app*': 'a*' } } },
      },
      [
        { path: 'spec.selector.matchLabels["app*"]', message: 'wildcard not allowed in label value match' },
        { path: 'spec.selector.matchLabels', message: 'wildcard not allowed in label key match' },
      ],
    ],
    [
      'portLevelMtls without a selector',
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: meta,
        spec: { portLevelMtls: { 8080: { mode: 'DISABLE' } } },
      },
      [{ path: 'spec', message: 'portLevelMtls requires selector' }],
    ],
    [
      'a ServiceEntry with a wildcard host, a duplicated port and two DNS_ROUND_ROBIN endpoints',
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta,
        spec: {
          hosts: ['*'],
          ports: [
            { number: 80, name: 'http' },
            { number: 80, name: 'http-alt' },
          ],
          resolution: 'DNS_ROUND_ROBIN',
          endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }],
        },
      },
      [
        { path: 'spec.hosts[0]', message: 'hostname cannot be wildcard' },
        { path: 'spec.ports', message: 'port number cannot be duplicated' },
        { path: 'spec', message: 'DNS_ROUND_ROBIN mode cannot have multiple endpoints' },
      ],
    ],
    [
      'a WasmPlugin fetched over ftp (isURL and url().getScheme())',
      {
        apiVersion: 'extensions.istio.io/v1alpha1',
        kind: 'WasmPlugin',
        metadata: meta,
        spec: { url: 'ftp://example.com/filter.wasm' },
      },
      [{ path: 'spec.url', message: 'url must have schema one of [http, https, file, oci]' }],
    ],
    [
      'a jwksUri that is not http(s)',
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'RequestAuthentication',
        metadata: meta,
        spec: { jwtRules: [{ issuer: 'i', jwksUri: 'file:///keys.json' }] },
      },
      [{ path: 'spec.jwtRules[0].jwksUri', message: 'url must have scheme http:// or https://' }],
    ],
    [
      'a Unix socket address that is relative',
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'WorkloadEntry',
        metadata: meta,
        spec: { address: 'unix://relative.sock' },
      },
      [{ path: 'spec.address', message: 'UDS must be an absolute path or abstract socket' }],
    ],
  ])('GIVEN %s THEN the rule fails with its message at its path', (_, manifest, expected) => {
    expect(check(manifest)).toEqual(expected);
  });

  test('GIVEN valid objects that meet many rules THEN every rule passes, in CEL and in the fast paths alike', () => {
    const valid = [
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta,
        spec: {
          hosts: ['api.example.com'],
          addresses: ['10.0.0.0/24'],
          ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
          resolution: 'STATIC',
          endpoints: [{ address: '10.0.0.1', ports: { https: 8443 } }],
        },
      },
      {
        apiVersion: 'extensions.istio.io/v1alpha1',
        kind: 'WasmPlugin',
        metadata: meta,
        spec: { url: 'oci://ghcr.io/acme/filter:1.0', selector: { matchLabels: { app: 'a' } } },
      },
      {
        apiVersion: 'extensions.istio.io/v1alpha1',
        kind: 'WasmPlugin',
        metadata: meta,
        spec: { url: 'ghcr.io/acme/filter:1.0' },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'RequestAuthentication',
        metadata: meta,
        spec: { jwtRules: [{ issuer: 'i', jwksUri: 'https://idp.example.com/keys' }] },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: meta,
        spec: {
          selector: { matchLabels: { app: 'a' } },
          mtls: { mode: 'STRICT' },
          portLevelMtls: { 8080: { mode: 'PERMISSIVE' } },
        },
      },
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'AuthorizationPolicy',
        metadata: meta,
        spec: {
          selector: { matchLabels: { app: 'a' } },
          rules: [
            {
              from: [{ source: { principals: ['cluster.local/ns/voting/sa/a'] } }],
              to: [{ operation: { ports: ['80'] } }],
            },
          ],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'DestinationRule',
        metadata: meta,
        spec: {
          host: 'h',
          trafficPolicy: {
            connectionPool: { tcp: { connectTimeout: '1s' }, http: { idleTimeout: '1m30s' } },
            outlierDetection: { interval: '10s', baseEjectionTime: '30s' },
          },
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'WorkloadEntry',
        metadata: meta,
        spec: { address: 'unix:///var/run/app.sock' },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: meta,
        spec: {
          selector: { istio: 'ingressgateway' },
          servers: [
            {
              port: { number: 443, name: 'https', protocol: 'HTTPS' },
              hosts: ['*'],
              tls: { mode: 'SIMPLE', credentialName: 'cert' },
            },
          ],
        },
      },
    ];
    for (const fastPaths of [true, false]) {
      const r = SchemaRegistry.load();
      (r as any).validator.cel = new CelRuleEvaluator(fastPaths);
      expect(valid.flatMap((m) => r.validate(m))).toEqual([]);
      expect(r.celCounts.evaluated).toBeGreaterThan(40);
      if (!fastPaths) expect(r.celCounts.fastPath).toBe(0);
    }
  });

  test('GIVEN every distinct rule of the bundled Istio, Argo Rollouts and Gateway API schemas THEN each compiles in @bufbuild/cel with the Kubernetes functions', () => {
    const rules = [...bundledRules().values()].flat();
    expect(rules.length).toBeGreaterThan(100);
    const evaluator = new CelRuleEvaluator(false);
    const compileErrors = rules.map((r) => (evaluator as any).program(r.rule)).filter((p) => p instanceof Error);
    expect(compileErrors).toEqual([]);
    // and none calls a function the environment lacks (that would be "unbound function" at run time)
    const unbound: string[] = [];
    for (const r of rules) {
      for (const self of [
        new Map(),
        '',
        0n,
        [],
        'http://x',
        ['a'],
        new Map([
          ['type', 'Hostname'],
          ['value', 'a'],
        ]),
      ]) {
        const result = (evaluator as any).program(r.rule)({ self });
        if (/unbound function/.test(String(result?.message))) unbound.push(`${r.rule}: ${result.message}`);
      }
    }
    expect(unbound).toEqual([]);
  });

  test('GIVEN a value of the wrong type THEN no rule is reported, only that rules were not checked (hasBlockingErr, customresource strategy.go)', () => {
    expect(
      check({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta,
        spec: { hosts: ['*'], ports: [{ number: '80', name: 'http' }] },
      }),
    ).toEqual([
      { path: 'spec.ports[0].number', message: 'expected integer, got string "80"' },
      {
        path: '(root)',
        message:
          'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      },
    ]);
  });

  test('GIVEN a missing required field THEN the rules still run (a required error does not block them)', () => {
    expect(
      check({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: meta,
        spec: { hosts: ['*'], ports: [{ name: 'http' }] },
      }),
    ).toEqual([
      { path: 'spec.hosts[0]', message: 'hostname cannot be wildcard' },
      { path: 'spec.ports[0].number', message: 'required field is missing' },
      { path: 'spec.ports', message: 'no such key: number evaluating rule: port number cannot be duplicated' },
    ]);
  });

  test('GIVEN the pinned upstream CRDs THEN the rules counted are those the README of ../shared names, and only transition rules are skipped', () => {
    const shared = join(__dirname, '..', '..', 'shared', 'crds');
    const count = (file: string) => {
      let blocks = 0;
      let rules = 0;
      let transition = 0;
      const walk = (o: any): void => {
        if (Array.isArray(o)) return o.forEach(walk);
        if (!o || typeof o !== 'object') return;
        const v = o['x-kubernetes-validations'];
        if (v) {
          blocks++;
          rules += v.length;
          transition += v.filter((r: CelValidationRule) => /\boldSelf\b/.test(r.rule)).length;
        }
        Object.values(o).forEach(walk);
      };
      for (const crd of readYamlFile(join(shared, file)) as any[])
        for (const v of crd?.spec?.versions ?? []) if (v.served) walk(v.schema);
      return { blocks, rules, transition };
    };
    expect(count('istio-1.30.3.yaml')).toEqual({ blocks: 309, rules: 362, transition: 0 });
    expect(count('gateway-api-v1.5.1-standard.yaml')).toEqual({ blocks: 92, rules: 266, transition: 2 });
  });

  test.each([
    [
      'an HTTPRoute with a path that is not absolute and a backend without a port (defaults applied first: its group is "" and kind Service)',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta,
        spec: {
          parentRefs: [{ name: 'gw' }],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'api' } }], backendRefs: [{ name: 'svc' }] }],
        },
      },
      [
        {
          path: 'spec.rules[0].matches[0].path',
          message: "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
        },
        { path: 'spec.rules[0].backendRefs[0]', message: 'Must have port for Service reference' },
      ],
    ],
    [
      'a Gateway with two listeners of the same name',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: meta,
        spec: {
          gatewayClassName: 'istio',
          listeners: [
            { name: 'http', port: 80, protocol: 'HTTP' },
            { name: 'http', port: 8080, protocol: 'HTTP' },
          ],
        },
      },
      [{ path: 'spec.listeners', message: 'Listener name must be unique within the Gateway' }],
    ],
    [
      'a valid HTTPRoute and Gateway',
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta,
        spec: {
          parentRefs: [{ name: 'gw', namespace: 'istio-ingress', sectionName: 'http' }],
          hostnames: ['shop.example.com'],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
              backendRefs: [{ name: 'svc', port: 80, weight: 90 }],
            },
          ],
        },
      },
      [],
    ],
  ])('GIVEN %s (Gateway API v1.5.1, bundled) THEN the rules give their messages', (_, manifest, expected) => {
    expect(check(manifest)).toEqual(expected);
  });

  test('GIVEN a transition rule (oldSelf) THEN it is skipped on create, as the API server does', () => {
    const evaluator = new CelRuleEvaluator();
    const out: SchemaViolation[] = [];
    evaluator.check(
      'a',
      { type: 'string' },
      [{ rule: 'self == oldSelf', message: 'Value is immutable' }],
      'spec.x',
      out,
    );
    expect(out).toEqual([]);
    expect(evaluator.counts).toEqual({ evaluated: 0, fastPath: 0, skippedTransition: 1 });
  });
});

describe('CEL rule messages, field paths and typing (validation.go)', () => {
  const schema = (rules: CelValidationRule[], extra: Partial<JsonSchema> = {}): JsonSchema => ({
    type: 'object',
    properties: {
      replicas: { type: 'integer' },
      ratio: { type: 'number' },
      'max-surge': { type: 'string' },
      namespace: { type: 'string' },
      mode: { type: 'string', default: 'Auto' },
    },
    'x-kubernetes-validations': rules,
    ...extra,
  });
  const run = (value: unknown, rules: CelValidationRule[]) =>
    new SchemaValidator().validate(value, schema(rules), 'spec');

  test.each([
    [
      'no message: "failed rule: <rule>"',
      [{ rule: 'self.replicas < 3' }],
      [{ path: 'spec', message: 'failed rule: self.replicas < 3', rule: 'self.replicas < 3' }],
    ],
    [
      'a messageExpression',
      [{ rule: 'self.replicas < 3', messageExpression: "'replicas must be below 3, got ' + string(self.replicas)" }],
      [{ path: 'spec', message: 'replicas must be below 3, got 5', rule: 'self.replicas < 3' }],
    ],
    [
      'a fieldPath',
      [{ rule: 'self.replicas < 3', message: 'too many', fieldPath: '.replicas' }],
      [{ path: 'spec.replicas', message: 'too many', rule: 'self.replicas < 3' }],
    ],
    [
      'integers typed as int (an int literal compares without a conversion)',
      [{ rule: 'self.replicas == 5 && self.ratio == 0.5' }],
      [],
    ],
    [
      'escaped property names (max-surge as max__dash__surge, namespace as __namespace__)',
      [{ rule: "self.max__dash__surge == '25%' && self.__namespace__ == 'n'" }],
      [],
    ],
    ['schema defaults applied before the rule runs', [{ rule: "self.mode == 'Auto'" }], []],
    [
      'an evaluation error',
      [{ rule: 'self.missing == 1', message: 'M' }],
      [{ path: 'spec', message: 'no such key: missing evaluating rule: M', rule: 'self.missing == 1' }],
    ],
  ])('GIVEN %s THEN the violation reads as the API server words it', (_, rules, expected) => {
    expect(run({ replicas: 5, ratio: 0.5, 'max-surge': '25%', namespace: 'n' }, rules as CelValidationRule[])).toEqual(
      expected,
    );
  });

  test('GIVEN a structural error inside the node THEN its rules do not run (no noise from a value of the wrong type)', () => {
    expect(run({ replicas: 'five' }, [{ rule: 'self.replicas < 3' }])).toEqual([
      { path: 'spec.replicas', message: 'expected integer, got string "five"' },
    ]);
  });
});

describe('native twins of the common rules agree with @bufbuild/cel', () => {
  const samples: unknown[] = [
    '',
    'a',
    '*',
    'a*b',
    '*.example.com',
    '5s',
    '1ms',
    '0ms',
    '0s',
    '1m30s',
    '100ms',
    '0.5ms',
    '1.5s',
    '-1s',
    '1h',
    '2562047h',
    'bogus',
    '1us',
    '999us',
    '1000us',
    '999999ns',
    '1000000ns',
    '0.001s',
    '0.0009s',
    '1.5h30m',
    '2562047h',
    '2562048h',
    '99999999h',
    '10',
    'unix:///a',
    0,
    1,
    80,
    65535,
    65536,
    -1,
    1.5,
    1e21,
    true,
    null,
    [],
    ['a'],
    ['*'],
    {},
    { a: 'b' },
    { '': 'x' },
    { 'a*': 'b' },
    { 80: 'x' },
    { '0': 'x' },
    { 65536: 'x' },
    { http: 1 },
    { '-bad': 1 },
    { ['a'.repeat(63)]: 1 },
    { ['a'.repeat(62)]: 1 },
    { '1x': 1 },
    { é: 1 },
    { '😀': 1 },
    '😀*',
  ];
  /** Objects with every combination of the fields a rule tests with has(). */
  const fieldSets = (rule: string): unknown[] => {
    const fields = [...new Set([...rule.matchAll(/has\(self\.(\w+)\)/g)].map((m) => m[1]))].slice(0, 6);
    const out: unknown[] = [];
    for (let mask = 0; mask < 1 << fields.length; mask++) {
      const o: Record<string, unknown> = {};
      fields.forEach((f, i) => {
        if (mask & (1 << i)) o[f] = f === 'selector' ? { matchLabels: mask & 1 ? { app: 'a' } : {} } : ['x'];
      });
      out.push(o);
    }
    return [
      ...out,
      { selector: {}, portLevelMtls: {} },
      { selector: { matchLabels: null }, portLevelMtls: {} },
      { principals: null, serviceAccounts: ['a'] },
    ];
  };

  const rules = [...bundledRules().values()].flat().filter((r) => fastPathFor(r.rule));
  test('GIVEN the bundled rules THEN the twins cover the ones the library meets most', () => {
    expect(rules.length).toBeGreaterThanOrEqual(15);
  });

  test.each(rules.map((r) => [r.rule.replace(/\n/g, ' ')]))(
    'GIVEN %s THEN the twin answers as CEL does wherever it answers',
    (text) => {
      const rule = rules.find((r) => r.rule.replace(/\n/g, ' ') === text)!.rule;
      const twin = fastPathFor(rule)!;
      const cel = new CelRuleEvaluator(false) as any;
      let answered = 0;
      for (const value of [...samples, ...fieldSets(rule)]) {
        const fast = twin(value);
        if (fast === undefined) continue;
        answered++;
        expect({ value, result: cel.program(rule)({ self: toCel(value, {}) }) }).toEqual({ value, result: fast });
      }
      expect(answered).toBeGreaterThan(0);
    },
  );
});

describe('Kubernetes URL library (k8s.io/apiserver/pkg/cel/library/urls.go, Go url.ParseRequestURI)', () => {
  test.each([
    ['https://example.com/a?b=c', 'https'],
    ['oci://ghcr.io/x:1', 'oci'],
    ['/absolute/path', ''],
    ['mailto:someone', 'mailto'],
    ['file:///x.wasm', 'file'],
    ['ghcr.io/x:1', undefined],
    ['relative/path', undefined],
    ['', undefined],
    ['http://exa mple.com', undefined],
  ])('GIVEN %s THEN the scheme is %s (undefined: not a URL)', (raw, scheme) => {
    expect(parseRequestUri(raw)?.scheme).toBe(scheme);
  });
});

describe('Kubernetes URL and IP functions inside rules', () => {
  const run = (self: string, rule: string) => {
    const out: SchemaViolation[] = [];
    new CelRuleEvaluator(false).check(self, { type: 'string' }, [{ rule, message: 'M' }], 'spec.u', out);
    return out.map((v) => v.message);
  };

  test('GIVEN a URL THEN its accessors read as Go url.URL does', () => {
    expect(
      run(
        'https://a.example:8080/x?y=1',
        "url(self).getHost() == 'a.example:8080' && url(self).getHostname() == 'a.example' && url(self).getPort() == '8080' && url(self).getEscapedPath() == '/x'",
      ),
    ).toEqual([]);
  });

  test('GIVEN url() of a string that is not a URL THEN the rule fails to evaluate, naming the value', () => {
    expect(run('relative', "url(self).getScheme() == 'https'")).toEqual([
      'URL parse error during conversion from string: relative evaluating rule: M',
    ]);
  });

  test.each([
    ['10.0.0.1', true],
    ['::1', true],
    ['::ffff:10.0.0.1', true],
    ['01.0.0.1', false],
    ['fe80::1%eth0', false],
    ['a.example', false],
  ])('GIVEN isIP(%s) THEN it is %s (netip.ParseAddr without zones)', (ip, expected) => {
    expect(run(ip, 'isIP(self)')).toEqual(expected ? [] : ['M']);
  });
});
