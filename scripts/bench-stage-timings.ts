// npm run bench helper: in-process timings of what a whole-process case cannot
// isolate, over the stages of a synthesized release (`node .build/scripts/bench-stage-timings.js <dir>`):
// the transition check of every neighbouring pair both ways (plans made outside the timing), the
// project rules, which hold the least-privilege check (routing and authorization agreeing), the
// project's YAML writer alone writing every object of every stage, and the peer of synth: a bare
// cdk8s App with one Chart per stage and one ApiObject per object (the same objects), synthesized
// by cdk8s itself (`app.synth()`, its own YAML) into a scratch directory (with --cdk8s). Prints one JSON line.
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { toYaml } from '../lib/release/yaml-writer';
import { loadStage, stageNames } from '../cli/inputs';
import { analyzeMesh } from '../lib/analysis/analyzer';
import { planTransition } from '../lib/release/plan';
import { checkTransition } from '../lib/release/transition-check';

const dir = process.argv[2];
const names = stageNames(dir, process.cwd());
const stages = names.map((n) => loadStage(dir, n, process.cwd()));
const seconds = (run: () => void) => {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
};
let transitionCheck = 0;
for (let i = 0; i + 1 < stages.length; i++) {
  for (const [a, b] of [
    [stages[i], stages[i + 1]],
    [stages[i + 1], stages[i]],
  ]) {
    const plan = planTransition(a.name, a.objects, b.name, b.objects);
    transitionCheck += seconds(() => checkTransition(a.objects, plan));
  }
}
const leastPrivilege = seconds(() => stages.forEach((s) => analyzeMesh(s.objects, { only: ['project'] })));
let bytes = 0;
const writer = seconds(() => stages.forEach((s) => (bytes += toYaml(...s.objects).length)));
/** The peer: the same objects as ApiObjects of a bare cdk8s App, one Chart per stage (only with --cdk8s: it is slow). */
function bareApp(outdir: string): App {
  const app = new App({ outdir });
  for (const s of stages) {
    const chart = new Chart(app, s.name);
    s.objects.forEach(
      (o, i) => new ApiObject(chart, `o${i}`, o as unknown as ConstructorParameters<typeof ApiObject>[2]),
    );
  }
  return app;
}
const peer: { cdk8sToJson?: number; cdk8sApp?: number } = {};
if (process.argv.includes('--cdk8s')) {
  const outdir = mkdtempSync(join(tmpdir(), 'voting-mesh-cdk8s-peer-'));
  // cdk8s resolving every object (`chart.toJson()`), and cdk8s' whole synth (resolve, validate, its YAML, the files).
  peer.cdk8sToJson = seconds(() => bareApp(outdir).charts.forEach((c) => c.toJson()));
  peer.cdk8sApp = seconds(() => bareApp(outdir).synth());
  rmSync(outdir, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    objects: stages.reduce((n, s) => n + s.objects.length, 0),
    bytes,
    transitionCheck,
    leastPrivilege,
    writer,
    ...peer,
  }),
);
