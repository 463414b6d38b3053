import type { GateQuery, ResolvedGate } from './gates';
import { at } from '../../analysis/manifest-kinds';

/** What a gate says: promote (exit 0), roll back (1), or not enough data to decide yet (3). */
export type GateVerdict = 'promote' | 'rollback' | 'insufficient';

/** Exit codes of `voting-mesh gate`. */
export const GATE_EXIT: Readonly<Record<GateVerdict, number>> = { promote: 0, rollback: 1, insufficient: 3 };

/** One query's answer and what it means. */
export interface MeasuredQuery extends GateQuery {
  /** The instant value; undefined when Prometheus returned no sample (no traffic) or NaN. */
  readonly value?: number;
  readonly verdict: GateVerdict;
}

/** A gate's verdict and its measurements. */
export interface GateResult {
  readonly gate: ResolvedGate;
  readonly verdict: GateVerdict;
  readonly measured: readonly MeasuredQuery[];
}

/** Runs one PromQL instant query; resolves to its single value, or undefined for an empty or NaN answer. */
export type InstantQuery = (promql: string) => Promise<number | undefined>;

/** Prometheus' not-a-number in the HTTP API. */
const NOT_A_NUMBER = new Set(['NaN', '+Inf', '-Inf']);

/**
 * An {@link InstantQuery} against the Prometheus HTTP API at `baseUrl` (`GET /api/v1/query`),
 * at `time` (RFC 3339 or Unix seconds; default: now). Throws on an answer that is not a success.
 */
export function prometheusQuery(baseUrl: string, time?: string, fetchImpl: typeof fetch = fetch): InstantQuery {
  const root = baseUrl.replace(/\/+$/, '');
  return async (promql) => {
    const params = new URLSearchParams({ query: promql, ...(time !== undefined ? { time } : {}) });
    const res = await fetchImpl(`${root}/api/v1/query?${params}`);
    const body: unknown = await res.json().catch(() => undefined);
    const error = at(body, 'error');
    if (!res.ok || at(body, 'status') !== 'success')
      throw new Error(`Prometheus at ${root} answered ${res.status}${error ? `: ${String(error)}` : ''} to ${promql}`);
    const result = at(body, 'data', 'result');
    // A scalar's result is [time, "value"]; a vector's is a list of { metric, value: [time, "value"] }.
    const sample =
      at(body, 'data', 'resultType') === 'scalar'
        ? result
        : Array.isArray(result) && result.length > 0
          ? at(result[0], 'value')
          : undefined;
    if (sample === undefined) return undefined;
    const value = (sample as readonly unknown[])[1]; // a malformed sample throws here, as it always has
    if (NOT_A_NUMBER.has(String(value))) return undefined;
    return Number(value);
  };
}

/**
 * Evaluates a gate, workload by workload: fewer requests than the minimum (or no answer) is not
 * enough data; then a success rate under its bound or a P99 over its bound rolls back. The gate
 * rolls back if any workload does, else waits if any lacks data, else promotes.
 */
export async function evaluateGate(gate: ResolvedGate, query: InstantQuery): Promise<GateResult> {
  const measured: MeasuredQuery[] = [];
  for (const w of gate.workloads) {
    const queries = gate.queries.filter((q) => q.workload === w.workload);
    const requests = queries.find((q) => q.measure === 'requests')!;
    const count = await query(requests.promql);
    const enough = count !== undefined && count >= requests.bound;
    measured.push({
      ...requests,
      ...(count !== undefined ? { value: count } : {}),
      verdict: enough ? 'promote' : 'insufficient',
    });
    for (const q of queries.filter((x) => x.measure !== 'requests')) {
      const value = enough ? await query(q.promql) : undefined;
      const holds = value !== undefined && (q.measure === 'success-rate' ? value >= q.bound : value <= q.bound);
      measured.push({
        ...q,
        ...(value !== undefined ? { value } : {}),
        verdict: !enough || value === undefined ? 'insufficient' : holds ? 'promote' : 'rollback',
      });
    }
  }
  return { gate, verdict: worst(measured.map((m) => m.verdict)), measured };
}

/** Roll back beats not enough data beats promote. */
export function worst(verdicts: readonly GateVerdict[]): GateVerdict {
  return verdicts.includes('rollback') ? 'rollback' : verdicts.includes('insufficient') ? 'insufficient' : 'promote';
}

/** One line per measurement: `voting-app-2-0 success-rate 97.5 (≥ 99): roll back`. */
export function formatGateResult(r: GateResult): string[] {
  const word: Record<GateVerdict, string> = { promote: 'ok', rollback: 'ROLL BACK', insufficient: 'not enough data' };
  const shown = (v: number | undefined) => (v === undefined ? 'no data' : String(Math.round(v * 100) / 100));
  return [
    `gate ${r.gate.stage}/${r.gate.name} (${r.gate.target}): ${r.verdict === 'promote' ? 'promote' : r.verdict === 'rollback' ? 'roll back' : 'not enough data'}`,
    ...r.measured.map(
      (m) =>
        `  ${m.workload} ${m.measure} ${shown(m.value)} (${m.measure === 'p99-latency' ? '≤' : '≥'} ${m.bound}${m.measure === 'p99-latency' ? ' ms' : m.measure === 'success-rate' ? '%' : ''} over ${r.gate.window}): ${word[m.verdict]}`,
    ),
  ];
}
