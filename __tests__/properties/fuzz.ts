// `npm run fuzz -- --runs N --seed S`: the seven properties over N generated releases at once (one
// build per release), each failure printed with its seed and path, then the apps per minute.
// Not a *.test.ts file: `npm test` runs properties.test.ts with a fixed seed instead.
import fc from 'fast-check';
import { possiblyCorruptReleaseArb } from './arbitraries';
import { PROPERTIES } from './properties';
import { build, RUN } from './support';

jest.setTimeout(24 * 3600_000);

const VALIDATE_EVERY = Number(process.env.FUZZ_VALIDATE_EVERY ?? 10);

test(`fuzz: ${RUN.runs} generated releases from seed ${RUN.seed}`, async () => {
  let apps = 0;
  const started = Date.now();
  try {
    await fc.assert(fc.asyncProperty(possiblyCorruptReleaseArb, async (r) => {
      apps++;
      const b = build(r);
      for (const [name, property] of Object.entries(PROPERTIES)) {
        // validate -f/--dist runs the CLI four times per release: on every VALIDATE_EVERY-th one.
        if (name.startsWith('validate') && apps % VALIDATE_EVERY !== 0) continue;
        try {
          await property(b);
        } catch (err) {
          throw new Error(`property '${name}': ${(err as Error).message}`);
        }
      }
    }), { seed: RUN.seed, numRuns: RUN.runs });
  } catch (err) {
    console.log(`fuzz: FAILED with --seed ${RUN.seed} after ${apps} releases\n${(err as Error).message}`);
    throw err;
  } finally {
    const minutes = (Date.now() - started) / 60000;
    console.log(`fuzz: ${apps} releases (both flavours each) in ${minutes.toFixed(1)} min, ${(apps / minutes).toFixed(0)} apps/minute, seed ${RUN.seed}`);
  }
});
