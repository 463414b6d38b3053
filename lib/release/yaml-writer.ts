/**
 * A YAML writer for Kubernetes manifests (plain JSON data: objects, arrays, strings, numbers,
 * booleans, null), an order of magnitude faster than a general YAML library. Block style with
 * two-space indentation; a string is written plain only when it cannot be read back as anything
 * else (under YAML 1.1 or 1.2), otherwise double-quoted with JSON escapes (valid YAML).
 * `__tests__/yaml-writer.test.ts` reads every output back with a YAML parser.
 */
export function toYaml(...docs: unknown[]): string {
  return docs.map((d) => block(d, '')).join('---\n');
}

const PLAIN = /^[A-Za-z/][A-Za-z0-9_./:=+@-]*$/;
const AMBIGUOUS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);
/** Kubernetes quantities and durations (`500m`, `1Gi`, `30s`): never numbers in either YAML version. */
const QUANTITY = /^[0-9]+(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E|s|ms|h)$/;

/** A string as a YAML scalar: plain when unambiguous, double-quoted otherwise. */
export function scalarString(s: string): string {
  return (PLAIN.test(s) && !s.endsWith(':') && !AMBIGUOUS.has(s.toLowerCase())) || QUANTITY.test(s)
    ? s
    : JSON.stringify(s);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return scalarString(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot write ${v} as YAML`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new Error(`cannot write a ${typeof v} as YAML`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `v` as a block at `indent`, ending with a newline. */
function block(v: unknown, indent: string): string {
  if (isObject(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return `${indent}{}\n`;
    return entries.map(([k, x]) => `${indent}${scalarString(k)}:${value(x, indent)}`).join('');
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}[]\n`;
    return v.map((x) => `${indent}-${item(x, indent)}`).join('');
  }
  return `${indent}${scalar(v)}\n`;
}

/** What follows `key:`: an inline scalar or empty collection, or a nested block. */
function value(x: unknown, indent: string): string {
  if (isObject(x) && Object.values(x).some((y) => y !== undefined)) return `\n${block(x, `${indent}  `)}`;
  if (Array.isArray(x) && x.length > 0) return `\n${block(x, `${indent}  `)}`;
  return ` ${inline(x)}\n`;
}

/** What follows `-`: the first line of the item inline, the rest indented under it. */
function item(x: unknown, indent: string): string {
  const inner = `${indent}  `;
  if ((isObject(x) && Object.values(x).some((y) => y !== undefined)) || (Array.isArray(x) && x.length > 0)) {
    return ` ${block(x, inner).slice(inner.length)}`;
  }
  return ` ${inline(x)}\n`;
}

function inline(x: unknown): string {
  if (isObject(x)) return '{}';
  if (Array.isArray(x)) return '[]';
  return scalar(x);
}
