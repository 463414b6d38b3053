/**
 * How the API server treats a value around the schema keywords, for ./schema-validator.ts: null
 * pruning and defaulting before validation, type matching, and the type and enum errors that stop CEL.
 */
import { isObject } from '../json-path';
import type { JsonSchema, SchemaViolation } from './schema-validator';

/** Violations of type and enum (field.ErrorTypeTypeInvalid and NotSupported), which stop CEL validation. */
const BLOCKING = new WeakSet<SchemaViolation>();

/** Marks a violation as blocking (see {@link isBlocking}). */
export function blocking(v: SchemaViolation): SchemaViolation {
  BLOCKING.add(v);
  return v;
}

/** Whether a violation is a type or enum error, after which the API server runs no CEL rule. */
export function isBlocking(v: SchemaViolation): boolean {
  return BLOCKING.has(v);
}

const ruleBearing = new WeakMap<JsonSchema, boolean>();

/** Whether a schema (without $refs: a CRD's) carries any CEL rule. */
export function hasRules(schema: JsonSchema): boolean {
  let found = ruleBearing.get(schema);
  if (found === undefined) {
    found = JSON.stringify(schema).includes('"x-kubernetes-validations"');
    ruleBearing.set(schema, found);
  }
  return found;
}

/** Whether a value has the JSON type a schema `type` names (an unknown type matches anything). */
export function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

/** A value for a type error message: its kind and (up to 60 characters) its JSON. */
export function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

/** Per properties object, the fields that have a default (most have none, so the walk skips them). */
const DEFAULTED = new WeakMap<object, readonly [string, unknown, boolean][]>();

/**
 * `value` with the `default` of every absent property filled in (a copy; the value itself is not
 * changed). A null the field does not allow counts as absent: the API server prunes it, then
 * defaults (apiextensions-apiserver defaulting/prunenulls.go).
 */
export function withDefaults(
  value: unknown,
  props: Readonly<Record<string, JsonSchema>> | undefined,
  resolve: (s: JsonSchema) => JsonSchema,
): unknown {
  if (!props || !isObject(value)) return value;
  let defaulted = DEFAULTED.get(props);
  if (!defaulted) {
    defaulted = Object.entries(props)
      .map(([key, raw]) => {
        const r = resolve(raw);
        return [key, r.default, r.nullable === true] as [string, unknown, boolean];
      })
      .filter(([, d]) => d !== undefined);
    DEFAULTED.set(props, defaulted);
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, d, nullable] of defaulted) {
    if (value[key] !== undefined && !(value[key] === null && !nullable)) continue;
    copy ??= { ...value };
    copy[key] = structuredClone(d);
  }
  return copy ?? value;
}

/**
 * A null field the schema does not make nullable (and gives no default) is dropped before
 * validation, as if it were absent: PruneNonNullableNullsWithoutDefaults in
 * apiextensions-apiserver/pkg/apiserver/schema/defaulting/prunenulls.go; a built-in kind decodes
 * it as Go's zero value. A null list item stays an error.
 */
export function prunedNull(v: unknown, field: JsonSchema | undefined, resolve: (s: JsonSchema) => JsonSchema): boolean {
  if (v !== null || field === undefined) return false;
  const s = resolve(field);
  return !s.nullable && s.default === undefined;
}
