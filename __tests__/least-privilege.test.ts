import type { Manifest } from 'voting-mesh';
import { analyzeMesh, authorize, formatFinding, networkPolicyAllows, ReleaseStage } from 'voting-mesh';
import { createVotingApplication, votingStages } from '../voting';
import { find, names, testApp, votingManifests } from './support';

// Per-lane least privilege, asserted both ways: for every stage, every caller (the ingress gateway
// and every deployed version) against every deployed version and port, the calls Istio
// authorization AND the NetworkPolicies allow are exactly the lanes' edges; everything else,
// cross-lane calls and the idle versions' calls included, is denied by both.
const stages = votingManifests();
const GATEWAY = 'gateway';
const PORTS: Record<string, number[]> = {
  'voting-app': [8080],
  'voting-analytics': [8080],
  'voting-storage': [6379, 3306],
};

function allowedCalls(m: Manifest[]): string[] {
  const deployments = m.filter((o) => o.kind === 'Deployment');
  const callers = [GATEWAY, ...deployments.map((d) => d.metadata.name)];
  const out: string[] = [];
  for (const caller of callers) {
    const d = deployments.find((x) => x.metadata.name === caller);
    const principal = d
      ? `cluster.local/ns/voting/sa/${d.spec.template.spec.serviceAccountName}`
      : 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';
    const from = d
      ? { namespace: 'voting', labels: d.spec.template.metadata.labels }
      : { namespace: 'istio-system', labels: { istio: 'ingressgateway' } };
    for (const target of deployments) {
      const labels = target.spec.template.metadata.labels;
      for (const port of PORTS[labels.app].filter((p) =>
        target.spec.template.spec.containers[0].ports.some((c: any) => c.containerPort === p),
      )) {
        const authz = authorize(m, 'voting', labels, principal, port).allowed;
        const net = networkPolicyAllows(m, from, { namespace: 'voting', labels }, port).allowed;
        if (authz !== net)
          throw new Error(
            `authorization (${authz}) and NetworkPolicy (${net}) disagree on ${caller} → ${target.metadata.name}:${port}`,
          );
        if (authz) out.push(`${caller} → ${target.metadata.name}:${port}`);
      }
    }
  }
  return out.sort();
}

describe("per-lane least privilege: exactly the lanes' edges are allowed, by authorization and NetworkPolicy alike", () => {
  test.each([
    [
      '01-v1',
      [
        'gateway → voting-app-1-0:8080',
        'voting-analytics-1-0 → voting-storage-1-0:6379',
        'voting-app-1-0 → voting-analytics-1-0:8080',
        'voting-app-1-0 → voting-storage-1-0:6379',
      ],
    ],
    // analytics 1.0 stays for rollback but is in no lane: it reaches nothing and nothing reaches it.
    [
      '02-analytics-1-1-lock',
      [
        'gateway → voting-app-1-0:8080',
        'voting-analytics-1-1 → voting-storage-1-0:6379',
        'voting-app-1-0 → voting-analytics-1-1:8080',
        'voting-app-1-0 → voting-storage-1-0:6379',
      ],
    ],
    // The case: exactly app 1.0 and analytics 1.1 reach Redis on 6379, exactly app 2.0 and
    // analytics 2.0 reach MySQL on 3306; app 2.0 cannot reach Redis 1.0 (no password), the 1.x lane cannot reach MySQL.
    [
      '03-cookie-canary',
      [
        'gateway → voting-app-1-0:8080',
        'gateway → voting-app-2-0:8080',
        'voting-analytics-1-1 → voting-storage-1-0:6379',
        'voting-analytics-2-0 → voting-storage-2-0:3306',
        'voting-app-1-0 → voting-analytics-1-1:8080',
        'voting-app-1-0 → voting-storage-1-0:6379',
        'voting-app-2-0 → voting-analytics-2-0:8080',
        'voting-app-2-0 → voting-storage-2-0:3306',
      ],
    ],
    [
      '04-full-rollout',
      [
        'gateway → voting-app-2-0:8080',
        'voting-analytics-2-0 → voting-storage-2-0:3306',
        'voting-app-2-0 → voting-analytics-2-0:8080',
        'voting-app-2-0 → voting-storage-2-0:3306',
      ],
    ],
  ])("GIVEN %s THEN the allowed calls are exactly its lanes' edges", (name, expected) => {
    expect(allowedCalls(stages.get(name)!)).toEqual([...expected].sort());
  });

  test.each([...stages.keys()])(
    'GIVEN %s THEN every version has its own ServiceAccount, without an API token, used by its Deployment',
    (name) => {
      const m = stages.get(name)!;
      const deployments = m.filter((o) => o.kind === 'Deployment');
      expect(names(m, 'ServiceAccount').sort()).toEqual(deployments.map((d) => d.metadata.name).sort());
      for (const d of deployments) expect(d.spec.template.spec.serviceAccountName).toBe(d.metadata.name);
      for (const sa of m.filter((o) => o.kind === 'ServiceAccount'))
        expect((sa as any).automountServiceAccountToken).toBe(false);
    },
  );

  test('GIVEN the cookie canary THEN storage policies select one version each and name the callers of that version only', () => {
    const m = stages.get('03-cookie-canary')!;
    const rules = (n: string) =>
      find(m, 'AuthorizationPolicy', n).spec.rules.map(
        (r: any) => `${r.from[0].source.principals.join(',')} -> ${r.to[0].operation.ports.join(',')}`,
      );
    expect(find(m, 'AuthorizationPolicy', 'voting-storage-1-0').spec.selector).toEqual({
      matchLabels: { app: 'voting-storage', version: '1.0' },
    });
    expect(rules('voting-storage-1-0')).toEqual([
      'cluster.local/ns/voting/sa/voting-app-1-0 -> 6379',
      'cluster.local/ns/voting/sa/voting-analytics-1-1 -> 6379',
    ]);
    expect(rules('voting-storage-2-0')).toEqual([
      'cluster.local/ns/voting/sa/voting-app-2-0 -> 3306',
      'cluster.local/ns/voting/sa/voting-analytics-2-0 -> 3306',
    ]);
    expect(names(m, 'AuthorizationPolicy')).not.toContain('voting-analytics-1-0'); // idle: allow-nothing applies
    expect(find(m, 'AuthorizationPolicy', 'allow-nothing').spec).toEqual({});
    expect(find(m, 'NetworkPolicy', 'default-deny').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  test('GIVEN the sidecar ports THEN no rule opens 15020/15021 by default, and a configured scraper gets 15020 only', () => {
    const all = JSON.stringify([...stages.values()].flatMap((m) => m.filter((o) => o.kind === 'NetworkPolicy')));
    expect(all).not.toMatch(/"port":1502[01]/);
    const app = createVotingApplication();
    const scraped = new ReleaseStage(testApp(), {
      application: {
        ...app,
        security: {
          ...app.security,
          metricsScraper: { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      },
      stage: votingStages[2],
    });
    const np = find(scraped.manifests as Manifest[], 'NetworkPolicy', 'voting-storage-2-0');
    expect(np.spec.ingress.at(-1)).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 15020 }],
    });
    const m = scraped.manifests as Manifest[];
    const prometheus = { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } };
    expect(
      networkPolicyAllows(
        m,
        prometheus,
        { namespace: 'voting', labels: { app: 'voting-storage', version: '2.0' } },
        15020,
      ).allowed,
    ).toBe(true);
    expect(
      networkPolicyAllows(
        m,
        prometheus,
        { namespace: 'voting', labels: { app: 'voting-storage', version: '2.0' } },
        15021,
      ).allowed,
    ).toBe(false);
  });

  test('GIVEN a cross-lane call (app 2.0 to Redis 1.0) THEN routing reaches storage 1.0 but authorization denies it, naming the rule set', () => {
    const m = stages.get('03-cookie-canary')!;
    const verdict = authorize(
      m,
      'voting',
      { app: 'voting-storage', version: '1.0' },
      'cluster.local/ns/voting/sa/voting-app-2-0',
      6379,
    );
    expect(verdict).toEqual({
      allowed: false,
      reason:
        'no rule of voting-storage-1-0, allow-nothing allows cluster.local/ns/voting/sa/voting-app-2-0 on port 6379',
    });
  });

  test('GIVEN a lane edge authorization denies THEN the analyzer reports it as an error (VM0005)', () => {
    const objs: any[] = JSON.parse(JSON.stringify(stages.get('03-cookie-canary')!));
    find(objs, 'AuthorizationPolicy', 'voting-storage-2-0').spec.rules[1].to[0].operation.ports = ['6379'];
    expect(
      analyzeMesh(objs)
        .map(formatFinding)
        .filter((f) => !f.startsWith('VM0010')),
    ).toEqual([
      'VM0005 [Error] Deployment voting/voting-storage-2-0 AuthorizationPolicy: routing sends Deployment voting/voting-analytics-2-0 (cluster.local/ns/voting/sa/voting-analytics-2-0) ' +
        'to it on port 3306 via voting-storage/tcp[1], but authorization denies it: no rule of voting-storage-2-0, allow-nothing allows cluster.local/ns/voting/sa/voting-analytics-2-0 on port 3306',
      'VM0006 [Info] AuthorizationPolicy voting/voting-storage-2-0 spec.rules[1]: allows cluster.local/ns/voting/sa/voting-analytics-2-0 on port 6379, but no route sends it there',
    ]);
  });

  test("GIVEN another ingress gateway identity THEN the entry versions' policies use it", () => {
    const chart = new ReleaseStage(testApp(), {
      application: createVotingApplication({ ingressGatewayPrincipal: 'cluster.local/ns/gw/sa/edge' }),
      stage: votingStages[0],
    });
    expect(
      find(chart.toJson(), 'AuthorizationPolicy', 'voting-app-1-0').spec.rules[0].from[0].source.principals,
    ).toEqual(['cluster.local/ns/gw/sa/edge']);
  });
});
