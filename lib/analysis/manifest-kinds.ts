/**
 * Typed readers for the parts of manifests the analysis tools read. The objects come from user
 * YAML (or a synth), so nothing about their shape is taken on trust: each reader checks what it
 * returns and yields `undefined` (or an empty list or map) for a missing or malformed part, as the
 * tools did before; schema validation is what reports malformed objects.
 */
import type { Manifest } from './manifest';

/** A JSON object as parsed from YAML: fields of unknown type. */
export type JsonObject = { readonly [field: string]: unknown };

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` under `v` (`undefined` as soon as a step is not an object). */
export function at(v: unknown, ...path: readonly string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The object at `path` under `v`, if it is one. */
export function objectAt(v: unknown, ...path: readonly string[]): JsonObject | undefined {
  const x = at(v, ...path);
  return isObject(x) ? x : undefined;
}

/** The list at `path` under `v` (empty when absent or not a list). */
export function listAt(v: unknown, ...path: readonly string[]): readonly unknown[] {
  const x = at(v, ...path);
  return Array.isArray(x) ? x : [];
}

/** The objects of the list at `path` under `v` (entries that are not objects are skipped). */
export function objectsAt(v: unknown, ...path: readonly string[]): readonly JsonObject[] {
  return listAt(v, ...path).filter(isObject);
}

/** The string at `path` under `v`, if it is one. */
export function stringAt(v: unknown, ...path: readonly string[]): string | undefined {
  const x = at(v, ...path);
  return typeof x === 'string' ? x : undefined;
}

/** The number at `path` under `v`, if it is one. */
export function numberAt(v: unknown, ...path: readonly string[]): number | undefined {
  const x = at(v, ...path);
  return typeof x === 'number' ? x : undefined;
}

/**
 * A label or annotation map (`metadata.labels`, `matchLabels`): the object at `path`, or `{}`.
 * Values are not filtered: a non-string value simply never equals a wanted string.
 */
export function stringMapAt(v: unknown, ...path: readonly string[]): Readonly<Record<string, string>> {
  return (objectAt(v, ...path) ?? {}) as Readonly<Record<string, string>>;
}

/** A manifest's `spec` (`{}` when absent or not an object). */
export function specOf(m: Manifest): JsonObject {
  return isObject(m.spec) ? m.spec : {};
}

/** A Kubernetes LabelSelector, as far as {@link labelSelectorOf} checked it. */
export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, unknown>>;
  readonly matchExpressions: readonly JsonObject[];
}

/** A LabelSelector read from `v` (`undefined` when `v` is absent, null, or another falsy value). */
export function labelSelectorOf(v: unknown): LabelSelector | undefined {
  if (!v) return undefined;
  return {
    matchLabels: objectAt(v, 'matchLabels') ?? {},
    matchExpressions: listAt(v, 'matchExpressions') as JsonObject[],
  };
}

/** A pod template: its metadata (labels, annotations) and pod spec, each an object or absent. */
export interface PodTemplateView {
  readonly metadata?: JsonObject;
  readonly spec?: JsonObject;
}

/** The pod template of a workload (a CronJob's is inside its job template; a Pod is its own). */
export function podTemplateOf(workload: Manifest): PodTemplateView | undefined {
  if (workload.kind === 'Pod')
    return { metadata: workload.metadata, spec: isObject(workload.spec) ? workload.spec : undefined };
  const template =
    workload.kind === 'CronJob'
      ? objectAt(workload.spec, 'jobTemplate', 'spec', 'template')
      : objectAt(workload.spec, 'template');
  if (!template) return undefined;
  return { metadata: objectAt(template, 'metadata'), spec: objectAt(template, 'spec') };
}

/** The containers of a pod spec (`containers`, or `initContainers` with `which`), objects only. */
export function containersOf(
  podSpec: unknown,
  which: 'containers' | 'initContainers' = 'containers',
): readonly JsonObject[] {
  return objectsAt(podSpec, which);
}
