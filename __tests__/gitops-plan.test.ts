import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parseAllDocuments } from 'yaml';
import type { DesiredState, GitOpsOptions, Manifest } from 'voting-mesh';
import {
  checkStates,
  gitopsSeries,
  objectKey,
  planTransition,
  SchemaRegistry,
  syncWave,
  transitionStates,
} from 'voting-mesh';
import { buildVotingFlavour } from '../voting';
import { cli } from './cli-support';
import { testApp, votingManifests } from './support';

const sidecar = votingManifests();
const ambient = new Map(
  buildVotingFlavour(testApp(), 'gateway-api-ambient').map((s) => [s.stageName, s.toJson() as Manifest[]]),
);
const registry = SchemaRegistry.load();
const statesOf = (stages: Map<string, Manifest[]>, from: string, to: string) =>
  transitionStates(planTransition(from, stages.get(from)!, to, stages.get(to)!), stages.get(from)!);
const options = (engine: 'argocd' | 'flux', extra: Partial<GitOpsOptions> = {}): GitOpsOptions => ({
  engine,
  name: 'voting-release',
  repoUrl: 'https://git.example.com/deploy.git',
  repoPath: 'deploy/voting',
  ...extra,
});
const keys = (objects: readonly Manifest[]) => objects.map(objectKey).sort();
const file = (series: ReturnType<typeof gitopsSeries>, path: string) =>
  series.files.find((f) => f.path === path)!.objects as any[];

describe.each([
  ['sidecar', sidecar],
  ['gateway-api-ambient', ambient],
] as const)('%s flavour: every transition as a series of desired states', (_flavour, stages) => {
  const names = [...stages.keys()];
  const pairs = names.slice(1).flatMap((to, i) => [
    [names[i], to],
    [to, names[i]],
  ]);
  test.each(pairs)(
    'GIVEN %s → %s THEN it starts at the one stage, ends at the other, and no sync between two states drops traffic',
    (from, to) => {
      const states = statesOf(stages, from, to);
      expect(states[0].objects).toEqual(stages.get(from));
      const kept = (m: Manifest) =>
        ['PersistentVolumeClaim', 'Namespace'].includes(m.kind) &&
        !stages.get(to)!.some((x) => objectKey(x) === objectKey(m));
      expect(keys(states[states.length - 1].objects.filter((m) => !kept(m)))).toEqual(keys(stages.get(to)!));
      for (const m of stages.get(to)!)
        expect(states[states.length - 1].objects.find((x) => objectKey(x) === objectKey(m))).toEqual(m);
      expect(checkStates(states)).toEqual([]);
    },
  );
});

describe('the series check can fail', () => {
  test('GIVEN 02 → 03 synced as two states only (no make state) THEN the check names routes to 2.0 subsets whose pods are not ready', () => {
    const states = statesOf(sidecar, '02-analytics-1-1-lock', '03-cookie-canary');
    const skipped: DesiredState[] = [states[0], states[states.length - 1]];
    const problems = checkStates(skipped);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.message)).toContainEqual(
      expect.stringMatching(
        /route lane-v2 → voting-analytics\/v2-0: (no ready pods|subset 'v2-0' is not defined) throughout the step/,
      ),
    );
    expect(problems[0].between).toBe('00-02-analytics-1-1-lock → 02-03-cookie-canary');
  });
});

describe('Argo CD: voting 02 → 03', () => {
  const states = statesOf(sidecar, '02-analytics-1-1-lock', '03-cookie-canary');
  const series = gitopsSeries(
    planTransition(
      '02-analytics-1-1-lock',
      sidecar.get('02-analytics-1-1-lock')!,
      '03-cookie-canary',
      sidecar.get('03-cookie-canary')!,
    ),
    states,
    options('argocd'),
  );

  test('GIVEN the series THEN three states: the stage, make (2.0 added, no route to it), the target', () => {
    expect(states.map((s) => s.name)).toEqual(['00-02-analytics-1-1-lock', '01-make', '02-03-cookie-canary']);
    const make = states[1].objects;
    expect(make.some((m) => objectKey(m) === 'Deployment voting/voting-app-2-0')).toBe(true);
    expect(make.find((m) => objectKey(m) === 'VirtualService voting/voting-app-ingress')).toEqual(
      sidecar.get('02-analytics-1-1-lock')!.find((m) => objectKey(m) === 'VirtualService voting/voting-app-ingress'),
    );
  });

  test('GIVEN every emitted file THEN every object is valid against its schema (Kubernetes, Istio, Argo CD Application)', () => {
    const objects = series.files.flatMap((f) => f.objects);
    expect(objects.filter((m) => m.kind === 'Application')).toHaveLength(3);
    expect(registry.validateAll(objects)).toEqual([]);
  });

  test('GIVEN a state THEN claims and identities sync before workloads, workloads before routes, the route wait last', () => {
    const objects = file(series, 'states/02-03-cookie-canary/manifests.yaml');
    const wave = (key: string) =>
      Number(objects.find((m) => objectKey(m) === key).metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('PersistentVolumeClaim voting/mysql-pv-claim')).toBeLessThan(
      wave('Deployment voting/voting-storage-2-0'),
    );
    expect(wave('ServiceAccount voting/voting-app-2-0')).toBeLessThan(wave('Deployment voting/voting-app-2-0'));
    expect(wave('Deployment voting/voting-app-2-0')).toBeLessThan(wave('VirtualService voting/voting-app-ingress'));
    expect(wave('VirtualService voting/voting-app-ingress')).toBeLessThan(
      wave('Job voting/voting-release-route-wait-02'),
    );
    const job = objects.find((m) => m.kind === 'Job');
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(job.spec.template.spec.containers[0].command).toEqual(['sleep', '30']);
    expect(job.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('false');
    // The make state moves no traffic: no wait.
    expect(file(series, 'states/01-make/manifests.yaml').some((m) => m.kind === 'Job')).toBe(false);
    expect(syncWave({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' } })).toBe(
      1,
    );
  });

  test('GIVEN the Applications THEN one name, the path of each state, automated prune', () => {
    const apps = states.map((s) => file(series, `argocd/${s.name}.yaml`)[0]);
    expect(new Set(apps.map((a) => a.metadata.name))).toEqual(new Set(['voting-release']));
    expect(apps.map((a) => a.spec.source.path)).toEqual(states.map((s) => `deploy/voting/states/${s.name}`));
    expect(apps.every((a) => a.spec.syncPolicy.automated.prune === true)).toBe(true);
  });
});

describe('Argo CD and Flux: what removals wait for', () => {
  test('GIVEN 03 → 04 THEN the states that delete objects sync with PruneLast, the others without', () => {
    const states = statesOf(sidecar, '03-cookie-canary', '04-full-rollout');
    const series = gitopsSeries(
      planTransition(
        '03-cookie-canary',
        sidecar.get('03-cookie-canary')!,
        '04-full-rollout',
        sidecar.get('04-full-rollout')!,
      ),
      states,
      options('argocd'),
    );
    expect(states.map((s) => [s.name, s.prunes])).toEqual([
      ['00-03-cookie-canary', false],
      ['01-switch', false],
      ['02-break', true],
      ['03-retire', true],
      ['04-04-full-rollout', true],
    ]);
    for (const s of states)
      expect(file(series, `argocd/${s.name}.yaml`)[0].spec.syncPolicy.syncOptions).toEqual(
        s.prunes ? ['PruneLast=true'] : [],
      );
  });

  test('GIVEN the rollback 03 → 02 THEN the MySQL claim stays in every state and is never pruned by either engine', () => {
    const states = statesOf(sidecar, '03-cookie-canary', '02-analytics-1-1-lock');
    const plan = planTransition(
      '03-cookie-canary',
      sidecar.get('03-cookie-canary')!,
      '02-analytics-1-1-lock',
      sidecar.get('02-analytics-1-1-lock')!,
    );
    for (const [engine, annotation, value] of [
      ['argocd', 'argocd.argoproj.io/sync-options', 'Prune=false'],
      ['flux', 'kustomize.toolkit.fluxcd.io/prune', 'disabled'],
    ] as const) {
      const series = gitopsSeries(plan, states, options(engine));
      for (const s of states) {
        const claim = file(series, `states/${s.name}/manifests.yaml`).find(
          (m) => objectKey(m) === 'PersistentVolumeClaim voting/mysql-pv-claim',
        );
        expect(claim.metadata.annotations[annotation]).toBe(value);
      }
    }
  });
});

describe('Flux: voting 02 → 03', () => {
  const plan = planTransition(
    '02-analytics-1-1-lock',
    sidecar.get('02-analytics-1-1-lock')!,
    '03-cookie-canary',
    sidecar.get('03-cookie-canary')!,
  );
  const states = transitionStates(plan, sidecar.get('02-analytics-1-1-lock')!);

  test('GIVEN the Kustomizations THEN each waits for the Deployments of its state and, where routes move, for the delay Job; all are valid', () => {
    const series = gitopsSeries(plan, states, options('flux'));
    const ks = states.map((s) => file(series, `flux/${s.name}.yaml`)[0]);
    expect(registry.validateAll(series.files.flatMap((f) => f.objects))).toEqual([]);
    expect(ks.map((k) => k.spec.path)).toEqual(states.map((s) => `./deploy/voting/states/${s.name}`));
    const checks = (i: number) => ks[i].spec.healthChecks.map((h: any) => `${h.kind} ${h.namespace}/${h.name}`);
    expect(checks(1)).toEqual(
      expect.arrayContaining([
        'Deployment voting/voting-app-2-0',
        'Deployment voting/voting-analytics-2-0',
        'Deployment voting/voting-storage-2-0',
      ]),
    );
    expect(checks(1)).not.toContain('Job voting/voting-release-route-wait-01');
    expect(checks(2)).toContain('Job voting/voting-release-route-wait-02');
    expect(ks.every((k) => k.spec.prune === true && k.spec.sourceRef.name === 'flux-system')).toBe(true);
  });

  test("GIVEN --route-wait reconciled THEN no Job: the routes' Reconciled condition is the health check", () => {
    const series = gitopsSeries(plan, states, options('flux', { routeWait: 'reconciled' }));
    const last = file(series, 'flux/02-03-cookie-canary.yaml')[0];
    expect(series.files.flatMap((f) => f.objects).some((m) => m.kind === 'Job')).toBe(false);
    expect(last.spec.healthChecks).toContainEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      name: 'voting-app-ingress',
      namespace: 'voting',
    });
    expect(last.spec.healthCheckExprs).toContainEqual(
      expect.objectContaining({ kind: 'VirtualService', current: expect.stringContaining("c.type == 'Reconciled'") }),
    );
    expect(registry.validateAll([last])).toEqual([]);
  });

  test('GIVEN a Kustomization without its source THEN the bundled CRD schema rejects it', () => {
    const series = gitopsSeries(plan, states, options('flux'));
    const k = file(series, 'flux/01-make.yaml')[0];
    const { sourceRef: _dropped, ...spec } = k.spec;
    expect(registry.validate({ ...k, spec }).map((v) => v.path)).toContain('spec.sourceRef');
  });
});

describe('the command line: plan --format', () => {
  test.each(['argocd', 'flux'])(
    'GIVEN plan 02 03 --format %s THEN exit 0, the states and engine objects written, the check and the schemas pass',
    async (format) => {
      const out = mkdtempSync(join(tmpdir(), 'voting-mesh-gitops-'));
      try {
        const result = await cli([
          'plan',
          '02',
          '03',
          '--format',
          format,
          '--outdir',
          join(out, 'p'),
          '--repo-path',
          'deploy/voting',
          '--repo-url',
          'https://git.example.com/d.git',
        ]);
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toContain('transition check: each of the 2 syncs');
        expect(result.stdout).toMatch(/schema: all \d+ emitted objects are valid/);
        expect(readdirSync(join(out, 'p', 'states'))).toEqual([
          '00-02-analytics-1-1-lock',
          '01-make',
          '02-03-cookie-canary',
        ]);
        expect(readdirSync(join(out, 'p', format)).filter((f) => f.endsWith('.yaml'))).toEqual([
          '00-02-analytics-1-1-lock.yaml',
          '01-make.yaml',
          '02-03-cookie-canary.yaml',
        ]);
        const docs = parseAllDocuments(readFileSync(join(out, 'p', 'states', '01-make', 'manifests.yaml'), 'utf8')).map(
          (d) => d.toJS(),
        );
        expect(docs.some((m) => m.kind === 'Deployment' && m.metadata.name === 'voting-app-2-0')).toBe(true);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );

  test('GIVEN the gated target 03 THEN the reverse series is in rollback/, checked, and the gate is an AnalysisTemplate', async () => {
    const out = mkdtempSync(join(tmpdir(), 'voting-mesh-gitops-'));
    try {
      const result = await cli([
        'plan',
        '02',
        '03',
        '--format',
        'argocd',
        '--outdir',
        join(out, 'p'),
        '--repo-path',
        'deploy/voting',
      ]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /^gate: lane-v2 before 03-cookie-canary is promoted: voting-mesh gate 03-cookie-canary --prometheus "\$PROMETHEUS_URL"/m,
      );
      expect(readdirSync(join(out, 'p', 'rollback', 'states'))).toEqual([
        '00-03-cookie-canary',
        '01-switch',
        '02-break',
        '03-retire',
        '04-02-analytics-1-1-lock',
      ]);
      const app = parseAllDocuments(
        readFileSync(join(out, 'p', 'rollback', 'argocd', '01-switch.yaml'), 'utf8'),
      )[0].toJS();
      expect(app.spec.source.path).toBe('deploy/voting/rollback/states/01-switch');
      expect(readdirSync(join(out, 'p', 'argocd', 'gates'))).toEqual(['lane-v2.analysis-template.yaml']);
      expect(result.stdout).not.toMatch(/rollback 0/);
      expect(readFileSync(join(out, 'p', 'README.md'), 'utf8')).toContain(
        '## Gate before 03-cookie-canary is promoted',
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('GIVEN the kubectl plan 02 → 03 THEN the gate command and the checked reverse plan follow, its step files in rollback/', async () => {
    const out = mkdtempSync(join(tmpdir(), 'voting-mesh-gitops-'));
    try {
      const result = await cli(['plan', '02', '03', '--outdir', join(out, 'p')]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(
        '   voting-mesh gate 03-cookie-canary --prometheus "$PROMETHEUS_URL"    # exit 0 promote; 3 not enough data: ask again later; 1 roll back',
      );
      expect(result.stdout).toContain(
        'rollback 03-cookie-canary → 02-analytics-1-1-lock (run when the gate exits 1), steps (make before break):',
      );
      expect(result.stdout).toContain(
        'rollback transition check: the reverse plan, too, never routes to a missing subset, port or pod.',
      );
      expect(readdirSync(join(out, 'p', 'rollback'))).toEqual(['01-switch.yaml', '02-break.yaml']);
      // A target without gates: no gate, no rollback.
      const plain = await cli(['plan', '01', '02', '--outdir', join(out, 'q')]);
      expect(plain.stdout).not.toContain('voting-mesh gate');
      expect(readdirSync(join(out, 'q'))).not.toContain('rollback');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('GIVEN --outdir outside the working directory without --repo-path THEN one line saying to name it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'voting-mesh-gitops-'));
    try {
      const result = await cli(['plan', '02', '03', '--format', 'flux', '--outdir', join(out, 'p')]);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toMatch(
        /^error: --outdir .* is not below the working directory, so its folder in the repository is unknown: name it with --repo-path <folder>$/,
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
