import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App } from 'cdk8s';
import type { StageSpec } from 'voting-mesh';
import { ReleaseConfigError, ReleaseStage, StageChart, synthRelease } from 'voting-mesh';
import { votingApplication, votingStages } from '../voting';

// A release given as a generator is built one stage at a time: each stage is built when synth
// reaches it and leaves the app once it is checked and written, so a large release holds two
// stages at once; the files are the same as when the stages are given as an array.
describe('GIVEN the voting stages given to synthRelease as a generator', () => {
  const dirs: string[] = [];
  const outdir = () => {
    const d = mkdtempSync(join(tmpdir(), 'voting-mesh-streamed-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const files = (dir: string) =>
    Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')] as const));
  const stageCharts = (app: App) => app.node.children.filter((c) => c instanceof StageChart).length;

  function* streamed(app: App, stages: readonly StageSpec[], alive: number[]): Generator<StageChart> {
    for (const stage of stages) {
      alive.push(stageCharts(app));
      yield new ReleaseStage(app, { application: votingApplication, stage });
    }
  }

  test('WHEN synthesized THEN the files are byte-identical to the array form, one stage in the app at a time, and none left in it', () => {
    const arrayDir = outdir();
    const eager = new App({ outdir: arrayDir });
    synthRelease(
      eager,
      votingStages.map((stage) => new ReleaseStage(eager, { application: votingApplication, stage })),
      { quiet: true },
    );
    const streamedDir = outdir();
    const app = new App({ outdir: streamedDir });
    const alive: number[] = [];
    synthRelease(app, streamed(app, votingStages, alive), { quiet: true });
    expect(files(streamedDir)).toEqual(files(arrayDir));
    expect(Object.keys(files(streamedDir))).toContain(`${votingStages[3].name}.k8s.yaml`);
    // Before building stage k, stage k-1 is gone from the app (the check of k needs only its objects).
    expect(alive).toEqual([0, 0, 0, 0]);
    expect(stageCharts(app)).toBe(0);
    // The array form keeps its stages in the app: the caller holds them.
    expect(stageCharts(eager)).toBe(votingStages.length);
  });

  test('WHEN two streamed stages have the same name THEN synth fails with one line naming it, and writes nothing', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    const twice = [votingStages[0], votingStages[1], { ...votingStages[2], name: votingStages[0].name }];
    expect(() => synthRelease(app, streamed(app, twice, []), { quiet: true })).toThrow(
      new RegExp(`the stage name "${votingStages[0].name}" is used twice`),
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  test('WHEN a streamed stage fails its construct validation THEN synth fails naming that stage, and writes nothing', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    function* failing(): Generator<StageChart> {
      for (const stage of votingStages.slice(0, 3)) {
        const chart = new ReleaseStage(app, { application: votingApplication, stage });
        if (stage === votingStages[1])
          chart.node.addValidation({ validate: () => [`stage '${chart.stageName}': a problem of this stage`] });
        yield chart;
      }
    }
    let error: unknown;
    try {
      synthRelease(app, failing(), { quiet: true });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReleaseConfigError);
    expect((error as { lines: string[] }).lines).toEqual([`stage '${votingStages[1].name}': a problem of this stage`]);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('WHEN synth succeeds or fails THEN the stage files it wrote before the end are gone from the temporary directory', () => {
    const tmp = outdir();
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const ok = new App({ outdir: outdir() });
      synthRelease(ok, streamed(ok, votingStages.slice(0, 2), []), { quiet: true });
      expect(readdirSync(ok.outdir)).toContain(`${votingStages[1].name}.k8s.yaml`);
      const failing = new App({ outdir: outdir() });
      const twice = [votingStages[0], votingStages[1], { ...votingStages[2], name: votingStages[0].name }];
      expect(() => synthRelease(failing, streamed(failing, twice, []), { quiet: true })).toThrow(/used twice/);
      expect(readdirSync(failing.outdir)).toEqual([]);
    } finally {
      process.env.TMPDIR = saved;
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('WHEN no temporary directory can be made THEN synth keeps the stage files in memory and writes the same output', () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(outdir(), 'missing', 'dir');
    const dir = outdir();
    try {
      const app = new App({ outdir: dir });
      synthRelease(app, streamed(app, votingStages.slice(0, 2), []), { quiet: true });
    } finally {
      process.env.TMPDIR = saved;
    }
    const eager = new App({ outdir: outdir() });
    synthRelease(
      eager,
      votingStages.slice(0, 2).map((stage) => new ReleaseStage(eager, { application: votingApplication, stage })),
      { quiet: true },
    );
    expect(files(dir)).toEqual(files(eager.outdir));
  });
});
