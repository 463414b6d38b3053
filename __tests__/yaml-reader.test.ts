import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { fastYaml11Documents } from '../lib/release/yaml11-fast-reader';
import { MAX_NESTING, writerFormatDocuments, writerFormatStream } from '../lib/release/yaml-writer-format-reader';
import { toYaml } from '../lib/release/yaml-writer';
import {
  parseWithYamlLibrary,
  parseYamlDocuments,
  readYamlDocuments,
  simpleTopLevelScalars,
} from '../lib/release/yaml-reader';
import { sameJson } from '../lib/analysis/content-hash';

// The fast path for cdk8s.yaml must agree with the YAML library whenever it answers, and
// hand every other form to the library.
describe('simpleTopLevelScalars (cdk8s.yaml without the YAML library)', () => {
  test.each([
    'app: node main.js\noutput: dist\n',
    'language: typescript\napp: node .build/main.js\noutput: dist\nimports:\n  - https://example.com/crds.yaml\n  # a comment\n',
    '# cdk8s\napp: \'npx ts-node main.ts\' # run it\noutput: "out dir"\n',
    'app: node main.js\r\noutput: dist/manifests\r\n',
    "app: 'it''s here'\n",
    'output: dist\nimports:\n- k8s\n- crds.yaml\napp: node a.js\n',
    'app: node main.js\noutput: .\n',
    'app: node main.js\noutput: ./out\n',
  ])('GIVEN %j THEN it reads what the YAML library reads (YAML 1.2, as the cdk8s CLI reads cdk8s.yaml)', (text) => {
    const fast = simpleTopLevelScalars(text, ['app', 'output']);
    expect(fast).toBeDefined();
    const full = parseYamlDocuments(text, 'cdk8s.yaml', '1.2')[0] as Record<string, unknown>;
    expect(fast).toEqual(
      Object.fromEntries(['app', 'output'].filter((k) => full[k] !== undefined).map((k) => [k, full[k]])),
    );
  });

  test.each([
    'app: >\n  node main.js\n',
    'app: |\n  node main.js\n',
    'app: {cmd: x}\n',
    'app: [a]\n',
    'app: &a node x\n',
    'app: !!str node\n',
    'app: "node \\"x\\""\n',
    'output: 123\n',
    'output: yes\n',
    'app: node a: b\n',
    '{app: node x}\n',
    'app: node\napp: again\n',
    'app:\n  - x\n',
  ])('GIVEN %j THEN it declines and the YAML library decides', (text) => {
    expect(simpleTopLevelScalars(text, ['app', 'output'])).toBeUndefined();
  });
});

// The happy path reads manifests with js-yaml (yaml11-fast-reader.ts); every reading must be the
// `yaml` library's under YAML 1.1, which cdk8s output depends on (unquoted yes/no/on/off are
// booleans, 0777 is octal). A stream it declines is read by the library, so the result is the
// library's either way; the `taken` column proves the fast path is what answers.
describe('parseYamlDocuments reads every YAML 1.1 scalar as the yaml library does', () => {
  const scalars = [
    'yes',
    'Yes',
    'YES',
    'no',
    'No',
    'NO',
    'on',
    'On',
    'ON',
    'off',
    'Off',
    'OFF',
    'y',
    'Y',
    'n',
    'N',
    'true',
    'True',
    'TRUE',
    'false',
    'False',
    'FALSE',
    'yES',
    'oN',
    '~',
    'null',
    'Null',
    'NULL',
    'nULL',
    '',
    '0777',
    '-0777',
    '+017',
    '0o17',
    '08',
    '0_7',
    '0',
    '-0',
    '+12',
    '1_000',
    '0x1F',
    '-0xff',
    '0b101',
    '-0b1_1',
    '0B1',
    '12345678901234567890',
    '1.5',
    '.5',
    '1.',
    '-1.50',
    '1e3',
    '1.2E-2',
    '+.inf',
    '-.Inf',
    '.INF',
    '.nan',
    '.NaN',
    '.NAN',
    '1_0.5',
    'e3',
    'E-1',
    '.',
    '500m',
    '1Gi',
    '30s',
    '1.0',
    '2.0',
    'v1',
    'a b',
    'http://x:8080/p',
    '<',
    '+',
    '-a',
    '0x',
    '0b',
  ];
  test.each(scalars)(
    "GIVEN the plain scalar %j as a value, a key and a list item THEN the reading is the library's, by the fast path",
    (s) => {
      const text = `value: ${s}\n${s === '' ? '""' : s}: key\nlist:\n- ${s}\nflow: {a: [${s}]}\n`;
      expect(fastYaml11Documents(text)).toBeDefined();
      expect(parseYamlDocuments(text, 't.yaml')).toEqual(parseWithYamlLibrary(text, 't.yaml'));
    },
  );

  test.each([
    ['a quoted scalar stays a string', "a: '0777'\nb: \"yes\"\nc: 'on'\nd: \"null\"\ne: '1.0'\n", true],
    ['block scalars', 'a: |\n  yes\n  0777\nb: >-\n  folded\n  text\n\n  more\nc: |+\n  keep\n\n', true],
    ['multi-line plain and quoted scalars', "a: one\n  two\n  three\nb: \"x\\ty\\u00e9\n  z\"\nc: 'it''s'\n", true],
    ['documents, empty ones dropped, a List', '---\n---\na: 1\n...\n---\nkind: List\nitems: []\n', true],
    ['a CRLF stream with comments and a BOM', '\ufeff# c\r\na: 1 # x\r\nb:\r\n  - c\r\n', true],
    ['a __proto__ key', '__proto__: {polluted: yes}\nb: 1\n', true],
    ['a timestamp (a Date under YAML 1.1)', 'a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n', false],
    ['sexagesimal numbers', 'a: 1:30\nb: -1:30:00.5\n', false],
    ['a merge key', 'base: {a: 1}\nm:\n  <<: {a: 2, b: 3}\n  c: 4\nv: <<\n', false],
    ['anchors and aliases', 'a: &x {b: 1}\nc: *x\n', false],
    ['explicit tags', 'a: !!str 0777\nb: !!int "12"\nc: !!binary aGk=\nd: !custom x\n', false],
    ['a %YAML 1.2 directive', '%YAML 1.2\n---\na: yes\nb: 0777\n', false],
    ['a key that is a collection', '? [a, b]\n: c\n', false],
    ['keys 1 and "1"', '1: a\n"1": b\n', false],
    ['a null key (the empty string, as the library writes it)', 'null: a\nb: c\n', true],
  ])("GIVEN %s THEN the reading is the library's (fast path: %s)", (_what, text, taken) => {
    expect(fastYaml11Documents(text as string) !== undefined).toBe(taken);
    expect(parseYamlDocuments(text as string, 't.yaml')).toEqual(parseWithYamlLibrary(text as string, 't.yaml'));
  });

  test.each([
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['an unclosed flow sequence', 'a: [1, 2\n'],
    ['a tab as indentation', 'a:\n\tb: 1\n'],
  ])("GIVEN %s THEN the error is the library's, with its line and column", (_what, text) => {
    expect(fastYaml11Documents(text)).toBeUndefined();
    const message = (() => {
      try {
        parseWithYamlLibrary(text, 'bad.yaml');
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    })();
    expect(message).toMatch(/^bad\.yaml is not valid YAML: .*at line \d+, column \d+/);
    expect(() => parseYamlDocuments(text, 'bad.yaml')).toThrow(message);
  });

  // Every YAML file of the repository (committed stages, examples, fixtures) and of the pinned
  // upstream data beside it (CRDs, Istio's analyzer test inputs): the fast path reads each one,
  // and reads it exactly as the library does.
  const root = join(__dirname, '..');
  const corpus = [...yamlFilesUnder(root), ...yamlFilesUnder(join(root, '..', 'shared'))];
  test('GIVEN every YAML file of the repository and of ../shared THEN the fast path reads each as the library does', () => {
    expect(corpus.length).toBeGreaterThan(100);
    const declined = corpus.filter((f) => {
      const text = readFileSync(f, 'utf8');
      const fast = fastYaml11Documents(text);
      if (fast !== undefined) expect({ file: f, docs: fast }).toEqual({ file: f, docs: parseWithYamlLibrary(text, f) });
      return fast === undefined;
    });
    // Declined only where the file uses what the fast path hands to the library by design
    // (anchors, aliases, tags, directives, merge keys); any other decline is a gap.
    const byDesign = /(^|[\s:\-[,])[&*!][A-Za-z0-9_!]|^%|<<:/m;
    expect(declined.filter((f) => !byDesign.test(readFileSync(f, 'utf8')))).toEqual([]);
    expect(declined.length).toBeLessThan(corpus.length / 20);
  });
});

function yamlFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory())
      return e.name === 'node_modules' || e.name.startsWith('.') ? [] : yamlFilesUnder(join(dir, e.name));
    return /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [];
  });
}

// The first path reads only the writer's own form (yaml-writer-format-reader.ts); whatever it
// takes it must read as the `yaml` library does, and it must decline everything else.
describe('writerFormatDocuments (the form yaml-writer.ts writes)', () => {
  test('GIVEN objects of every scalar kind written by the writer THEN the first path reads them as the library does', () => {
    const docs = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' } },
        data: {
          yes: 'yes',
          octal: '0777',
          quantity: '500m',
          version: '1.0',
          empty: '',
          multi: 'a\nb "c" \\',
          unicode: 'é ✓',
          colon: 'a: b',
          hash: 'a #b',
        },
      },
      {
        kind: 'List',
        items: [{}, [], [1, -2.5, 1e21, true, false, null], [['a', 'b'], [{ k: 'v' }]]],
        __proto__: { polluted: 'no' },
        '8080': 'port',
        'a:b': 'c',
      },
    ];
    const text = toYaml(...docs);
    expect(writerFormatDocuments(text)).toBeDefined();
    expect(writerFormatDocuments(text)).toEqual(parseWithYamlLibrary(text, 't.yaml'));
    expect(parseYamlDocuments(text, 't.yaml')).toEqual(parseWithYamlLibrary(text, 't.yaml'));
  });

  test.each([
    ['a comment', 'a: 1 # x\n'],
    ['a blank line', 'a: 1\n\nb: 2\n'],
    ['a tab', 'a:\t1\n'],
    ['CRLF', 'a: 1\r\n'],
    ['no final newline', 'a: 1'],
    ['a flow collection', 'a: [1, 2]\n'],
    ['a block scalar', 'a: |\n  x\n'],
    ['a single-quoted scalar', "a: 'x'\n"],
    ['an anchor', 'a: &x 1\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a key that reads as a number', '1: a\n'],
    ['an indentless sequence', 'a:\n- 1\n'],
    ['an empty document', 'a: 1\n---\n---\nb: 2\n'],
    ['a key without a value', 'a:\nb: 1\n'],
    ['four-space indentation', 'a:\n    b: 1\n'],
    ['a timestamp', 'a: 2001-12-14\n'],
    ['a directive', '%YAML 1.1\n---\na: 1\n'],
    ['a quoted escape JSON does not write', 'a: "\\x41"\n'],
    ['a bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['a plain scalar with a space', 'a: b c\n'],
    ['a BOM', '\ufeffa: 1\n'],
  ])("GIVEN %s THEN it declines, and the reading is the other readers' as before", (_what, text) => {
    expect(writerFormatDocuments(text)).toBeUndefined();
  });

  test('GIVEN every stage file the repository committed THEN the first path reads each, as the library does', () => {
    const root = join(__dirname, '..');
    const stages = yamlFilesUnder(root).filter((f) => f.endsWith('.k8s.yaml') && /(^|\/)dist\//.test(f));
    expect(stages.length).toBeGreaterThan(4);
    for (const f of stages) {
      const text = readFileSync(f, 'utf8');
      expect({ file: f, docs: writerFormatDocuments(text) }).toEqual({ file: f, docs: parseWithYamlLibrary(text, f) });
    }
  });
});

/** The levels of maps and lists of a value, as cli/inputs.ts counts them (a document is level 1). */
function levels(v: unknown): number {
  return v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(levels)) : 0;
}

/** A ConfigMap whose data nests `n` levels in all (the document itself is level 1), ending in `leaf`. */
function nested(n: number, leaf: unknown): Record<string, unknown> {
  let v: unknown = leaf;
  for (let i = levels(leaf); i < n - 1; i++) v = { k: v };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'deep' }, data: v };
}

// The first path bounds the nesting itself, so the command line skips its own walk for what it read.
describe('writerFormatStream: nesting, document texts and documents read before', () => {
  test.each([
    ['a scalar', 'x'],
    ['{}', {}],
    ['[]', []],
  ])(
    'GIVEN documents ending in %s at every depth near the bound THEN what it reads nests at most MAX_NESTING levels, and the rest is declined to the other readers',
    (_what, leaf) => {
      for (let n = MAX_NESTING - 3; n <= MAX_NESTING + 2; n++) {
        const doc = nested(n, leaf);
        expect(levels(doc)).toBe(n);
        const read = writerFormatStream(toYaml(doc));
        if (read) expect(levels(read.documents[0])).toBeLessThanOrEqual(MAX_NESTING);
        if (n <= MAX_NESTING - 2) expect(read?.documents).toEqual([doc]);
        if (n > MAX_NESTING) expect(read).toBeUndefined();
        expect(parseYamlDocuments(toYaml(doc), 't.yaml')).toEqual([doc]);
      }
    },
  );

  test('GIVEN a stream THEN each document comes with its own text, which reads as that document alone', () => {
    const docs = [{ kind: 'A', metadata: { name: 'a' } }, { kind: 'B', spec: { list: [{ x: 1 }, 'y'] } }, {}];
    const read = writerFormatStream(toYaml(...docs))!;
    expect(read.documents).toEqual(docs);
    expect(read.texts.map((t) => writerFormatDocuments(t))).toEqual(docs.map((d) => [d]));
  });

  test('GIVEN two streams read with one shared map THEN a document of the same text is the same object, a changed one is read anew, and both read as the library does', () => {
    const a = { kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } };
    const b = { kind: 'VirtualService', metadata: { name: 'b' }, spec: { weight: 10 } };
    const shared = new Map<string, unknown>();
    const first = readYamlDocuments(toYaml(a, b), 'one.yaml', '1.1', shared).documents;
    const text = toYaml(a, { ...b, spec: { weight: 20 } }, a);
    const second = readYamlDocuments(text, 'two.yaml', '1.1', shared).documents;
    expect(second).toEqual(parseWithYamlLibrary(text, 'two.yaml'));
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    // Within one stream, each document is its own object, even when two are alike.
    expect(second[2]).not.toBe(second[0]);
    expect(second[2]).toEqual(second[0]);
  });

  test('GIVEN documents read from equal texts, and from different texts of the same content THEN sameJson tells them alike, and a changed one apart', () => {
    const [x] = parseYamlDocuments('kind: A\nspec:\n  size: 1\n', 'x.yaml');
    const [y] = parseYamlDocuments('kind: A\nspec:\n  size: 1\n', 'y.yaml');
    const [quoted] = parseYamlDocuments('kind: "A"\nspec:\n  size: 1\n', 'q.yaml');
    const [other] = parseYamlDocuments('kind: A\nspec:\n  size: 2\n', 'o.yaml');
    expect(x).not.toBe(y);
    expect([
      sameJson(x, y),
      sameJson(x, quoted),
      sameJson(x, other),
      sameJson(x, { kind: 'A', spec: { size: 1 } }),
    ]).toEqual([true, true, false, true]);
  });
});
