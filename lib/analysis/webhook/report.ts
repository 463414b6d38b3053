import type { SchemaViolation } from '../schema/schema-validator';

/**
 * What one webhook rule module reads and writes: the object's spec and metadata, and `report`,
 * which records one error at a field path in Istio's words (the webhook rejects the object).
 */
export interface WebhookCheck {
  readonly spec: any;
  readonly metadata: {
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations?: Record<string, string>;
    readonly labels?: Record<string, string>;
  };
  report(path: string, message: string): void;
  /** How many errors have been reported so far (a rule that depends on an earlier part passing compares it). */
  count(): number;
}

/** Runs one rule module over an object, collecting its errors as schema-style violations. */
export function runCheck(manifest: any, rules: (c: WebhookCheck) => void): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const spec = manifest?.spec && typeof manifest.spec === 'object' ? manifest.spec : {};
  rules({
    spec,
    metadata: manifest?.metadata ?? {},
    report: (path, message) => out.push({ path, message: `Istio webhook: ${message}` }),
    count: () => out.length,
  });
  return out;
}

/** The elements of a list field, or none when it is absent or not a list. */
export function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** Whether a list field is present: Istio tells `from: []` (set, empty: an error) from no `from`. */
export function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}
