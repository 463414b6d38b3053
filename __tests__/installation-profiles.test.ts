import type { Manifest } from 'voting-mesh';
import {
  aksIstioAddOnProfile,
  explainRequest,
  helmGatewayProfile,
  ISTIOCTL_DEFAULT_PROFILE,
  networkPolicyAllows,
  ReleaseStage,
  SchemaRegistry,
} from 'voting-mesh';
import { createVotingApplication, votingStages } from '../voting';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { renderRelease } from 'voting-mesh';
import { cli } from './cli-support';
import { find, testApp } from './support';

// The facts of a real installation reach every object that names the control plane, the
// injection label or the ingress gateway, and the tools read the same facts.
describe('GIVEN the voting release on the AKS Istio add-on (revision asm-1-26)', () => {
  const application = createVotingApplication({ installation: aksIstioAddOnProfile({ revision: 'asm-1-26' }) });
  const charts = votingStages.map((stage) => new ReleaseStage(testApp(), { application, stage }));
  const canary = charts[2];
  const m = canary.manifests as Manifest[];
  const GATEWAY_SA = 'cluster.local/ns/aks-istio-ingress/sa/aks-istio-ingressgateway-external';

  test('THEN the namespace is enrolled with the revision label, not istio-injection', () => {
    expect(find(m, 'Namespace', 'voting').metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'voting',
      'istio.io/rev': 'asm-1-26',
    });
  });

  test("THEN the Gateway selects the add-on's external ingress gateway pods", () => {
    expect(find(m, 'Gateway', 'voting-app-gateway').spec.selector).toEqual({
      istio: 'aks-istio-ingressgateway-external',
    });
  });

  test("THEN the entry versions admit the add-on gateway's identity, and only its pods reach them", () => {
    for (const name of ['voting-app-1-0', 'voting-app-2-0']) {
      expect(find(m, 'AuthorizationPolicy', name).spec.rules).toEqual([
        { from: [{ source: { principals: [GATEWAY_SA] } }], to: [{ operation: { ports: ['8080'] } }] },
      ]);
    }
    const app = { namespace: 'voting', labels: { app: 'voting-app', version: '2.0' } };
    expect(
      networkPolicyAllows(
        m,
        { namespace: 'aks-istio-ingress', labels: { istio: 'aks-istio-ingressgateway-external' } },
        app,
        8080,
      ).allowed,
    ).toBe(true);
    expect(
      networkPolicyAllows(m, { namespace: 'istio-system', labels: { istio: 'ingressgateway' } }, app, 8080).allowed,
    ).toBe(false);
  });

  test("THEN every sidecar may reach the add-on's istiod (aks-istio-system, its revision) on 15012", () => {
    const istiod = { namespace: 'aks-istio-system', labels: { app: 'istiod', 'istio.io/rev': 'asm-1-26' } };
    for (const d of m.filter((o) => o.kind === 'Deployment')) {
      expect(
        networkPolicyAllows(m, { namespace: 'voting', labels: d.spec.template.metadata.labels }, istiod, 15012).allowed,
      ).toBe(true);
    }
    expect(
      networkPolicyAllows(
        m,
        { namespace: 'voting', labels: { app: 'voting-app', version: '2.0' } },
        { namespace: 'istio-system', labels: { app: 'istiod' } },
        15012,
      ).allowed,
    ).toBe(false);
  });

  test("THEN every stage is valid, the analyzer accepts it, and explain (with the stage's context) allows the whole lane", () => {
    const registry = SchemaRegistry.load();
    for (const chart of charts) {
      expect(registry.validateAll(chart.manifests)).toEqual([]);
      expect(chart.findings.filter((f) => f.level !== 'Info')).toEqual([]);
    }
    const { hops } = explainRequest(m, { headers: { cookie: 'featureflag=on' } }, undefined, canary.meshContext);
    expect(hops[0].authorization).toMatchObject({ allowed: true });
    expect(hops[0].calls.map((c) => [c.deployments, c.authorization?.allowed])).toEqual([
      [['voting-storage-2-0'], true],
      [['voting-analytics-2-0'], true],
    ]);
  });

  test('THEN a malformed revision is refused with the form it must take', () => {
    expect(() => aksIstioAddOnProfile({ revision: '1.26' })).toThrow(
      "field 'installation.revision': AKS Istio add-on revision '1.26' is not of the form asm-1-<minor> (e.g. asm-1-26). See az aks mesh get-revisions.",
    );
  });
});

describe('GIVEN the other shipped profiles', () => {
  test("THEN istioctl's default profile is today's default output (istio-system, istio: ingressgateway, istio-injection)", () => {
    expect(ISTIOCTL_DEFAULT_PROFILE).toEqual({
      name: 'istioctl-default',
      trustDomain: 'cluster.local',
      controlPlane: { namespace: 'istio-system', podLabels: { app: 'istiod' } },
      injectionLabel: { key: 'istio-injection', value: 'enabled' },
      ingressGateway: {
        namespace: 'istio-system',
        podLabels: { istio: 'ingressgateway' },
        serviceAccount: 'istio-ingressgateway-service-account',
      },
    });
  });

  test("THEN a Helm gateway is named after its release: labels app/istio and the ServiceAccount follow the chart's helpers", () => {
    const chart = new ReleaseStage(testApp(), {
      application: createVotingApplication({
        installation: helmGatewayProfile({ release: 'istio-ingress', namespace: 'istio-ingress' }),
      }),
      stage: votingStages[0],
    });
    const m = chart.manifests as Manifest[];
    expect(find(m, 'Gateway', 'voting-app-gateway').spec.selector).toEqual({ istio: 'ingress' });
    expect(find(m, 'AuthorizationPolicy', 'voting-app-1-0').spec.rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/istio-ingress/sa/istio-ingress',
    ]);
    expect(helmGatewayProfile({ release: 'edge', revision: '1-30' })).toMatchObject({
      injectionLabel: { key: 'istio.io/rev', value: '1-30' },
      ingressGateway: { podLabels: { istio: 'edge' }, serviceAccount: 'edge' },
    });
  });
});

describe('installation and security facts Kubernetes would reject are refused with the fix', () => {
  const base = createVotingApplication();
  const errorOf = (application: any): string => {
    try {
      new ReleaseStage(testApp(), { application, stage: votingStages[0] });
    } catch (err: any) {
      return err.message;
    }
    throw new Error('expected the application to be rejected');
  };
  const aks = aksIstioAddOnProfile({ revision: 'asm-1-26' });
  test.each([
    [
      { installation: { ...aks, controlPlane: { ...aks.controlPlane, namespace: 'AKS_Istio' } } },
      "field 'application.installation.controlPlane.namespace': 'AKS_Istio' is not a DNS-1123 label of at most 63 characters. Use lower-case letters, digits and '-', starting and ending with a letter or digit.",
    ],
    [
      { installation: { ...aks, ingressGateway: { ...aks.ingressGateway, podLabels: {} } } },
      'field \'application.installation.ingressGateway.podLabels\': the label selector is empty, so it would select every pod. Name at least one label of the pods, e.g. { app: "prometheus" }.',
    ],
    [
      { installation: { ...aks, ingressGateway: { ...aks.ingressGateway, serviceAccount: 'Gateway SA' } } },
      "field 'application.installation.ingressGateway.serviceAccount': 'Gateway SA' is not a DNS-1123 label of at most 253 characters. Use lower-case letters, digits and '-', starting and ending with a letter or digit.",
    ],
    [
      { installation: { ...aks, injectionLabel: { key: 'istio.io/rev', value: 'asm 1 26' } } },
      "field 'application.installation.injectionLabel[\"istio.io/rev\"]': label value 'asm 1 26' is not accepted by Kubernetes. Use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.",
    ],
    [
      { installation: { ...aks, trustDomain: 'Cluster Local' } },
      "field 'application.installation.trustDomain': 'Cluster Local' is not a trust domain. Use a DNS-like name such as 'cluster.local'.",
    ],
    [
      { security: { metricsScraper: { namespace: 'Monitoring' } } },
      "field 'application.security.metricsScraper.namespace': 'Monitoring' is not a DNS-1123 label of at most 63 characters. Use lower-case letters, digits and '-', starting and ending with a letter or digit.",
    ],
    [
      { security: { metricsScraper: { namespace: 'monitoring', podLabels: { '-bad': 'x' } } } },
      "field 'application.security.metricsScraper.podLabels[\"-bad\"]': '-bad' is not a label key Kubernetes accepts. Use a name of at most 63 letters, digits, '-', '_' or '.', optionally after a DNS subdomain and '/' (e.g. 'app.kubernetes.io/name').",
    ],
    [
      { gateway: { ...base.gateway, selector: { istio: 'ingress gateway' } } },
      "field 'application.gateway.selector[\"istio\"]': label value 'ingress gateway' is not accepted by Kubernetes. Use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.",
    ],
  ])('GIVEN %j THEN it is rejected', (change, message) => {
    expect(errorOf({ ...base, ...change })).toBe(message);
  });
});

describe('GIVEN the AKS stages on disk, as synth writes them (with mesh-context.json)', () => {
  const application = createVotingApplication({ installation: aksIstioAddOnProfile({ revision: 'asm-1-26' }) });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'voting-mesh-aks-'));
    for (const f of renderRelease(votingStages.map((stage) => new ReleaseStage(testApp(), { application, stage }))))
      writeFileSync(join(dir, f.file), f.content);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('THEN validate reads the recorded facts: every stage and transition is valid, with no flag', async () => {
    const result = await cli(['validate', '--dist', dir]);
    expect(result.stdout).toMatch(/\nvalid\n$/);
    expect(result.code).toBe(0);
  });

  test("THEN explain admits the add-on gateway's identity and follows the lane to MySQL", async () => {
    const result = await cli(['explain', '03', '--dist', dir, '--cookie', 'featureflag=on']);
    expect(result.stdout).not.toContain('DENIED');
    expect(result.stdout).toContain('voting-storage 2.0 [voting-storage-2-0');
  });

  test('THEN the same files given with -f need --profile, which gives the same answer', async () => {
    const file = join(dir, '03-cookie-canary.k8s.yaml');
    expect((await cli(['explain', '-f', file, '--cookie', 'featureflag=on'])).stdout).toContain('DENIED');
    const profiled = await cli(['explain', '-f', file, '--cookie', 'featureflag=on', '--profile', 'aks:asm-1-26']);
    expect(profiled.stdout).not.toContain('DENIED');
    expect((await cli(['validate', '-f', file, '--profile', 'aks:asm-1-26'])).code).toBe(0);
    const bad = await cli(['validate', '-f', file, '--profile', 'aks:1.26']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^error: --profile aks:1\.26: field 'installation\.revision': AKS Istio add-on revision '1\.26' is not of the form asm-1-<minor>/,
    );
  });
});
