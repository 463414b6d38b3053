import type { ResolvedGate } from './gates';

/** The file, beside the stages, that lists every stage's gates with their queries (`voting-mesh gate` reads it). */
export const GATES_FILE = 'gates.json';

/** What `gates.json` holds. */
export interface GatesFile {
  readonly gates: readonly ResolvedGate[];
}

/** `gates.json` for a directory's stages, or undefined when no stage declares a gate. */
export function gatesFileContent(gates: readonly ResolvedGate[]): string | undefined {
  return gates.length === 0 ? undefined : `${JSON.stringify({ gates } satisfies GatesFile, null, 2)}\n`;
}

/** A gate's bounds in words: `success ≥ 99% · p99 ≤ 500 ms · over 5m · at least 100 requests per workload`. */
export function describeGate(g: ResolvedGate): string {
  return [
    ...(g.minSuccessRatePercent !== undefined ? [`success rate ≥ ${g.minSuccessRatePercent}%`] : []),
    ...(g.maxP99LatencyMs !== undefined ? [`P99 latency ≤ ${g.maxP99LatencyMs} ms`] : []),
    `over ${g.window}`,
    `at least ${g.minRequests} requests per workload`,
  ].join(' · ');
}

/** The RELEASE.md lines of a stage's gates: what each checks, then its PromQL, one query a line. */
export function gateNotes(gates: readonly ResolvedGate[]): string[] {
  if (gates.length === 0) return [];
  const lines = [
    '',
    '**Gates** (before promotion: `voting-mesh gate <stage> --prometheus <url>`; exit 0 promote, 1 roll back, 3 not enough data):',
    '',
  ];
  for (const g of gates) {
    lines.push(
      `- \`${g.name}\` (${g.target}): ${describeGate(g)}; metrics reported by ${[...new Set(g.workloads.map((w) => `${w.workload}: \`reporter="${w.reporter}"\``))].join(', ')}`,
      '',
    );
    lines.push('  ```promql');
    for (const q of g.queries)
      lines.push(
        `  # ${q.workload} ${q.measure} ${q.measure === 'p99-latency' ? '≤' : '≥'} ${q.bound}`,
        `  ${q.promql}`,
      );
    lines.push('  ```', '');
  }
  return lines.slice(0, -1);
}
