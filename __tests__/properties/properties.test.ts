import fc from 'fast-check';
import { possiblyCorruptReleaseArb, releaseArb } from './arbitraries';
import { holds, PROPERTIES } from './properties';
import { RUN } from './support';

// The seven properties of issue 18 over generated releases, with a fixed seed (the same apps on
// every run); `npm run fuzz -- --runs N --seed S` runs them over many more.
jest.setTimeout(RUN.fuzzing ? 6 * 3600_000 : 120_000);

describe('generated releases (fast-check, fixed seed)', () => {
  test.each(Object.keys(PROPERTIES))('GIVEN generated releases THEN %s', async (name) => {
    // Only the first property judges refusals: the others run on releases meant to be valid.
    const arb = name.startsWith('synth writes') ? possiblyCorruptReleaseArb : releaseArb;
    await fc.assert(fc.asyncProperty(arb, async (r) => { await holds(name, r); }), { seed: RUN.seed, numRuns: RUN.runs, endOnFailure: RUN.fuzzing });
  });
});
