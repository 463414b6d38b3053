import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App } from 'cdk8s';
import { ReleaseConfigError } from './errors';
import { renderReleaseNotes } from './release-notes';
import { toYaml } from './yaml-writer';
import { formatFinding } from './analyze/mesh-analyzer';
import { StageChart } from './stage-chart';
import { missingSchemaSources, SchemaRegistry, schemaSources, SchemaSources } from './validate/schema-registry';

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
 * The synth-time checks of every stage: mesh-analyzer warnings (the same findings' errors fail
 * each chart's validation) and, when the schema files are available, strict schema validation.
 */
export function checkRelease(stages: readonly StageChart[], options: CheckReleaseOptions = {}): ReleaseCheckResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const missing = options.schemas ? missingSchemaSources(options.schemas) : [];
  const registry = options.schemas && missing.length === 0 ? SchemaRegistry.load(options.schemas, options.cacheDir) : undefined;
  if (options.schemas && !registry) warnings.push(`schema validation skipped: ${missing.join(', ')} not found (see README, "Validate")`);
  for (const stage of stages) {
    const objects = stage.manifests;
    for (const f of stage.findings) {
      if (f.severity === 'warning') warnings.push(`stage '${stage.stageName}': ${formatFinding(f)}`);
    }
    for (const v of registry?.validateAll(objects) ?? []) {
      errors.push(`stage '${stage.stageName}': schema ${v.object} ${v.path}: ${v.message}`);
    }
  }
  return { errors, warnings };
}

/**
 * Synthesizes a release the way `npm run synth` does: construct validation (the mesh analyzer)
 * and synth-time checks (warnings to stderr, errors thrown before anything is written), one
 * file per stage (`<stage>.k8s.yaml`, each object rendered once), then `RELEASE.md` beside them.
 */
export function synthRelease(app: App, stages: readonly StageChart[], options: CheckReleaseOptions = {}): void {
  const { errors, warnings } = checkRelease(stages, options);
  warnings.forEach((w) => console.error(`warning: ${w}`));
  if (errors.length > 0) {
    throw new ReleaseConfigError({ field: 'manifests' }, `${errors.length} object(s) fail schema validation:\n  ${errors.join('\n  ')}\n`, 'Fix the construct that emits them.');
  }
  // What `app.synth()` does, once: cdk8s re-validates the whole app for every chart it writes.
  const invalid = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (invalid.length > 0) throw new Error(`Validation failed with the following errors:\n  ${invalid.join('\n  ')}`);
  mkdirSync(app.outdir, { recursive: true });
  for (const stage of stages) writeFileSync(join(app.outdir, `${stage.stageName}${app.outputFileExtension}`), toYaml(...stage.manifests));
  // The reviewer's picture of the release, next to the manifests it is drawn from.
  const notes = renderReleaseNotes(stages.map((s) => ({ name: s.stageName, description: s.description, manifests: s.manifests })));
  writeFileSync(join(app.outdir, 'RELEASE.md'), notes);
}

/**
 * The body of a cdk8s app's main.ts: builds the stages into a new App and synthesizes them
 * (see {@link synthRelease}); bad release data or an invalid object prints one readable error
 * on stderr and exits with code 1, so `npm run synth` leaves the previous output untouched.
 */
export function runSynth(build: (app: App) => readonly StageChart[]): void {
  try {
    const app = new App();
    synthRelease(app, build(app), { schemas: schemaSources(), cacheDir: '.build/schema-cache' });
  } catch (err) {
    const validation = err instanceof Error && err.message.startsWith('Validation failed');
    if (!(err instanceof ReleaseConfigError) && !validation) throw err;
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
