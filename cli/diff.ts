// npm run diff -- <stageA> <stageB> [--dist dir]
// A semantic diff of two stages: objects added, removed and changed, field by field, in a stable order.
import { diffStages, formatChange, objectKey } from '../lib';
import { distDir, loadStage, parseArgs, resolveStageName, runCli, UsageError } from './common';

const USAGE = 'npm run diff -- <stageA> <stageB> [--dist dir]';

runCli(USAGE, (args) => {
  const { positional, options } = parseArgs(args, ['dist']);
  if (positional.length !== 2) throw new UsageError(`expected <stageA> and <stageB>, got ${positional.length} argument(s)`);
  const dir = distDir(options);
  const [a, b] = positional.map((p) => resolveStageName(dir, p));
  const diff = diffStages(loadStage(dir, a), loadStage(dir, b));
  const sort = <T>(items: readonly T[], key: (t: T) => string) => [...items].sort((x, y) => key(x).localeCompare(key(y)));
  console.log(`diff ${a} → ${b}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed`);
  for (const m of sort(diff.added, objectKey)) console.log(`+ ${objectKey(m)}`);
  for (const m of sort(diff.removed, objectKey)) console.log(`- ${objectKey(m)}`);
  for (const c of sort(diff.changed, (x) => objectKey(x.after))) {
    console.log(`~ ${objectKey(c.after)}`);
    for (const ch of c.changes) console.log(`    ${formatChange(ch)}`);
  }
});
