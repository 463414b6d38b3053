import { isObject, joinPath } from '../json-path';
/**
 * A strict validator for the subset of JSON Schema / OpenAPI that Kubernetes definitions and
 * CRD structural schemas use: `$ref`, `type`, `properties`, `required`, `additionalProperties`,
 * `items`, `enum`, `oneOf`/`anyOf`/`allOf`/`not`, bounds, lengths, `pattern`, and the
 * `x-kubernetes-int-or-string` / `x-kubernetes-preserve-unknown-fields` extensions.
 *
 * Strict like `kubeconform -strict` and the API server's strict field validation: a field that
 * the schema does not declare is an error, not silently dropped. CEL rules
 * (`x-kubernetes-validations`) are not evaluated.
 */

export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** One schema violation, at a JSON path such as `spec.template.spec.containers[0].image`. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

export class SchemaValidator {
  private readonly patterns = new Map<string, RegExp | null>();

  /** @param definitions `$ref` targets, keyed by the text after `#/definitions/`. */
  constructor(private readonly definitions: Readonly<Record<string, JsonSchema>> = {}) {}

  public validate(value: unknown, schema: JsonSchema, path = ''): SchemaViolation[] {
    const out: SchemaViolation[] = [];
    this.check(value, schema, path, out);
    return out;
  }

  private resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    while (s.$ref) {
      const name = s.$ref.replace(/^#\/definitions\//, '');
      const target = this.definitions[name];
      if (!target) throw new Error(`schema reference ${s.$ref} is not defined`);
      s = target;
    }
    return s;
  }

  private check(value: unknown, raw: JsonSchema, path: string, out: SchemaViolation[]): void {
    const schema = this.resolve(raw);
    const at = path || '(root)';
    if (value === null) {
      if (!schema.nullable) out.push({ path: at, message: 'null is not allowed' });
      return;
    }
    if (schema['x-kubernetes-int-or-string']) {
      if (!(typeof value === 'string' || Number.isInteger(value))) out.push({ path: at, message: `expected an integer or a string, got ${describe(value)}` });
      return;
    }
    if (schema.type !== undefined && !typeMatches(schema.type, value)) {
      out.push({ path: at, message: `expected ${schema.type}, got ${describe(value)}` });
      return;
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) {
      out.push({ path: at, message: `${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
    }
    this.checkBounds(value, schema, at, out);
    for (const sub of schema.allOf ?? []) this.check(value, sub, path, out);
    if (schema.anyOf && !schema.anyOf.some((s) => this.validate(value, s, path).length === 0)) {
      out.push({ path: at, message: 'matches none of the allowed forms (anyOf)' });
    }
    if (schema.oneOf) {
      const passing = schema.oneOf.filter((s) => this.validate(value, s, path).length === 0).length;
      if (passing !== 1) out.push({ path: at, message: passing === 0 ? 'matches none of the allowed forms (oneOf)' : 'sets fields that exclude each other (oneOf)' });
    }
    if (schema.not && this.validate(value, schema.not, path).length === 0) {
      out.push({ path: at, message: 'matches a form that is not allowed (not)' });
    }
    if (Array.isArray(value) && schema.items) {
      value.forEach((item, i) => this.check(item, schema.items!, `${path}[${i}]`, out));
    }
    if (isObject(value)) this.checkObject(value, schema, path, out);
  }

  private checkObject(value: Record<string, unknown>, schema: JsonSchema, path: string, out: SchemaViolation[]): void {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) out.push({ path: joinPath(path, key), message: 'required field is missing' });
    }
    const props = schema.properties;
    const extra = schema.additionalProperties;
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (props && props[key]) {
        this.check(v, props[key], joinPath(path, key), out);
      } else if (typeof extra === 'object') {
        this.check(v, extra, joinPath(path, key), out);
      } else if (extra === true || schema['x-kubernetes-preserve-unknown-fields'] || (!props && extra === undefined && schema.type !== 'object')) {
        // free-form
      } else if (props || extra === false || schema.type === 'object') {
        out.push({ path: joinPath(path, key), message: `unknown field '${key}'` });
      }
    }
  }

  private checkBounds(value: unknown, s: JsonSchema, at: string, out: SchemaViolation[]): void {
    if (typeof value === 'number') {
      if (s.minimum !== undefined && value < s.minimum) out.push({ path: at, message: `${value} is below the minimum ${s.minimum}` });
      if (s.maximum !== undefined && value > s.maximum) out.push({ path: at, message: `${value} is above the maximum ${s.maximum}` });
    }
    if (typeof value === 'string') {
      if (s.minLength !== undefined && value.length < s.minLength) out.push({ path: at, message: `shorter than ${s.minLength} characters` });
      if (s.maxLength !== undefined && value.length > s.maxLength) out.push({ path: at, message: `longer than ${s.maxLength} characters` });
      const re = s.pattern !== undefined ? this.pattern(s.pattern) : null;
      if (re && !re.test(value)) out.push({ path: at, message: `${JSON.stringify(value)} does not match ${s.pattern}` });
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) out.push({ path: at, message: `fewer than ${s.minItems} items` });
      if (s.maxItems !== undefined && value.length > s.maxItems) out.push({ path: at, message: `more than ${s.maxItems} items` });
    }
  }

  /** Compiles a pattern once; a pattern JavaScript cannot compile is skipped rather than guessed. */
  private pattern(source: string): RegExp | null {
    if (!this.patterns.has(source)) {
      let re: RegExp | null = null;
      try { re = new RegExp(source, 'u'); } catch { re = null; }
      this.patterns.set(source, re);
    }
    return this.patterns.get(source)!;
  }
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    default: return true;
  }
}


function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

