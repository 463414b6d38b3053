import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import { aksIstioAddOnProfile, helmGatewayProfile, InstallationProfile, ISTIOCTL_DEFAULT_PROFILE, Manifest, MeshContextOptions, RELEASE_CONTEXT_FILE } from '../lib';
import { readYamlFile } from '../lib/release/yaml-reader';
import { projectConfig } from './project-config';
import { ParsedArgs, UsageError, value } from './args';

/** The directory holding synthesized stages: `--dist`, else cdk8s.yaml's `output`, else `dist` (relative to `cwd`). */
export function distDir(args: ParsedArgs, cwd: string): string {
  return resolve(cwd, value(args, 'dist') ?? projectConfig(cwd).output ?? 'dist');
}

/** A set of objects to analyze: one synthesized stage, or the files given with `-f`. */
export interface ManifestSet {
  /** Stage name (file name without `.k8s.yaml`), or the files' names. */
  readonly name: string;
  /** The file(s) read, relative to the working directory. */
  readonly files: readonly string[];
  readonly objects: Manifest[];
  /** The cluster facts recorded beside the stages (mesh-context.json). @default - none */
  readonly context?: ToolContext;
}

const STAGE_SUFFIX = '.k8s.yaml';

/** Stage names in `dir`, in file order. */
export function stageNames(dir: string, cwd: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`${relative(cwd, dir) || '.'} is not a directory of synthesized stages: run voting-mesh synth, or name the directory with --dist or the files with -f`);
  }
  return readdirSync(dir).filter((f) => f.endsWith(STAGE_SUFFIX)).sort().map((f) => f.slice(0, -STAGE_SUFFIX.length));
}

/**
 * A stage by reference: a path to a manifest file, or a stage of `dir` by full name, number
 * (`3`, `03`) or name without its number (`cookie-canary`).
 */
export function loadStage(dir: string, ref: string, cwd: string): ManifestSet {
  // A path to a file, or a file name of the stage directory (`02-canary.k8s.yaml`).
  const asFile = [resolve(cwd, ref), join(dir, ref)].find((f) => (ref.includes('/') || /\.(ya?ml|json)$/.test(ref)) && existsSync(f) && statSync(f).isFile());
  if (asFile) {
    const context = releaseContext(dirname(asFile), cwd);
    return { name: ref.replace(/^.*\//, '').replace(/(\.k8s)?\.(ya?ml|json)$/, ''), files: [relative(cwd, asFile)], objects: loadManifests(asFile, cwd), ...(context ? { context } : {}) };
  }
  const names = stageNames(dir, cwd);
  const hits = names.filter((n) => n === ref || n.replace(/^\d+-/, '') === ref || (/^\d+$/.test(ref) && Number(n.split('-')[0]) === Number(ref)));
  if (hits.length !== 1) {
    throw new UsageError(names.length === 0 ? `unknown stage '${ref}': ${relative(cwd, dir) || '.'} holds no *${STAGE_SUFFIX} file`
      : `unknown stage '${ref}' (stages: ${names.join(', ')})`);
  }
  const file = join(dir, `${hits[0]}${STAGE_SUFFIX}`);
  const context = releaseContext(dir, cwd);
  return { name: hits[0], files: [relative(cwd, file)], objects: loadManifests(file, cwd), ...(context ? { context } : {}) };
}

/** The files named with `-f`: each a manifest file, or a directory searched for `*.yaml`, `*.yml` and `*.json`. */
export function manifestFiles(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) {
        const child = join(p, entry);
        // A synthesized release's mesh-context.json holds cluster facts, not objects: read only when named.
        if (statSync(child).isDirectory() ? !entry.startsWith('.') : /\.(ya?ml|json)$/.test(entry) && entry !== RELEASE_CONTEXT_FILE) walk(child);
      }
    } else {
      out.push(p);
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new UsageError(`-f ${p}: no such file or directory`);
    walk(abs);
  }
  if (out.length === 0) throw new UsageError(`-f ${paths.join(' ')}: no *.yaml, *.yml or *.json file there`);
  return out;
}

/** The objects of the `-f` files, as one set. */
export function loadFiles(paths: readonly string[], cwd: string): ManifestSet {
  const files = manifestFiles(paths, cwd);
  return { name: files.length === 1 ? relative(cwd, files[0]) : `${files.length} files`, files: files.map((f) => relative(cwd, f)), objects: files.flatMap((f) => loadManifests(f, cwd)) };
}

/** Every object of a YAML (or JSON) file; `kind: List` documents are unpacked; empty documents are skipped. */
export function loadManifests(file: string, cwd: string): Manifest[] {
  const shown = relative(cwd, file);
  let docs: unknown[];
  if (file.endsWith('.json')) {
    try {
      docs = [JSON.parse(readFileSync(file, 'utf8'))];
    } catch (err) {
      throw new Error(`${shown} is not valid JSON: ${firstLine(err)}`);
    }
  } else {
    docs = readYamlFile(file, shown);
  }
  const out: Manifest[] = [];
  const take = (d: any, where: string) => {
    if (d === null || d === undefined) return;
    if (typeof d === 'object' && typeof d.kind === 'string' && d.kind.endsWith('List') && Array.isArray(d.items)) {
      d.items.forEach((item: unknown, i: number) => take(item, `${where} items[${i}]`));
      return;
    }
    if (typeof d !== 'object' || Array.isArray(d) || typeof d.kind !== 'string' || typeof d.apiVersion !== 'string' || typeof d.metadata?.name !== 'string') {
      throw new Error(`${shown} ${where} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`);
    }
    out.push(d);
  };
  docs.forEach((d, i) => take(d, `document ${i + 1}`));
  return out;
}

/** The cluster facts the tools use: the flags, over `--profile`, over the stages' mesh-context.json, over Istio's defaults. */
export interface ToolContext extends MeshContextOptions {
  /** The ingress gateway pods, in place of Istio's default ones in the analysis. @default - Istio's default ingress gateway */
  readonly ingressGateway?: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> };
}

export function meshContextOptions(args: ParsedArgs, set?: ManifestSet): ToolContext {
  const profile = value(args, 'profile') !== undefined ? profileContext(value(args, 'profile')!) : undefined;
  const base: ToolContext = profile ?? set?.context ?? {};
  const pick = <K extends keyof MeshContextOptions>(flag: string, key: K) => value(args, flag) ?? base[key];
  return {
    ...base,
    clusterDomain: pick('cluster-domain', 'clusterDomain'),
    trustDomain: pick('trust-domain', 'trustDomain'),
    ingressPrincipal: pick('ingress-principal', 'ingressPrincipal'),
  };
}

/** The context of an installation profile named on the command line. */
function profileContext(spec: string): ToolContext {
  const [kind, a, b] = spec.split(':');
  let p: InstallationProfile;
  if (kind === 'istioctl-default' && a === undefined) p = ISTIOCTL_DEFAULT_PROFILE;
  else if (kind === 'aks' && a !== undefined) {
    if (b !== undefined && b !== 'internal' && b !== 'external') throw new UsageError(`--profile ${spec}: the AKS ingress is 'external' or 'internal', not '${b}'`);
    try {
      p = aksIstioAddOnProfile({ revision: a, ingress: (b ?? 'external') as 'external' | 'internal' });
    } catch (err) {
      throw new UsageError(`--profile ${spec}: ${(err as Error).message}`);
    }
  } else if (kind === 'helm' && a !== undefined) p = helmGatewayProfile({ release: a, ...(b ? { namespace: b } : {}) });
  else throw new UsageError(`--profile '${spec}' is not istioctl-default, aks:<revision>[:internal] or helm:<release>[:<namespace>]`);
  return {
    trustDomain: p.trustDomain,
    ingressPrincipal: `${p.trustDomain}/ns/${p.ingressGateway.namespace}/sa/${p.ingressGateway.serviceAccount}`,
    ingressGateway: { namespace: p.ingressGateway.namespace, podLabels: p.ingressGateway.podLabels },
  };
}

/** The release context recorded beside a directory's stages (mesh-context.json), if any. */
function releaseContext(dir: string, cwd: string): ToolContext | undefined {
  const file = join(dir, RELEASE_CONTEXT_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8'));
    return { clusterDomain: c.clusterDomain, trustDomain: c.trustDomain, ingressPrincipal: c.ingressPrincipal, ...(c.ingressGateway ? { ingressGateway: c.ingressGateway } : {}) };
  } catch (err) {
    throw new Error(`${relative(cwd, file)} is not valid JSON: ${firstLine(err)}. Run voting-mesh synth again, or delete it`);
  }
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}
