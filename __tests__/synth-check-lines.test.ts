import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import { ReleaseConfigError, ReleaseStage, synthRelease } from 'voting-mesh';
import { votingApplication, votingStages } from '../voting';

// A failed synth reports each distinct problem once, on one line, under the stages it concerns
// ('in every stage' when it is app-level), instead of a multi-line message under the first stage.
describe('GIVEN stages whose validation fails', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = mkdtempSync(join(tmpdir(), 'voting-mesh-check-'));
  });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  function failure(problems: (stage: string) => string[]): ReleaseConfigError & { lines?: readonly string[] } {
    const app = new App({ outdir });
    const stages = votingStages
      .slice(0, 2)
      .map((stage) => new ReleaseStage(app, { application: votingApplication, stage }));
    stages.forEach((s) => s.node.addValidation({ validate: () => problems(s.stageName) }));
    try {
      synthRelease(app, stages);
    } catch (err) {
      if (err instanceof ReleaseConfigError) return err;
      throw err;
    }
    throw new Error('expected synth to fail');
  }

  test('WHEN every stage has the same finding THEN one line says "in every stage"', () => {
    const err = failure((s) => [`stage '${s}': IST0101 [Error] multi\nline finding`]);
    expect(err.lines).toEqual(['in every stage: IST0101 [Error] multi line finding']);
    expect(err.message.split('\n')).toHaveLength(1);
  });

  test('WHEN stages have different findings THEN one line each, under its stage, and the message counts the rest', () => {
    const err = failure((s) => [`stage '${s}': finding of ${s}`]);
    expect(err.lines).toEqual([
      `stage '${votingStages[0].name}': finding of ${votingStages[0].name}`,
      `stage '${votingStages[1].name}': finding of ${votingStages[1].name}`,
    ]);
    expect(err.message).toMatch(/\(and 1 more problem\(s\)\)/);
    expect(err.message.split('\n')).toHaveLength(1);
  });
});
