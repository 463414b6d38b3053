import { join } from 'path';
import { SchemaRegistry } from 'voting-mesh';
import { readYamlFile } from '../lib/release/yaml-reader';

// Kubernetes' built-in validation (pkg/apis/core/validation/validation.go, pkg/apis/apps/validation,
// pkg/apis/policy/validation, k8s.io/apimachinery/pkg/util/validation at 1.27) and two project
// rules (Istio's reserved ports, a PodDisruptionBudget that blocks every eviction).
const registry = SchemaRegistry.load();
const check = (manifest: unknown) => registry.validate(manifest).map(({ path, message }) => ({ path, message }));
const checkAll = (manifests: unknown[]) =>
  registry.validateAll(manifests).map(({ object, path, message }) => ({ object, path, message }));

const labels = { app: 'web', version: 'v1' };
function deployment(container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1', ...container }] } },
      ...spec,
    },
  };
}
const at = 'spec.template.spec.containers[0]';

describe('built-in validations of the kinds the library emits', () => {
  test('GIVEN a valid Deployment, Service, ConfigMap and PodDisruptionBudget THEN nothing is reported', () => {
    expect(
      checkAll([
        deployment({
          env: [{ name: 'MY_ENV.NAME', value: '1' }],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/', port: 8080 } },
        }),
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web', namespace: 'shop' },
          spec: {
            selector: labels,
            ports: [
              { name: 'http', port: 80, targetPort: 'http' },
              { name: 'grpc', port: 81 },
            ],
          },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'web.config', namespace: 'shop' },
          data: { 'app.properties': 'a=1' },
        },
        {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { minAvailable: 1, selector: { matchLabels: labels } },
        },
      ]),
    ).toEqual([]);
  });

  test.each([
    [
      'an env var name Kubernetes rejects',
      deployment({ env: [{ name: '1BAD NAME', value: 'x' }] }),
      [
        {
          path: `${at}.env[0].name`,
          message:
            "Invalid value: \"1BAD NAME\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
        },
      ],
    ],
    [
      'a container port name longer than 15 characters (IANA_SVC_NAME)',
      deployment({ ports: [{ name: 'http-metrics-port', containerPort: 9090 }] }),
      [
        {
          path: `${at}.ports[0].name`,
          message: 'Invalid value: "http-metrics-port": must be no more than 15 characters',
        },
      ],
    ],
    [
      'an upper-case port name and a duplicated one',
      deployment({
        ports: [
          { name: 'HTTP', containerPort: 8080 },
          { name: 'web', containerPort: 8081 },
          { name: 'web', containerPort: 8082 },
        ],
      }),
      [
        {
          path: `${at}.ports[0].name`,
          message: 'Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        },
        { path: `${at}.ports[0].name`, message: 'Invalid value: "HTTP": must contain at least one letter (a-z)' }, // IsValidPortName reports both
        { path: `${at}.ports[2].name`, message: 'Duplicate value: "web"' },
      ],
    ],
    [
      'the same containerPort twice',
      deployment({
        ports: [
          { name: 'a', containerPort: 8080 },
          { name: 'b', containerPort: 8080 },
        ],
      }),
      [
        {
          path: `${at}.ports[1].containerPort`,
          message: `containerPort 8080/TCP is also declared at ${at}.ports[0].containerPort: a Service or Istio would pick either; declare each port once per pod`,
        },
      ],
    ],
    [
      "an application port in Istio's reserved range",
      deployment({ ports: [{ name: 'http', containerPort: 15020 }] }),
      [
        {
          path: `${at}.ports[0].containerPort`,
          message:
            "containerPort 15020 is in Istio's reserved range 15000-15090 (the sidecar's admin, capture, health and metrics ports): the sidecar would shadow it; move the application to a port outside that range",
        },
      ],
    ],
    [
      'a probe with two handlers',
      deployment({ livenessProbe: { httpGet: { path: '/', port: 80 }, tcpSocket: { port: 80 } } }),
      [{ path: `${at}.livenessProbe.tcpSocket`, message: 'Forbidden: may not specify more than 1 handler type' }],
    ],
    [
      'a probe with no handler',
      deployment({ readinessProbe: { periodSeconds: 5 } }),
      [{ path: `${at}.readinessProbe`, message: 'Required value: must specify a handler type' }],
    ],
    [
      'a selector that does not match the template labels',
      deployment({}, { selector: { matchLabels: { app: 'api' } } }),
      [
        {
          path: 'spec.template.metadata.labels',
          message: 'Invalid value: {"app":"web","version":"v1"}: `selector` does not match template `labels`',
        },
      ],
    ],
    [
      'a name that is not a DNS-1123 subdomain',
      { ...deployment({}), metadata: { name: 'Web_1', namespace: 'shop' } },
      [
        {
          path: 'metadata.name',
          message:
            "Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        },
      ],
    ],
    [
      'a label value that is too long',
      { ...deployment({}), metadata: { name: 'web', namespace: 'shop', labels: { version: 'v'.repeat(64) } } },
      [
        {
          path: 'metadata.labels.version',
          message: `Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`,
        },
      ],
    ],
    [
      'a label key with two slashes',
      { ...deployment({}), metadata: { name: 'web', namespace: 'shop', labels: { 'a/b/c': 'x' } } },
      [
        {
          path: 'metadata.labels',
          message:
            "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        },
      ],
    ],
    [
      'a Service named like a subdomain (Services need a DNS-1035 label)',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web.v1' }, spec: { ports: [{ port: 80 }] } },
      [
        {
          path: 'metadata.name',
          message:
            "Invalid value: \"web.v1\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
        },
      ],
    ],
    [
      'Service ports without names and with a duplicate',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { ports: [{ port: 80 }, { name: 'b', port: 80 }] },
      },
      [
        { path: 'spec.ports[0].name', message: 'Required value' },
        { path: 'spec.ports[1]', message: 'Duplicate value: {"port":80,"protocol":"TCP"}' },
      ],
    ],
    [
      'annotations over 256 KiB',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', annotations: { big: 'x'.repeat(262142) } } },
      [{ path: 'metadata.annotations', message: 'Too long: must have at most 262144 bytes' }],
    ],
    [
      'a NetworkPolicy port range that ends below its start and a named port that is too long',
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'n' },
        spec: {
          podSelector: { matchLabels: labels },
          ingress: [{ ports: [{ port: 9000, endPort: 8000 }, { port: 'metrics-endpoint-http' }] }],
        },
      },
      [
        {
          path: 'spec.ingress[0].ports[0].endPort',
          message: 'Invalid value: 9000: must be greater than or equal to `port`',
        },
        {
          path: 'spec.ingress[0].ports[1].port',
          message: 'Invalid value: "metrics-endpoint-http": must be no more than 15 characters',
        },
      ],
    ],
    [
      'a ConfigMap key with a space',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'a b': 'x' } },
      [
        {
          path: 'data["a b"]',
          message:
            "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        },
      ],
    ],
  ])('GIVEN %s THEN it is rejected with the message', (_, manifest, expected) => {
    expect(check(manifest)).toEqual(expected);
  });

  test('GIVEN the sidecar container itself on 15090 THEN the reserved range does not apply to it', () => {
    expect(
      check(deployment({ name: 'istio-proxy', ports: [{ name: 'http-envoy-prom', containerPort: 15090 }] })),
    ).toEqual([]);
  });
});

describe('PodDisruptionBudgets that block every eviction (project rule; policy validation)', () => {
  const pdb = (spec: Record<string, unknown>) => ({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { matchLabels: labels }, ...spec },
  });

  test('GIVEN minAvailable equal to the replicas it selects THEN validateAll rejects it with the fix', () => {
    expect(checkAll([deployment({}), pdb({ minAvailable: 2 })])).toEqual([
      {
        object: 'PodDisruptionBudget shop/web',
        path: 'spec.minAvailable',
        message:
          'minAvailable 2 equals or exceeds the 2 replica(s) it selects (Deployment web): no pod may ever be evicted, so node drains and upgrades would hang; set minAvailable to at most 1, or use maxUnavailable: 1',
      },
    ]);
  });

  test('GIVEN the same budget in another namespace than the workload THEN it selects nothing there and passes', () => {
    expect(
      checkAll([deployment({}), { ...pdb({ minAvailable: 2 }), metadata: { name: 'web', namespace: 'other' } }]),
    ).toEqual([]);
  });

  test.each([
    [
      { maxUnavailable: 0 },
      [
        {
          path: 'spec.maxUnavailable',
          message:
            'maxUnavailable 0 allows no eviction: node drains and upgrades would hang; allow at least 1 (or set minAvailable below the replicas)',
        },
      ],
    ],
    [
      { minAvailable: '100%' },
      [
        {
          path: 'spec.minAvailable',
          message:
            'minAvailable "100%" allows no eviction: node drains and upgrades would hang; set it below 100% or use maxUnavailable: 1',
        },
      ],
    ],
    [
      { minAvailable: 1, maxUnavailable: 1 },
      [
        {
          path: 'spec',
          message: `Invalid value: {"selector":{"matchLabels":{"app":"web","version":"v1"}},"minAvailable":1,"maxUnavailable":1}: minAvailable and maxUnavailable cannot be both set`,
        },
      ],
    ],
    [
      { minAvailable: 'half' },
      [
        {
          path: 'spec.minAvailable',
          message:
            "Invalid value: \"half\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        },
      ],
    ],
    [
      { minAvailable: -1 },
      [{ path: 'spec.minAvailable', message: 'Invalid value: -1: must be greater than or equal to 0' }],
    ],
    [
      { maxUnavailable: '150%' },
      [{ path: 'spec.maxUnavailable', message: 'Invalid value: "150%": must not be greater than 100%' }],
    ],
  ])('GIVEN %j THEN it is rejected with the message', (spec, expected) => {
    expect(check(pdb(spec))).toEqual(expected);
  });
});

describe('the committed cookie-canary stage with the bad inputs of issue 12 injected (what synth would then report)', () => {
  test('GIVEN replicas beyond int32, an env var name Kubernetes rejects, a reserved port and a blocking budget THEN each is reported with its fix', () => {
    const manifests = readYamlFile(join(__dirname, '..', 'dist', '03-cookie-canary.k8s.yaml')) as any[];
    const app = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'voting-app-1-0');
    app.spec.replicas = 1e21;
    app.spec.template.spec.containers[0].env = [
      ...(app.spec.template.spec.containers[0].env ?? []),
      { name: '1BAD NAME', value: 'x' },
    ];
    app.spec.template.spec.containers[0].ports = [{ name: 'admin', containerPort: 15000 }];
    const budget = manifests.find((m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === 'voting-app-2-0');
    budget.spec.minAvailable = 3;
    const envAt = `spec.template.spec.containers[0].env[${app.spec.template.spec.containers[0].env.length - 1}].name`;
    expect(checkAll(manifests)).toEqual([
      {
        object: 'Deployment voting/voting-app-1-0',
        path: 'spec.replicas',
        message: '1e+21 is out of the int32 range (-2147483648 to 2147483647): the API server rejects it',
      },
      {
        object: 'Deployment voting/voting-app-1-0',
        path: envAt,
        message:
          "Invalid value: \"1BAD NAME\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      },
      {
        object: 'Deployment voting/voting-app-1-0',
        path: 'spec.template.spec.containers[0].ports[0].containerPort',
        message:
          "containerPort 15000 is in Istio's reserved range 15000-15090 (the sidecar's admin, capture, health and metrics ports): the sidecar would shadow it; move the application to a port outside that range",
      },
      {
        object: 'PodDisruptionBudget voting/voting-app-2-0',
        path: 'spec.minAvailable',
        message:
          'minAvailable 3 equals or exceeds the 3 replica(s) it selects (Deployment voting-app-2-0): no pod may ever be evicted, so node drains and upgrades would hang; set minAvailable to at most 2, or use maxUnavailable: 1',
      },
    ]);
  });
});
