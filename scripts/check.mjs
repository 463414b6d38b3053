#!/usr/bin/env node
// npm run check: fails, listing the files, when the committed dist/ differs from a fresh synth.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './build.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-check-'));
try {
  const fresh = join(scratch, 'dist');
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'synth.mjs'), '--outdir', fresh, '--quiet'], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const committed = join(root, 'dist');
  const list = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const files = [...new Set([...list(fresh), ...list(committed)])].sort();
  const differ = files.filter((f) => !existsSync(join(fresh, f)) || !existsSync(join(committed, f))
    || !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))));
  if (differ.length > 0) {
    console.error(`dist/ is out of date: ${differ.map((f) => `dist/${f}`).join(', ')}. Run npm run synth and commit dist/.`);
    process.exit(1);
  }
  console.log(`dist/ matches a fresh synth (${files.length} files)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
