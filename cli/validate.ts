// npm run validate [-- <stage>...] [--dist dir]
// Every synthesized stage: schema validation (Kubernetes 1.27 OpenAPI, Istio 1.30.3 CRDs, strict),
// mesh analysis, and every consecutive transition, forward and back, replayed step by step.
import { analyzeMesh, checkTransition, formatFinding, planTransition, SchemaRegistry, schemaSources } from '../lib';
import { distDir, loadStage, parseArgs, resolveStageName, runCli, stageNames } from './common';

const USAGE = 'npm run validate [-- <stage>...] [--dist dir]';

runCli(USAGE, (args) => {
  const { positional, options } = parseArgs(args, ['dist']);
  const dir = distDir(options);
  const all = stageNames(dir);
  const stages = positional.length > 0 ? positional.map((p) => resolveStageName(dir, p)) : all;
  const registry = SchemaRegistry.load(schemaSources(), '.build/schema-cache');
  const loaded = new Map(all.map((s) => [s, loadStage(dir, s)]));
  let errors = 0;
  for (const stage of stages) {
    const objects = loaded.get(stage)!;
    const violations = registry.validateAll(objects);
    const findings = analyzeMesh(objects);
    const failed = violations.length + findings.filter((f) => f.severity === 'error').length;
    errors += failed;
    console.log(`${stage}: ${objects.length} objects, ${violations.length} schema error(s), ${findings.length} finding(s)${failed === 0 ? ' ✓' : ''}`);
    for (const v of violations) console.log(`  schema [error] ${v.object} ${v.path}: ${v.message}`);
    for (const f of findings) console.log(`  ${formatFinding(f)}`);
  }
  if (positional.length === 0) {
    for (let i = 0; i + 1 < all.length; i++) {
      for (const [from, to] of [[all[i], all[i + 1]], [all[i + 1], all[i]]]) {
        const plan = planTransition(from, loaded.get(from)!, to, loaded.get(to)!);
        const problems = checkTransition(loaded.get(from)!, plan);
        errors += problems.length;
        console.log(`${from} → ${to}: ${plan.steps.length} steps, ${problems.length === 0 ? 'traffic never routed to a missing subset, port or pod ✓' : `${problems.length} problem(s)`}`);
        for (const p of problems) console.log(`  step ${p.step} (${p.kind}): ${p.message}`);
      }
    }
  }
  console.log(errors === 0 ? 'valid' : `${errors} error(s)`);
  return errors === 0 ? 0 : 1;
});
