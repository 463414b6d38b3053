// Entry point of this example's `cdk8s synth`: one file per stage and flavour, plus RELEASE.md.
import { runSynth } from 'voting-mesh';
import { buildShop } from './app';

runSynth(buildShop);
