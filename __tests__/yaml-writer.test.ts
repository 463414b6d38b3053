import { parseAllDocuments } from 'yaml';
import { scalarString, toYaml } from '../lib/release/yaml-writer';
import { votingManifests } from './support';

/** Reads YAML back under both schemas kubectl-era tools use. */
const readBack = (text: string, version: '1.1' | '1.2') =>
  parseAllDocuments(text, { version }).map((d) => {
    if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('; '));
    return d.toJSON();
  });

describe('toYaml', () => {
  test.each([...votingManifests().entries()])(
    'GIVEN stage %s THEN the YAML reads back to exactly the objects (YAML 1.1 and 1.2)',
    (_, manifests) => {
      const text = toYaml(...manifests);
      expect(readBack(text, '1.2')).toEqual(manifests);
      expect(readBack(text, '1.1')).toEqual(manifests);
    },
  );

  test.each([
    '1.0',
    '8080',
    '3306',
    'true',
    'yes',
    'No',
    'on',
    'OFF',
    'null',
    '~',
    '*',
    '',
    ' lead',
    'trail ',
    'a: b',
    'a #b',
    '#x',
    '-x',
    '.5',
    '1e3',
    '0x1F',
    '10:20',
    '2001-12-14',
    'line\nbreak',
    'tab\there',
    'quote"d',
    "it's",
    '{x}',
    '[x]',
    '&a',
    '!tag',
    '%p',
    '@at',
    '`b`',
    '|',
    '>',
    '?',
    'a:',
    'é',
    '^(.*;\\s*)?featureflag=on(\\s*;.*)?$',
    'redis:4.0.10',
    '500m',
    '1Gi',
    '30s',
    '1E',
    '1e3',
    '0x1F',
    '0o17',
    '1_000',
    '12e',
    'cluster.local/ns/voting/sa/voting-app',
    'app.kubernetes.io/part-of',
  ])('GIVEN the string %j THEN it reads back as the same string', (s) => {
    const text = toYaml({ [s || 'k']: s, list: [s] });
    expect(readBack(text, '1.1')).toEqual([{ [s || 'k']: s, list: [s] }]);
    expect(readBack(text, '1.2')).toEqual([{ [s || 'k']: s, list: [s] }]);
  });

  test('GIVEN nesting, empty collections and scalars THEN the layout is block style with two-space indentation', () => {
    expect(toYaml({ a: { b: [1, { c: true, d: null }, []], e: {} }, f: 'x' }, { g: [[1, 2]] })).toBe(
      [
        'a:',
        '  b:',
        '    - 1',
        '    - c: true',
        '      d: null',
        '    - []',
        '  e: {}',
        'f: x',
        '---',
        'g:',
        '  - - 1',
        '    - 2',
        '',
      ].join('\n'),
    );
    expect(scalarString('voting-app')).toBe('voting-app');
    expect(scalarString('1.0')).toBe('"1.0"');
  });
});
