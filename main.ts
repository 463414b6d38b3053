// Entry point of this repo's cdk8s app (cdk8s.yaml's app; `npm run synth` builds and runs it):
// one chart, and one file, per stage of the voting release and flavour (Istio APIs with sidecars in dist/,
// Gateway API with ambient mode in dist/gateway-api-ambient/), plus a RELEASE.md per flavour. The release data
// lives in voting/, which uses the library only through the package entry point, as any app does.
import { runSynth } from 'voting-mesh';
import { buildVotingRelease } from './voting';

runSynth(buildVotingRelease);
