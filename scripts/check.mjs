#!/usr/bin/env node
// npm run check: fails, listing the files, when the committed dist/ (or an example's) differs from
// a fresh `voting-mesh synth`, or when the README shows output the tools no longer print.
//   npm run check -- --fix-readme   # paste the current output into the README's blocks instead
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEntries, loadCli, root } from './build.cjs';
import { examples } from './synth-examples.mjs';
import { staleAnalyzerCodes } from './gen-analyzer-codes.mjs';

const { runCommand } = await loadCli();

/** Runs the command line in this process with its output captured. */
async function run(argv, cwd = root) {
  const out = [];
  const err = [];
  const code = await runCommand(argv, { cwd, env: process.env, out: (t) => out.push(`${t}\n`), err: (t) => err.push(`${t}\n`) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * The README pastes real output of `npm run validate|explain|plan`: every such block must still be
 * what the tool prints for the committed dist/ (a block is the command line, then its output).
 */
async function staleReadmeOutputs() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [];
  // `$ npm run <tool> -- args` followed by output, up to the next `$ ` line or the end of the code block.
  for (const m of readme.matchAll(/^\$ npm run (validate|explain|plan)(?: -- (.*))?\n([\s\S]*?)(?=^\$ |^```)/gm)) {
    blocks.push({ tool: m[1], args: m[2] ?? '', shown: m[3].replace(/\n+$/, ''), at: m.index + m[0].length - m[3].length });
  }
  // <summary>…<code>npm run plan -- A B</code></summary> followed by a code block.
  for (const m of readme.matchAll(/<code>npm run (plan) -- ([^<]*)<\/code><\/summary>\n\n```\n([\s\S]*?)```/g)) {
    blocks.push({ tool: m[1], args: m[2], shown: m[3].replace(/\n+$/, ''), at: m.index + m[0].length - m[3].length - 3 });
  }
  const words = (args) => [...args.matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]);
  const stale = [];
  let fixed = readme;
  for (const b of [...blocks].sort((x, y) => y.at - x.at)) {
    const r = await run([b.tool, ...words(b.args)]);
    const current = r.stdout.replace(/\n+$/, '');
    if (current === b.shown) continue;
    stale.push(`npm run ${b.tool}${b.args ? ` -- ${b.args}` : ''}`);
    fixed = fixed.slice(0, b.at) + (b.shown === '' ? `${current}\n` : current) + fixed.slice(b.at + b.shown.length);
  }
  if (process.argv.includes('--fix-readme') && stale.length > 0) {
    writeFileSync(join(root, 'README.md'), fixed);
    console.log(`README.md: pasted the current output of ${stale.join(', ')}`);
    return { stale: [], checked: blocks.length };
  }
  return { stale, checked: blocks.length };
}

const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-check-'));
try {
  const apps = [{ dir: root, entry: 'main.ts', dist: 'dist', fix: 'npm run synth' },
    ...examples().map((e) => ({ dir: join(root, 'examples', e), entry: `examples/${e}/main.ts`, dist: `examples/${e}/dist`, fix: 'npm run synth:examples' }))];
  await buildEntries(apps.map((a) => a.entry));
  const differ = [];
  let count = 0;
  for (const [i, app] of apps.entries()) {
    const fresh = join(scratch, String(i));
    const r = await run(['synth', '--output', fresh, '--quiet'], app.dir);
    if (r.code !== 0) {
      process.stderr.write(r.stderr);
      process.exit(r.code);
    }
    const committed = join(root, app.dist);
    // Files, recursively, as paths relative to `dir`: a flavour of the release is a subdirectory (dist/gateway-api-ambient/).
    const list = (dir, prefix = '') => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
      ? list(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`])).sort() : []);
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
  const codesDoc = await staleAnalyzerCodes();
  if (codesDoc) {
    console.error(`${codesDoc} is not what the analyzer catalogue generates: run node scripts/gen-analyzer-codes.mjs and commit it.`);
    process.exit(1);
  }
  console.log('docs/analyzer-codes.md matches the analyzer catalogue');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
