/**
 * Istio StringMatch as Envoy evaluates it. Istio translates `exact`, `prefix` and `regex` into an
 * Envoy StringMatcher (istio/istio pilot/pkg/networking/util/util.go ConvertToEnvoyMatch); a regex
 * is a `safe_regex` (Google RE2) that must match the whole value (envoy api
 * type/matcher/v3/regex.proto: "the regex must match the entire input"). An empty StringMatch, or
 * the regex `*`, becomes a `present_match` (pilot/pkg/networking/core/route/route.go
 * canBeConvertedToPresentMatch).
 */
import type { RE2JS } from 're2js';
import { at } from '../manifest-kinds';

const compiled = new Map<string, RE2JS | Error>();

/** The RE2 program for `regex`, compiled once; an Error when RE2 rejects it (lookaround, backreferences, ...). */
export function re2(regex: string): RE2JS | Error {
  let program = compiled.get(regex);
  if (program === undefined) {
    try {
      // Required on first use: loading re2js costs ~13 ms of every explain and plan, most of which match no regex.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as the line above says
      program = (require('re2js') as typeof import('re2js')).RE2JS.compile(regex);
    } catch (err) {
      program = new Error(`'${regex}' is not an RE2 regex (${(err as Error).message})`);
    }
    compiled.set(regex, program);
  }
  return program;
}

/** Why RE2 (and so Istio's validation and Envoy) rejects `regex` (`is not an RE2 regex (...)`), or undefined when it is valid. */
export function re2Problem(regex: string): string | undefined {
  const program = re2(regex);
  return program instanceof Error ? program.message.slice(program.message.indexOf(' is not an RE2') + 1) : undefined;
}

/** Whether `regex` (RE2) matches the whole of `value`; throws naming the regex when RE2 rejects it. */
export function re2FullMatch(regex: string, value: string): boolean {
  const program = re2(regex);
  if (program instanceof Error) throw program;
  return program.matches(value);
}

/** Whether an Istio StringMatch is a presence test (empty, or the regex `*`). */
export function isPresenceMatch(m: unknown): boolean {
  if (m === null || m === undefined) return true;
  const regex = at(m, 'regex');
  return (at(m, 'exact') === undefined && at(m, 'prefix') === undefined && regex === undefined) || regex === '*';
}

/**
 * Whether a StringMatch holds for `value` (undefined when the header or parameter is absent:
 * only an inverted match can then hold, see route.go withoutHeaders). `ignoreCase` lowers both
 * sides of exact and prefix, as Envoy's `case_sensitive: false` does for paths (regexes are not
 * affected: envoy route_components.proto RouteMatch.case_sensitive).
 */
export function stringMatchHolds(m: unknown, value: string | undefined, ignoreCase = false): boolean {
  if (value === undefined) return false;
  if (isPresenceMatch(m)) return true;
  const exact = at(m, 'exact');
  if (exact !== undefined) return ignoreCase ? value.toLowerCase() === String(exact).toLowerCase() : value === exact;
  const prefix = at(m, 'prefix');
  if (prefix !== undefined)
    return ignoreCase ? value.toLowerCase().startsWith(String(prefix).toLowerCase()) : value.startsWith(String(prefix));
  return re2FullMatch(String(at(m, 'regex')), value);
}

/**
 * Why Istio's validation rejects a StringMatch regex (istio/istio pkg/config/validation/validation.go
 * validateStringMatchRegexp): empty, longer than 1024 characters, or not RE2. Undefined when valid.
 */
export function istioRegexProblem(regex: string): string | undefined {
  if (regex === '') return 'is empty (Istio rejects an empty regex)';
  if (regex.length > 1024) return `is ${regex.length} characters long (Istio allows 1024)`;
  return re2Problem(regex);
}
