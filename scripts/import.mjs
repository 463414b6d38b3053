#!/usr/bin/env node
// npm run import: regenerate imports/ (typed bindings) with `cdk8s import` from two pinned sources:
//   Istio 1.30.3's CRD bundle               -> imports/{networking,security,telemetry,extensions}.istio.io.ts
//   Argo Rollouts v1.9.1's Rollout CRD       -> imports/argoproj.io.ts
//
// The documented sources are the upstream URLs (in cdk8s.yaml). Where they cannot be reached,
// ISTIO_CRDS and ARGO_ROLLOUT_CRD name local copies of the same files; by default the pinned copies
// in ../shared/crds are used when they exist. Local files are checked against their sha256, so
// imports/ is always generated from exactly the pinned CRDs.
//
//   ISTIO_CRDS=<path or URL> ARGO_ROLLOUT_CRD=<path or URL> npm run import   # override the sources
//   npm run import -- --check                     # fail if imports/ differs from a fresh import (CI)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = [
  {
    env: 'ISTIO_CRDS', what: 'Istio 1.30.3 CRDs',
    upstream: 'https://raw.githubusercontent.com/istio/api/v1.30.3/kubernetes/customresourcedefinitions.gen.yaml',
    sha256: 'dcb43ff6b9af2f629b80b6a82597f5a91db259c757e66cc5353ac007da28351a',
    local: resolve(root, '..', 'shared', 'crds', 'istio-1.30.3.yaml'),
  },
  {
    env: 'ARGO_ROLLOUT_CRD', what: 'Argo Rollouts v1.9.1 Rollout CRD',
    upstream: 'https://raw.githubusercontent.com/argoproj/argo-rollouts/v1.9.1/manifests/crds/rollout-crd.yaml',
    sha256: 'd79c0dab9bb386b1c9329fb69cf0d843fff2152b3f7916839755c1aabc7387f5',
    local: resolve(root, '..', 'shared', 'crds', 'argo-rollouts-v1.9.1-rollout-crd.yaml'),
  },
];

const check = process.argv.includes('--check');
const outdir = check ? mkdtempSync(join(tmpdir(), 'voting-mesh-imports-')) : join(root, 'imports');
const cli = join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
const used = [];
for (const s of SOURCES) {
  const source = process.env[s.env] ?? (existsSync(s.local) ? s.local : s.upstream);
  if (!/^https?:\/\//.test(source)) {
    if (!existsSync(source)) {
      console.error(`import: ${s.env} file '${source}' does not exist`);
      process.exit(2);
    }
    const sum = createHash('sha256').update(readFileSync(source)).digest('hex');
    if (sum !== s.sha256) {
      console.error(`import: ${source} has sha256 ${sum}, expected ${s.sha256} (${s.what})`);
      process.exit(1);
    }
  }
  const run = spawnSync(process.execPath, [cli, 'import', '--check-upgrade=false', '--no-save', '-l', 'typescript', '-o', outdir, source], {
    cwd: root, stdio: ['ignore', check ? 'ignore' : 'inherit', 'inherit'],
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  used.push(source);
}
const source = used.join(' and ');

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
