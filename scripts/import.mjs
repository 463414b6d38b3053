#!/usr/bin/env node
// npm run import: regenerate, from pinned upstream files,
//   imports/   typed bindings (`cdk8s import`) of the Istio 1.30.3 CRDs and the Argo Rollouts v1.9.1 Rollout CRD;
//              (the Argo CD Application, Flux Kustomization and Argo Rollouts AnalysisTemplate CRDs: schemas only)
//   schemas/   the JSON schemas strict validation reads (Kubernetes 1.27 definitions and each CRD's
//              openAPIV3Schema per served version, with its formats, defaults and CEL rules
//              (x-kubernetes-validations); Istio, Argo Rollouts and Gateway API v1.5.1), shipped
//              inside the package so that a consumer validates offline, with no ../shared and no network.
//
// The documented sources are the upstream URLs below (and in cdk8s.yaml). Where they cannot be
// reached, an environment variable names a local copy; by default the pinned copies in ../shared
// are used when they exist. Local files are checked against their sha256, so imports/ and schemas/
// are always generated from exactly the pinned files.
//
//   ISTIO_CRDS=<path or URL> npm run import   # override a source (see SOURCES for the variables)
//   npm run import -- --check                 # fail if imports/ or schemas/ differ from a fresh import (CI)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = (...p) => resolve(root, '..', 'shared', ...p);
const SOURCES = [
  {
    env: 'K8S_SCHEMA_DEFINITIONS',
    what: 'Kubernetes 1.27.0 OpenAPI definitions',
    kind: 'definitions',
    schemas: 'kubernetes-1.27.0.json',
    upstream: 'https://raw.githubusercontent.com/cdk8s-team/cdk8s/master/kubernetes-schemas/v1.27.0/_definitions.json',
    sha256: '58a37fdf0c9d45b677663b57cad9d98b73d927af583a8ebee69613d09e1365d9',
    local: shared('schemas', 'k8s-1.27.0', '_definitions.json'),
  },
  {
    env: 'ISTIO_CRDS',
    what: 'Istio 1.30.3 CRDs',
    kind: 'crds',
    schemas: 'crds-istio-1.30.3.json',
    bindings: true,
    upstream: 'https://raw.githubusercontent.com/istio/api/v1.30.3/kubernetes/customresourcedefinitions.gen.yaml',
    sha256: 'dcb43ff6b9af2f629b80b6a82597f5a91db259c757e66cc5353ac007da28351a',
    local: shared('crds', 'istio-1.30.3.yaml'),
  },
  {
    env: 'ARGO_ROLLOUT_CRD',
    what: 'Argo Rollouts v1.9.1 Rollout CRD',
    kind: 'crds',
    schemas: 'crds-argo-rollouts-v1.9.1.json',
    bindings: true,
    upstream: 'https://raw.githubusercontent.com/argoproj/argo-rollouts/v1.9.1/manifests/crds/rollout-crd.yaml',
    sha256: 'd79c0dab9bb386b1c9329fb69cf0d843fff2152b3f7916839755c1aabc7387f5',
    local: shared('crds', 'argo-rollouts-v1.9.1-rollout-crd.yaml'),
  },
  {
    // Bindings for the Gateway API flavour of a release (Gateway, HTTPRoute, ReferenceGrant, ...).
    // The pinned bytes are config/crd/standard/*.yaml of the tag concatenated without the
    // ValidatingAdmissionPolicy file; the release asset standard-install.yaml holds the same CRDs
    // but other bytes, so where ../shared is absent point GATEWAY_API_CRDS at the pinned copy.
    env: 'GATEWAY_API_CRDS',
    what: 'Gateway API v1.5.1 standard CRDs',
    kind: 'crds',
    schemas: 'crds-gateway-api-v1.5.1.json',
    bindings: true,
    upstream: 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
    sha256: '6ad4d6d41af8a9e149d5d0ce9c5f02853722a588a5498b3b34e9fbf3f93d93a2',
    local: shared('crds', 'gateway-api-v1.5.1-standard.yaml'),
  },
  {
    // Schemas only (no bindings): the Application objects `plan --format argocd` emits are validated against it.
    env: 'ARGO_CD_APPLICATION_CRD',
    what: 'Argo CD v3.5.1 Application CRD',
    kind: 'crds',
    schemas: 'crds-argo-cd-v3.5.1.json',
    upstream: 'https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/crds/application-crd.yaml',
    sha256: '5dde0e229249b6b707beb98674c1deae3949d5c319a6c45b9f5a80c99618e40c',
    local: shared('crds', 'argo-cd-v3.5.1-application-crd.yaml'),
  },
  {
    // Schemas only: the Kustomization objects `plan --format flux` emits are validated against it.
    env: 'FLUX_KUSTOMIZATION_CRD',
    what: 'Flux kustomize-controller v1.9.4 Kustomization CRD',
    kind: 'crds',
    schemas: 'crds-flux-kustomize-controller-v1.9.4.json',
    upstream:
      'https://raw.githubusercontent.com/fluxcd/kustomize-controller/v1.9.4/config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml',
    sha256: 'da23ca0e6b4c80d3d26a91583137491e147ef4ef1e2208aece0d0af4ef851974',
    local: shared('crds', 'flux-kustomize-controller-v1.9.4-kustomization-crd.yaml'),
  },
  {
    // Schemas only: the AnalysisTemplate of a stage's metric gates (docs/progressive-delivery.md) is validated against it.
    env: 'ARGO_ANALYSIS_TEMPLATE_CRD',
    what: 'Argo Rollouts v1.9.1 AnalysisTemplate CRD',
    kind: 'crds',
    schemas: 'crds-argo-rollouts-analysis-template-v1.9.1.json',
    upstream:
      'https://raw.githubusercontent.com/argoproj/argo-rollouts/v1.9.1/manifests/crds/analysis-template-crd.yaml',
    sha256: '96a871705477bb8876f91630789ce753c8291f0ff5457a8cbc781ff150522369',
    local: shared('crds', 'argo-rollouts-v1.9.1-analysis-template-crd.yaml'),
  },
];

const check = process.argv.includes('--check');
const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-import-'));
const out = {
  imports: check ? join(scratch, 'imports') : join(root, 'imports'),
  schemas: check ? join(scratch, 'schemas') : join(root, 'schemas'),
};
const cli = join(root, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** The bytes of a source: the env override, the pinned local copy, or the upstream URL. */
async function read(s) {
  const source = process.env[s.env] ?? (existsSync(s.local) ? s.local : s.upstream);
  let bytes;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source);
    if (!res.ok) fail(2, `import: ${source} answered ${res.status} (${s.what}); set ${s.env} to a local copy`);
    bytes = Buffer.from(await res.arrayBuffer());
  } else {
    if (!existsSync(source)) fail(2, `import: ${s.env} file '${source}' does not exist`);
    bytes = readFileSync(source);
  }
  const sum = createHash('sha256').update(bytes).digest('hex');
  if (sum !== s.sha256) fail(1, `import: ${source} has sha256 ${sum}, expected ${s.sha256} (${s.what})`);
  return { source, bytes };
}

function fail(code, message) {
  console.error(message);
  rmSync(scratch, { recursive: true, force: true });
  process.exit(code);
}

/**
 * A schema without its `description`s: validation never reads them, and they are three quarters
 * of the bytes (the bundled Kubernetes definitions parse in 2 ms instead of 6 ms at every synth).
 */
function withoutDescriptions(schema) {
  if (Array.isArray(schema)) return schema.map(withoutDescriptions);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k, v]) => !(k === 'description' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}

/** One schema per served group/version/kind; identical schemas of several versions are stored once. */
function crdSchemas(s, bytes) {
  const schemas = [];
  const seen = new Map();
  const kinds = {};
  for (const doc of parseAllDocuments(bytes.toString('utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = crd.spec;
    for (const v of crd.spec.versions ?? []) {
      if (!v.served || !v.schema?.openAPIV3Schema) continue;
      const schema = withoutDescriptions(v.schema.openAPIV3Schema);
      const text = JSON.stringify(schema);
      if (!seen.has(text)) {
        seen.set(text, schemas.length);
        schemas.push(schema);
      }
      kinds[`${group}/${v.name}/${names.kind}`] = seen.get(text);
    }
  }
  return { source: s.upstream, sha256: s.sha256, kinds, schemas };
}

mkdirSync(out.schemas, { recursive: true });
const used = [];
for (const s of SOURCES) {
  const { source, bytes } = await read(s);
  used.push(source);
  const generated =
    s.kind === 'definitions'
      ? {
          source: s.upstream,
          sha256: s.sha256,
          definitions: withoutDescriptions(JSON.parse(bytes.toString('utf8')).definitions),
        }
      : crdSchemas(s, bytes);
  writeFileSync(join(out.schemas, s.schemas), `${JSON.stringify(generated)}\n`);
  if (!s.bindings) continue;
  const file = join(scratch, `source-${used.length}.yaml`);
  writeFileSync(file, bytes);
  const run = spawnSync(
    process.execPath,
    [cli, 'import', '--check-upgrade=false', '--no-save', '-l', 'typescript', '-o', out.imports, file],
    {
      cwd: root,
      stdio: ['ignore', check ? 'ignore' : 'inherit', 'inherit'],
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    },
  );
  if (run.status !== 0) fail(run.status ?? 1, `import: cdk8s import of ${source} failed`);
}

if (check) {
  const differ = [];
  for (const [dir, ext] of [
    ['imports', '.ts'],
    ['schemas', '.json'],
  ]) {
    const files = (d) =>
      existsSync(d)
        ? readdirSync(d)
            .filter((f) => f.endsWith(ext))
            .sort()
        : [];
    const fresh = files(out[dir]);
    const committed = files(join(root, dir));
    differ.push(
      ...[...new Set([...fresh, ...committed])]
        .filter(
          (f) =>
            !fresh.includes(f) ||
            !committed.includes(f) ||
            !readFileSync(join(out[dir], f)).equals(readFileSync(join(root, dir, f))),
        )
        .map((f) => `${dir}/${f}`),
    );
  }
  rmSync(scratch, { recursive: true, force: true });
  if (differ.length > 0)
    fail(1, `not what a fresh import of ${used.join(', ')} generates: ${differ.join(', ')}. Run npm run import.`);
  console.log(`imports/ and schemas/ match a fresh import of ${used.join(', ')}`);
} else {
  rmSync(scratch, { recursive: true, force: true });
}
