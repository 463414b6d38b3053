import { createHash } from 'crypto';
import { jsonEqual } from './json-equal';

/** Digests of the documents read from files (see {@link sealAsRead}), taken on first use. */
const digests = new WeakMap<object, string>();

/**
 * Marks documents read from a file as never changed afterwards (the tools build new objects and
 * never edit what they read), so that their digests may be remembered.
 */
export function sealAsRead(docs: readonly unknown[]): void {
  for (const d of docs) if (d !== null && typeof d === 'object') digests.set(d, '');
}

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

/** Whether two values have the same JSON text: by digest for read documents, by {@link jsonEqual} otherwise. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const da = readDigest(a);
  const db = da === undefined ? undefined : readDigest(b);
  return db !== undefined ? da === db : jsonEqual(a, b);
}
