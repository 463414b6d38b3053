#!/usr/bin/env node
// npm run synth [-- --quiet]: builds main.ts (esbuild, no type-check) and runs `voting-mesh synth`
// in this process: cdk8s.yaml's app (`node .build/main.js`) writes into a staging directory, which
// replaces dist/ only if the app succeeded (a failed synth leaves dist/ exactly as it was).
//   node scripts/synth.mjs [--dir <app dir>] [synth options]   # another app of this repo (examples)
import { join, resolve } from 'node:path';
import { buildEntries, loadCli, root } from './build.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--dir');
const dir = at === -1 ? root : resolve(args.splice(at, 2)[1]);
await buildEntries([join(dir === root ? '' : join(dir.slice(root.length + 1)), 'main.ts').replace(/^\//, '')]);
const { runCommand, processIo } = await loadCli();
process.exitCode = await runCommand(['synth', ...args], { ...processIo(), cwd: dir });
