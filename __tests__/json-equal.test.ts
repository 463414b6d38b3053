import { jsonEqual } from '../lib/analysis/json-equal';

// jsonEqual replaces `JSON.stringify(a) === JSON.stringify(b)` in the stage diff and the
// transition check: it must give the same answer on every pair, JSON's odd cases included.
describe('jsonEqual answers as comparing JSON texts does', () => {
  const values: unknown[] = [
    null,
    undefined,
    0,
    -0,
    1,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    '',
    '0',
    'a',
    true,
    false,
    [],
    [null],
    [undefined],
    [1, 2],
    [2, 1],
    [[1]],
    [{}],
    {},
    { a: 1 },
    { a: 1, b: 2 },
    { b: 2, a: 1 },
    { a: undefined },
    { a: 1, b: undefined },
    { b: undefined, a: 1 },
    { a: NaN },
    { a: null },
    { a: { b: [1, { c: 'x' }] } },
    { a: { b: [1, { c: 'y' }] } },
    { 1: 'x', a: 'y' },
    { a: 'y', 1: 'x' },
    { a: () => 1 },
    new Date(0),
    '1970-01-01T00:00:00.000Z',
    new Map(),
    { toJSON: () => 'a' },
    Object.create(null),
  ];
  test('GIVEN every pair of JSON-odd values THEN jsonEqual is JSON text equality', () => {
    const wrong: string[] = [];
    for (const a of values) {
      for (const b of values) {
        const expected = JSON.stringify(a) === JSON.stringify(b);
        if (jsonEqual(a, b) !== expected)
          wrong.push(`${String(JSON.stringify(a))} vs ${String(JSON.stringify(b))}: expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
