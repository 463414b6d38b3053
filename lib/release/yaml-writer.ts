/**
 * A YAML writer for Kubernetes manifests (plain JSON data: objects, arrays, strings, numbers,
 * booleans, null), an order of magnitude faster than a general YAML library. Block style with
 * two-space indentation; a string is written plain only when it cannot be read back as anything
 * else (under YAML 1.1 or 1.2), otherwise double-quoted with JSON escapes (valid YAML).
 * `__tests__/yaml-writer.test.ts` reads every output back with a YAML parser.
 */
export function toYaml(...docs: unknown[]): string {
  const w = new YamlText();
  docs.forEach((d, i) => {
    if (i > 0) w.text += '---\n';
    w.block(d, '', false);
  });
  return w.text;
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

/**
 * The YAML text of values, appended to one string as it is written. Measured reason: building a
 * string per entry and per block and joining them (with an array of entries per object) was two
 * thirds of writing the 301 VirtualServices of a 300-service plan's switch step.
 */
class YamlText {
  public text = '';

  /** `v` as a block at `indent`, ending with a newline; `continued`: its first line follows `- ` (no indentation). */
  public block(v: unknown, indent: string, continued: boolean): void {
    const first = continued ? '' : indent;
    if (isObject(v)) {
      let wrote = false;
      for (const k of Object.keys(v)) {
        const x = v[k];
        if (x === undefined) continue;
        this.text += `${wrote ? indent : first}${scalarString(k)}:`;
        wrote = true;
        this.value(x, indent);
      }
      if (!wrote) this.text += `${first}{}\n`;
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) this.text += `${first}[]\n`;
      let wrote = false;
      v.forEach((x) => {
        this.text += `${wrote ? indent : first}-`;
        wrote = true;
        this.item(x, indent);
      });
      return;
    }
    this.text += `${first}${scalar(v)}\n`;
  }

  /** What follows `key:`: an inline scalar or empty collection, or a nested block. */
  private value(x: unknown, indent: string): void {
    if ((isObject(x) && hasDefined(x)) || (Array.isArray(x) && x.length > 0)) {
      this.text += '\n';
      this.block(x, `${indent}  `, false);
    } else this.text += ` ${inline(x)}\n`;
  }

  /** What follows `-`: the first line of the item inline, the rest indented under it. */
  private item(x: unknown, indent: string): void {
    if ((isObject(x) && hasDefined(x)) || (Array.isArray(x) && x.length > 0)) {
      this.text += ' ';
      this.block(x, `${indent}  `, true);
    } else this.text += ` ${inline(x)}\n`;
  }
}

const hasDefined = (x: Record<string, unknown>) => Object.values(x).some((y) => y !== undefined);

function inline(x: unknown): string {
  if (isObject(x)) return '{}';
  if (Array.isArray(x)) return '[]';
  return scalar(x);
}
