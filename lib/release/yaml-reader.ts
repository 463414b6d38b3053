import { readFileSync } from 'fs';
import type { parseAllDocuments as ParseAllDocuments } from 'yaml';
import { sealAsRead } from '../analysis/content-hash';
import { fastYaml11Documents } from './yaml11-fast-reader';
import { MAX_NESTING, writerFormatStream } from './yaml-writer-format-reader';

/**
 * The documents of a YAML stream, read as the `yaml` library reads them under YAML 1.1 (as the
 * cdk8s tooling reads manifests). Empty documents are dropped.
 * Measured reasons for the shape of this module: the `yaml` library spends most of a large
 * `validate` keeping source positions nobody asks for on the happy path, so a YAML 1.1 stream in
 * the form this project's writer writes is read line by line (./yaml-writer-format-reader.ts, five
 * times faster than js-yaml), any other first by js-yaml with the same readings of every scalar
 * (./yaml11-fast-reader.ts); a stream neither takes (tags, anchors, directives, a scalar it does not read the same way, or
 * an error) is read by the `yaml` library, whose message names the line and column. cdk8s' own
 * `Yaml.load` starts a Node.js process per file (~90 ms each). Both parsers are required on first
 * use, not at import, because loading one costs 11–20 ms of every `voting-mesh synth`, whose app
 * never parses YAML (cdk8s loads its own copy).
 */
export function parseYamlDocuments(text: string, source: string, version: '1.1' | '1.2' = '1.1'): unknown[] {
  return readYamlDocuments(text, source, version).documents;
}

/** The documents of a YAML stream ({@link parseYamlDocuments}), and how deeply they nest when the reader bounds it. */
export interface ReadYamlDocuments {
  readonly documents: unknown[];
  /** No document nests more levels of maps and lists than this. @default - unbounded: walk them to know */
  readonly maxNesting?: number;
}

/**
 * Documents read before, by their text in the writer's form, for reading several stages that share
 * most of their objects ({@link readYamlDocuments}): a document of the same text is the same
 * object, read once. Measured reason: `plan` reads two neighbouring stages of 3 MB each whose
 * objects are nearly all alike, and reading the second one was a fifth of a 300-service plan.
 * Only for documents that no one edits (see content-hash.ts sealAsRead) and within one command.
 */
export type DocumentsByText = Map<string, unknown>;

/**
 * {@link parseYamlDocuments}, telling whether the reader bounded the nesting (the writer's form is
 * read with a bound); with `shared`, documents of the writer's form are looked up there by text,
 * and added to it.
 */
export function readYamlDocuments(
  text: string,
  source: string,
  version: '1.1' | '1.2' = '1.1',
  shared?: DocumentsByText,
): ReadYamlDocuments {
  const writerForm = version === '1.1' ? writerFormatStream(text, shared) : undefined;
  if (writerForm) {
    sealAsRead(writerForm.documents, writerForm.texts);
    if (shared) writerForm.texts.forEach((t, i) => shared.set(t, writerForm.documents[i]));
    return { documents: writerForm.documents, maxNesting: MAX_NESTING };
  }
  const docs =
    (version === '1.1' ? fastYaml11Documents(text) : undefined) ?? parseWithYamlLibrary(text, source, version);
  sealAsRead(docs);
  return { documents: docs };
}

/** The `yaml` library's reading (with positions, so that an error names its line and column). */
export function parseWithYamlLibrary(text: string, source: string, version: '1.1' | '1.2' = '1.1'): unknown[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: loading `yaml` costs start-up time most runs do not need
  const { parseAllDocuments } = require('yaml') as { parseAllDocuments: typeof ParseAllDocuments };
  const docs = parseAllDocuments(text, { version });
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const error = doc.errors[0];
    if (error) throw new Error(`${source} is not valid YAML: ${error.message.split('\n')[0]}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** The documents of a YAML file (see {@link parseYamlDocuments}). */
export function readYamlFile(file: string, shownAs = file): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), shownAs);
}

/**
 * The top-level plain scalars `keys` of a simple YAML mapping (`key: value`, comments, other keys
 * with indented blocks), or undefined when the text uses anything else for those keys (quotes
 * with escapes, block or flow values, anchors, tags, documents): the caller then parses it with
 * {@link parseYamlDocuments}. Measured reason: `voting-mesh synth` reads cdk8s.yaml's `app` and
 * `output` before the app runs, and loading the YAML library for two lines costs 11–20 ms (5–8%
 * of the whole synth); `__tests__/yaml-reader.test.ts` checks it agrees with the library.
 */
export function simpleTopLevelScalars(text: string, keys: readonly string[]): Record<string, string> | undefined {
  const found: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(line) || (/^[\s-]/.test(line) && !/^(---|\.\.\.)/.test(line))) continue;
    const m = /^([A-Za-z_][\w.-]*):(?:\s+(.*?))?\s*$/.exec(line);
    if (!m) return undefined;
    if (!keys.includes(m[1])) continue;
    let value = (m[2] ?? '').replace(/\s+#.*$/, '');
    if (value === '' || /^[|>&*!{[%@`]/.test(value) || m[1] in found) return undefined;
    if (value.startsWith("'")) {
      if (!/^'([^']|'')*'$/.test(value)) return undefined;
      value = value.slice(1, -1).replace(/''/g, "'");
    } else if (value.startsWith('"')) {
      if (!/^"[^"\\]*"$/.test(value)) return undefined;
      value = value.slice(1, -1);
    } else if (
      (/^(~|null|true|false|yes|no|on|off|[-+.0-9].*)$/i.test(value) && !/^\.\.?(\/.*)?$/.test(value)) ||
      /: |\s#/.test(value)
    ) {
      return undefined; // not a plain string under YAML 1.1
    }
    found[m[1]] = value;
  }
  return found;
}
