// `npm run fuzz -- --runs N --seed S`: the seven properties over N generated releases at once (one
// build per release), a failure shrunk and printed with its seed, path and minimal release (also
// written to FUZZ_COUNTEREXAMPLE, if set), then the apps generated, checked per flavour, and per minute.
// Not a *.test.ts file: `npm test` runs properties.test.ts with a fixed seed instead.
import { appendFileSync, writeFileSync } from 'fs';
import fc from 'fast-check';
import type { GeneratedRelease } from './arbitraries';
import { possiblyCorruptReleaseArb } from './arbitraries';
import { PROPERTIES } from './properties';
import { build, FLAVOURS, RUN } from './support';

jest.setTimeout(24 * 3600_000);

const VALIDATE_EVERY = Number(process.env.FUZZ_VALIDATE_EVERY ?? 10);
/** FUZZ_PROGRESS=file: a line per generated app (its number, refused or checked, the failing property) as it ends, so that a run stopped early still says how far it got; jest prints the console only at the end. */
const PROGRESS = process.env.FUZZ_PROGRESS;
/** FUZZ_SHRINK=0: report the first failing app as generated, without shrinking it (a shrink can take longer than the run). */
const SHRINK = process.env.FUZZ_SHRINK !== '0';
const progress = (line: string) => {
  if (PROGRESS) appendFileSync(PROGRESS, `${new Date().toISOString()} seed ${RUN.seed} ${line}\n`);
};

/** Counts of the generated apps (not of shrinking's attempts, which rerun the properties on smaller ones). */
const counts = { generated: 0, refused: 0, shrinkAttempts: 0 };

async function checkAll(r: GeneratedRelease, shrinking: boolean): Promise<void> {
  if (shrinking) counts.shrinkAttempts++;
  else counts.generated++;
  const b = build(r);
  if (!shrinking && b.error) counts.refused++;
  for (const [name, property] of Object.entries(PROPERTIES)) {
    // validate -f/--dist runs the CLI four times per release: on every VALIDATE_EVERY-th one
    // (shrinking stays on the failing app's count: it validates only when that app was validated).
    if (name.startsWith('validate') && counts.generated % VALIDATE_EVERY !== 0) continue;
    try {
      await property(b);
    } catch (err) {
      if (!shrinking)
        progress(
          `app ${counts.generated} FAILS '${name}': ${(err as Error).message.split('\n')[0]}\n  release: ${JSON.stringify(r)}`,
        );
      throw new Error(`property '${name}': ${(err as Error).message}`, { cause: err });
    }
  }
  if (!shrinking) progress(`app ${counts.generated} ${b.error ? 'refused' : 'checked'}`);
}

test(`fuzz: ${RUN.runs} generated releases from seed ${RUN.seed}`, async () => {
  const started = Date.now();
  // Once a generated app fails, every later call of the predicate is a shrink attempt.
  let failed = false;
  let details: fc.RunDetails<[GeneratedRelease]> | undefined;
  try {
    details = await fc.check(
      fc.asyncProperty(possiblyCorruptReleaseArb, async (r) => {
        try {
          await checkAll(r, failed);
        } catch (err) {
          failed = true;
          throw err;
        }
      }),
      { seed: RUN.seed, numRuns: RUN.runs, endOnFailure: !SHRINK },
    );
  } finally {
    const minutes = (Date.now() - started) / 60000;
    const checked = counts.generated - counts.refused;
    console.log(
      `fuzz: seed ${RUN.seed}: ${counts.generated} apps generated (${counts.refused} refused as meant, ${checked} synthesized and checked in each of ${FLAVOURS.join(' and ')}: ${checked * FLAVOURS.length} flavour runs)` +
        `${counts.shrinkAttempts > 0 ? `, ${counts.shrinkAttempts} shrink attempts` : ''} in ${minutes.toFixed(1)} min, ${(counts.generated / minutes).toFixed(0)} apps/minute${failed ? ' up to the failure' : ''}`,
    );
  }
  if (details.failed) {
    const minimal = details.counterexample?.[0];
    if (minimal && process.env.FUZZ_COUNTEREXAMPLE)
      writeFileSync(process.env.FUZZ_COUNTEREXAMPLE, `${JSON.stringify(minimal, null, 2)}\n`);
    console.log(
      `fuzz: FAILED with --seed ${RUN.seed} on generated app ${counts.generated} (path ${details.counterexamplePath})\n${(details.errorInstance as Error | undefined)?.message ?? ''}\nminimal release: ${JSON.stringify(minimal)}`,
    );
    throw new Error(fc.defaultReportMessage(details) ?? 'fuzz failed');
  }
});
