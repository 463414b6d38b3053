import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { ApplicationSpec, StageSpec } from 'voting-mesh';
import { ReleaseConfigError, ReleaseStage, SchemaRegistry } from 'voting-mesh';
import { analysisTemplate } from '../lib/release/gates/analysis-template';
import { createVotingApplication, votingStages } from '../voting';
import { cli, ROOT } from './cli-support';
import type { RunningPrometheus, Traffic } from './prometheus-support';
import { describeWithPrometheus, openMetrics, prometheusTestMode, startPrometheus } from './prometheus-support';
import { testApp } from './support';

// Four cases an hour apart (2026-01-01), each 15 minutes of traffic to the 2.0 lane before its time.
const T0 = 1767225600;
const at = { healthy: T0, failing: T0 + 3600, slow: T0 + 7200, quiet: T0 + 10800 };
const lane = (rps: number, errorShare: number, slowShare: number, analytics: Partial<Traffic> = {}): Traffic[] => [
  { workload: 'voting-app-2-0', reporter: 'destination', rps, errorShare, slowShare },
  { workload: 'voting-analytics-2-0', reporter: 'destination', rps, errorShare, slowShare, ...analytics },
];
const CASES = [
  { end: at.healthy, traffic: lane(5, 0.002, 0) },
  // The app answers, its API fails: 5% 5xx on analytics 2.0 alone.
  { end: at.failing, traffic: lane(5, 0.002, 0, { errorShare: 0.05 }) },
  { end: at.slow, traffic: lane(5, 0, 0.05) },
  // 0.1 requests a second: 30 in the 5 minute window, under the 100 the gate needs.
  { end: at.quiet, traffic: lane(0.1, 0, 0) },
];
const gates = JSON.parse(readFileSync(join(ROOT, 'dist', 'gates.json'), 'utf8')).gates as any[];
const queries: string[] = gates.flatMap((g) => g.queries.map((q: any) => q.promql));
const template = analysisTemplate(gates[0]) as any;
const templateQueries: string[] = template.spec.metrics.map((m: any) => m.provider.prometheus.query);
const ambientQueries: string[] = JSON.parse(
  readFileSync(join(ROOT, 'dist', 'gateway-api-ambient', 'gates.json'), 'utf8'),
).gates.flatMap((g: any) => g.queries.map((q: any) => q.promql));

describe('the cookie-canary stage declares a gate', () => {
  test('GIVEN the voting release THEN 03 gates lane v2 (app and analytics 2.0; MySQL speaks TCP, no request metrics), sidecars report as destination', () => {
    expect(gates.map((g) => [g.stage, g.name, g.workloads.map((w: any) => `${w.workload} ${w.reporter}`)])).toEqual([
      ['03-cookie-canary', 'lane-v2', ['voting-app-2-0 destination', 'voting-analytics-2-0 destination']],
    ]);
    expect(
      ambientQueries.filter((q) => q.includes('voting-analytics-2-0')).every((q) => q.includes('reporter="waypoint"')),
    ).toBe(true);
    // The ambient entry workload is reached from the ingress gateway, which reports as the source.
    expect(
      ambientQueries.filter((q) => q.includes('voting-app-2-0')).every((q) => q.includes('reporter="source"')),
    ).toBe(true);
  });

  test('GIVEN RELEASE.md THEN it shows every query of the gate', () => {
    const notes = readFileSync(join(ROOT, 'dist', 'RELEASE.md'), 'utf8');
    for (const q of queries) expect(notes).toContain(q);
  });

  test.each([
    [
      { lane: 'v3', minSuccessRatePercent: 99 },
      /stage '03-cookie-canary', field 'gates\[0\]\.lane': lane 'v3' is not a lane of the stage \(lanes: v1, v2\)/,
    ],
    [
      { component: 'voting-app', version: '3.0', minSuccessRatePercent: 99 },
      /field 'gates\[0\]\.version': version '3\.0' of 'voting-app' is not deployed in the stage/,
    ],
    [{ component: 'voting-storage', version: '2.0', maxP99LatencyMs: 10 }, /voting-storage 2\.0 has no HTTP port/],
    [{ lane: 'v2', minSuccessRatePercent: 101 }, /field 'gates\[0\]\.minSuccessRatePercent': 101 is out of range/],
    [
      { lane: 'v2', maxP99LatencyMs: 100, window: '5 minutes' },
      /field 'gates\[0\]\.window': '5 minutes' is not a Prometheus duration/,
    ],
    [{ lane: 'v2' }, /the gate checks nothing/],
  ])('GIVEN the gate %j THEN the stage is rejected with one line naming the field', (gate, message) => {
    const stage: StageSpec = { ...votingStages.find((s) => s.name === '03-cookie-canary')!, gates: [gate] };
    const app: ApplicationSpec = createVotingApplication();
    expect(() => new ReleaseStage(testApp(), { application: app, stage })).toThrow(ReleaseConfigError);
    expect(() => new ReleaseStage(testApp(), { application: app, stage })).toThrow(message);
  });
});

describe('without prometheus and promtool the tests that need them are skipped locally and fail in CI', () => {
  test.each([
    [true, undefined, 'run'],
    [true, 'true', 'run'],
    [false, undefined, 'skip'],
    [false, '', 'skip'],
    [false, 'true', 'fail'],
    [false, '1', 'fail'],
  ] as const)('GIVEN the tools installed %s and CI=%s THEN %s', (have, ci, mode) => {
    expect(prometheusTestMode(have, ci)).toBe(mode);
  });
});

describeWithPrometheus('promtool checks every generated query', () => {
  const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-promtool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const check = (exprs: readonly string[]) => {
    const rules = [
      'groups:',
      '  - name: voting-mesh-gates',
      '    rules:',
      ...exprs.flatMap((e, i) => [`      - record: voting_mesh:gate_query_${i}`, `        expr: ${JSON.stringify(e)}`]),
    ].join('\n');
    writeFileSync(join(dir, 'rules.yml'), `${rules}\n`);
    return spawnSync('promtool', ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' });
  };

  test.each([
    ['sidecar', queries],
    ['gateway-api-ambient', ambientQueries],
    ['AnalysisTemplate', templateQueries],
  ])('GIVEN the %s queries THEN promtool check rules parses them all', (_flavour, exprs) => {
    const result = check(exprs);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(result.status).toBe(0);
  });

  test('GIVEN a broken query THEN promtool rejects it (the check can fail)', () => {
    expect(check([queries[0].replace(/\)$/, '')]).status).not.toBe(0);
  });
});

describe('the gate as an Argo Rollouts AnalysisTemplate', () => {
  test('GIVEN the cookie-canary gate THEN a valid AnalysisTemplate (bundled v1.9.1 CRD), one Prometheus metric per query, too few requests inconclusive', () => {
    expect(SchemaRegistry.load().validate(template)).toEqual([]);
    expect(template.spec.metrics.map((m: any) => m.name)).toEqual(
      gates[0].queries.map((q: any) => `${q.workload}-${q.measure}`),
    );
    const requests = template.spec.metrics.find((m: any) => m.name === 'voting-app-2-0-requests');
    expect([requests.successCondition, requests.failureCondition]).toEqual([
      'len(result) > 0 && result[0] >= 100',
      'false',
    ]);
    const p99 = template.spec.metrics.find((m: any) => m.name === 'voting-app-2-0-p99-latency');
    expect([p99.successCondition, p99.failureCondition]).toEqual([
      'len(result) > 0 && result[0] <= 1000',
      'len(result) > 0 && result[0] > 1000',
    ]);
  });

  test('GIVEN a metric without its provider THEN the bundled CRD schema rejects it (the check can fail)', () => {
    const broken = { ...template, spec: { ...template.spec, metrics: [{ name: 'x' }] } };
    expect(
      SchemaRegistry.load()
        .validate(broken)
        .map((v) => v.path),
    ).toContain('spec.metrics[0].provider');
  });
});

describeWithPrometheus('voting-mesh gate against a real Prometheus (backfilled with promtool)', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(openMetrics(CASES));
  }, 60_000);
  afterAll(async () => prometheus?.stop());
  const gate = (time: number, ...extra: string[]) =>
    cli(['gate', '03', '--prometheus', prometheus.url, '--at', String(time), ...extra]);

  test('GIVEN a healthy canary (99.8% success, 40 ms) THEN exit 0, promote', async () => {
    const r = await gate(at.healthy);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/voting-analytics-2-0 success-rate 99\.8 \(≥ 99% over 5m\): ok/);
    expect(r.stdout).toMatch(/03-cookie-canary: promote \(exit 0\)$/m);
    expect(r.code).toBe(0);
  });

  test('GIVEN analytics 2.0 answering 5% 5xx THEN exit 1, roll back, naming the workload and measure', async () => {
    const r = await gate(at.failing);
    expect(r.stdout).toMatch(/voting-analytics-2-0 success-rate 95 \(≥ 99% over 5m\): ROLL BACK/);
    expect(r.stdout).toMatch(/voting-app-2-0 success-rate 99\.8 \(≥ 99% over 5m\): ok/);
    expect(r.code).toBe(1);
  });

  test('GIVEN 5% of requests taking 1.5 s THEN exit 1: the P99 is over 1000 ms', async () => {
    const r = await gate(at.slow);
    expect(r.stdout).toMatch(
      /voting-app-2-0 p99-latency (1[0-9]{3}|2[0-4][0-9]{2})(\.\d+)? \(≤ 1000 ms over 5m\): ROLL BACK/,
    );
    expect(r.code).toBe(1);
  });

  test('GIVEN 30 requests in the window THEN exit 3, not enough data, and no rollback', async () => {
    const r = await gate(at.quiet, '-o', 'json');
    const json = JSON.parse(r.stdout);
    expect(json.verdict).toBe('insufficient');
    expect(
      json.gates[0].measured.filter((m: any) => m.measure === 'requests').map((m: any) => Math.round(m.value)),
    ).toEqual([30, 30]);
    expect(r.code).toBe(3);
  });

  test('GIVEN the AnalysisTemplate queries THEN a rate over too few requests answers nothing (Inconclusive), over enough the rate', async () => {
    const ask = async (q: string, time: number) =>
      (
        (await (
          await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: q, time: String(time) })}`)
        ).json()) as any
      ).data.result;
    const success = template.spec.metrics.find((m: any) => m.name === 'voting-analytics-2-0-success-rate').provider
      .prometheus.query;
    expect(await ask(success, at.quiet)).toEqual([]);
    expect(Number((await ask(success, at.failing))[0].value[1])).toBeCloseTo(95, 5);
  });

  test('GIVEN a time with no traffic at all THEN exit 3', async () => {
    expect((await gate(T0 - 86400)).code).toBe(3);
  });

  test('GIVEN a Prometheus that does not answer THEN exit 3 with one line, never a rollback', async () => {
    const r = await cli(['gate', '03', '--prometheus', 'http://127.0.0.1:1', '--at', String(at.failing)]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: no decision, Prometheus gave no answer/);
  });

  test('GIVEN a stage without gates THEN a usage error naming it', async () => {
    const r = await cli(['gate', '04', '--prometheus', prometheus.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: stage '04-full-rollout' declares no gates/);
  });
});
