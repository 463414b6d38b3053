import { analyzeMesh, formatFinding } from './analyze/mesh-analyzer';
import { analyzeOptions, ReleaseStage } from './release-stage';
import { missingSchemaSources, SchemaRegistry, SchemaSources } from './validate/schema-registry';

/** What the synth-time checks found across a release. */
export interface ReleaseCheckResult {
  /** Problems that must stop synth. */
  readonly errors: readonly string[];
  /** Problems worth printing that do not stop synth. */
  readonly warnings: readonly string[];
}

/** Options of {@link checkRelease}. */
export interface CheckReleaseOptions {
  /** Schema files for strict validation. @default - no schema validation */
  readonly schemas?: SchemaSources;
  /** Directory for the parsed-CRD cache. @default - no cache */
  readonly cacheDir?: string;
}

/**
 * The synth-time checks of every stage: mesh-analyzer warnings (its errors already fail each
 * chart's validation) and, when the schema files are available, strict schema validation.
 */
export function checkRelease(stages: readonly ReleaseStage[], options: CheckReleaseOptions = {}): ReleaseCheckResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const missing = options.schemas ? missingSchemaSources(options.schemas) : [];
  const registry = options.schemas && missing.length === 0 ? SchemaRegistry.load(options.schemas, options.cacheDir) : undefined;
  if (options.schemas && !registry) warnings.push(`schema validation skipped: ${missing.join(', ')} not found (see README, "Validate")`);
  for (const stage of stages) {
    const objects = stage.toJson();
    for (const f of analyzeMesh(objects, analyzeOptions(stage.resolved.app))) {
      if (f.severity === 'warning') warnings.push(`stage '${stage.stageName}': ${formatFinding(f)}`);
    }
    for (const v of registry?.validateAll(objects) ?? []) {
      errors.push(`stage '${stage.stageName}': schema ${v.object} ${v.path}: ${v.message}`);
    }
  }
  return { errors, warnings };
}
