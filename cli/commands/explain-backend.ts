import type { SimulatedRequest } from '../../lib/analysis/traffic-simulator';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A duration as Gateway API and Envoy write them: `1s`, `500ms`, `1m30s`, `1.5s`. */
const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:h|m|s|ms|us|ns))+$/;

/**
 * What the backend answers, as the request states it: each `--backend-header name=value` a header
 * of its response, `--backend-delay 1s` how long it takes. Neither given: nothing (not known).
 */
export function backendAnswer(args: ParsedArgs): Pick<SimulatedRequest, 'backendResponseHeaders' | 'backendDelay'> {
  const headers: Record<string, string> = {};
  for (const h of args.options.get('backend-header') ?? []) {
    const eq = h.indexOf('=');
    if (eq < 1 || !TOKEN.test(h.slice(0, eq)))
      throw new UsageError(`malformed --backend-header '${h}': expected name=value`);
    headers[h.slice(0, eq).toLowerCase()] = h.slice(eq + 1);
  }
  const delay = value(args, 'backend-delay');
  if (delay !== undefined && !DURATION.test(delay))
    throw new UsageError(`malformed --backend-delay '${delay}': expected a duration such as 1s or 500ms`);
  return {
    ...(Object.keys(headers).length > 0 ? { backendResponseHeaders: headers } : {}),
    ...(delay !== undefined ? { backendDelay: delay } : {}),
  };
}
