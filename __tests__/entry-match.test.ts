import { re2FullMatch } from '../lib/analysis/routing/string-match';
import type { StageSpec } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import { votingApplication, votingStages } from '../voting';
import { testApp } from './support';
import { cookieRegex, escapeRegex, validateEntryMatch } from '../lib/resolve/entry-match';

/** Envoy applies RE2 regexes (safe_regex) to the whole header value: evaluated with RE2 (re2js), not JavaScript RegExp. */
const fullMatch = (regex: string, value: string) => re2FullMatch(regex, value);

describe('cookieRegex', () => {
  const re = cookieRegex('featureflag', 'on');
  test.each([
    'featureflag=on',
    'featureflag=on; a=1',
    'a=1; featureflag=on',
    'a=1; featureflag=on; b=2',
    'a=1;featureflag=on;b=2',
    'a=1;  featureflag=on',
    'featureflag=on ;a=1',
  ])('GIVEN Cookie %j THEN it matches', (cookie) => {
    expect(fullMatch(re, cookie)).toBe(true);
  });
  test.each([
    'xfeatureflag=on',
    'a=1; xfeatureflag=on',
    'featureflag=onion',
    'featureflag=off',
    'featureflag=',
    'other=featureflag=on',
    '',
    'featureflag',
  ])('GIVEN Cookie %j THEN it does not match', (cookie) => {
    expect(fullMatch(re, cookie)).toBe(false);
  });
  test('GIVEN metacharacters in name or value THEN they match literally', () => {
    const dotted = cookieRegex('a.b', 'x+y');
    expect(fullMatch(dotted, 'a.b=x+y')).toBe(true);
    expect(fullMatch(dotted, 'aXb=x+y')).toBe(false);
    expect(fullMatch(dotted, 'a.b=xxy')).toBe(false);
    expect(escapeRegex('a.b*c(d)[e]{f}|g^h$i?j\\k')).toBe('a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\?j\\\\k');
  });
});

// istio/istio pkg/config/validation/validation.go validateStringMatchRegexp: Istio rejects what RE2
// (Go regexp) cannot compile, an empty regex and one longer than 1024 characters.
describe('validateEntryMatch header regex (RE2, as Istio validates it)', () => {
  const at = { stage: 's', field: 'entry[0].match[0]' };
  const header = (regex: string) => ({ header: { name: 'x-user', regex } });
  test.each(['(?i)alice', '[[:digit:]]+', 'a.*b', '\\d{3}'])('GIVEN the RE2 regex %j THEN it is accepted', (regex) => {
    expect(() => validateEntryMatch(header(regex), at)).not.toThrow();
  });
  test.each([
    ['a lookahead', 'a(?=b)'],
    ['a lookbehind', '(?<=a)b'],
    ['a backreference', '(a)\\1'],
    ['an empty regex', ''],
    ['a regex over 1024 characters', 'a'.repeat(1025)],
  ])('GIVEN %s THEN synth rejects it naming the field', (_, regex) => {
    expect(() => validateEntryMatch(header(regex), at)).toThrow(
      /field 'entry\[0\]\.match\[0\]\.header\.regex': header regex .* (is not an RE2 regex|is empty|characters long)/,
    );
  });
  test('GIVEN (?i) THEN the match is case-insensitive, as RE2 (JavaScript RegExp throws on it)', () => {
    expect(fullMatch('(?i)alice', 'ALICE')).toBe(true);
    expect(fullMatch('[[:digit:]]+', '2024')).toBe(true);
    expect(fullMatch('[[:digit:]]+', '20a4')).toBe(false);
  });
});

describe('GIVEN a typed stage whose header regex Istio would reject', () => {
  test('THEN synth (the ReleaseStage construct) fails naming the field and the regex', () => {
    const canary = votingStages.find((s) => s.name === '03-cookie-canary')!;
    const stage = {
      ...canary,
      entry: [{ ...canary.entry[0], match: [{ header: { name: 'x-user', regex: 'a(?=b)' } }] }, canary.entry[1]],
    } as StageSpec;
    expect(() => new ReleaseStage(testApp(), { application: votingApplication, stage })).toThrow(
      /stage '03-cookie-canary', component 'voting-app', field 'entry\[0\]\.match\[0\]\.header\.regex': header regex 'a\(\?=b\)' is not an RE2 regex/,
    );
  });
});
