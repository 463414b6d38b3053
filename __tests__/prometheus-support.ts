import type { ChildProcess } from 'child_process';
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';

/** One workload's traffic in a backfilled case: requests per second, share of 5xx, share slower than a second. */
export interface Traffic {
  readonly workload: string;
  readonly reporter: string;
  readonly rps: number;
  readonly errorShare: number;
  readonly slowShare: number;
}

const BUCKETS = ['25', '50', '100', '250', '500', '1000', '2500', '5000', '+Inf'];
const STEP = 15;

/** Whether `tool` is on the PATH (the Debian package `prometheus` ships `prometheus` and `promtool`). */
export function haveTool(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether the tests that need a real Prometheus run: with both tools, always; without them, they
 * are skipped on a developer machine (CI unset) and fail in CI, which installs the package
 * (`.ci/run`), so a missing server never passes silently there.
 */
export function prometheusTestMode(haveTools: boolean, ci: string | undefined): 'run' | 'skip' | 'fail' {
  if (haveTools) return 'run';
  return ci === undefined || ci === '' ? 'skip' : 'fail';
}

const MISSING = 'prometheus and promtool are not on the PATH: install the Debian package prometheus (.ci/run does)';

/** `describe` for tests that need `prometheus` and `promtool`: run, skipped (CI unset) or one failing test (in CI). */
export function describeWithPrometheus(name: string, body: () => void): void {
  const mode = prometheusTestMode(haveTool('prometheus') && haveTool('promtool'), process.env.CI);
  if (mode === 'run') describe(name, body);
  else if (mode === 'skip') describe.skip(`${name} (skipped: ${MISSING})`, body);
  else
    describe(name, () =>
      test('GIVEN CI THEN prometheus and promtool are installed', () => {
        throw new Error(MISSING);
      }),
    );
}

/**
 * OpenMetrics text for `traffic` over the `minutes` before `end` (Unix seconds), one sample every
 * 15 s: istio_requests_total per response code, and istio_request_duration_milliseconds (fast
 * requests take 40 ms, slow ones 1.5 s), as Istio's proxies export them.
 */
export function openMetrics(cases: readonly { end: number; traffic: readonly Traffic[] }[], minutes = 15): string {
  const counters: string[] = ['# TYPE istio_requests counter'];
  const histograms: string[] = ['# TYPE istio_request_duration_milliseconds histogram'];
  const labels = (t: Traffic) =>
    `reporter="${t.reporter}",destination_workload_namespace="voting",destination_workload="${t.workload}"`;
  // Each series' samples are contiguous and in time order; the cases are in time order too.
  for (const workload of [...new Set(cases.flatMap((c) => c.traffic.map((t) => `${t.reporter}|${t.workload}`)))]) {
    for (const code of ['200', '503']) {
      for (const c of cases) {
        const t = c.traffic.find((x) => `${x.reporter}|${x.workload}` === workload);
        if (!t) continue;
        for (let s = 0, ts = c.end - minutes * 60; ts <= c.end; s++, ts += STEP) {
          const total = t.rps * STEP * s;
          counters.push(
            `istio_requests_total{${labels(t)},response_code="${code}"} ${Math.round(code === '503' ? total * t.errorShare : total * (1 - t.errorShare))} ${ts}`,
          );
        }
      }
    }
    for (const c of cases) {
      const t = c.traffic.find((x) => `${x.reporter}|${x.workload}` === workload);
      if (!t) continue;
      for (let s = 0, ts = c.end - minutes * 60; ts <= c.end; s++, ts += STEP) {
        const total = Math.round(t.rps * STEP * s);
        const slow = Math.round(total * t.slowShare);
        for (const le of BUCKETS)
          histograms.push(
            `istio_request_duration_milliseconds_bucket{${labels(t)},le="${le}"} ${Number(le) < 50 ? 0 : le === '+Inf' || Number(le) >= 2500 ? total : total - slow} ${ts}`,
          );
        histograms.push(`istio_request_duration_milliseconds_count{${labels(t)}} ${total} ${ts}`);
        histograms.push(
          `istio_request_duration_milliseconds_sum{${labels(t)}} ${(total - slow) * 40 + slow * 1500} ${ts}`,
        );
      }
    }
  }
  return `${[...counters, ...histograms, '# EOF'].join('\n')}\n`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A Prometheus server on 127.0.0.1 over blocks backfilled from `metrics` (OpenMetrics) by promtool. */
export interface RunningPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startPrometheus(metrics: string): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-prometheus-'));
  writeFileSync(join(dir, 'input.om'), metrics);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1h\n');
  const blocks = spawnSync(
    'promtool',
    ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'input.om'), join(dir, 'data')],
    { encoding: 'utf8' },
  );
  if (blocks.status !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed: ${blocks.stderr}`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (d) => (log += String(d)));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`prometheus did not become ready on ${url}: ${log.slice(-500)}`);
}
