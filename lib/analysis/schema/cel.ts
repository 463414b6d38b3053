import type { CelEnv } from '@bufbuild/cel';
import { isObject, joinPath } from '../json-path';
import { fastPathFor } from './cel-fast-paths';
import { kubernetesCelFunctions, re2Engine } from './cel-k8s-library';
import type { JsonSchema, SchemaViolation } from './schema-validator';

/**
 * CEL validation rules (`x-kubernetes-validations`) evaluated as the API server does on create,
 * after k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go:
 * - a rule runs on each non-null value of the schema node that carries it, with `self` bound to
 *   that value typed by the schema (integers as CEL `int`, numbers as `double`, objects with
 *   properties as objects whose field names are escaped, maps, lists);
 * - a transition rule (one that reads `oldSelf`) is skipped on create: there is no old object
 *   (also one marked `optionalOldSelf`, which the API server would run with `oldSelf` none; the
 *   pinned CRDs have none);
 * - false gives `message` (trimmed), else the value of `messageExpression`, else `failed rule: <rule>`,
 *   at the node's path plus the rule's `fieldPath`; an evaluation error gives
 *   `<error> evaluating rule: <message or rule>`.
 * Defaults of the schema are applied to the view a rule sees, as the API server defaults before
 * validating. Cost budgets are not modelled: the pinned rules are far below them.
 *
 * Speed: loading @bufbuild/cel costs ~25 ms (it builds protobuf descriptors at load), more than
 * validating every stage. So it is loaded on the first rule that needs it, and the rules that
 * the bundled CRDs use most have a native twin (./cel-fast-paths.ts, each proved equal to
 * @bufbuild/cel by a test) that answers for ordinary values and defers to CEL otherwise.
 */

/** One entry of `x-kubernetes-validations`. */
export interface CelValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
  readonly optionalOldSelf?: boolean;
}

/** A violation of a CEL rule: also names the rule. */
export interface CelViolation extends SchemaViolation {
  /** The CEL expression that failed. */
  readonly rule: string;
}

type Program = (ctx: Record<string, unknown>) => unknown;

/** How many rule evaluations ran, and how many were skipped as transition rules. */
export interface CelCounts {
  /** Rule evaluations, by either engine. */
  evaluated: number;
  /** Of those, how many a native twin answered (the rest ran in @bufbuild/cel). */
  fastPath: number;
  /** Transition rules (`oldSelf`) not run: on create there is no old object. */
  skippedTransition: number;
}

type CelModule = typeof import('@bufbuild/cel');

export class CelRuleEvaluator {
  private cel?: { module: CelModule; env: CelEnv };
  private readonly programs = new Map<string, Program | Error>();
  public readonly counts: CelCounts = { evaluated: 0, fastPath: 0, skippedTransition: 0 };

  /** @param fastPaths answer the common rules natively where their twin can (false: every rule runs in @bufbuild/cel). */
  constructor(private readonly fastPaths = true) {}

  /** Evaluates the rules of `schema` on `value` (found at `path`), adding a violation per failing rule. */
  public check(
    value: unknown,
    schema: JsonSchema,
    rules: readonly CelValidationRule[],
    path: string,
    out: SchemaViolation[],
    root?: Record<string, unknown>,
  ): void {
    if (value === null || value === undefined) return;
    let self: unknown;
    for (const r of rules) {
      if (usesOldSelf(r.rule)) {
        this.counts.skippedTransition++;
        continue;
      }
      this.counts.evaluated++;
      // A twin reads the JSON value; not where defaults or root fields would change what `self` holds.
      const fast = !this.fastPaths || root || hasDefaults(schema) ? undefined : fastPathFor(r.rule)?.(value);
      if (fast !== undefined) {
        this.counts.fastPath++;
        if (fast) continue;
      }
      self ??= root
        ? new Map([
            ...(toCel(value, schema) as Map<string, unknown>),
            ...Object.entries(root).map(([k, v]) => [k, toCel(v, {})] as const),
          ])
        : toCel(value, schema);
      const program = fast === undefined ? this.program(r.rule) : undefined;
      const result = fast ?? (program instanceof Error ? program : program!({ self }));
      const at = path || '(root)';
      const explain = (r.message ?? '').trim() || r.rule.trim();
      if (result instanceof Error || (typeof result !== 'boolean' && this.engine().module.isCelError(result))) {
        out.push({
          path: at,
          message: `${errorText(result)} evaluating rule: ${explain}`,
          rule: r.rule,
        } as CelViolation);
      } else if (result !== true) {
        out.push({
          path: withFieldPath(at, r.fieldPath),
          message: this.message(r, self),
          rule: r.rule,
        } as CelViolation);
      }
    }
  }

  private message(r: CelValidationRule, self: unknown): string {
    if (r.message?.trim()) return r.message.trim();
    if (r.messageExpression) {
      const program = this.program(r.messageExpression);
      const text = program instanceof Error ? undefined : program({ self });
      if (typeof text === 'string' && text.trim() !== '' && !text.includes('\n')) return text.trim();
    }
    return `failed rule: ${r.rule.trim()}`;
  }

  /** @bufbuild/cel and the environment of the Kubernetes functions, loaded on first use. */
  private engine(): { module: CelModule; env: CelEnv } {
    if (!this.cel) {
      const cel = loadAtRunTime<CelModule>('@bufbuild/cel');
      const funcs = kubernetesCelFunctions(cel, loadAtRunTime<typeof import('@bufbuild/cel/ext')>('@bufbuild/cel/ext'));
      this.cel = {
        module: cel,
        env: cel.celEnv({ funcs, re2: re2Engine(loadAtRunTime<typeof import('re2js')>('re2js')) }),
      };
    }
    return this.cel;
  }

  /** Parses and plans an expression once; a rule that does not parse is reported where it runs. */
  private program(expr: string): Program | Error {
    let p = this.programs.get(expr);
    if (!p) {
      try {
        const { module, env } = this.engine();
        p = module.plan(env, module.parse(expr)) as Program;
      } catch (e) {
        p = new Error(`rule compile error: ${(e as Error).message}`);
      }
      this.programs.set(expr, p);
    }
    return p;
  }
}

/**
 * `require` that bundlers leave alone: an app bundle (scripts/build.cjs inlines dependencies) would
 * otherwise carry 600 KB of CEL and protobuf code that Node.js parses at every start (~18 ms)
 * even when no rule needs it. The package resolves from node_modules, where it is installed as
 * a dependency of voting-mesh.
 */
function loadAtRunTime<T>(id: string): T {
  return module.require(id) as T;
}

const withDefaults = new WeakMap<JsonSchema, boolean>();

/** Whether any property of the node declares a default (the API server fills it in before CEL runs). */
function hasDefaults(schema: JsonSchema): boolean {
  let d = withDefaults.get(schema);
  if (d === undefined)
    withDefaults.set(schema, (d = Object.values(schema.properties ?? {}).some((p) => p.default !== undefined)));
  return d;
}

function usesOldSelf(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

/** The error as cel-go words the common ones (a missing field of a map is "no such key" there). */
function errorText(e: unknown): string {
  const text = (e as { message?: string }).message ?? String(e);
  return text.replace(/^field not found: /, 'no such key: ');
}

/** `spec.ports` + `.name` or `['a.b']` (a rule's fieldPath, a JSON path relative to the node). */
function withFieldPath(path: string, fieldPath: string | undefined): string {
  if (!fieldPath) return path;
  let out = path === '(root)' ? '' : path;
  for (const m of fieldPath.matchAll(/\.([^.[\]]+)|\['((?:[^'\\]|\\.)*)'\]/g))
    out = joinPath(out, m[1] ?? m[2].replace(/\\(.)/g, '$1'));
  return out || '(root)';
}

const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

/** A property name as CEL sees it (k8s.io/apiserver/pkg/cel/escaping.go). */
export function escapeCelName(name: string): string {
  if (CEL_RESERVED.has(name)) return `__${name}__`;
  return name.replace(
    /__|[./-]/g,
    (m) => ({ __: '__underscores__', '.': '__dot__', '-': '__dash__', '/': '__slash__' })[m]!,
  );
}

/** The CEL value of a JSON value, typed by its schema (k8s.io/apiserver/pkg/cel/common/values.go). */
export function toCel(value: unknown, schema: JsonSchema): unknown {
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema.items ?? {}));
  if (typeof value === 'number') {
    return Number.isInteger(value) && schema.type !== 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
  }
  if (!isObject(value)) return value;
  const props = schema.properties;
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  const out = new Map<string, unknown>();
  for (const [key, v] of Object.entries(value)) {
    const field = props?.[key] ?? extra;
    // pruned before CEL runs, like the walker's prunedNull (prunenulls.go)
    if (v === undefined || (v === null && field && !field.nullable && field.default === undefined)) continue;
    if (props?.[key]) out.set(escapeCelName(key), toCel(v, props[key]));
    else out.set(props ? escapeCelName(key) : key, toCel(v, extra ?? {}));
  }
  for (const [key, p] of Object.entries(props ?? {})) {
    const def = (p as { default?: unknown }).default;
    if (def !== undefined && value[key] === undefined) out.set(escapeCelName(key), toCel(def, p));
  }
  return out;
}
