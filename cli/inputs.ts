import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';
import { Manifest, MeshContextOptions } from '../lib';
import { parseYamlDocuments, readYamlFile, simpleTopLevelScalars } from '../lib/release/yaml-reader';
import { ParsedArgs, UsageError, value } from './args';

/** What `cdk8s.yaml` in a directory says, if it exists: the app command and the output directory. */
export interface ProjectConfig {
  readonly app?: string;
  readonly output?: string;
  /** The file read, for messages. @default - no cdk8s.yaml */
  readonly file?: string;
}

export function projectConfig(cwd: string): ProjectConfig {
  const file = join(cwd, 'cdk8s.yaml');
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  const doc: any = simpleTopLevelScalars(text, ['app', 'output']) ?? parseYamlDocuments(text, relative(cwd, file))[0] ?? {};
  for (const key of ['app', 'output'] as const) {
    if (doc[key] !== undefined && typeof doc[key] !== 'string') throw new Error(`${relative(cwd, file)}: '${key}' is ${JSON.stringify(doc[key])}, not a string`);
  }
  return { app: doc.app, output: doc.output, file };
}

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
  const asFile = resolve(cwd, ref);
  if ((ref.includes('/') || /\.(ya?ml|json)$/.test(ref)) && existsSync(asFile) && statSync(asFile).isFile()) {
    return { name: ref.replace(/^.*\//, '').replace(/(\.k8s)?\.(ya?ml|json)$/, ''), files: [relative(cwd, asFile)], objects: loadManifests(asFile, cwd) };
  }
  const names = stageNames(dir, cwd);
  const hits = names.filter((n) => n === ref || n.replace(/^\d+-/, '') === ref || (/^\d+$/.test(ref) && Number(n.split('-')[0]) === Number(ref)));
  if (hits.length !== 1) {
    throw new UsageError(names.length === 0 ? `unknown stage '${ref}': ${relative(cwd, dir) || '.'} holds no *${STAGE_SUFFIX} file`
      : `unknown stage '${ref}' (stages: ${names.join(', ')})`);
  }
  const file = join(dir, `${hits[0]}${STAGE_SUFFIX}`);
  return { name: hits[0], files: [relative(cwd, file)], objects: loadManifests(file, cwd) };
}

/** The files named with `-f`: each a manifest file, or a directory searched for `*.yaml`, `*.yml` and `*.json`. */
export function manifestFiles(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) {
        const child = join(p, entry);
        if (statSync(child).isDirectory() ? !entry.startsWith('.') : /\.(ya?ml|json)$/.test(entry)) walk(child);
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

/** The cluster facts given on the command line. */
export function meshContextOptions(args: ParsedArgs): MeshContextOptions {
  return { clusterDomain: value(args, 'cluster-domain'), trustDomain: value(args, 'trust-domain'), ingressPrincipal: value(args, 'ingress-principal') };
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}
