import { existsSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import type { GateResult } from '../../lib/release/gates/evaluate';
import { evaluateGate, formatGateResult, GATE_EXIT, prometheusQuery, worst } from '../../lib/release/gates/evaluate';
import type { GatesFile } from '../../lib/release/gates/gate-notes';
import { GATES_FILE } from '../../lib/release/gates/gate-notes';
import type { ResolvedGate } from '../../lib/release/gates/gates';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';
import { distDir, loadStage } from '../inputs';
import type { Io } from '../io';

/** The gates of stage `ref` recorded in `<dist>/gates.json`. */
export function stageGates(dir: string, ref: string, cwd: string): { stage: string; gates: ResolvedGate[] } {
  const stage = loadStage(dir, ref, cwd).name;
  const file = join(dir, GATES_FILE);
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as GatesFile).gates : [];
  return { stage, gates: all.filter((g) => g.stage === stage) };
}

/**
 * `voting-mesh gate <stage> --prometheus <url>`: evaluates the stage's metric gates against the
 * Prometheus HTTP API. Exit 0 promote, 1 roll back, 3 not enough data (or Prometheus gave no
 * answer: no decision is made on missing data, never a rollback).
 */
export async function gate(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length !== 1)
    throw new UsageError(`expected one <stage>, got ${args.positional.length} argument(s)`);
  const url = value(args, 'prometheus');
  if (url === undefined)
    throw new UsageError(
      '--prometheus <url> is required: the base URL of the Prometheus HTTP API, e.g. http://prometheus.istio-system:9090',
    );
  if (!/^https?:\/\/[^\s/]+/.test(url))
    throw new UsageError(`malformed --prometheus '${url}': expected an http:// or https:// URL`);
  const at = value(args, 'at');
  if (at !== undefined && !/^(\d+(\.\d+)?|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2}))$/.test(at))
    throw new UsageError(`malformed --at '${at}': expected Unix seconds or an RFC 3339 time`);
  const dir = distDir(args, io.cwd);
  const { stage, gates } = stageGates(dir, args.positional[0], io.cwd);
  const only = value(args, 'gate');
  const chosen = only === undefined ? gates : gates.filter((g) => g.name === only);
  if (chosen.length === 0) {
    throw new UsageError(
      only === undefined
        ? `stage '${stage}' declares no gates (${relative(io.cwd, join(dir, GATES_FILE)) || GATES_FILE} lists none for it): add gates to its stage data and synth`
        : `stage '${stage}' has no gate '${only}' (gates: ${gates.map((g) => g.name).join(', ') || 'none'})`,
    );
  }
  const query = prometheusQuery(url, at);
  const results: GateResult[] = [];
  try {
    for (const g of chosen) results.push(await evaluateGate(g, query));
  } catch (err) {
    io.err(
      `error: no decision, Prometheus gave no answer: ${err instanceof Error ? (err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message) : String(err)}`,
    );
    return GATE_EXIT.insufficient;
  }
  const verdict = worst(results.map((r) => r.verdict));
  if (value(args, 'output') === 'json') {
    io.out(
      JSON.stringify(
        {
          stage,
          verdict,
          exitCode: GATE_EXIT[verdict],
          gates: results.map((r) => ({ name: r.gate.name, verdict: r.verdict, measured: r.measured })),
        },
        null,
        2,
      ),
    );
  } else {
    io.out(
      [
        ...results.flatMap(formatGateResult),
        `${stage}: ${verdict === 'promote' ? 'promote (exit 0)' : verdict === 'rollback' ? 'roll back (exit 1): run the reverse plan' : 'not enough data (exit 3): ask again later'}`,
      ].join('\n'),
    );
  }
  return GATE_EXIT[verdict];
}
