/**
 * The fault injection and retry policy checks of an HTTP route (for ./http-route.ts), with the
 * status and retry-on tables they check against.
 */
import { durationProblem } from './durations';
import type { WebhookCheck } from './report';
import { present } from './report';

/**
 * Envoy's retry conditions as Istio accepts them in `retryOn` (x-envoy-retry-on and
 * x-envoy-retry-grpc-on; istio/istio pkg/config/validation supportedRetryOnPolicies, a set): the
 * webhook's check here and the stage data's check (resolve/traffic-policy-checks.ts) read this one list.
 */
export const RETRY_ON: readonly string[] = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
];
/** The gRPC status names an abort fault may return. */
const GRPC_STATUSES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
/** Go's http.StatusText knows these codes. */
const HTTP_STATUS_TEXT = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400,
  401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425,
  426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** A fault's percentage: 0, or from 0.0001 to 100. */
function percentage(c: WebhookCheck, p: any, at: string): void {
  const v = p?.value;
  if (v !== undefined && (v < 0 || v > 100 || (v > 0 && v < 0.0001)))
    c.report(at, `percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]`);
}

/** validateHTTPFaultInjection: an abort and/or a delay, each with a valid percentage, status and durations. */
export function fault(c: WebhookCheck, f: any, at: string): void {
  if (!present(f)) return;
  if (!present(f.abort) && !present(f.delay)) c.report(at, 'HTTP fault injection must have an abort and/or a delay');
  const abort = f.abort;
  if (present(abort)) {
    percentage(c, abort.percentage, `${at}.abort.percentage`);
    if (abort.grpcStatus !== undefined && !GRPC_STATUSES.includes(String(abort.grpcStatus)))
      c.report(`${at}.abort.grpcStatus`, `gRPC status "${abort.grpcStatus}" is not supported`);
    if (abort.http2Error !== undefined) c.report(`${at}.abort`, 'HTTP/2 abort fault injection not supported yet');
    if (abort.httpStatus !== undefined && (abort.httpStatus < 200 || abort.httpStatus > 600))
      c.report(`${at}.abort.httpStatus`, `HTTP status ${abort.httpStatus} is not in range 200-599`);
  }
  const delay = f.delay;
  if (present(delay)) {
    percentage(c, delay.percentage, `${at}.delay.percentage`);
    for (const k of ['fixedDelay', 'exponentialDelay'])
      if (present(delay[k])) {
        const p = durationProblem(delay[k]);
        if (p) c.report(`${at}.delay.${k}`, p);
      }
    if (present(delay.exponentialDelay)) c.report(`${at}.delay`, 'exponentialDelay not supported yet');
  }
}

/** validateHTTPRetry: attempts, durations, and retryOn policies Envoy knows (or HTTP status codes). */
export function retries(c: WebhookCheck, r: any, at: string): void {
  if (!present(r)) return;
  const attempts = r.attempts ?? 0;
  if (attempts < 0) c.report(`${at}.attempts`, 'attempts cannot be negative');
  if (attempts === 0 && (present(r.perTryTimeout) || r.retryOn || present(r.retryRemoteLocalities)))
    c.report(at, 'http retry policy configured when attempts are set to 0 (disabled)');
  for (const f of ['perTryTimeout', 'backoff'])
    if (present(r[f])) {
      const p = durationProblem(r[f]);
      if (p) c.report(`${at}.${f}`, p);
    }
  if (r.retryOn) {
    for (const policy of String(r.retryOn).split(',')) {
      if (!HTTP_STATUS_TEXT.has(/^[-+]?\d+$/.test(policy) ? Number(policy) : NaN) && !RETRY_ON.includes(policy))
        c.report(`${at}.retryOn`, `"${policy}" is not a valid retryOn policy`);
    }
  }
}
