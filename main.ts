// Entry point of `cdk8s synth` (see cdk8s.yaml): one chart, and one file, per voting release
// stage, plus RELEASE.md. The charts live in lib/ so tests build them without writing dist/.
import { buildVotingRelease, runSynth } from './lib';

runSynth(buildVotingRelease);
