// The modules themselves, not the package entry point (see explain.ts).
import { diffStages, formatChange } from '../../lib/release/diff';
import type { Manifest } from '../../lib/analysis/manifest';
import { objectKey } from '../../lib/analysis/manifest';
import type { ParsedArgs } from '../args';
import { UsageError } from '../args';
import { distDir, loadStage } from '../inputs';
import type { Io } from '../io';

export function diff(args: ParsedArgs, io: Io): number {
  if (args.positional.length !== 2)
    throw new UsageError(`expected <stageA> and <stageB>, got ${args.positional.length} argument(s)`);
  const dir = distDir(args, io.cwd);
  // The second stage's objects alike the first's are not read again (cli/inputs.ts loadStage).
  const shared = new Map<string, unknown>();
  const [a, b] = args.positional.map((p) => loadStage(dir, p, io.cwd, shared));
  const d = diffStages(a.objects, b.objects);
  const sort = <T>(items: readonly T[], key: (t: T) => string) =>
    [...items].sort((x, y) => key(x).localeCompare(key(y)));
  const lines = [
    `diff ${a.name} → ${b.name}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed`,
  ];
  for (const m of sort(d.added, objectKey)) lines.push(`+ ${objectKey(m)}`);
  for (const m of sort(d.removed, objectKey)) lines.push(`- ${objectKey(m)}`);
  for (const c of sort(d.changed, (x: { after: Manifest }) => objectKey(x.after))) {
    lines.push(`~ ${objectKey(c.after)}`);
    // Reviewers read whole values here; the plan's summary shortens them.
    for (const ch of c.changes) lines.push(`    ${formatChange(ch, { full: true })}`);
  }
  io.out(lines.join('\n'));
  return 0;
}
