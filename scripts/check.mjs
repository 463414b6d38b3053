#!/usr/bin/env node
// npm run check: fails, listing the files, when the committed dist/ (or an example's) differs from
// a fresh `voting-mesh synth`; when a generated page (docs/cli.md from --help, docs/api/ by
// TypeDoc) is stale; or when a code block of README.md or docs/ fails its check (pasted outputs
// the tools no longer print, TypeScript that does not compile against the public API, commands or
// options that do not exist, YAML or Mermaid that does not parse) or a relative link points nowhere.
//   npm run check -- --fix   # paste the current output into the pages' blocks instead
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEntries, loadCli, root } from './build.cjs';
import { examples } from './synth-examples.mjs';
import {
  badDiagrams,
  badYaml,
  blockCensus,
  brokenLinks,
  compileTsBlocks,
  docPages,
  staleOutputs,
  unknownCommands,
} from './check-docs.mjs';
import { staleGeneratedDocs } from './gen-docs.mjs';
import { staleAnalyzerCodes } from './gen-analyzer-codes.mjs';

const { runCommand } = await loadCli();

/** Runs the command line in this process with its output captured. */
async function run(argv, cwd = root) {
  const out = [];
  const err = [];
  const code = await runCommand(argv, {
    cwd,
    env: process.env,
    out: (t) => out.push(`${t}\n`),
    err: (t) => err.push(`${t}\n`),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The --help text of `voting-mesh <args>`. */
const help = async (args) => (await run([...args, '--help'])).stdout;

/**
 * The documentation: generated pages current (docs/cli.md, docs/api/), and every code block of
 * README.md and docs/ checked as far as it can be (scripts/check-docs.mjs). Exits 1 naming each
 * problem, one line each.
 */
async function checkDocs(scratch) {
  const { written, generated } = docPages();
  const fix = process.argv.includes('--fix') || process.argv.includes('--fix-readme');
  const outputs = await staleOutputs(written, run, fix);
  if (outputs.checked === 0)
    fail(['README.md and docs/ show no output of validate, explain or plan: the check found nothing to compare.']);
  if (outputs.stale.length > 0)
    fail(
      outputs.stale.map(
        (s) =>
          `${s}: the page shows output the tool no longer prints (npm run check -- --fix pastes the current output).`,
      ),
    );
  const { stale, apiFiles } = await staleGeneratedDocs(runCommand, scratch);
  const ts = compileTsBlocks(written);
  const links = brokenLinks(written, docPages().generated);
  const shell = await unknownCommands(written, help);
  const yaml = badYaml(written);
  const diagrams = badDiagrams(written);
  fail([...stale, ...ts.errors, ...links.problems, ...shell.problems, ...yaml.problems, ...diagrams.problems]);
  const census = blockCensus(written);
  const total = Object.values(census).reduce((a, b) => a + b, 0);
  const unchecked = Object.entries(census)
    .filter(([lang]) => !['ts', 'typescript', 'mermaid', 'yaml', 'sh'].includes(lang))
    .map(([lang, n]) => `${n} ${lang}`)
    .join(', ');
  console.log(
    `docs: docs/cli.md and docs/api/ (${apiFiles} files) current; ${written.length} pages, ${total} code blocks: ${ts.count} TypeScript compiled against the public API, ` +
      `${outputs.checked} pasted outputs of validate, explain and plan current, ${diagrams.count} diagrams parsed, ${yaml.count} YAML parsed, ${shell.count} voting-mesh command lines with known options; ` +
      `the other ${unchecked} blocks checked only where they paste output; ${links.count} relative links valid (${generated.length} generated pages included)`,
  );
}

/** Prints the problems, one line each, and exits 1 when there are any. */
function fail(problems) {
  if (problems.length === 0) return;
  for (const p of problems) console.error(p);
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-check-'));
try {
  const apps = [
    { dir: root, entry: 'main.ts', dist: 'dist', fix: 'npm run synth' },
    ...examples().map((e) => ({
      dir: join(root, 'examples', e),
      entry: `examples/${e}/main.ts`,
      dist: `examples/${e}/dist`,
      fix: 'npm run synth:examples',
    })),
  ];
  await buildEntries(apps.map((a) => a.entry));
  const differ = [];
  let count = 0;
  for (const [i, app] of apps.entries()) {
    const fresh = join(scratch, String(i));
    const r = await run(['synth', '--outdir', fresh, '--quiet'], app.dir);
    if (r.code !== 0) {
      process.stderr.write(r.stderr);
      process.exit(r.code);
    }
    const committed = join(root, app.dist);
    // Files, recursively, as paths relative to `dir`: a flavour of the release is a subdirectory (dist/gateway-api-ambient/).
    const list = (dir, prefix = '') =>
      existsSync(dir)
        ? readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? list(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
            .sort()
        : [];
    const files = [...new Set([...list(fresh), ...list(committed)])].sort();
    count += files.length;
    differ.push(
      ...files
        .filter(
          (f) =>
            !existsSync(join(fresh, f)) ||
            !existsSync(join(committed, f)) ||
            !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))),
        )
        .map((f) => `${app.dist}/${f} (${app.fix})`),
    );
  }
  if (differ.length > 0) {
    console.error(`committed output is out of date: ${differ.join(', ')}. Regenerate and commit it.`);
    process.exit(1);
  }
  console.log(`dist/ and examples/*/dist/ match a fresh synth (${count} files)`);
  const codesDoc = await staleAnalyzerCodes();
  if (codesDoc) {
    console.error(
      `${codesDoc} is not what the analyzer catalogue generates: run node scripts/gen-analyzer-codes.mjs and commit it.`,
    );
    process.exit(1);
  }
  console.log('docs/analyzer-codes.md matches the analyzer catalogue');
  await checkDocs(scratch);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
