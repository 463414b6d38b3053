#!/usr/bin/env node
// npm run check: fails, listing the files, when the committed dist/ (or an example's) differs from a fresh synth.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './build.mjs';
import { buildEntries } from './build.mjs';
import { examples } from './synth-examples.mjs';

/**
 * The README pastes real output of `npm run validate|explain|plan`: every such block must still be
 * what the tool prints for the committed dist/ (a block is the command line, then its output).
 */
async function staleReadmeOutputs() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const bundles = Object.fromEntries((await buildEntries(['cli/validate.ts', 'cli/explain.ts', 'cli/plan.ts'])).map((b) => [b.split('/').pop().replace('.js', ''), b]));
  const blocks = [];
  // `$ npm run <tool> -- args` followed by output, up to the next `$ ` line or the end of the code block.
  for (const m of readme.matchAll(/^\$ npm run (validate|explain|plan)(?: -- (.*))?\n([\s\S]*?)(?=^\$ |^```)/gm)) {
    blocks.push({ tool: m[1], args: m[2] ?? '', shown: m[3].replace(/\n+$/, '') });
  }
  // <summary>…<code>npm run plan -- A B</code></summary> followed by a code block.
  for (const m of readme.matchAll(/<code>npm run (plan) -- ([^<]*)<\/code><\/summary>\n\n```\n([\s\S]*?)```/g)) {
    blocks.push({ tool: m[1], args: m[2], shown: m[3].replace(/\n+$/, '') });
  }
  const words = (args) => [...args.matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]);
  const stale = blocks.filter((b) => {
    const run = spawnSync(process.execPath, [bundles[b.tool], ...words(b.args)], { cwd: root, encoding: 'utf8' });
    return run.stdout.replace(/\n+$/, '') !== b.shown;
  }).map((b) => `npm run ${b.tool}${b.args ? ` -- ${b.args}` : ''}`);
  return { stale, checked: blocks.length };
}

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
  const { stale, checked } = await staleReadmeOutputs();
  if (checked === 0) {
    console.error('README.md shows no output of validate, explain or plan: the check found nothing to compare.');
    process.exit(1);
  }
  if (stale.length > 0) {
    console.error(`README.md shows output the tools no longer print: ${stale.join(', ')}. Paste the current output.`);
    process.exit(1);
  }
  console.log(`README.md shows the current output of validate, explain and plan (${checked} blocks)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
