import fc from 'fast-check';
import { possiblyCorruptReleaseArb, releaseArb } from './arbitraries';
import { holds, PROPERTIES } from './properties';
import { RUN } from './support';

// The seven properties of issue 18 over generated releases, with a fixed seed (the same apps on
// every run); `npm run fuzz -- --runs N --seed S` runs them over many more.
jest.setTimeout(120_000);

describe('generated releases (fast-check, fixed seed)', () => {
  test.each(Object.keys(PROPERTIES))('GIVEN generated releases THEN %s', async (name) => {
    // Only the first property judges refusals: the others run on releases meant to be valid.
    const arb = name.startsWith('synth writes') ? possiblyCorruptReleaseArb : releaseArb;
    // validate runs the CLI four times per release: a quarter of the apps.
    const numRuns = name.startsWith('validate') ? Math.ceil(RUN.runs / 4) : RUN.runs;
    await fc.assert(
      fc.asyncProperty(arb, async (r) => {
        await holds(name, r);
      }),
      { seed: RUN.seed, numRuns },
    );
  });
});
