import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError, show } from '../model/errors';
import { istioRegexProblem } from '../analysis/routing/string-match';
import type { EntryMatch } from '../model/spec';

/** RFC 7230 token: what a cookie or header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6265 cookie-octet: what an unquoted cookie value may be made of. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/;

/** Escapes every RE2 metacharacter so `text` matches literally. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/**
 * An RE2 regex (Envoy matches it against the whole header value) that holds when the
 * Cookie header contains the cookie `name=value`: first, in the middle or last, with or
 * without a space after `;`, and never for a longer name that ends in `name`
 * (`xfeatureflag=on`) or a longer value that starts with `value` (`featureflag=onion`).
 */
export function cookieRegex(name: string, value: string): string {
  return `^(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(\\s*;.*)?$`;
}

/** Validates one entry match; throws naming the field and the bad value. */
export function validateEntryMatch(match: EntryMatch, at: ErrorLocation): void {
  const kinds = (['cookie', 'header', 'uri'] as const).filter((k) => match[k] !== undefined);
  if (kinds.length === 0) {
    throw new ReleaseConfigError(
      at,
      'a match must set at least one of cookie, header or uri',
      'Remove the empty match (a route without match is the default route).',
    );
  }
  if (match.cookie) {
    const { name, value } = match.cookie;
    if (!TOKEN.test(name ?? '')) {
      throw new ReleaseConfigError(
        { ...at, field: `${at.field}.cookie.name` },
        `cookie name ${show(name)} is not an RFC 7230 token`,
        "Use letters, digits and !#$%&'*+-.^_`|~ only.",
      );
    }
    if (!COOKIE_VALUE.test(value ?? '')) {
      throw new ReleaseConfigError(
        { ...at, field: `${at.field}.cookie.value` },
        `cookie value ${show(value)} is not a valid unquoted cookie value`,
        'Use printable ASCII without spaces, quotes, commas, semicolons or backslashes.',
      );
    }
  }
  if (match.header) {
    const { name } = match.header;
    if (!TOKEN.test(name ?? '') || name !== name.toLowerCase()) {
      throw new ReleaseConfigError(
        { ...at, field: `${at.field}.header.name` },
        `header name ${show(name)} is not a lower-case RFC 7230 token`,
        'Istio matches header names in lower case: write it in lower case.',
      );
    }
    exactlyOne(match.header, ['exact', 'prefix', 'regex'], { ...at, field: `${at.field}.header` });
    // Envoy compiles safe_regex with RE2 and Istio's validation rejects what RE2 rejects
    // (istio/istio pkg/config/validation/validation.go validateStringMatchRegexp).
    if (match.header.regex !== undefined) {
      const problem = istioRegexProblem(match.header.regex);
      if (problem !== undefined) {
        throw new ReleaseConfigError(
          { ...at, field: `${at.field}.header.regex` },
          `header regex ${show(match.header.regex)} ${problem}`,
          'Write an RE2 regex: no lookaround (?=, ?!, ?<=), no backreferences (\\1), no possessive quantifiers.',
        );
      }
    }
  }
  if (match.uri) {
    exactlyOne(match.uri, ['exact', 'prefix'], { ...at, field: `${at.field}.uri` });
    const path = match.uri.exact ?? match.uri.prefix ?? '';
    if (!path.startsWith('/')) {
      throw new ReleaseConfigError(
        { ...at, field: `${at.field}.uri` },
        `path ${show(path)} does not start with '/'`,
        'Write an absolute request path.',
      );
    }
  }
}

function exactlyOne(obj: object, keys: readonly string[], at: ErrorLocation): void {
  const set = keys.filter((k) => (obj as Record<string, unknown>)[k] !== undefined);
  if (set.length !== 1) {
    throw new ReleaseConfigError(
      at,
      `exactly one of ${keys.join(', ')} must be set, got ${set.length === 0 ? 'none' : set.join(' and ')}`,
      `Keep one of ${keys.join(', ')}.`,
    );
  }
}
