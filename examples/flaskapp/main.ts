// Entry point of this example's `cdk8s synth`: one file per stage in dist/, plus RELEASE.md.
import { runSynth } from 'voting-mesh';
import { buildFlaskapp } from './app';

runSynth(buildFlaskapp);
