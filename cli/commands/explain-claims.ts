import type { ParsedArgs } from '../args';
import { UsageError } from '../args';

/**
 * The request's JWT claims: each `--claim name=value`, a dotted name for a nested claim
 * (`group.id=7` is `{group: {id: '7'}}`), a name given again making the claim a list of strings.
 * Undefined when none is given (the request carries no validated JWT).
 */
export function requestClaims(args: ParsedArgs): Record<string, unknown> | undefined {
  const given = args.options.get('claim') ?? [];
  if (given.length === 0) return undefined;
  const claims: Record<string, unknown> = {};
  for (const c of given) {
    const eq = c.indexOf('=');
    const path = c.slice(0, Math.max(eq, 0)).split('.');
    if (eq < 1 || path.some((p) => p === ''))
      throw new UsageError(`malformed --claim '${c}': expected name=value, a nested claim as a.b=value`);
    let at = claims;
    for (const key of path.slice(0, -1)) {
      const next = at[key];
      if (next !== undefined && (typeof next !== 'object' || Array.isArray(next)))
        throw new UsageError(`--claim '${c}': claim '${key}' is already a value, not an object of claims`);
      at = (at[key] ??= {}) as Record<string, unknown>;
    }
    const last = path[path.length - 1];
    const prev = at[last];
    if (prev !== undefined && typeof prev === 'object' && !Array.isArray(prev))
      throw new UsageError(`--claim '${c}': claim '${path.join('.')}' is already an object of claims`);
    const v = c.slice(eq + 1);
    at[last] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return claims;
}
