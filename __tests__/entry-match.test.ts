import { cookieRegex, escapeRegex } from '../lib/resolve/entry-match';

/** Envoy applies RE2 regexes to the whole header value; this pattern uses no construct where JS and RE2 differ. */
const fullMatch = (regex: string, value: string) => new RegExp(`^(?:${regex})$`).test(value);

describe('cookieRegex', () => {
  const re = cookieRegex('featureflag', 'on');
  test.each([
    'featureflag=on', 'featureflag=on; a=1', 'a=1; featureflag=on', 'a=1; featureflag=on; b=2', 'a=1;featureflag=on;b=2',
    'a=1;  featureflag=on', 'featureflag=on ;a=1',
  ])('GIVEN Cookie %j THEN it matches', (cookie) => {
    expect(fullMatch(re, cookie)).toBe(true);
  });
  test.each([
    'xfeatureflag=on', 'a=1; xfeatureflag=on', 'featureflag=onion', 'featureflag=off', 'featureflag=', 'other=featureflag=on', '', 'featureflag',
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
