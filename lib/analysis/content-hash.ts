import { createHash } from 'crypto';
import { jsonEqual } from './json-equal';

/** Digests of the documents read from files (see {@link sealAsRead}), taken on first use. */
const digests = new WeakMap<object, string>();

/**
 * Marks documents read from a file as never changed afterwards (the tools build new objects and
 * never edit what they read), so that their digests may be remembered; with `texts`, the text of
 * each (read from a file, or written once by synth: the same text always stands for the same JSON).
 */
export function sealAsRead(docs: readonly unknown[], texts?: readonly string[]): void {
  docs.forEach((d, i) => {
    if (d === null || typeof d !== 'object') return;
    if (!digests.has(d)) digests.set(d, ''); // a document read again keeps its digest
    if (texts !== undefined && texts.length === docs.length) sourceTexts.set(d, texts[i]);
  });
}

/**
 * The text each read document was read from, when its reader tells it (./yaml-writer-format-reader.ts):
 * the same text always reads as the same document, so two documents of equal texts are equal
 * without a walk or a digest. Measured reason: the stage diff of `plan` digested every object of
 * both stages (a tenth of a 300-service plan); a slice of the file's text costs nothing to keep.
 */
const sourceTexts = new WeakMap<object, string>();

/**
 * A digest of a read document's JSON text (SHA-256), taken once: two documents have the same
 * digest exactly when `JSON.stringify` writes them alike. Undefined for any other value, whose
 * content may still change. Measured reason: a large release's stage diffs and schema validation
 * wrote every object out once per comparison; now each is written once, and no JSON text is kept.
 */
export function readDigest(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const known = digests.get(value);
  if (known === undefined) return undefined;
  if (known !== '') return known;
  const digest = createHash('sha256').update(JSON.stringify(value)).digest('base64');
  digests.set(value, digest);
  return digest;
}

/** The text a sealed document was read from or written as ({@link sealAsRead}), if it was given. */
export function sourceText(value: unknown): string | undefined {
  return value !== null && typeof value === 'object' ? sourceTexts.get(value) : undefined;
}

/** Whether two values have the same JSON text: by digest for read documents, by {@link jsonEqual} otherwise. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    const ta = sourceTexts.get(a);
    const tb = ta === undefined ? undefined : sourceTexts.get(b);
    // Different texts of the writer's form are nearly always different objects:
    // a walk stops at the first difference, a digest writes both.
    if (tb !== undefined) return ta === tb || jsonEqual(a, b);
  }
  const da = readDigest(a);
  const db = da === undefined ? undefined : readDigest(b);
  return db !== undefined ? da === db : jsonEqual(a, b);
}
