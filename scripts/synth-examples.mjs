#!/usr/bin/env node
// npm run synth:examples: synthesizes every app under examples/ into its own dist/, each with
// the same atomic publish as npm run synth. Extra arguments (--quiet) are passed on.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './build.mjs';

export const examples = () => readdirSync(join(root, 'examples')).filter((d) => existsSync(join(root, 'examples', d, 'main.ts'))).sort();

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  for (const name of examples()) {
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'synth.mjs'), '--entry', `examples/${name}/main.ts`, '--outdir', join(root, 'examples', name, 'dist'), ...process.argv.slice(2)],
      { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
}
