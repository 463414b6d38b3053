// Entry point of `cdk8s synth` (see cdk8s.yaml): one chart, and one file, per release stage.
// The charts live in lib/ so tests build them without writing dist/.
import { App } from 'cdk8s';
import { buildVotingRelease, checkRelease, ReleaseConfigError, schemaSources } from './lib';

try {
  const app = new App();
  const stages = buildVotingRelease(app);
  const { errors, warnings } = checkRelease(stages, { schemas: schemaSources(), cacheDir: '.build/schema-cache' });
  warnings.forEach((w) => console.error(`warning: ${w}`));
  if (errors.length > 0) throw new ReleaseConfigError({ field: 'manifests' }, `${errors.length} object(s) fail schema validation:\n  ${errors.join('\n  ')}\n`, 'Fix the construct that emits them.');
  app.synth();
} catch (err) {
  // Bad release data or an invalid object: readable lines, no stack trace.
  const validation = err instanceof Error && err.message.startsWith('Validation failed');
  if (!(err instanceof ReleaseConfigError) && !validation) throw err;
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
