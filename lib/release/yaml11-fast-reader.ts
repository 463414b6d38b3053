import type * as JsYaml from 'js-yaml';

/**
 * The happy path of {@link parseYamlDocuments}: a YAML stream read by js-yaml (an order of
 * magnitude faster than the `yaml` library, which keeps source positions for every node), with
 * the readings the `yaml` library gives under YAML 1.1, or undefined when this reader does not
 * take the stream and the `yaml` library must read it. It takes only what it reads exactly as
 * the `yaml` library does: plain, quoted and block scalars, block and flow collections with
 * scalar keys. It declines a stream with a tag, an anchor or alias (the `yaml` library bounds
 * alias expansion), a directive, a plain scalar that YAML 1.1 reads as a timestamp, a
 * sexagesimal number or a merge key, a duplicate or non-scalar key, or anything js-yaml rejects.
 * `__tests__/yaml-reader.test.ts` compares both readings on YAML 1.1 scalars and on every
 * manifest and upstream test file of the repository.
 */
export function fastYaml11Documents(text: string): unknown[] | undefined {
  const yaml = jsYaml();
  const docs: unknown[] = [];
  try {
    for (const chunk of documentChunks(text)) {
      const events = yaml.parseEvents(chunk, {});
      if (!plainEventsOnly(events)) return undefined;
      for (const d of yaml.constructFromEvents(events, { source: chunk, schema: schema! }))
        if (d !== null && d !== undefined) docs.push(d);
    }
  } catch {
    return undefined;
  }
  return docs;
}

/** About how much of a stream {@link documentChunks} hands the parser at once. */
const CHUNK = 64 * 1024;

/**
 * The stream in pieces of about {@link CHUNK} characters, each cut before a `---` that starts a
 * line: YAML forbids that marker inside any node, so each piece holds whole documents. Measured
 * reasons: read piece by piece, the parser's events die young instead of filling the old heap (a
 * 3 MB stage file has half a million of them: peak memory 425 MB instead of 230 MB for the
 * 300-service release); a piece per document costs a tenth more time in js-yaml's set-up per call.
 */
function* documentChunks(text: string): Generator<string> {
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  for (let m = marker.exec(text); m !== null; m = marker.exec(text)) {
    if (m.index - start < CHUNK) continue;
    yield text.slice(start, m.index);
    start = m.index;
  }
  yield text.slice(start);
}

/** No tags, anchors, aliases or directives: what the `yaml` library would give meaning this reader does not model. */
function plainEventsOnly(events: readonly JsYaml.Event[]): boolean {
  const { DOCUMENT, ALIAS, POP } = jsYaml().EVENT_ID;
  for (const e of events) {
    if (e.type === POP) continue;
    if (e.type === DOCUMENT) {
      if (e.directives.length > 0) return false;
    } else if (e.type === ALIAS || e.tagStart !== -1 || e.anchorStart !== -1) return false;
  }
  return true;
}

/** Thrown by the scalar reading for what this reader leaves to the `yaml` library. */
export class NotTaken extends Error {}

/** What {@link yaml11PlainScalar} returns for a plain scalar that YAML 1.1 reads as a string. */
export const PLAIN_STRING: unique symbol = Symbol('a plain string');

// The `yaml` library's YAML 1.1 scalar tests (yaml/dist/schema/yaml-1.1 and common/null), in its
// order: the first that matches a plain scalar decides its reading.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const INTEGERS: readonly [RegExp, number, number][] = [
  [/^[-+]?0b[0-1_]+$/, 2, 2], // [test, digits offset, radix]
  [/^[-+]?0[0-7_]+$/, 1, 8],
  [/^[-+]?[0-9][0-9_]*$/, 0, 10],
  [/^[-+]?0x[0-9a-fA-F_]+$/, 2, 16],
];
const NAN_OR_INFINITY = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
/** Merge key, sexagesimal int and float, timestamp: read by the `yaml` library. */
const NOT_TAKEN = [/^<<$/, /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/, /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/];
/** Every first character of a plain scalar that one of the tests above can match ('' is the empty scalar). */
const FIRST_CHARS = ['', '~', ...'nNyYtTfFoO', ...'-+.0123456789', 'e', 'E', '<'];
const FIRST_CHAR_SET: ReadonlySet<string> = new Set(FIRST_CHARS);

/** A plain scalar as the `yaml` library reads it under YAML 1.1, or js-yaml's NOT_RESOLVED for a string. */
function plainScalar(s: string): unknown {
  const value = yaml11PlainScalar(s);
  return value === PLAIN_STRING ? jsYaml().NOT_RESOLVED : value;
}

/**
 * A plain scalar as the `yaml` library reads it under YAML 1.1 (null, a boolean, a number), or
 * {@link PLAIN_STRING} for a string; throws {@link NotTaken} for what only that library reads.
 */
export function yaml11PlainScalar(s: string): unknown {
  // Most scalars of a manifest are words: none of the tests below can match one that starts
  // with another character, or a word longer than `false` (measured: these tests were a fifth
  // of reading a large stage file).
  if (s.length > 0 && !FIRST_CHAR_SET.has(s[0])) return PLAIN_STRING;
  if (s.length > 5 && /^[nNyYtTfFoO][A-Za-z]/.test(s)) return PLAIN_STRING;
  if (NULL.test(s)) return null;
  if (TRUE.test(s)) return true;
  if (FALSE.test(s)) return false;
  for (const [test, offset, radix] of INTEGERS) if (test.test(s)) return integer(s, offset, radix);
  if (NAN_OR_INFINITY.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s.replace(/_/g, ''));
  if (NOT_TAKEN.some((t) => t.test(s))) throw new NotTaken(s);
  return PLAIN_STRING;
}

/** The `yaml` library's integer reading: sign, then the digits after `offset` in `radix`, underscores dropped. */
function integer(s: string, offset: number, radix: number): number {
  const sign = s[0];
  const digits = s.substring(sign === '-' || sign === '+' ? offset + 1 : offset).replace(/_/g, '');
  const n = parseInt(digits, radix);
  return sign === '-' ? -1 * n : n;
}

/** A mapping key as the `yaml` library writes it into a plain object: null is '', a scalar its String. */
function keyText(key: unknown): string {
  if (key !== null && typeof key === 'object') throw new NotTaken('a collection as a mapping key');
  return key === null ? '' : String(key);
}

let loaded: typeof JsYaml | undefined;
let schema: JsYaml.Schema | undefined;

/** js-yaml and the YAML 1.1 schema, on first use (see yaml-reader.ts on load time). */
function jsYaml(): typeof JsYaml {
  if (loaded) return loaded;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: js-yaml is loaded on first use only (see yaml-reader.ts)
  const y = require('js-yaml') as typeof JsYaml;
  const plain = y.defineScalarTag('tag:yaml.org,2002:yaml-1.1-plain', {
    implicit: true,
    implicitFirstChars: FIRST_CHARS,
    resolve: plainScalar,
    identify: () => false,
  });
  const map = y.defineMappingTag<Record<string, unknown>>('tag:yaml.org,2002:map', {
    create: () => ({}),
    addPair: (m, key, value) => {
      const k = keyText(key);
      if (k === '__proto__')
        Object.defineProperty(m, k, { value, writable: true, enumerable: true, configurable: true });
      else m[k] = value;
      return '';
    },
    has: (m, key) => Object.prototype.hasOwnProperty.call(m, keyText(key)),
    keys: (m) => Object.keys(m),
    get: (m, key) => m[keyText(key)],
    identify: () => false,
  });
  schema = new y.Schema([y.strTag, y.seqTag, map, plain]);
  return (loaded = y);
}
