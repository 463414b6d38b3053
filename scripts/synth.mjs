#!/usr/bin/env node
// npm run synth: build the app, run `cdk8s synth` into a staging directory, and only when
// that succeeded replace the output directory with it. A failed synth (bad stage data, a
// crash, an interrupted run) leaves the previous dist/ exactly as it was.
//
// Usage: node scripts/synth.mjs [--entry main.ts] [--outdir dist] [--app "<command>"] [--quiet]
//   --entry   the app's TypeScript entry point (default: main.ts; examples/<name>/main.ts for an example)
//   --outdir  where the manifests are published (default: dist)
//   --app     the command cdk8s runs (default: the built main.ts); tests use it to inject failures
//   --quiet   print nothing on success
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { buildEntries, root } from './build.mjs';


function parseArgs(argv) {
  const opts = { outdir: join(root, 'dist'), app: undefined, quiet: false, entry: 'main.ts' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--quiet') {
      opts.quiet = true;
    } else if ((flag === '--outdir' || flag === '--app' || flag === '--entry') && value !== undefined) {
      opts[flag.slice(2)] = flag === '--outdir' ? resolve(value) : value;
      i++;
    } else {
      console.error(`synth: unknown or incomplete option '${flag}'`);
      console.error('usage: node scripts/synth.mjs [--entry <file.ts>] [--outdir <dir>] [--app "<command>"] [--quiet]');
      process.exit(2);
    }
  }
  return opts;
}

/** Replaces `outdir` with `staging` using renames on one filesystem, recovering an interrupted swap first. */
function publish(staging, outdir) {
  const previous = `${outdir}.previous`;
  if (!existsSync(outdir) && existsSync(previous)) renameSync(previous, outdir); // an earlier swap was cut short
  rmSync(previous, { recursive: true, force: true });
  if (existsSync(outdir)) renameSync(outdir, previous);
  renameSync(staging, outdir);
  rmSync(previous, { recursive: true, force: true });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const app = opts.app ?? `node ${JSON.stringify((await buildEntries([opts.entry]))[0])}`;
  // Staging sits next to the output so the final renames never cross filesystems.
  const staging = join(dirname(opts.outdir), `.synth-staging-${process.pid}`);
  mkdirSync(dirname(staging), { recursive: true });
  const cli = join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const run = spawnSync(process.execPath, [cli, 'synth', '--check-upgrade=false', '--app', app, '--output', staging], {
    cwd: root,
    // The CLI lists the staging paths; we print the published ones instead (its output is shown on failure).
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  const written = existsSync(staging) ? readdirSync(staging).filter((f) => f.endsWith('.k8s.yaml')) : [];
  const empty = written.filter((f) => statSync(join(staging, f)).size === 0);
  if (run.status !== 0 || written.length === 0 || empty.length > 0) {
    rmSync(staging, { recursive: true, force: true });
    process.stdout.write(run.stdout ?? '');
    const why = run.status !== 0 ? `cdk8s synth exited with ${run.status ?? run.signal}`
      : written.length === 0 ? 'no manifest was written' : `empty manifests: ${empty.join(', ')}`;
    console.error(`synth failed (${why}); ${opts.outdir} was left untouched.`);
    process.exit(1);
  }
  const summary = written.sort().map((f) => {
    const text = readFileSync(join(staging, f), 'utf8');
    return { file: join(relative(root, opts.outdir) || '.', f), objects: text.split(/^---$/m).length, bytes: Buffer.byteLength(text) };
  });
  publish(staging, opts.outdir);
  if (!opts.quiet) {
    for (const s of summary) console.log(`  ${s.file.padEnd(44)} ${String(s.objects).padStart(3)} objects ${String(s.bytes).padStart(7)} bytes`);
    const total = summary.reduce((n, s) => n + s.objects, 0);
    console.log(`synthesized ${summary.length} stages, ${total} objects`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
