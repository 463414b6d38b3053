// Transpile-only bundles of TypeScript entry points (main.ts, the examples, cli/) into .build/,
// for the repo's own npm scripts and tests. `voting-mesh` resolves to lib/index.ts through
// tsconfig.json's paths, exactly the package's entry point. The package itself is built by tsc
// (`npm run build`, into out/). Type-checking is separate (`npm run typecheck`): bundling takes
// ~100 ms, type-checking the 1.2 MB of generated Istio bindings takes seconds.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles the given entry points (relative to the project root); returns the output paths. */
export async function buildEntries(entries) {
  await build({
    entryPoints: Object.fromEntries(entries.map((e) => [e.replace(/\.ts$/, ''), join(root, e)])),
    outdir: join(root, '.build'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return entries.map((e) => join(root, '.build', e.replace(/\.ts$/, '.js')));
}

/** The command line's `runCommand(argv, io)` and `processIo()`, built from cli/ (no package build needed). */
export async function loadCli() {
  const [bundle] = await buildEntries(['cli/run.ts']);
  return createRequire(import.meta.url)(bundle);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildEntries(['main.ts', 'cli/main.ts', 'cli/run.ts']);
}
