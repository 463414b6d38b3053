import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { delimiter, dirname, join, resolve } from 'path';
import { Yaml } from 'cdk8s';
import { JsonSchema, SchemaValidator, SchemaViolation } from './schema-validator';

/** Where the pinned schemas are read from. */
export interface SchemaSources {
  /** Kubernetes OpenAPI definitions (`_definitions.json` of cdk8s-team/cdk8s kubernetes-schemas/v1.27.0). */
  readonly k8sDefinitions: string;
  /** Istio CRD bundle (`kubernetes/customresourcedefinitions.gen.yaml` of istio/api v1.30.3). */
  readonly istioCrds: string;
  /** More CRD files, e.g. External Secrets Operator's when ExternalSecrets are emitted. @default - none */
  readonly extraCrds?: readonly string[];
}

/** Environment variables that override the schema locations. */
export const SCHEMA_ENV = { k8sDefinitions: 'K8S_SCHEMA_DEFINITIONS', istioCrds: 'ISTIO_CRDS' } as const;

/**
 * The schema files to use: the environment variables if set, else the pinned copies in
 * `../shared` beside the project root.
 */
export function schemaSources(root = process.cwd(), env: NodeJS.ProcessEnv = process.env): SchemaSources {
  return {
    k8sDefinitions: resolve(root, env[SCHEMA_ENV.k8sDefinitions] ?? '../shared/schemas/k8s-1.27.0/_definitions.json'),
    istioCrds: resolve(root, env[SCHEMA_ENV.istioCrds] ?? '../shared/crds/istio-1.30.3.yaml'),
    extraCrds: [
      // The Argo Rollouts Rollout CRD, when present (the rollouts engine emits Rollouts).
      ...[resolve(root, env.ARGO_ROLLOUT_CRD ?? '../shared/crds/argo-rollouts-v1.9.1-rollout-crd.yaml')].filter((p) => existsSync(p)),
      ...(env.EXTRA_CRDS ?? '').split(delimiter).filter((p) => p !== '').map((p) => resolve(root, p)),
    ],
  };
}

/** The sources that do not exist, as `ENV_VAR (path)`; empty when validation can run. */
export function missingSchemaSources(sources: SchemaSources): string[] {
  return [
    ...(Object.keys(SCHEMA_ENV) as (keyof typeof SCHEMA_ENV)[]).filter((k) => !existsSync(sources[k])).map((k) => `${SCHEMA_ENV[k]} (${sources[k]})`),
    ...(sources.extraCrds ?? []).filter((p) => !existsSync(p)).map((p) => `EXTRA_CRDS (${p})`),
  ];
}

/** A schema violation of one object. */
export interface ObjectViolation extends SchemaViolation {
  /** `Kind namespace/name` of the object. */
  readonly object: string;
}

interface CrdSchemas {
  /** `group/version/Kind` -> openAPIV3Schema. */
  readonly [gvk: string]: JsonSchema;
}

/**
 * Validates manifests against the exact schema of their apiVersion and kind, as the API
 * server would: Kubernetes kinds against the OpenAPI definitions, Istio kinds against the
 * CRD's openAPIV3Schema for that served version. A kind with no schema is an error.
 */
export class SchemaRegistry {
  /** Loads the sources; the parsed CRD schemas are cached under `cacheDir`, keyed by content hash. */
  public static load(sources: SchemaSources, cacheDir?: string): SchemaRegistry {
    const missing = missingSchemaSources(sources);
    if (missing.length > 0) {
      throw new Error(`schema files not found: ${missing.join(', ')}. Set the variable(s) to the pinned upstream file(s): see README, "Validate".`);
    }
    const k8s = JSON.parse(readFileSync(sources.k8sDefinitions, 'utf8')).definitions as Record<string, any>;
    const crds = [sources.istioCrds, ...(sources.extraCrds ?? [])].map((f) => loadCrdSchemas(f, cacheDir));
    return new SchemaRegistry(k8s, Object.assign({}, ...crds));
  }

  private readonly validator: SchemaValidator;
  private readonly k8sByGvk = new Map<string, string>();

  constructor(k8s: Record<string, any>, private readonly crds: CrdSchemas) {
    this.validator = new SchemaValidator(k8s);
    for (const [name, def] of Object.entries(k8s)) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        this.k8sByGvk.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
  }

  /** Every violation of every manifest (empty when all are valid). */
  public validateAll(manifests: readonly any[]): ObjectViolation[] {
    return manifests.flatMap((m) => this.validate(m));
  }

  public validate(manifest: any): ObjectViolation[] {
    const object = `${manifest?.kind ?? '?'} ${manifest?.metadata?.namespace ? `${manifest.metadata.namespace}/` : ''}${manifest?.metadata?.name ?? '?'}`;
    const gvk = `${manifest?.apiVersion}/${manifest?.kind}`;
    const tag = (v: SchemaViolation[]) => v.map((x) => ({ object, ...x }));
    const k8sName = this.k8sByGvk.get(gvk);
    if (k8sName) return tag(this.validator.validate(manifest, { $ref: `#/definitions/${k8sName}` }));
    const crd = this.crds[gvk];
    if (!crd) {
      return tag([{ path: 'apiVersion', message: `no schema for ${gvk}: the API server would reject it (removed or unknown API)` }]);
    }
    const { apiVersion, kind, metadata, ...rest } = manifest;
    const root: JsonSchema = { type: 'object', properties: crd.properties ?? {}, required: crd.required };
    return tag([
      ...this.validator.validate({ apiVersion, kind }, { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' } } }),
      ...this.validator.validate(metadata ?? {}, { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }, 'metadata'),
      ...this.validator.validate(rest, root),
    ]);
  }

  /** `group/version/Kind` of every kind this registry can validate. */
  public get kinds(): string[] {
    return [...this.k8sByGvk.keys(), ...Object.keys(this.crds)];
  }
}

function loadCrdSchemas(file: string, cacheDir?: string): CrdSchemas {
  const text = readFileSync(file);
  const cache = cacheDir ? join(cacheDir, `crd-schemas-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`) : undefined;
  if (cache && existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8'));
  const schemas: Record<string, JsonSchema> = {};
  for (const doc of Yaml.load(file)) {
    if (doc?.kind !== 'CustomResourceDefinition') continue;
    const { group, names } = doc.spec;
    for (const v of doc.spec.versions ?? []) {
      if (v.served && v.schema?.openAPIV3Schema) schemas[`${group}/${v.name}/${names.kind}`] = v.schema.openAPIV3Schema;
    }
  }
  if (cache) {
    mkdirSync(dirname(cache), { recursive: true });
    const tmp = `${cache}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(schemas));
    renameSync(tmp, cache);
  }
  return schemas;
}
