import { isObject, joinPath } from '../json-path';
import type { CelValidationRule } from './cel';
import { CelRuleEvaluator } from './cel';
import { formatViolation } from './formats';
import {
  blocking,
  describe,
  hasRules,
  isBlocking,
  prunedNull,
  typeMatches,
  withDefaults,
} from './api-server-semantics';
import { BoundsChecker } from './keyword-bounds';
/**
 * A strict validator for the subset of JSON Schema / OpenAPI that Kubernetes definitions and
 * CRD structural schemas use: `$ref`, `type`, `properties`, `required`, `additionalProperties`,
 * `items`, `enum`, `oneOf`/`anyOf`/`allOf`/`not`, bounds, lengths, `pattern`, and the
 * `x-kubernetes-int-or-string` / `x-kubernetes-preserve-unknown-fields` extensions, `format`
 * (./formats.ts) and CEL rules (`x-kubernetes-validations`, ./cel.ts).
 *
 * Strict like `kubeconform -strict` and the API server's strict field validation: a field that
 * the schema does not declare is an error, not silently dropped.
 *
 * Why a walker rather than ajv: the Kubernetes definitions are one graph of ~600 schemas, and a
 * compiled ajv validator of the kinds the stages use costs far more to compile than the whole
 * walk of every stage; the walker also gives the API server's paths and messages directly.
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
  readonly 'x-kubernetes-validations'?: readonly CelValidationRule[];
  readonly default?: unknown;
}

/** One schema violation, at a JSON path such as `spec.template.spec.containers[0].image`. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

export class SchemaValidator {
  /** Checks bounds, lengths, item counts and patterns; holds this validator's compiled patterns. */
  private readonly bounds = new BoundsChecker();
  /** Evaluates the CEL rules; shared so that each rule is parsed once. */
  public readonly cel = new CelRuleEvaluator();
  /** {@link resolve}, bound: for the helpers that resolve a field's schema. */
  private readonly resolveRef = (s: JsonSchema): JsonSchema => this.resolve(s);

  /** @param definitions `$ref` targets, keyed by the text after `#/definitions/`. */
  constructor(private readonly definitions: Readonly<Record<string, JsonSchema>> = {}) {}

  /**
   * @param root for a custom resource's root schema: `apiVersion`, `kind` and `metadata`, which
   *   the API server adds to the `self` of root-level CEL rules.
   */
  public validate(value: unknown, schema: JsonSchema, path = '', root?: Record<string, unknown>): SchemaViolation[] {
    const out: SchemaViolation[] = [];
    this.check(value, schema, path, out, root);
    return out;
  }

  /**
   * {@link validate} for a whole object, with the API server's rule for CEL after type errors
   * (hasBlockingErr, apiextensions-apiserver/pkg/registry/customresource/strategy.go): when a
   * value has the wrong type or is not one of its enum, no CEL rule is reported, only that they
   * were not checked (if the schema has any).
   */
  public validateObject(
    value: unknown,
    schema: JsonSchema,
    path = '',
    root?: Record<string, unknown>,
  ): SchemaViolation[] {
    const out = this.validate(value, schema, path, root);
    if (!out.some((v) => isBlocking(v))) return out;
    return [
      ...out.filter((v) => !('rule' in v)),
      ...(hasRules(schema)
        ? [
            {
              path: '(root)',
              message:
                'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
            },
          ]
        : []),
    ];
  }

  private resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    while (s.$ref) {
      const name = s.$ref.replace(/^#\/definitions\//, '');
      const target = Object.hasOwn(this.definitions, name) ? this.definitions[name] : undefined;
      if (!target) throw new Error(`schema reference ${s.$ref} is not defined`);
      s = target;
    }
    return s;
  }

  /**
   * Whether `value` satisfies a branch of `allOf`/`anyOf`/`oneOf`/`not`. A branch is value
   * validation only: in a structural schema the fields an object may have are those of the
   * structural part, so a branch that lists some `properties` does not make the others unknown
   * (apiextensions-apiserver structural schemas; e.g. Gateway API's `addresses` items, whose second
   * `oneOf` form names only `type`).
   */
  private branchHolds(value: unknown, branch: JsonSchema, path: string): boolean {
    const out: SchemaViolation[] = [];
    this.check(value, branch, path, out, undefined, false);
    return out.length === 0;
  }

  /** Walks one value against one schema node (keywords, branches, items, fields), then its CEL rules. */
  private check(
    value: unknown,
    raw: JsonSchema,
    path: string,
    out: SchemaViolation[],
    root?: Record<string, unknown>,
    structural = true,
  ): void {
    const schema = this.resolve(raw);
    // The API server applies the schema's defaults before it validates (defaulting precedes
    // validation in the CRD handler), so a branch or CEL rule sees a defaulted field as set.
    if (structural) value = withDefaults(value, schema.properties, this.resolveRef);
    const at = path || '(root)';
    const before = out.length;
    if (value === null) {
      if (!schema.nullable) out.push({ path: at, message: 'null is not allowed' });
      return;
    }
    if (schema['x-kubernetes-int-or-string']) {
      this.checkIntOrString(value, schema, path, out, root);
      return;
    }
    if (schema.type !== undefined && !typeMatches(schema.type, value)) {
      out.push(blocking({ path: at, message: `expected ${schema.type}, got ${describe(value)}` }));
      return;
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) {
      out.push(
        blocking({
          path: at,
          message: `${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
        }),
      );
    }
    this.bounds.check(value, schema, at, out);
    const badFormat = schema.format !== undefined ? formatViolation(schema.format, value) : undefined;
    if (badFormat) out.push({ path: at, message: badFormat });
    this.checkBranches(value, schema, path, out);
    if (Array.isArray(value) && schema.items) {
      value.forEach((item, i) => this.check(item, schema.items!, `${path}[${i}]`, out, undefined, structural));
    }
    if (isObject(value)) this.checkObject(value, schema, path, out, structural);
    // Not on a value whose own subtree has the wrong types: the rule would only fail to evaluate,
    // and validateObject reports that rules were skipped instead (as the API server does).
    if (out.length === before || !out.slice(before).some((v) => isBlocking(v)))
      this.checkRules(value, schema, path, out, root);
  }

  /** An int-or-string value is an integer in the int32 range or a string; only then are its CEL rules checked. */
  private checkIntOrString(
    value: unknown,
    schema: JsonSchema,
    path: string,
    out: SchemaViolation[],
    root?: Record<string, unknown>,
  ): void {
    const at = path || '(root)';
    if (!(typeof value === 'string' || Number.isInteger(value)))
      out.push(blocking({ path: at, message: `expected an integer or a string, got ${describe(value)}` }));
    else if (typeof value === 'number' && (value < -2147483648 || value > 2147483647))
      out.push({
        path: at,
        message: `${value} is out of the int32 range (-2147483648 to 2147483647) of an int-or-string: the API server rejects it`,
      });
    else this.checkRules(value, schema, path, out, root);
  }

  /** The value's `allOf`, `anyOf`, `oneOf` and `not` branches, in that order. */
  private checkBranches(value: unknown, schema: JsonSchema, path: string, out: SchemaViolation[]): void {
    const at = path || '(root)';
    for (const sub of schema.allOf ?? []) this.check(value, sub, path, out, undefined, false);
    if (schema.anyOf && !schema.anyOf.some((s) => this.branchHolds(value, s, path))) {
      out.push({ path: at, message: 'matches none of the allowed forms (anyOf)' });
    }
    if (schema.oneOf) {
      const passing = schema.oneOf.filter((s) => this.branchHolds(value, s, path)).length;
      if (passing !== 1)
        out.push({
          path: at,
          message:
            passing === 0 ? 'matches none of the allowed forms (oneOf)' : 'sets fields that exclude each other (oneOf)',
        });
    }
    if (schema.not && this.branchHolds(value, schema.not, path)) {
      out.push({ path: at, message: 'matches a form that is not allowed (not)' });
    }
  }

  /** Evaluates the node's CEL rules, if it has any. */
  private checkRules(
    value: unknown,
    schema: JsonSchema,
    path: string,
    out: SchemaViolation[],
    root?: Record<string, unknown>,
  ): void {
    const rules = schema['x-kubernetes-validations'];
    if (rules && rules.length > 0) this.cel.check(value, schema, rules, path, out, root);
  }

  private checkObject(
    value: Record<string, unknown>,
    schema: JsonSchema,
    path: string,
    out: SchemaViolation[],
    structural: boolean,
  ): void {
    const props = schema.properties;
    const extra = schema.additionalProperties;
    for (const key of schema.required ?? []) {
      const own = Object.hasOwn(value, key) ? value[key] : undefined;
      if (
        own === undefined ||
        prunedNull(own, props && Object.hasOwn(props, key) ? props[key] : undefined, this.resolveRef)
      )
        out.push({ path: joinPath(path, key), message: 'required field is missing' });
    }
    for (const [key, v] of Object.entries(value)) {
      // Own properties only: an input key such as `constructor` or `toString` must not find Object's members.
      const declared = props && Object.hasOwn(props, key) ? props[key] : undefined;
      if (
        v === undefined ||
        prunedNull(v, declared ?? (typeof extra === 'object' ? extra : undefined), this.resolveRef)
      )
        continue;
      if (declared) {
        this.check(v, declared, joinPath(path, key), out, undefined, structural);
      } else if (typeof extra === 'object') {
        this.check(v, extra, joinPath(path, key), out, undefined, structural);
      } else if (
        !structural ||
        extra === true ||
        schema['x-kubernetes-preserve-unknown-fields'] ||
        (!props && extra === undefined && schema.type !== 'object')
      ) {
        // free-form
      } else if (props || extra === false || schema.type === 'object') {
        out.push({ path: joinPath(path, key), message: `unknown field '${key}'` });
      }
    }
  }
}
