import { diffStages, formatChange, Manifest, objectKey } from '../../lib';
import { CommandSpec, ParsedArgs, UsageError } from '../args';
import { distDir, loadStage } from '../inputs';
import { Io } from '../io';

export const diffSpec: CommandSpec = {
  name: 'diff',
  summary: 'A semantic diff of two stages: objects added, removed and changed, field by field, in a stable order.',
  usage: 'diff <stageA|fileA> <stageB|fileB> [--dist <dir>]',
  description: ['Lists are compared by identity (route, subset, container, port names) or as sets, so inserting one item does not show every later item as changed.'],
  options: [{ name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." }],
};

export function diff(args: ParsedArgs, io: Io): number {
  if (args.positional.length !== 2) throw new UsageError(`expected <stageA> and <stageB>, got ${args.positional.length} argument(s)`);
  const dir = distDir(args, io.cwd);
  const [a, b] = args.positional.map((p) => loadStage(dir, p, io.cwd));
  const d = diffStages(a.objects, b.objects);
  const sort = <T>(items: readonly T[], key: (t: T) => string) => [...items].sort((x, y) => key(x).localeCompare(key(y)));
  const lines = [`diff ${a.name} → ${b.name}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed`];
  for (const m of sort(d.added, objectKey)) lines.push(`+ ${objectKey(m)}`);
  for (const m of sort(d.removed, objectKey)) lines.push(`- ${objectKey(m)}`);
  for (const c of sort(d.changed, (x: { after: Manifest }) => objectKey(x.after))) {
    lines.push(`~ ${objectKey(c.after)}`);
    for (const ch of c.changes) lines.push(`    ${formatChange(ch)}`);
  }
  io.out(lines.join('\n'));
  return 0;
}
