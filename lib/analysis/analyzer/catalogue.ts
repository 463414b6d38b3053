/**
 * Every code the analyzer (and `validate`) reports, in one list: Istio's codes (code, name and
 * level as in Istio 1.30.3 pkg/config/analysis/msg/messages.yaml, each emitted by the Go analyzer
 * named) and the project's own VM codes, each with its message templates. docs/analyzer-codes.md
 * and `voting-mesh validate --help` are generated from it (codes-table.ts), and findings are made
 * only from its templates (define-code.ts), so none of them can name a code it does not hold.
 */
import * as ambientAndValidate from './codes-ambient-validate';
import * as istioA from './codes-istio-a';
import * as istioB from './codes-istio-b';
import * as project from './codes-project';
import type { CatalogueEntry } from './define-code';

export * from './codes-ambient-validate';
export * from './codes-istio-a';
export * from './codes-istio-b';
export * from './codes-project';
export type { CatalogueEntry, IstioEquivalent, Level, MessageTemplate, Param, ReadKind } from './define-code';

type Entries<M> = M[keyof M];
type AnyEntry =
  Entries<typeof istioA> | Entries<typeof istioB> | Entries<typeof project> | Entries<typeof ambientAndValidate>;

/** A code of the catalogue (`IST0101`, `VM0005`): the type of every finding's code. */
export type AnalyzerCode = AnyEntry['code'];

/** Every entry, by code, in code order. */
export const ENTRIES: readonly CatalogueEntry[] = [istioA, istioB, project, ambientAndValidate]
  .flatMap((m) => Object.values(m) as CatalogueEntry[])
  .sort((a, b) => a.code.localeCompare(b.code));

/** Every code, by code. */
export const CATALOGUE: ReadonlyMap<string, CatalogueEntry> = new Map(ENTRIES.map((e) => [e.code, e]));
