#!/usr/bin/env node
// npm run explain|plan|validate -- ...: builds the tool (esbuild, no type-check) and runs it.
import { spawnSync } from 'node:child_process';
import { buildEntries, cliTools, root } from './build.mjs';

const [tool, ...args] = process.argv.slice(2);
if (!cliTools().includes(tool)) {
  console.error(`error: unknown tool '${tool}'\nusage: node scripts/cli.mjs <${cliTools().join('|')}> [args]`);
  process.exit(2);
}
const [bundle] = await buildEntries([`cli/${tool}.ts`]);
const run = spawnSync(process.execPath, ['--enable-source-maps', bundle, ...args], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
