#!/usr/bin/env node
// npm run synth:examples: synthesizes every app under examples/ into its own dist/, with the same
// atomic publish as npm run synth. Extra arguments (--quiet) are passed on.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildEntries, loadCli, root } from './build.cjs';

export const examples = () =>
  readdirSync(join(root, 'examples'))
    .filter((d) => existsSync(join(root, 'examples', d, 'main.ts')))
    .sort();

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  await buildEntries(examples().map((e) => `examples/${e}/main.ts`));
  const { runCommand, processIo } = await loadCli();
  for (const name of examples()) {
    const code = await runCommand(['synth', ...process.argv.slice(2)], {
      ...processIo(),
      cwd: join(root, 'examples', name),
    });
    if (code !== 0) process.exit(code);
  }
}
