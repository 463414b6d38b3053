import { RE2JS } from 're2js';
import type { JsonSchema, SchemaViolation } from './schema-validator';

/**
 * The schema keywords that bound one value: `minimum`/`maximum`, `minLength`/`maxLength`,
 * `pattern` and `minItems`/`maxItems`, for ./schema-validator.ts (one instance per validator).
 */
export class BoundsChecker {
  private readonly patterns = new Map<string, RE2JS | null>();

  /** Pushes a violation for each bound, length, item count or pattern of `s` that `value` breaks. */
  public check(value: unknown, s: JsonSchema, at: string, out: SchemaViolation[]): void {
    if (typeof value === 'number') {
      if (s.minimum !== undefined && value < s.minimum)
        out.push({ path: at, message: `${value} is below the minimum ${s.minimum}` });
      if (s.maximum !== undefined && value > s.maximum)
        out.push({ path: at, message: `${value} is above the maximum ${s.maximum}` });
    }
    if (typeof value === 'string') {
      if (s.minLength !== undefined && value.length < s.minLength)
        out.push({ path: at, message: `shorter than ${s.minLength} characters` });
      if (s.maxLength !== undefined && value.length > s.maxLength)
        out.push({ path: at, message: `longer than ${s.maxLength} characters` });
      const re = s.pattern !== undefined ? this.pattern(s.pattern) : null;
      if (re && !re.matcher(value).find())
        out.push({ path: at, message: `${JSON.stringify(value)} does not match ${s.pattern}` });
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems)
        out.push({ path: at, message: `fewer than ${s.minItems} items` });
      if (s.maxItems !== undefined && value.length > s.maxItems)
        out.push({ path: at, message: `more than ${s.maxItems} items` });
    }
  }

  /**
   * Compiles a pattern once, as RE2 (linear time), the engine the API server evaluates CRD
   * patterns with: a backtracking RegExp hangs on a nested repetition from a user's CRD. A pattern
   * RE2 cannot compile is skipped rather than guessed.
   */
  private pattern(source: string): RE2JS | null {
    if (!this.patterns.has(source)) {
      let re: RE2JS | null;
      try {
        re = RE2JS.compile(source);
      } catch {
        re = null;
      }
      this.patterns.set(source, re);
    }
    return this.patterns.get(source)!;
  }
}
