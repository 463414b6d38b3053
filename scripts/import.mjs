#!/usr/bin/env node
// npm run import: regenerate imports/ (the typed Istio bindings) with `cdk8s import`.
//
// The documented source is Istio 1.30.3's CRD bundle (the URL in cdk8s.yaml). Where that URL
// cannot be reached, point ISTIO_CRDS at a local copy of the same file; by default the pinned
// copy at ../shared/crds/istio-1.30.3.yaml is used when it exists. The sha256 is checked either way
// for local files, so imports/ is always generated from exactly the pinned CRDs.
//
//   ISTIO_CRDS=<path or URL> npm run import       # override the source
//   npm run import -- --check                     # fail if imports/ differs from a fresh import (CI)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UPSTREAM = 'https://raw.githubusercontent.com/istio/api/v1.30.3/kubernetes/customresourcedefinitions.gen.yaml';
const SHA256 = 'dcb43ff6b9af2f629b80b6a82597f5a91db259c757e66cc5353ac007da28351a';
const LOCAL = resolve(root, '..', 'shared', 'crds', 'istio-1.30.3.yaml');

const check = process.argv.includes('--check');
const source = process.env.ISTIO_CRDS ?? (existsSync(LOCAL) ? LOCAL : UPSTREAM);
if (!/^https?:\/\//.test(source)) {
  if (!existsSync(source)) {
    console.error(`import: ISTIO_CRDS file '${source}' does not exist`);
    process.exit(2);
  }
  const sum = createHash('sha256').update(readFileSync(source)).digest('hex');
  if (sum !== SHA256) {
    console.error(`import: ${source} has sha256 ${sum}, expected ${SHA256} (Istio 1.30.3)`);
    process.exit(1);
  }
}

const outdir = check ? mkdtempSync(join(tmpdir(), 'voting-mesh-imports-')) : join(root, 'imports');
const cli = join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const run = spawnSync(process.execPath, [cli, 'import', '--check-upgrade=false', '--no-save', '-l', 'typescript', '-o', outdir, source], {
  cwd: root, stdio: ['ignore', check ? 'ignore' : 'inherit', 'inherit'],
});
if (run.status !== 0) process.exit(run.status ?? 1);

if (check) {
  const files = (dir) => readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
  const fresh = files(outdir);
  const committed = files(join(root, 'imports'));
  const differ = [...new Set([...fresh, ...committed])].filter((f) => !fresh.includes(f) || !committed.includes(f)
    || !readFileSync(join(outdir, f)).equals(readFileSync(join(root, 'imports', f))));
  rmSync(outdir, { recursive: true, force: true });
  if (differ.length > 0) {
    console.error(`imports/ is not what cdk8s import generates from ${source}: ${differ.join(', ')}. Run npm run import.`);
    process.exit(1);
  }
  console.log(`imports/ matches a fresh import of ${source}`);
}
