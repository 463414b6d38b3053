// Entry point of `cdk8s synth` (see cdk8s.yaml): one chart, and one file, per release stage.
// The charts live in lib/ so tests build them without writing dist/.
import { App } from 'cdk8s';
import { buildVotingRelease, ReleaseConfigError } from './lib';

try {
  const app = new App();
  buildVotingRelease(app);
  app.synth();
} catch (err) {
  if (!(err instanceof ReleaseConfigError)) throw err;
  // Bad release data: one readable line, no stack trace.
  console.error(`error: ${err.message}`);
  process.exit(1);
}
