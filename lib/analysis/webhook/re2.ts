import { RE2JS } from 're2js';

/**
 * A fixed pattern of the rules, compiled as RE2 (linear time, Go's syntax) rather than as a
 * JavaScript regex, whose backtracking can take exponential time on long crafted input.
 */
export function re2Pattern(pattern: string): { test(s: string): boolean } {
  const program = RE2JS.compile(pattern);
  return { test: (s: string) => program.test(s) };
}
