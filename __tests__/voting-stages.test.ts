import type { Manifest } from 'voting-mesh';
import { TrafficSimulator } from 'voting-mesh';
import { find, names, votingManifests, walk, COOKIE_VARIANTS, NOT_THE_COOKIE } from './support';

const stages = votingManifests();
const stage = (name: string): Manifest[] => {
  const m = stages.get(name);
  if (!m) throw new Error(`no stage ${name}`);
  return m;
};

const V1_LANE = {
  app: ['voting-app-1-0'],
  analytics: ['voting-analytics-1-1'],
  storageFromApp: ['voting-storage-1-0'],
  storageFromAnalytics: ['voting-storage-1-0'],
  storagePort: 6379,
};
const V2_LANE = {
  app: ['voting-app-2-0'],
  analytics: ['voting-analytics-2-0'],
  storageFromApp: ['voting-storage-2-0'],
  storageFromAnalytics: ['voting-storage-2-0'],
  storagePort: 3306,
};

describe('the release has four stages, in order', () => {
  test('GIVEN the voting release WHEN built THEN it has one chart per stage', () => {
    expect([...stages.keys()]).toEqual(['01-v1', '02-analytics-1-1-lock', '03-cookie-canary', '04-full-rollout']);
  });
});

describe('every stage', () => {
  test.each([...stages.keys()])('%s starts with the voting Namespace labelled for sidecar injection', (name) => {
    const [first] = stage(name);
    expect(first).toMatchObject({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'voting', labels: { 'istio-injection': 'enabled' } },
    });
  });

  test.each([...stages.keys()])('%s puts every namespaced object in voting and labels it part-of=voting', (name) => {
    for (const m of stage(name)) {
      expect(m.metadata.labels?.['app.kubernetes.io/part-of']).toBe('voting');
      if (m.kind !== 'Namespace') expect(m.metadata.namespace).toBe('voting');
    }
  });

  test.each([...stages.keys()])('%s uses GA APIs only', (name) => {
    const apis = new Set(stage(name).map((m) => `${m.apiVersion}/${m.kind}`));
    for (const api of apis) {
      expect([
        'v1/Namespace',
        'v1/ServiceAccount',
        'security.istio.io/v1/AuthorizationPolicy',
        'networking.k8s.io/v1/NetworkPolicy',
        'policy/v1/PodDisruptionBudget',
        'v1/Service',
        'v1/PersistentVolumeClaim',
        'apps/v1/Deployment',
        'networking.istio.io/v1/Gateway',
        'networking.istio.io/v1/VirtualService',
        'networking.istio.io/v1/DestinationRule',
        'security.istio.io/v1/PeerAuthentication',
      ]).toContain(api);
    }
  });

  test.each([...stages.keys()])('%s carries no cdk8s hash label and no explicit-name gaps', (name) => {
    const text = JSON.stringify(stage(name));
    expect(text).not.toContain('cdk8s.io/');
    for (const m of stage(name)) expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  test.each([...stages.keys()])('%s keeps credentials out: no Secret object, secrets only by reference', (name) => {
    const manifests = stage(name);
    expect(names(manifests, 'Secret')).toEqual([]);
    for (const d of manifests.filter((m) => m.kind === 'Deployment')) {
      for (const e of d.spec.template.spec.containers[0].env ?? []) {
        if (/PASSWORD|USER|DATABASE/.test(e.name)) {
          expect(e.value).toBeUndefined();
          expect(e.valueFrom.secretKeyRef).toEqual({ name: 'voting-storage-secret', key: e.name });
        }
      }
    }
    expect(JSON.stringify(manifests)).not.toMatch(/Password1|ZGJ1c2Vy|UGFzc3dvcmQ/);
  });

  test.each([...stages.keys()])('%s: Services select on app only and declare an Istio protocol per port', (name) => {
    for (const svc of stage(name).filter((m) => m.kind === 'Service')) {
      expect(svc.spec.selector).toEqual({ app: svc.metadata.name });
      for (const p of svc.spec.ports) {
        expect(['http', 'tcp']).toContain(p.appProtocol);
        expect(p.name === p.appProtocol || p.name.startsWith(`${p.appProtocol}-`)).toBe(true);
      }
    }
  });

  test.each([...stages.keys()])(
    '%s: every Deployment sets resources, probes, securityContext and pull policy explicitly',
    (name) => {
      for (const d of stage(name).filter((m) => m.kind === 'Deployment')) {
        const pod = d.spec.template.spec;
        const c = pod.containers[0];
        expect(c.imagePullPolicy).toBe('IfNotPresent');
        expect(c.image).toMatch(/:[0-9][^:]*$/);
        expect(c.resources.requests).toBeDefined();
        expect(c.resources.limits).toBeDefined();
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
        expect(c.securityContext).toMatchObject({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect([0, 1337]).not.toContain(c.securityContext.runAsUser);
        expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        expect(pod.automountServiceAccountToken).toBe(false);
      }
    },
  );
});

describe('Deployment selectors are immutable: they never change', () => {
  // If this fails, a change would make `kubectl apply` reject the Deployment. Do not update the
  // expectation; keep the selector (or deliberately migrate with a new Deployment name).
  const LOCKED: Record<string, Record<string, string>> = {
    'voting-app-1-0': { app: 'voting-app', version: '1.0' },
    'voting-app-2-0': { app: 'voting-app', version: '2.0' },
    'voting-analytics-1-0': { app: 'voting-analytics', version: '1.0' },
    'voting-analytics-1-1': { app: 'voting-analytics', version: '1.1' },
    'voting-analytics-2-0': { app: 'voting-analytics', version: '2.0' },
    'voting-storage-1-0': { app: 'voting-storage', version: '1.0' },
    'voting-storage-2-0': { app: 'voting-storage', version: '2.0' },
  };
  test.each([...stages.keys()])('%s', (name) => {
    for (const d of stage(name).filter((m) => m.kind === 'Deployment')) {
      expect({ [d.metadata.name]: d.spec.selector }).toEqual({
        [d.metadata.name]: { matchLabels: LOCKED[d.metadata.name] },
      });
      expect(d.spec.template.metadata.labels).toEqual(LOCKED[d.metadata.name]);
    }
  });
});

describe('01-v1', () => {
  const m = stage('01-v1');
  test('runs 1.0 of every component, with the sample replica counts', () => {
    expect(names(m, 'Deployment')).toEqual(['voting-app-1-0', 'voting-analytics-1-0', 'voting-storage-1-0']);
    expect(find(m, 'Deployment', 'voting-app-1-0').spec.replicas).toBe(3);
    expect(find(m, 'Deployment', 'voting-analytics-1-0').spec.replicas).toBe(1);
  });
  test('has the gateway and no version routing yet', () => {
    expect(find(m, 'Gateway', 'voting-app-gateway').spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
    expect(names(m, 'DestinationRule')).toEqual([]);
    expect(names(m, 'VirtualService')).toEqual(['voting-app-ingress']);
    expect(names(m, 'PeerAuthentication')).toEqual([]);
  });
  test('sends / (with or without the cookie) to voting-app 1.0, which reaches Redis 1.0 through plain Services', () => {
    const sim = new TrafficSimulator(m);
    for (const headers of [{}, { cookie: 'featureflag=on' }] as Record<string, string>[]) {
      expect(sim.ingress('voting-app-gateway', { path: '/', headers })).toEqual([
        {
          service: 'voting-app',
          port: 8080,
          weight: 100,
          deployments: ['voting-app-1-0'],
          rule: 'voting-app-ingress/default',
        },
      ]);
    }
    expect(
      sim.call({ sourceLabels: { app: 'voting-app', version: '1.0' }, service: 'voting-storage', port: 6379 })[0]
        .deployments,
    ).toEqual(['voting-storage-1-0']);
    expect(
      sim.call({ sourceLabels: { app: 'voting-app', version: '1.0' }, service: 'voting-analytics', port: 8080 })[0]
        .deployments,
    ).toEqual(['voting-analytics-1-0']);
  });
  test('storage is Redis 4.0.10 on 6379 declared as TCP', () => {
    expect(find(m, 'Deployment', 'voting-storage-1-0').spec.template.spec.containers[0].image).toBe('redis:4.0.10');
    expect(find(m, 'Service', 'voting-storage').spec.ports).toEqual([
      { name: 'tcp-redis', port: 6379, targetPort: 6379, protocol: 'TCP', appProtocol: 'tcp' },
    ]);
  });
  test('app 1.0 has the scenario environment', () => {
    expect(find(m, 'Deployment', 'voting-app-1-0').spec.template.spec.containers[0].env).toEqual([
      { name: 'SHOWDETAILS', value: 'true' },
      { name: 'FEATUREFLAG', value: 'true' },
      { name: 'REDIS_HOST', value: 'voting-storage' },
      { name: 'ANALYTICS_HOST', value: 'voting-analytics' },
    ]);
  });
});

describe('02-analytics-1-1-lock', () => {
  const m = stage('02-analytics-1-1-lock');
  test('adds analytics 1.1 and keeps 1.0 deployed (idle) for rollback', () => {
    expect(names(m, 'Deployment')).toEqual([
      'voting-app-1-0',
      'voting-analytics-1-0',
      'voting-analytics-1-1',
      'voting-storage-1-0',
    ]);
  });
  test.each([
    ['no cookie', {}],
    ['featureflag cookie', { cookie: 'featureflag=on' }],
  ])('%s: app 1.0 -> analytics 1.1 only -> Redis 1.0', (_, headers) => {
    expect(walk(m, headers)).toEqual(V1_LANE);
  });
  test('analytics 1.0 receives nothing: no route in any VirtualService targets its subset', () => {
    const routed = m
      .filter((o) => o.kind === 'VirtualService')
      .flatMap((vs) => [...(vs.spec.http ?? []), ...(vs.spec.tcp ?? [])])
      .flatMap((r: any) => r.route.map((d: any) => `${d.destination.host}/${d.destination.subset}`));
    expect(routed).not.toContain('voting-analytics.voting.svc.cluster.local/v1-0');
  });
  test('DestinationRules with ISTIO_MUTUAL and one subset per deployed version', () => {
    expect(names(m, 'DestinationRule')).toEqual(['voting-app', 'voting-analytics', 'voting-storage']);
    const dr = find(m, 'DestinationRule', 'voting-analytics').spec;
    expect(dr).toEqual({
      host: 'voting-analytics.voting.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [
        { name: 'v1-0', labels: { version: '1.0' } },
        { name: 'v1-1', labels: { version: '1.1' } },
      ],
    });
  });
  test('namespace-wide STRICT mTLS', () => {
    expect(find(m, 'PeerAuthentication', 'default')).toMatchObject({
      metadata: { namespace: 'voting' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(find(m, 'PeerAuthentication', 'default').spec.selector).toBeUndefined();
  });
  test('every VirtualService ends with an explicit default route', () => {
    for (const vs of m.filter((o) => o.kind === 'VirtualService')) {
      const routes = vs.spec.http ?? vs.spec.tcp;
      expect(routes[routes.length - 1].match).toBeUndefined();
    }
  });
  test('lane pinning uses sourceLabels only in mesh VirtualServices; the gateway one matches no sourceLabels', () => {
    const ingress = find(m, 'VirtualService', 'voting-app-ingress');
    expect(JSON.stringify(ingress)).not.toContain('sourceLabels');
    expect(find(m, 'VirtualService', 'voting-analytics').spec.gateways).toEqual(['mesh']);
  });
});

describe('03-cookie-canary', () => {
  const m = stage('03-cookie-canary');
  test('adds the 2.0 lane with the MySQL volume', () => {
    expect(names(m, 'Deployment')).toEqual([
      'voting-app-1-0',
      'voting-app-2-0',
      'voting-analytics-1-0',
      'voting-analytics-1-1',
      'voting-analytics-2-0',
      'voting-storage-1-0',
      'voting-storage-2-0',
    ]);
    expect(find(m, 'PersistentVolumeClaim', 'mysql-pv-claim').spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
  });
  test('voting-storage serves both Redis and MySQL, both as TCP', () => {
    expect(find(m, 'Service', 'voting-storage').spec.ports.map((p: any) => [p.name, p.port, p.appProtocol])).toEqual([
      ['tcp-mysql', 3306, 'tcp'],
      ['tcp-redis', 6379, 'tcp'],
    ]);
  });
  test.each(Object.entries(COOKIE_VARIANTS))('cookie %s (%s): the whole request stays on the 2.0 lane', (_, cookie) => {
    expect(walk(m, { cookie })).toEqual(V2_LANE);
  });
  test.each(Object.entries(NOT_THE_COOKIE))('lookalike cookie, %s (%s): the 1.x lane', (_, cookie) => {
    expect(walk(m, { cookie })).toEqual(V1_LANE);
  });
  test('no cookie header at all: the 1.x lane', () => {
    expect(walk(m)).toEqual(V1_LANE);
  });
  test('the cookie also selects 2.0 for mesh callers of voting-app', () => {
    const sim = new TrafficSimulator(m);
    expect(
      sim.call(
        { sourceLabels: { app: 'debug' }, service: 'voting-app', port: 8080 },
        { headers: { cookie: 'featureflag=on' } },
      )[0].deployments,
    ).toEqual(['voting-app-2-0']);
    expect(sim.call({ sourceLabels: { app: 'debug' }, service: 'voting-app', port: 8080 })[0].deployments).toEqual([
      'voting-app-1-0',
    ]);
  });
  test('MySQL 2.0: image, args, secret env, volume, Recreate strategy', () => {
    const d = find(m, 'Deployment', 'voting-storage-2-0');
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('mcr.microsoft.com/aks/samples/voting/storage:2.0');
    expect(c.args).toEqual(['--ignore-db-dir=lost+found']);
    expect(c.env.map((e: any) => e.name)).toEqual([
      'MYSQL_ROOT_PASSWORD',
      'MYSQL_USER',
      'MYSQL_PASSWORD',
      'MYSQL_DATABASE',
    ]);
    expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/mysql' });
    expect(d.spec.template.spec.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'mysql-pv-claim', readOnly: false },
    });
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
  });
  test('app 2.0 and analytics 2.0 talk to MySQL with credentials from the Secret', () => {
    for (const name of ['voting-app-2-0', 'voting-analytics-2-0']) {
      const env = find(m, 'Deployment', name).spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'MYSQL_HOST', value: 'voting-storage' });
      expect(env.map((e: any) => e.name)).toEqual(
        expect.arrayContaining(['MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE']),
      );
    }
  });
});

describe('04-full-rollout', () => {
  const m = stage('04-full-rollout');
  test('only 2.0 runs: the 1.x Deployments are absent', () => {
    expect(names(m, 'Deployment')).toEqual(['voting-app-2-0', 'voting-analytics-2-0', 'voting-storage-2-0']);
  });
  test.each([
    ['no cookie', {}],
    ['featureflag cookie', { cookie: 'featureflag=on' }],
    ['lookalike', { cookie: 'xfeatureflag=on' }],
  ])('%s: the 2.0 lane', (_, headers) => {
    expect(walk(m, headers)).toEqual(V2_LANE);
  });
  test('DestinationRules and VirtualServices reference only 2.0', () => {
    const routing = JSON.stringify(m.filter((o) => o.kind === 'DestinationRule' || o.kind === 'VirtualService'));
    expect(routing).not.toMatch(/v1-0|v1-1|"1\.[01]"/);
    expect(find(m, 'Service', 'voting-storage').spec.ports.map((p: any) => p.port)).toEqual([3306]);
  });
});
