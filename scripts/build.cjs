// Transpile-only bundles of TypeScript entry points (main.ts, the examples, cli/) into .build/,
// for the repo's own npm scripts and tests. `voting-mesh` resolves to lib/index.ts through
// tsconfig.json's paths, exactly the package's entry point. The package itself is built by tsc
// (`npm run build`, into out/). Type-checking is separate (`npm run typecheck`).
//
// Apps (main.ts, the examples, the benchmark's generated release) are bundled with their
// dependencies inlined, as an app ships: one file instead of ~250 modules to resolve and load,
// which takes 40 ms (a fifth) off every synth here. The CLI bundle leaves packages external.
//
// A bundle is rebuilt only when one of the files it was built from (esbuild's metafile lists
// them), tsconfig.json or package.json is newer than it: `npm run synth` then does not load
// esbuild at all. CommonJS, not ESM, for the same reason: Node.js starts an ES module ~10 ms
// slower, which is 4% of `npm run synth` (see docs/performance.md).
'use strict';
const { existsSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const out = (entry) => join(root, '.build', entry.replace(/\.ts$/, '.js'));
const meta = (entry) => join(root, '.build', entry.replace(/\.ts$/, '.inputs.json'));

/** Whether the bundle of `entry` is newer than every file it was built from. */
function fresh(entry) {
  if (!existsSync(out(entry)) || !existsSync(meta(entry))) return false;
  const built = statSync(out(entry)).mtimeMs;
  const inputs = [
    ...JSON.parse(readFileSync(meta(entry), 'utf8')),
    'tsconfig.json',
    'package.json',
    'scripts/build.cjs',
  ];
  return inputs.every((f) => existsSync(join(root, f)) && statSync(join(root, f)).mtimeMs <= built);
}

/** Bundles the given entry points (relative to the project root) unless they are fresh; returns the output paths. */
async function buildEntries(entries) {
  const stale = entries.filter((e) => !fresh(e));
  if (stale.length > 0) {
    const { build } = require('esbuild');
    for (const entry of stale) {
      const result = await build({
        entryPoints: { [entry.replace(/\.ts$/, '')]: join(root, entry) },
        outdir: join(root, '.build'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        ...(entry.startsWith('cli/') ? { packages: 'external' } : {}),
        sourcemap: 'linked',
        logLevel: 'warning',
        metafile: true,
      });
      writeFileSync(meta(entry), JSON.stringify(Object.keys(result.metafile.inputs).sort()));
    }
  }
  return entries.map(out);
}

/** The command line's `runCommand(argv, io)` and `processIo()`, built from cli/ (no package build needed). */
async function loadCli() {
  const [bundle] = await buildEntries(['cli/run.ts']);
  return require(bundle);
}

module.exports = { root, buildEntries, loadCli };

if (require.main === module) {
  buildEntries(['main.ts', 'cli/main.ts', 'cli/run.ts']).catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
