/**
 * The mesh analyzer moved to ./analyzer/ (one file per rule group, one catalogue of codes); this
 * module re-exports it for importers of the old path.
 */
export { analyzeMesh, formatFinding, CATALOGUE, RULE_GROUPS } from './analyzer';
export type { AnalyzeOptions, AnalyzerMeshConfig, CatalogueEntry, Finding, Level } from './analyzer';
