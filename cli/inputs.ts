import { isAscii } from 'buffer';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
// The modules themselves, not the package entry point, whose constructs cost ~80 ms to load (see commands/explain.ts).
import type { Manifest } from '../lib/analysis/manifest';
import { at, isObject } from '../lib/analysis/manifest-kinds';
import type { MeshContextOptions } from '../lib/model/defaults';
import type { InstallationProfile } from '../lib/model/installation-profile';
import { aksIstioAddOnProfile, helmGatewayProfile, ISTIOCTL_DEFAULT_PROFILE } from '../lib/model/installation-profile';
import type { AcceptedFinding } from '../lib/model/application-spec';
import { installationIngress } from '../lib/resolve/ingress';
import { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE } from '../lib/release/release-context-file';
import type { DocumentsByText } from '../lib/release/yaml-reader';
import { readYamlDocuments } from '../lib/release/yaml-reader';
import { InputError, readInputFiles } from './input-files';
import type { InputLimits } from './input-limits';
import { DEFAULT_INPUT_LIMITS } from './input-limits';
import { projectConfig } from './project-config';
import type { ParsedArgs } from './args';
import { UsageError, value } from './args';

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
  /** The Warnings the application accepts, recorded beside the stages (accepted-findings.json). @default - none */
  readonly accepted?: readonly AcceptedFinding[];
}

const STAGE_SUFFIX = '.k8s.yaml';

/** Stage names in `dir`, in file order. */
export function stageNames(dir: string, cwd: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(
      `${relative(cwd, dir) || '.'} is not a directory of synthesized stages: run voting-mesh synth, or name the directory with --dist or the files with -f`,
    );
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith(STAGE_SUFFIX))
    .sort()
    .map((f) => f.slice(0, -STAGE_SUFFIX.length));
}

/**
 * A stage by reference: a path to a manifest file, or a stage of `dir` by full name, number
 * (`3`, `03`) or name without its number (`cookie-canary`). Stages loaded with one `shared` map
 * (plan, diff) share the objects whose text is alike (lib/release/yaml-reader.ts DocumentsByText).
 */
export function loadStage(dir: string, ref: string, cwd: string, shared?: DocumentsByText): ManifestSet {
  // A path to a file, or a file name of the stage directory (`02-canary.k8s.yaml`).
  const asFile = [resolve(cwd, ref), join(dir, ref)].find(
    (f) => (ref.includes('/') || /\.(ya?ml|json)$/.test(ref)) && existsSync(f) && statSync(f).isFile(),
  );
  if (asFile) {
    const context = releaseContext(dirname(asFile), cwd);
    const accepted = acceptedFindings(dirname(asFile), cwd);
    return {
      name: ref.replace(/^.*\//, '').replace(/(\.k8s)?\.(ya?ml|json)$/, ''),
      files: [relative(cwd, asFile)],
      objects: loadManifests(asFile, cwd, shared),
      ...(context ? { context } : {}),
      ...(accepted ? { accepted } : {}),
    };
  }
  const names = stageNames(dir, cwd);
  const hits = names.filter(
    (n) =>
      n === ref || n.replace(/^\d+-/, '') === ref || (/^\d+$/.test(ref) && Number(n.split('-')[0]) === Number(ref)),
  );
  if (hits.length !== 1) {
    throw new UsageError(
      names.length === 0
        ? `unknown stage '${ref}': ${relative(cwd, dir) || '.'} holds no *${STAGE_SUFFIX} file`
        : `unknown stage '${ref}' (stages: ${names.join(', ')})`,
    );
  }
  const file = join(dir, `${hits[0]}${STAGE_SUFFIX}`);
  const context = releaseContext(dir, cwd);
  const accepted = acceptedFindings(dir, cwd);
  return {
    name: hits[0],
    files: [relative(cwd, file)],
    objects: loadManifests(file, cwd, shared),
    ...(context ? { context } : {}),
    ...(accepted ? { accepted } : {}),
  };
}

/** A JSON file synth writes beside the stages, parsed, with its path as shown; undefined when absent. */
function readOwnJson(dir: string, cwd: string, name: string): { shown: string; json: unknown } | undefined {
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  const shown = relative(cwd, file);
  try {
    return { shown, json: JSON.parse(readFileSync(file, 'utf8')) as unknown };
  } catch (err) {
    throw new InputError(`${shown} is not valid JSON: ${firstLine(err)}. Run voting-mesh synth again, or delete it`);
  }
}

/** The accepted Warnings synth recorded beside a directory's stages (accepted-findings.json), if any. */
function acceptedFindings(dir: string, cwd: string): AcceptedFinding[] | undefined {
  const read = readOwnJson(dir, cwd, ACCEPTED_FINDINGS_FILE);
  if (!read) return undefined;
  const { shown, json: c } = read;
  const entries = typeof c === 'object' && c !== null ? (c as { accepted?: unknown }).accepted : undefined;
  const valid = (e: unknown): e is AcceptedFinding =>
    typeof e === 'object' &&
    e !== null &&
    ['code', 'object', 'reason'].every((k) => typeof (e as Record<string, unknown>)[k] === 'string');
  if (!Array.isArray(entries) || !entries.every(valid)) {
    throw new InputError(
      `${shown}: expected {"accepted": [{"code", "object", "reason"}, ...]}. Run voting-mesh synth again, or delete it`,
    );
  }
  return entries;
}

/**
 * The objects of the `-f` files (each a manifest file, or a directory searched for `*.yaml`,
 * `*.yml` and `*.json`), as one set, read within `limits` (./input-files.ts). What is skipped is
 * written to `warn`, one line each. No object at all is an error: nothing would be checked.
 */
export function loadFiles(
  paths: readonly string[],
  cwd: string,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
  warn: (line: string) => void = () => {},
): ManifestSet {
  const { files, skipped } = readInputFiles(paths, cwd, limits);
  skipped.forEach((line) => warn(`voting-mesh: ${line}`));
  if (files.length === 0) throw new UsageError(`-f ${paths.join(' ')}: no *.yaml, *.yml or *.json file there`);
  const objects = files.flatMap((f) => manifestsOfText(f.text, f.path, cwd));
  if (objects.length === 0)
    throw new InputError(
      `-f ${paths.join(' ')}: no Kubernetes object in ${files.length === 1 ? relative(cwd, files[0].path) : `the ${files.length} files`}, so nothing was checked. Give manifests`,
    );
  return {
    name: files.length === 1 ? relative(cwd, files[0].path) : `${files.length} files`,
    files: files.map((f) => relative(cwd, f.path)),
    objects,
  };
}

/** Every object of a YAML (or JSON) file; `kind: List` documents are unpacked; empty documents are skipped. */
export function loadManifests(file: string, cwd: string, shared?: DocumentsByText): Manifest[] {
  return manifestsOfText(fileText(file), file, cwd, shared);
}

/**
 * A file's text as `readFileSync(file, 'utf8')` reads it. Measured reason: stage files are nearly
 * always ASCII, and decoding a 3 MB one of the 300-service release as UTF-8 took ~10 ms, checking
 * that it is ASCII and copying its bytes as Latin-1 (the same string for ASCII) ~1 ms. A file with
 * any other byte (a BOM, a non-ASCII character) is decoded as UTF-8, as before.
 */
function fileText(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** How deeply a manifest may nest maps and lists: deeper input is refused before anything recurses into it. */
export const MAX_NESTING_DEPTH = 100;

function manifestsOfText(text: string, file: string, cwd: string, shared?: DocumentsByText): Manifest[] {
  const shown = relative(cwd, file);
  let docs: unknown[];
  let maxNesting: number | undefined;
  try {
    if (file.endsWith('.json')) docs = [JSON.parse(text)];
    else ({ documents: docs, maxNesting } = readYamlDocuments(text, shown, '1.1', shared));
  } catch (err) {
    // The YAML library reports a stack overflow as a parse error of the document.
    if (err instanceof RangeError || /Maximum call stack size exceeded/.test(String((err as Error)?.message)))
      throw new InputError(
        `${shown} nests too deeply to be read (more than ${MAX_NESTING_DEPTH} levels of maps and lists): flatten it`,
      );
    if (file.endsWith('.json')) throw new Error(`${shown} is not valid JSON: ${firstLine(err)}`, { cause: err });
    throw err;
  }
  // A reader that bounds the nesting (the writer's form) has refused deeper input already: no second walk.
  if (maxNesting === undefined || maxNesting > MAX_NESTING_DEPTH)
    docs.forEach((d, i) => {
      if (nestingDepth(d) > MAX_NESTING_DEPTH)
        throw new InputError(
          `${shown} document ${i + 1} nests more than ${MAX_NESTING_DEPTH} levels of maps and lists: flatten it`,
        );
    });
  const out: Manifest[] = [];
  const take = (d: unknown, where: string) => {
    if (d === null || d === undefined) return;
    const kind = at(d, 'kind');
    const items = at(d, 'items');
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
      items.forEach((item: unknown, i: number) => take(item, `${where} items[${i}]`));
      return;
    }
    if (
      !isObject(d) ||
      typeof kind !== 'string' ||
      typeof d.apiVersion !== 'string' ||
      typeof at(d, 'metadata', 'name') !== 'string'
    ) {
      throw new Error(`${shown} ${where} is not a Kubernetes object (it needs apiVersion, kind and metadata.name)`);
    }
    out.push(d as unknown as Manifest); // checked just above: apiVersion, kind and metadata.name are strings
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
    if (b !== undefined && b !== 'internal' && b !== 'external')
      throw new UsageError(`--profile ${spec}: the AKS ingress is 'external' or 'internal', not '${b}'`);
    try {
      p = aksIstioAddOnProfile({ revision: a, ingress: (b ?? 'external') as 'external' | 'internal' });
    } catch (err) {
      throw new UsageError(`--profile ${spec}: ${(err as Error).message}`);
    }
  } else if (kind === 'helm' && a !== undefined) p = helmGatewayProfile({ release: a, ...(b ? { namespace: b } : {}) });
  else
    throw new UsageError(
      `--profile '${spec}' is not istioctl-default, aks:<revision>[:internal] or helm:<release>[:<namespace>]`,
    );
  const ingress = installationIngress(p);
  return {
    trustDomain: p.trustDomain,
    ingressPrincipal: ingress.principal,
    ingressGateway: { namespace: ingress.namespace, podLabels: ingress.podLabels },
  };
}

/** The release context recorded beside a directory's stages (mesh-context.json), if any, checked field by field. */
function releaseContext(dir: string, cwd: string): ToolContext | undefined {
  const read = readOwnJson(dir, cwd, RELEASE_CONTEXT_FILE);
  if (!read) return undefined;
  const { shown, json: c } = read;
  const wrong = contextProblem(c);
  if (wrong) throw new InputError(`${shown}: ${wrong}. Run voting-mesh synth again, or delete it`);
  const ctx = c as ToolContext;
  return {
    clusterDomain: ctx.clusterDomain,
    trustDomain: ctx.trustDomain,
    ingressPrincipal: ctx.ingressPrincipal,
    ...(ctx.ingressGateway ? { ingressGateway: ctx.ingressGateway } : {}),
  };
}

/** The fields of mesh-context.json ({@link ToolContext}) and the type of each. */
const CONTEXT_FIELDS: Readonly<Record<string, 'string' | 'gateway'>> = {
  clusterDomain: 'string',
  trustDomain: 'string',
  ingressPrincipal: 'string',
  ingressGateway: 'gateway',
};

/** What is wrong with a parsed mesh-context.json, naming the field and its value; undefined when it is a {@link ToolContext}. */
export function contextProblem(c: unknown): string | undefined {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const show = (v: unknown) => JSON.stringify(v) ?? String(v);
  if (!isMap(c)) return `expected an object of ${Object.keys(CONTEXT_FIELDS).join(', ')}, got ${show(c)}`;
  for (const [key, v] of Object.entries(c)) {
    const type = Object.hasOwn(CONTEXT_FIELDS, key) ? CONTEXT_FIELDS[key] : undefined;
    if (!type) return `unknown field '${key}' (known: ${Object.keys(CONTEXT_FIELDS).join(', ')})`;
    if (type === 'string' && typeof v !== 'string') return `${key} must be a string, got ${show(v)}`;
    if (type === 'gateway') {
      if (!isMap(v)) return `${key} must be an object {namespace, podLabels}, got ${show(v)}`;
      for (const k of Object.keys(v))
        if (k !== 'namespace' && k !== 'podLabels') return `unknown field '${key}.${k}' (known: namespace, podLabels)`;
      if (typeof v.namespace !== 'string') return `${key}.namespace must be a string, got ${show(v.namespace)}`;
      if (!isMap(v.podLabels)) return `${key}.podLabels must be an object of label strings, got ${show(v.podLabels)}`;
      for (const [label, lv] of Object.entries(v.podLabels))
        if (typeof lv !== 'string') return `${key}.podLabels.${label} must be a string, got ${show(lv)}`;
    }
  }
  return undefined;
}

/** The depth of nested maps and lists, counted without recursion (deep input would overflow the stack). */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING_DEPTH) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0];
}
