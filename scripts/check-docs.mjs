// The documentation checks of `npm run check` (scripts/check.mjs), over README.md and every
// Markdown page under docs/ (docs/api/ only for its links: TypeDoc writes it). Every fenced code
// block is sorted by what can be checked about it:
//   ts          compiled, each block a module of its own, against the public API only
//               (`voting-mesh` is lib/index.ts, `voting-mesh/cdk8s-plugin` cli/cdk8s-plugin.ts).
//               A fragment names its context in an HTML comment on the line before the fence,
//               `<!-- ts-check: <code> -->`, where `$BLOCK` in <code> stands for the block (else
//               the block follows the code);
//   output      `$ npm run validate|explain|plan -- args` and its output (or a <summary> naming
//               `npm run plan -- A B` above a block): run again for the committed dist/ and compared;
//   mermaid     parsed by Mermaid's own parser (scripts/check-mermaid.mjs);
//   yaml        parsed;
//   sh          every `voting-mesh <command>` and `npm run <script>` names a command or script that
//               exists and only options its --help lists;
//   the rest    (promql, text) counted as not checkable.
// Relative links must point at a file that exists (and a heading or id that exists, for links into
// the hand-written pages); the README, which the package carries, links only into docs/ (the
// repository) or to files the package ships.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { root } from './build.cjs';

const require = createRequire(import.meta.url);

/** README.md and the Markdown pages under docs/, as paths relative to the root; docs/api/ apart. */
export function docPages() {
  const walk = (dir) =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(`${dir}/${e.name}`) : e.name.endsWith('.md') ? [`${dir}/${e.name}`] : [],
    );
  const all = ['README.md', ...walk('docs')].sort();
  return {
    written: all.filter((f) => !f.startsWith('docs/api/')),
    generated: all.filter((f) => f.startsWith('docs/api/')),
  };
}

/** The fenced code blocks of a page: language, text, the line of the opening fence, the comment above it. */
export function codeBlocks(text) {
  const blocks = [];
  for (const m of text.matchAll(/^(`{3,})([\w-]*)[^\n]*\n([\s\S]*?)^\1[ \t]*$/gm)) {
    const line = text.slice(0, m.index).split('\n').length;
    const before = text.slice(0, m.index).split('\n').at(-2) ?? '';
    const context = /^<!-- ts-check: (.*) -->$/.exec(before)?.[1];
    blocks.push({ lang: m[2], body: m[3], line, context, at: m.index });
  }
  return blocks;
}

/** Compiles every ts block with TypeScript against the public API; returns the errors, one line each. */
export function compileTsBlocks(pages) {
  const ts = require('typescript');
  const dir = join(root, '.build', 'doc-blocks');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sources = new Map();
  for (const page of pages) {
    for (const b of codeBlocks(readFileSync(join(root, page), 'utf8')).filter(
      (x) => x.lang === 'ts' || x.lang === 'typescript',
    )) {
      const [prefix, suffix] =
        b.context === undefined ? ['', ''] : b.context.includes('$BLOCK') ? b.context.split('$BLOCK') : [b.context, ''];
      const file = join(dir, `${page.replace(/[/.]/g, '_')}_${b.line}.ts`);
      // One line of context, then the block from line 2: a diagnostic's line maps back to the page.
      writeFileSync(file, `${prefix}\n${b.body}\n${suffix}\nexport {};\n`);
      sources.set(file, { page, fence: b.line });
    }
  }
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
  const program = ts.createProgram([...sources.keys()], {
    ...options,
    noEmit: true,
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: root,
    paths: { 'voting-mesh': ['./lib/index.ts'], 'voting-mesh/cdk8s-plugin': ['./cli/cdk8s-plugin.ts'] },
  });
  // Only the blocks' own diagnostics: checking the whole library again is npm run typecheck's job (and slow).
  const blockFiles = program.getSourceFiles().filter((f) => sources.has(resolve(f.fileName)));
  const diagnostics = blockFiles.flatMap((f) => [
    ...program.getSyntacticDiagnostics(f),
    ...program.getSemanticDiagnostics(f),
  ]);
  const errors = diagnostics.map((d) => {
    const { page, fence } = sources.get(resolve(d.file.fileName));
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    return `${page}:${fence + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
  rmSync(dir, { recursive: true, force: true });
  return { errors, count: sources.size };
}

/**
 * The pasted outputs of `npm run validate|explain|plan` in the pages: each is run again (`run`)
 * and compared. With `fix`, the current output is pasted instead. Returns the stale ones.
 */
export async function staleOutputs(pages, run, fix) {
  const stale = [];
  let checked = 0;
  const words = (args) => [...args.matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]);
  for (const page of pages) {
    const text = readFileSync(join(root, page), 'utf8');
    const blocks = [];
    // `$ npm run <tool> -- args` followed by output, up to the next `$ ` line or the end of the code block.
    for (const m of text.matchAll(/^\$ npm run (validate|explain|plan)(?: -- (.*))?\n([\s\S]*?)(?=^\$ |^```)/gm)) {
      blocks.push({
        tool: m[1],
        args: m[2] ?? '',
        shown: m[3].replace(/\n+$/, ''),
        at: m.index + m[0].length - m[3].length,
      });
    }
    // <summary>…<code>npm run plan -- A B</code></summary> followed by a code block.
    for (const m of text.matchAll(/<code>npm run (plan) -- ([^<]*)<\/code><\/summary>\n\n```\n([\s\S]*?)```/g)) {
      blocks.push({
        tool: m[1],
        args: m[2],
        shown: m[3].replace(/\n+$/, ''),
        at: m.index + m[0].length - m[3].length - 3,
      });
    }
    checked += blocks.length;
    let fixed = text;
    const staleHere = [];
    for (const b of [...blocks].sort((x, y) => y.at - x.at)) {
      const current = (await run([b.tool, ...words(b.args)])).stdout.replace(/\n+$/, '');
      if (current === b.shown) continue;
      staleHere.push(`${page}: npm run ${b.tool}${b.args ? ` -- ${b.args}` : ''}`);
      fixed = fixed.slice(0, b.at) + (b.shown === '' ? `${current}\n` : current) + fixed.slice(b.at + b.shown.length);
    }
    if (fix && staleHere.length > 0) {
      writeFileSync(join(root, page), fixed);
      console.log(`${page}: pasted the current output of ${staleHere.map((s) => s.split(': ')[1]).join(', ')}`);
    } else {
      stale.push(...staleHere);
    }
  }
  return { stale, checked };
}

/** GitHub's anchors of a Markdown page: its headings, slugged, and explicit ids. */
function anchors(text) {
  const seen = new Map();
  const out = new Set([...text.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
  for (const m of withoutCode(text).matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = m[1]
      .toLowerCase()
      .replace(/<[^>]+>/g, '')
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** The text with fenced blocks and inline code blanked (line numbers kept). */
function withoutCode(text) {
  return text
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, (b) => b.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]+`/g, (c) => ' '.repeat(c.length));
}

/** A package.json `files` pattern as a regular expression. */
const globToRegex = (glob) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\//g, '(.*/)?')
      .replace(/\*/g, '[^/]*')}$`,
  );

/** Relative links that point nowhere, and README links to files the package does not ship. */
export function brokenLinks(pages, generated) {
  const files = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).files.map(globToRegex);
  const problems = [];
  let count = 0;
  for (const page of [...pages, ...generated]) {
    const text = withoutCode(readFileSync(join(root, page), 'utf8'));
    for (const m of text.matchAll(/\]\(([^)\s]+)(?: "[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target)) continue;
      count++;
      const line = text.slice(0, m.index).split('\n').length;
      const [path, anchor] = target.split('#');
      const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), decodeURIComponent(path));
      const rel = relative(root, file);
      if (!existsSync(file)) {
        problems.push(`${page}:${line}: link to ${target}: no such file`);
        continue;
      }
      const checkAnchor =
        anchor && file.endsWith('.md') && !rel.startsWith('docs/api/') && !page.startsWith('docs/api/');
      if (checkAnchor && !anchors(readFileSync(file, 'utf8')).has(anchor))
        problems.push(`${page}:${line}: link to ${target}: ${rel} has no heading #${anchor}`);
      const shipped = statSync(file).isFile() && files.some((f) => f.test(rel));
      if (page === 'README.md' && !rel.startsWith('docs/') && rel !== '' && !shipped) {
        problems.push(
          `README.md:${line}: link to ${target}: not in the package (package.json "files") nor under docs/; link a docs/ page instead`,
        );
      }
    }
  }
  return { problems, count };
}

/** Options a command's --help lists (long names, and short aliases as `-x`). */
function helpOptions(helpText) {
  const names = new Set();
  for (const m of helpText.matchAll(/^ +(?:-(\w), )?--([\w-]+)/gm)) {
    if (m[1]) names.add(`-${m[1]}`);
    names.add(`--${m[2]}`);
  }
  return names;
}

/** Shell lines naming a voting-mesh command, npm script or option that does not exist. */
export async function unknownCommands(pages, help) {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const commands = new Map();
  const top = await help([]);
  for (const m of (top.split(/^commands:\n/m)[1] ?? '').split('\n\n')[0].matchAll(/^ {2}(\S+) {2,}/gm))
    commands.set(m[1], helpOptions(await help([m[1]])));
  const problems = [];
  let count = 0;
  for (const page of pages) {
    for (const b of codeBlocks(readFileSync(join(root, page), 'utf8')).filter(
      (x) => x.lang === 'sh' || x.lang === 'yaml',
    )) {
      for (const [i, raw] of b.body.split('\n').entries()) {
        const line = raw.replace(/(^|\s)#.*$/, '');
        const where = `${page}:${b.line + i + 1}`;
        const uses = [];
        for (const m of line.matchAll(/\bnpm run(?: -s)? ([\w:-]+)(.*)/g)) {
          if (!(m[1] in scripts)) problems.push(`${where}: npm run ${m[1]}: no such script in package.json`);
          else if (commands.has(m[1])) uses.push([m[1], m[2]]);
        }
        for (const m of line.matchAll(/(?:^|[\s(])voting-mesh\s+([a-z][\w-]*)(.*)/g)) uses.push([m[1], m[2]]);
        for (const [command, rest] of uses) {
          count++;
          const options = commands.get(command);
          if (options === undefined) {
            problems.push(`${where}: voting-mesh ${command}: no such command`);
            continue;
          }
          for (const o of rest.split(/&&|\|\||[|;>)]/)[0].matchAll(/(?:^|\s)(--?[A-Za-z][\w-]*)/g)) {
            if (!options.has(o[1]))
              problems.push(`${where}: voting-mesh ${command} ${o[1]}: ${command}'s --help lists no such option`);
          }
        }
      }
    }
  }
  return { problems, count };
}

/** YAML blocks that do not parse. */
export function badYaml(pages) {
  const { parseAllDocuments } = require('yaml');
  const problems = [];
  let count = 0;
  for (const page of pages) {
    for (const b of codeBlocks(readFileSync(join(root, page), 'utf8')).filter((x) => x.lang === 'yaml')) {
      count++;
      const error = parseAllDocuments(b.body).flatMap((d) => d.errors)[0];
      if (error) problems.push(`${page}:${b.line}: YAML block does not parse: ${error.message.split('\n')[0]}`);
    }
  }
  return { problems, count };
}

/** Runs scripts/check-mermaid.mjs over the pages with diagrams; returns its failures. */
export function badDiagrams(pages) {
  const withDiagrams = pages.filter((p) =>
    codeBlocks(readFileSync(join(root, p), 'utf8')).some((b) => b.lang === 'mermaid'),
  );
  if (withDiagrams.length === 0) return { problems: [], count: 0 };
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'check-mermaid.mjs'), ...withDiagrams], {
    cwd: root,
    encoding: 'utf8',
  });
  const count = Number(/of (\d+) diagram/.exec(r.stdout)?.[1] ?? 0);
  return { problems: r.status === 0 ? [] : r.stderr.trim().split('\n'), count };
}

/** How many blocks of each language the pages hold. */
export function blockCensus(pages) {
  const census = {};
  for (const page of pages)
    for (const b of codeBlocks(readFileSync(join(root, page), 'utf8')))
      census[b.lang || 'plain'] = (census[b.lang || 'plain'] ?? 0) + 1;
  return census;
}
