#!/usr/bin/env node
// npm run synth [-- --quiet]: builds main.ts (esbuild, no type-check; skipped when fresh) and runs
// `voting-mesh synth` in this process: cdk8s.yaml's app (`node .build/main.js`) writes into a
// staging directory, which replaces dist/ only if the app succeeded (a failed synth leaves dist/
// exactly as it was).
//   node scripts/synth.cjs [--dir <app dir>] [synth options]   # another app of this repo
'use strict';
const { join, relative, resolve } = require('node:path');
const { buildEntries, loadCli, root } = require('./build.cjs');

async function main() {
  const args = process.argv.slice(2);
  const at = args.indexOf('--dir');
  const dir = at === -1 ? root : resolve(args.splice(at, 2)[1]);
  await buildEntries([join(relative(root, dir), 'main.ts')]);
  const { runCommand, processIo } = await loadCli();
  process.exitCode = await runCommand(['synth', ...args], { ...processIo(), cwd: dir });
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});
