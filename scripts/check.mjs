#!/usr/bin/env node
// npm run check: fails, listing the files, when the committed dist/ (or an example's) differs from a fresh synth.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './build.mjs';
import { examples } from './synth-examples.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-check-'));
try {
  const apps = [{ entry: 'main.ts', dist: 'dist', fix: 'npm run synth' },
    ...examples().map((e) => ({ entry: `examples/${e}/main.ts`, dist: `examples/${e}/dist`, fix: 'npm run synth:examples' }))];
  const differ = [];
  let count = 0;
  for (const [i, app] of apps.entries()) {
    const fresh = join(scratch, String(i));
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'synth.mjs'), '--entry', app.entry, '--outdir', fresh, '--quiet'], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
    const committed = join(root, app.dist);
    const list = (dir) => (existsSync(dir) ? readdirSync(dir).sort() : []);
    const files = [...new Set([...list(fresh), ...list(committed)])].sort();
    count += files.length;
    differ.push(...files.filter((f) => !existsSync(join(fresh, f)) || !existsSync(join(committed, f))
      || !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f)))).map((f) => `${app.dist}/${f} (${app.fix})`));
  }
  if (differ.length > 0) {
    console.error(`committed output is out of date: ${differ.join(', ')}. Regenerate and commit it.`);
    process.exit(1);
  }
  console.log(`dist/ and examples/*/dist/ match a fresh synth (${count} files)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
