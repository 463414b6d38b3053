import { sameJson } from '../analysis/content-hash';
import type { Manifest } from '../analysis/manifest';
import { objectKey } from '../analysis/manifest';
import { jsonEqual } from '../analysis/json-equal';
import { isObject, joinPath } from '../analysis/json-path';

/** One field-level difference between two objects. */
export interface FieldChange {
  /** Path such as `spec.http[name=default].route[0].destination.subset`. */
  readonly path: string;
  /** Value before; undefined when the field was added. */
  readonly before?: unknown;
  /** Value after; undefined when the field was removed. */
  readonly after?: unknown;
}

/**
 * Field-level differences, in a stable order. Lists of scalars are compared as sets; lists whose
 * items all carry a unique identity field (`name`, `port`, ...) are compared by it, so inserting
 * one item does not show every later item as changed.
 */
export function diffValues(before: unknown, after: unknown, path = ''): FieldChange[] {
  return jsonEqual(before, after) ? [] : unequalChanges(before, after, path);
}

/**
 * {@link diffValues} of two values known to differ. Each member or item is compared before its
 * path is written, and only a differing one is walked further. Measured reason: writing the path
 * of every member, equal or not, and comparing every differing object again at its own level were
 * most of the diff of a 300-service plan (301 changed VirtualServices).
 */
function unequalChanges(before: unknown, after: unknown, path: string): FieldChange[] {
  const changes: FieldChange[] = [];
  const child = (b: unknown, a: unknown, at: () => string) => {
    if (!jsonEqual(b, a)) changes.push(...unequalChanges(b, a, at()));
  };
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const k of keys) child(before[k], after[k], () => joinPath(path, k));
    return changes;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if ([...before, ...after].every((x) => !isObject(x) && !Array.isArray(x))) {
      // A list of scalars (ports, hosts, principals) is compared as a set.
      const has = (list: unknown[], v: unknown) => list.some((x) => x === v);
      return [
        ...before.filter((v) => !has(after, v)).map((v) => ({ path: `${path}[]`, before: v })),
        ...after.filter((v) => !has(before, v)).map((v) => ({ path: `${path}[]`, after: v })),
      ];
    }
    for (const key of IDENTITY_KEYS) {
      const b = byKey(before, key);
      const a = byKey(after, key);
      if (b && a) {
        for (const n of [...b.keys(), ...[...a.keys()].filter((id) => !b.has(id))])
          child(b.get(n), a.get(n), () => `${path}[${key}=${n}]`);
        return changes;
      }
    }
    const length = Math.max(before.length, after.length);
    for (let i = 0; i < length; i++) child(before[i], after[i], () => `${path}[${i}]`);
    return changes;
  }
  return [{ path, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) }];
}

/** Objects added, changed (with their field changes) and removed between two stages. */
export interface StageDiff {
  readonly added: readonly Manifest[];
  readonly changed: readonly {
    readonly before: Manifest;
    readonly after: Manifest;
    readonly changes: readonly FieldChange[];
  }[];
  readonly removed: readonly Manifest[];
}

export function diffStages(from: readonly Manifest[], to: readonly Manifest[]): StageDiff {
  // Each object's key once (building it is most of a large diff's bookkeeping).
  const fromKeys = from.map(objectKey);
  const toKeys = to.map(objectKey);
  const before = new Map(from.map((m, i) => [fromKeys[i], m]));
  const after = new Set(toKeys);
  return {
    added: to.filter((_, i) => !before.has(toKeys[i])),
    changed: to.flatMap((m, i) => {
      const b = before.get(toKeys[i]);
      if (b === undefined) return [];
      // Most objects are the same on both sides: the digests of read documents settle it without a walk.
      // sameJson and jsonEqual agree (the same JSON text): a differing pair is not compared again.
      const changes = sameJson(b, m) ? [] : unequalChanges(b, m, '');
      return changes.length > 0 ? [{ before: b, after: m, changes }] : [];
    }),
    removed: from.filter((_, i) => !after.has(fromKeys[i])),
  };
}

/** One line per change: `path: before → after`, with `(added)` / `(removed)` for one-sided changes. */
export function formatChange(c: FieldChange, options: { readonly full?: boolean } = {}): string {
  const show = (v: unknown) =>
    isObject(v) || Array.isArray(v) ? (options.full ? JSON.stringify(v) : compact(v)) : JSON.stringify(v);
  if (c.before === undefined) return `${c.path}: + ${show(c.after)}`;
  if (c.after === undefined) return `${c.path}: - ${show(c.before)}`;
  return `${c.path}: ${show(c.before)} → ${show(c.after)}`;
}

function compact(v: unknown): string {
  const text = JSON.stringify(v);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** Fields that identify an item of a list (routes, subsets, containers, env, ports, mounts). */
const IDENTITY_KEYS = ['name', 'port', 'containerPort', 'mountPath', 'secretKey'];

function byKey(items: unknown[], key: string): Map<string, unknown> | undefined {
  if (
    items.length === 0 ||
    !items.every((i) => isObject(i) && (typeof i[key] === 'string' || typeof i[key] === 'number'))
  )
    return undefined;
  const map = new Map(items.map((i) => [String((i as Record<string, unknown>)[key]), i]));
  return map.size === items.length ? map : undefined;
}
