// npm run bench helper: in-process timings of what a whole-process case cannot
// isolate, over the stages of a synthesized release (`node .build/scripts/bench-stage-timings.js <dir>`):
// the transition check of every neighbouring pair both ways (plans made outside the timing), the
// project rules, which hold the least-privilege check (routing and authorization agreeing), and
// the project's YAML writer alone writing every object of every stage. Prints one JSON line.
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
  for (const [a, b] of [[stages[i], stages[i + 1]], [stages[i + 1], stages[i]]]) {
    const plan = planTransition(a.name, a.objects, b.name, b.objects);
    transitionCheck += seconds(() => checkTransition(a.objects, plan));
  }
}
const leastPrivilege = seconds(() => stages.forEach((s) => analyzeMesh(s.objects, { only: ['project'] })));
let bytes = 0;
const writer = seconds(() => stages.forEach((s) => (bytes += toYaml(...s.objects).length)));
console.log(JSON.stringify({ objects: stages.reduce((n, s) => n + s.objects.length, 0), bytes, transitionCheck, leastPrivilege, writer }));
