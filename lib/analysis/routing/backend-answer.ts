/**
 * What the backend answers, when the request states it (`backendResponseHeaders`,
 * `backendDelay`): the response the client then gets through a Gateway API route. The route's
 * ResponseHeaderModifier filters apply to the backend's own headers (Envoy
 * response_headers_to_add/remove: set overwrites, add appends, remove drops), and a backend slower
 * than the route timeout or the per-try timeout makes Envoy answer 504 (UT, "upstream request
 * timeout"). Without them the backend's headers and latency are not known and stay not modelled.
 */
import type { FilterSpec } from './gateway-api-backend-refs';
import type { ShapedResponse } from './gateway-api-filters';
import { modifyHeaders } from './gateway-api-filters';
import type { HopRetries } from './policies';

/** What the request says the backend answers. */
export interface BackendAnswer {
  /** The headers the backend puts on its response, names lower-cased. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How long the backend takes to answer, as written (`1s`, `500ms`). */
  readonly delay?: string;
}

/** The backend's answer as a request states it; undefined when it states none. */
export function backendAnswerOf(req: {
  readonly backendResponseHeaders?: Readonly<Record<string, string>>;
  readonly backendDelay?: string;
}): BackendAnswer | undefined {
  if (req.backendResponseHeaders === undefined && req.backendDelay === undefined) return undefined;
  const headers =
    req.backendResponseHeaders === undefined
      ? undefined
      : Object.fromEntries(Object.entries(req.backendResponseHeaders).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return {
    ...(headers !== undefined ? { headers } : {}),
    ...(req.backendDelay !== undefined ? { delay: String(req.backendDelay) } : {}),
  };
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 1e-6 };

/** A duration (`1s`, `500ms`, `1m30s`, `1.5s`) in milliseconds; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|us|µs|ns|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0);
}

/**
 * Envoy's 504 for a backend slower than the route's timeout or the per-try timeout (a zero
 * timeout is none); undefined when the backend answers in time or its delay is not stated.
 */
export function timeoutAnswer(
  policies: { readonly timeout?: string; readonly retries?: HopRetries },
  backend: BackendAnswer | undefined,
): string | undefined {
  const delay = backend?.delay === undefined ? undefined : durationMs(backend.delay);
  if (delay === undefined) return undefined;
  const limits: [string, string | undefined][] = [
    ['route timeout', policies.timeout],
    ['per-try timeout', policies.retries?.perTryTimeout],
  ];
  for (const [what, limit] of limits) {
    const ms = limit === undefined ? undefined : durationMs(limit);
    if (ms !== undefined && ms > 0 && delay > ms)
      return `504: the backend answers after ${backend!.delay}, later than the ${what} ${limit} (Envoy answers 504, UT: upstream request timeout)`;
  }
  return undefined;
}

/** The response headers the client gets: the backend's, with the rule's then the backendRef's ResponseHeaderModifier applied. */
export function clientResponse(
  backendHeaders: Readonly<Record<string, string>>,
  ruleFilters: readonly FilterSpec[],
  backendFilters: readonly FilterSpec[],
): ShapedResponse {
  const headers: Record<string, string> = { ...backendHeaders };
  const removed: string[] = [];
  for (const f of [...ruleFilters, ...backendFilters]) {
    if (f?.type !== 'ResponseHeaderModifier') continue;
    const m = (f as { responseHeaderModifier?: { remove?: readonly unknown[] } }).responseHeaderModifier;
    modifyHeaders(headers, m);
    for (const name of m?.remove ?? []) removed.push(String(name).toLowerCase());
  }
  return { headers, removed };
}
