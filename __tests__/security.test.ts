import type { Manifest } from 'voting-mesh';
import { ReleaseStage, checkWorkloads, unexplained, unusedExceptions } from 'voting-mesh';
import { createVotingApplication, votingCheckExceptions, votingStages } from '../voting';
import { find, testApp, votingManifests } from './support';

const stages = votingManifests();
const stage = (name: string) => stages.get(name)!;
const clone = (m: Manifest[]): any[] => JSON.parse(JSON.stringify(m));

describe('workload checks (kube-score, Polaris, kube-linter style)', () => {
  test.each([...stages.keys()])('GIVEN %s THEN every finding is a documented exception', (name) => {
    expect(unexplained(checkWorkloads(stage(name)), votingCheckExceptions)).toEqual([]);
  });

  test('GIVEN every stage THEN every exception is still needed', () => {
    const all = [...stages.values()].flatMap((m) => checkWorkloads(m));
    expect(unusedExceptions(all, votingCheckExceptions)).toEqual([]);
    for (const e of votingCheckExceptions) expect(e.reason.length).toBeGreaterThan(40);
  });

  test.each([
    [
      'privileged',
      (d: any) => {
        d.spec.template.spec.containers[0].securityContext.privileged = true;
      },
      'privileged-container',
    ],
    [
      'host network',
      (d: any) => {
        d.spec.template.spec.hostNetwork = true;
      },
      'host-network',
    ],
    [
      'host PID',
      (d: any) => {
        d.spec.template.spec.hostPID = true;
      },
      'host-pid',
    ],
    [
      'a writable root',
      (d: any) => {
        d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
      },
      'no-read-only-root-fs',
    ],
    [
      'no readiness probe',
      (d: any) => {
        delete d.spec.template.spec.containers[0].readinessProbe;
      },
      'no-readiness-probe',
    ],
    [
      'no memory limit',
      (d: any) => {
        delete d.spec.template.spec.containers[0].resources.limits.memory;
      },
      'unset-memory-limits',
    ],
    [
      'the latest tag',
      (d: any) => {
        d.spec.template.spec.containers[0].image = 'redis:latest';
      },
      'latest-tag',
    ],
    [
      'privilege escalation',
      (d: any) => {
        d.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      },
      'privilege-escalation-container',
    ],
    [
      'a mounted API token',
      (d: any) => {
        d.spec.template.spec.automountServiceAccountToken = true;
      },
      'automount-service-account-token',
    ],
    [
      'the default ServiceAccount',
      (d: any) => {
        delete d.spec.template.spec.serviceAccountName;
      },
      'default-service-account',
    ],
    [
      'UID 1337',
      (d: any) => {
        d.spec.template.spec.containers[0].securityContext.runAsUser = 1337;
      },
      'istio-proxy-uid',
    ],
  ])('GIVEN storage 1.0 with %s THEN the check reports it', (_, mutate, check) => {
    const objs = clone(stage('01-v1'));
    mutate(find(objs, 'Deployment', 'voting-storage-1-0'));
    expect(unexplained(checkWorkloads(objs), votingCheckExceptions).map((f) => `${f.check} ${f.object}`)).toEqual([
      `${check} Deployment voting/voting-storage-1-0`,
    ]);
  });

  test('GIVEN three replicas without a PodDisruptionBudget or spread THEN both are reported', () => {
    const objs = clone(stage('01-v1')).filter((o) => o.kind !== 'PodDisruptionBudget');
    delete find(objs, 'Deployment', 'voting-app-1-0').spec.template.spec.topologySpreadConstraints;
    expect(unexplained(checkWorkloads(objs), votingCheckExceptions).map((f) => f.check)).toEqual([
      'pod-disruption-budget',
      'host-anti-affinity',
    ]);
  });

  test('GIVEN no NetworkPolicy selecting a workload (not even the default deny) THEN it is not isolated', () => {
    const objs = clone(stage('01-v1')).filter(
      (o) => !(o.kind === 'NetworkPolicy' && ['voting-analytics-1-0', 'default-deny'].includes(o.metadata.name)),
    );
    expect(unexplained(checkWorkloads(objs), votingCheckExceptions).map((f) => `${f.check} ${f.object}`)).toEqual([
      'non-isolated-pod Deployment voting/voting-analytics-1-0',
    ]);
  });
});

describe('secrets: no credential bytes anywhere in the output', () => {
  const BASE64_BLOB = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])/g;
  const PASSWORDISH = /(password|passwd|pwd|secret|token|api[-_]?key)["']?\s*[:=]\s*["']?[^\s"'{},]{3,}/i;

  test.each([...stages.keys()])('%s has no Secret data, no base64 blob and no password-looking literal', (name) => {
    const m = stage(name);
    expect(m.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of m) {
      expect(Object.keys(o)).not.toContain('data');
      expect(Object.keys(o)).not.toContain('stringData');
    }
    const values: string[] = [];
    const walk = (v: unknown, key = ''): void => {
      if (typeof v === 'string') values.push(`${key}=${v}`);
      else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
      else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(x, k));
    };
    walk(m);
    const blobs = values
      .flatMap((v) => v.split('=').slice(1).join('=').match(BASE64_BLOB) ?? [])
      .filter((b) => !/^[a-z./-]+$/i.test(b)); // plain words and paths are not blobs
    expect(blobs).toEqual([]);
    const env = m
      .filter((o) => o.kind === 'Deployment')
      .flatMap((d) => d.spec.template.spec.containers.flatMap((c: any) => c.env ?? []));
    expect(env.filter((e: any) => e.value !== undefined && PASSWORDISH.test(`${e.name}=${e.value}`))).toEqual([]);
    expect(
      env
        .filter((e: any) => /PASSWORD|USER|DATABASE/.test(e.name))
        .every((e: any) => e.valueFrom?.secretKeyRef !== undefined),
    ).toBe(true);
  });

  test('the scan itself catches a literal password and a base64 blob', () => {
    expect(PASSWORDISH.test('MYSQL_PASSWORD=Password12')).toBe(true);
    expect('UGFzc3dvcmQxMg=='.match(BASE64_BLOB)).toEqual(['UGFzc3dvcmQxMg==']);
  });

  test('GIVEN another Secret name THEN every reference uses it', () => {
    const chart = new ReleaseStage(testApp(), {
      application: createVotingApplication({ storageSecretName: 'db-credentials' }),
      stage: votingStages[3],
    });
    const refs = chart
      .toJson()
      .filter((o) => o.kind === 'Deployment')
      .flatMap((d) => d.spec.template.spec.containers[0].env ?? [])
      .filter((e: any) => e.valueFrom)
      .map((e: any) => e.valueFrom.secretKeyRef.name);
    expect(new Set(refs)).toEqual(new Set(['db-credentials']));
  });

  test('GIVEN an External Secrets store THEN the stages that read the Secret get an ExternalSecret (references only)', () => {
    const application = createVotingApplication({ externalSecret: { storeName: 'vault', remoteKey: 'voting/mysql' } });
    const [v1, canary] = [votingStages[0], votingStages[2]].map((stage) =>
      new ReleaseStage(testApp(), { application, stage }).toJson(),
    );
    expect(v1.filter((o) => o.kind === 'ExternalSecret')).toEqual([]);
    expect(find(canary, 'ExternalSecret', 'voting-storage-secret')).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: 'voting-storage-secret',
        namespace: 'voting',
        labels: { 'app.kubernetes.io/part-of': 'voting' },
      },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target: { name: 'voting-storage-secret', creationPolicy: 'Owner' },
        data: ['MYSQL_ROOT_PASSWORD', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE'].map((k) => ({
          secretKey: k,
          remoteRef: { key: 'voting/mysql', property: k },
        })),
      },
    });
  });
});
