import { NotTaken, PLAIN_STRING, yaml11PlainScalar } from './yaml11-fast-reader';

/**
 * The first path of {@link parseYamlDocuments}: a stream in exactly the form ./yaml-writer.ts
 * writes (every stage file synth writes), read line by line, or undefined for any other stream,
 * which js-yaml (./yaml11-fast-reader.ts) or the `yaml` library then reads. Measured reason: js-yaml
 * takes 0.3–0.5 s for one 3 MB stage file of the 300-service release, most of an `explain` or a
 * `plan`; this reader takes a fifth of that, since the form leaves nothing to decide.
 *
 * The form: block mappings and sequences indented by two spaces, a sequence item's first line
 * after `- `, scalars on one line (plain, or double-quoted with JSON's escapes), `{}` and `[]`,
 * documents joined by `---` lines, a newline at the end. Plain scalars get the `yaml` library's
 * YAML 1.1 readings ({@link yaml11PlainScalar}). Anything else (comments, tabs, CR, blank lines,
 * other indentation, flow collections, block scalars, tags, anchors, duplicate keys, keys that are
 * not strings, empty documents, non-printable characters, nesting past {@link MAX_NESTING} levels) is declined.
 * `__tests__/yaml-reader.test.ts` compares its reading with the library's.
 */
export function writerFormatDocuments(text: string): unknown[] | undefined {
  return writerFormatStream(text)?.documents;
}

/** A stream read by {@link writerFormatDocuments}: its documents, and the text of each (a slice of the stream). */
export interface WriterFormatStream {
  readonly documents: unknown[];
  /** Each document's text, without its `---` line: the same text always reads as the same document. */
  readonly texts: string[];
}

/**
 * {@link writerFormatDocuments} with each document's text. Every document it reads nests at most
 * {@link MAX_NESTING} levels of maps and lists (counted as cli/inputs.ts counts them), so its
 * caller need not walk them again to refuse deeper input. A document whose text is in `known`
 * (documents of other streams this reader took, by their text) is that document, not read again,
 * unless this stream has it already: each document of a stream is its own object.
 */
export function writerFormatStream(text: string, known?: ReadonlyMap<string, unknown>): WriterFormatStream | undefined {
  if (!text.endsWith('\n')) return undefined;
  const documents: unknown[] = [];
  const texts: string[] = [];
  const reused = new Set<unknown>();
  try {
    // Documents are joined by `---` lines, which no node of this form contains.
    for (let start = 0; start < text.length;) {
      if (text.startsWith('---\n', start)) decline('an empty document');
      const marker = text.indexOf('\n---\n', start);
      const end = marker === -1 ? text.length : marker + 1;
      const source = text.slice(start, end);
      const doc = known?.get(source);
      if (doc !== undefined && !reused.has(doc)) {
        reused.add(doc);
        documents.push(doc);
      } else {
        // Only the documents read here are searched for characters outside the form: a known one was
        // searched in its own stream. Measured reason: searching the whole second stage of a plan,
        // whose documents are nearly all known, was 3% of a 300-service plan.
        if (OUTSIDE_FORM.test(source)) decline('a character the writer never writes raw');
        const read = new WriterFormatReader(source).documents();
        if (read.length !== 1) decline('text after a document');
        documents.push(read[0]);
      }
      texts.push(source);
      start = marker === -1 ? text.length : marker + 5;
      if (marker !== -1 && start === text.length) decline('an empty document');
    }
  } catch (err) {
    if (err instanceof NotTaken) return undefined;
    throw err;
  }
  return { documents, texts };
}

/** Any character the writer never writes raw: controls, tab, CR, NEL, U+2028/9 (line breaks in YAML 1.1), surrogates, BOM, non-characters. */
const OUTSIDE_FORM = /[^\n\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD]/;
/** A plain scalar the writer writes (yaml-writer.ts PLAIN and QUANTITY, and numbers): no indicator first, no space, no `#`, flow or quote characters. */
const PLAIN_TOKEN = /^(?:[A-Za-z0-9/._+]|-(?=.))[A-Za-z0-9_./:=+@-]*$/;
/** A double-quoted scalar with only the escapes JSON.stringify writes (each means the same in YAML). */
const QUOTED = /^"(?:[^"\\]|\\["\\bfnrt]|\\u[0-9a-fA-F]{4})*"$/;
/** The double-quoted key at the start of a line. */
const QUOTED_KEY = /"(?:[^"\\\n]|\\.)*"/y;
/** How many levels of maps and lists a document read here may have (deeper input is the other readers' to refuse). */
export const MAX_NESTING = 100;
/**
 * How deeply blocks may nest here: a document is level 1, a block at depth d level d + 1, and a
 * `{}` or `[]` scalar in the deepest block one level more.
 */
const MAX_DEPTH = MAX_NESTING - 2;

const decline = (why: string): never => {
  throw new NotTaken(why);
};

/**
 * One document's text (ending in a newline), read line by line in place: positions into the text,
 * no array of lines and no copy of each line's rest (measured: those copies and their collection
 * were a third of reading a 3 MB stage file).
 */
class WriterFormatReader {
  /**
   * The current line: where it starts, where its newline is, its indentation and where its text
   * after that starts (a sequence item's after `- `).
   */
  private start = 0;
  private end = -1;
  private indent = 0;
  private rest = 0;

  constructor(private readonly text: string) {
    this.next();
  }

  public documents(): unknown[] {
    const docs: unknown[] = [];
    const text = this.text;
    for (;;) {
      if (this.atEnd || this.atDocumentMarker) decline('an empty document');
      if (this.indent !== 0) decline('an indented document');
      const whole = text.slice(this.rest, this.end);
      if (whole === '{}' || whole === '[]') {
        docs.push(whole === '{}' ? {} : []);
        this.next();
      } else {
        docs.push(this.block(0, 0));
      }
      if (this.atEnd) return docs;
      if (!this.atDocumentMarker) decline('text after a document');
      this.next();
    }
  }

  private get atEnd(): boolean {
    return this.start >= this.text.length;
  }

  private get atDocumentMarker(): boolean {
    return this.indent === 0 && this.end - this.rest === 3 && this.text.startsWith('---', this.rest);
  }

  private next(): void {
    const text = this.text;
    this.start = this.end + 1;
    if (this.start >= text.length) {
      this.indent = -1;
      this.rest = this.end = text.length;
      return;
    }
    const end = text.indexOf('\n', this.start);
    this.end = end;
    let i = this.start;
    while (text.charCodeAt(i) === 32) i++;
    if (i === end) decline('a blank line');
    this.indent = i - this.start;
    this.rest = i;
  }

  /** The mapping or sequence whose first line is the current one, at `indent`. */
  private block(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) decline('deep nesting');
    return this.isItem() ? this.sequence(indent, depth) : this.mapping(indent, depth);
  }

  /** Whether the current line's text starts with `- `. */
  private isItem(): boolean {
    const { text, rest } = this;
    return text.charCodeAt(rest) === 45 /* - */ && rest + 1 < this.end && text.charCodeAt(rest + 1) === 32;
  }

  private mapping(indent: number, depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    do {
      const key = this.key();
      const after = this.afterKey;
      let value: unknown;
      if (after === this.end) {
        this.next();
        if (this.indent !== indent + 2) decline('a key without a value');
        value = this.block(indent + 2, depth + 1);
      } else {
        if (this.text.charCodeAt(after) !== 32) decline('no space after a key');
        value = scalar(this.text.slice(after + 1, this.end));
        this.next();
      }
      if (Object.prototype.hasOwnProperty.call(map, key)) decline('a duplicate key');
      if (key === '__proto__')
        Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
      else map[key] = value;
    } while (this.indent === indent && !this.atDocumentMarker);
    if (this.indent > indent) decline('a line indented deeper than its mapping');
    return map;
  }

  /** Where the current line's key ends: the position after its colon (set by {@link key}). */
  private afterKey = 0;

  /** The current line's key (a plain or double-quoted string followed by a colon). */
  private key(): string {
    const { text, rest, end } = this;
    let key: string;
    let colon: number;
    if (text.charCodeAt(rest) === 34 /* " */) {
      QUOTED_KEY.lastIndex = rest;
      const quoted = QUOTED_KEY.exec(text)?.[0] ?? decline('an unclosed quoted key');
      key = quotedString(quoted);
      colon = rest + quoted.length;
    } else {
      colon = colonOnLine(text, rest, end);
      const token = colon > rest ? text.slice(rest, colon) : decline('a line that is not `key: value`');
      const known = plainKeys.get(token);
      if (known !== undefined) key = known;
      else {
        if (!PLAIN_TOKEN.test(token) || yaml11PlainScalar(token) !== PLAIN_STRING)
          decline('a key that is not a plain string');
        if (plainKeys.size < CACHED) plainKeys.set(token, token);
        key = token;
      }
    }
    if (colon >= end || text.charCodeAt(colon) !== 58 /* : */) decline('a quoted key without a colon');
    this.afterKey = colon + 1;
    return key;
  }

  private sequence(indent: number, depth: number): unknown[] {
    const list: unknown[] = [];
    const text = this.text;
    do {
      if (!this.isItem()) decline('a line of a sequence that is not an item');
      const item = this.rest + 2;
      if (startsBlock(text, item, this.end)) {
        // The item's first line, read as if it stood on its own line two columns in.
        this.indent = indent + 2;
        this.rest = item;
        list.push(this.block(indent + 2, depth + 1));
      } else {
        list.push(scalar(text.slice(item, this.end)));
        this.next();
      }
    } while (this.indent === indent && !this.atDocumentMarker);
    if (this.indent > indent) decline('a line indented deeper than its sequence');
    return list;
  }
}

/** Where the key of the line text[from, end) ends: its first `: `, else a `:` ending the line; -1 without either. */
function colonOnLine(text: string, from: number, end: number): number {
  const colon = text.indexOf(': ', from);
  if (colon !== -1 && colon < end) return colon;
  return end > from && text.charCodeAt(end - 1) === 58 ? end - 1 : -1;
}

/** Whether a sequence item's text (text[item, end)) starts a nested sequence or mapping rather than being a scalar. */
function startsBlock(text: string, item: number, end: number): boolean {
  if (text.charCodeAt(item) === 45 && item + 1 < end && text.charCodeAt(item + 1) === 32) return true;
  if (text.charCodeAt(item) === 34 && item < end) {
    QUOTED_KEY.lastIndex = item;
    const quoted = QUOTED_KEY.exec(text)?.[0];
    return quoted !== undefined && item + quoted.length < end;
  }
  return colonOnLine(text, item, end) !== -1;
}

/** A scalar the writer writes: `{}`, `[]`, double-quoted, or plain with its YAML 1.1 reading. */
function scalar(token: string): unknown {
  if (token === '{}') return {};
  if (token === '[]') return [];
  if (token.charCodeAt(0) === 34) return quotedString(token);
  const known = plainValues.get(token);
  if (known !== undefined) return known;
  if (!PLAIN_TOKEN.test(token) || token.charCodeAt(token.length - 1) === 58)
    decline('a scalar the writer does not write');
  const value = yaml11PlainScalar(token);
  const read = value === PLAIN_STRING ? token : value;
  if (plainValues.size < CACHED && read !== null) plainValues.set(token, read);
  return read;
}

// The readings of the plain keys and scalars seen (a release repeats a few thousand of them
// hundreds of times: a map hit instead of a dozen regular expressions), bounded. A string is
// read as the one string first seen with its text, not a new slice of each line. Measured reason:
// property keys and values that are one string each time (V8 looks an object's key up in its
// string table once, not once per object) took a tenth off reading a 3 MB stage file. (Readings
// other than strings are numbers, booleans and null, never strings: a string hit is the string.)
const CACHED = 50_000;
const plainKeys = new Map<string, string>();
const plainValues = new Map<string, unknown>();

function quotedString(token: string): string {
  if (!QUOTED.test(token)) decline('a quoted scalar with escapes JSON does not write');
  return JSON.parse(token) as string;
}
