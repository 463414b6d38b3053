// Entry point of `cdk8s synth` (see cdk8s.yaml): one chart, and one file, per release stage,
// plus RELEASE.md. The charts live in lib/ so tests build them without writing dist/.
import { App } from 'cdk8s';
import { buildVotingRelease, ReleaseConfigError, schemaSources, synthRelease } from './lib';

try {
  const app = new App();
  synthRelease(app, buildVotingRelease(app), { schemas: schemaSources(), cacheDir: '.build/schema-cache' });
} catch (err) {
  // Bad release data or an invalid object: readable lines, no stack trace.
  const validation = err instanceof Error && err.message.startsWith('Validation failed');
  if (!(err instanceof ReleaseConfigError) && !validation) throw err;
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
