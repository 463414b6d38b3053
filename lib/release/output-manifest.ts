import { createHash } from 'crypto';
import type { Stats } from 'fs';
import { lstatSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

/**
 * Output directories the tools own. A directory written by `voting-mesh synth` or `plan --out`
 * carries this manifest: every file written, recursively, with the sha256 of its content. The
 * tools replace a directory only when every entry in it is one the manifest lists, unchanged, so
 * they never delete a path they did not create (docs/output-safety.md).
 */
export const OUTPUT_MARKER = '.voting-mesh-output';

/** Marks a staging directory as this tool's while the app writes into it (never part of an output). */
export const STAGING_MARKER = '.voting-mesh-staging';

/** The manifest's format: a marker of another format (or of the earlier plain-text one) proves nothing. */
export const MANIFEST_FORMAT = 'voting-mesh-output/v2';

/** Which command owns an output directory: each replaces only its own (a plan never replaces stages). */
export type OutputOwner = 'synth' | 'plan';

/** The manifest's content. */
export interface OutputManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly owner: OutputOwner;
  readonly note: string;
  /** Path relative to the directory (`/`-separated) to the sha256 (hex) of its content, sorted by path. */
  readonly files: Readonly<Record<string, string>>;
}

const NOTE =
  'Written by voting-mesh, which replaces this directory only while it holds exactly these files, unchanged. See docs/output-safety.md.';

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The files under `dir`, recursively, as sorted `/`-separated relative paths (the output and staging markers excluded). */
export function regularFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const rel = `${prefix}${e.name}`;
      if (e.isDirectory()) return regularFiles(join(dir, e.name), `${rel}/`);
      return rel === OUTPUT_MARKER || rel === STAGING_MARKER ? [] : [rel];
    })
    .sort();
}

/** The manifest text of what `dir` holds now: its files and their hashes (deterministic: sorted, fixed layout). */
export function manifestText(dir: string, owner: OutputOwner): string {
  const files: Record<string, string> = {};
  for (const f of regularFiles(dir)) files[f] = sha256(join(dir, f));
  const manifest: OutputManifest = { format: MANIFEST_FORMAT, owner, note: NOTE, files };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The manifest of `dir`, or why it cannot be trusted. */
export function readManifest(dir: string): OutputManifest | string {
  let text: string;
  try {
    text = readFileSync(join(dir, OUTPUT_MARKER), 'utf8');
  } catch {
    return 'cannot be read';
  }
  // The plain-text marker of earlier versions listed top-level names only, without content hashes.
  if (text.startsWith('Written by voting-mesh '))
    return 'is the marker of an earlier voting-mesh version, which cannot prove that nothing was added or changed since';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `is not a ${MANIFEST_FORMAT} manifest (not JSON)`;
  }
  const m = parsed as Partial<OutputManifest> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    m.format !== MANIFEST_FORMAT ||
    (m.owner !== 'synth' && m.owner !== 'plan') ||
    typeof m.files !== 'object' ||
    m.files === null ||
    Array.isArray(m.files) ||
    Object.values(m.files).some((h) => typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h))
  ) {
    return `is not a ${MANIFEST_FORMAT} manifest (empty, changed by hand, or from an earlier version)`;
  }
  return m as OutputManifest;
}

/** A path in an output directory that stops its replacement, and why. */
export interface Obstacle {
  /** Relative to the directory; '' for the directory itself. */
  readonly path: string;
  readonly why: string;
  /** What to do instead of moving the path away. @default - move it out, or name another directory */
  readonly fix?: string;
}

/**
 * The first entry of `dir` (an existing directory, not followed if a symlink) that the tool did not
 * write, or undefined when replacing `dir` loses nothing: it is empty, or every entry is listed in
 * its manifest (for `owner`) with the same content, or — for synth — it is a plain `cdk8s synth`
 * output (no manifest, only `*.k8s.yaml` regular files at the top).
 */
export function firstObstacle(dir: string, owner: OutputOwner): Obstacle | undefined {
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return undefined;
  if (!entries.includes(OUTPUT_MARKER)) {
    if (owner === 'synth' && entries.every((e) => e.endsWith('.k8s.yaml') && lstatSync(join(dir, e)).isFile()))
      return undefined;
    const first = entries.find((e) => !(e.endsWith('.k8s.yaml') && lstatSync(join(dir, e)).isFile())) ?? entries[0];
    return {
      path: first,
      why: `was not written by voting-mesh (the directory has no ${OUTPUT_MARKER} manifest${owner === 'synth' ? ' and is not a plain cdk8s synth output of *.k8s.yaml files only' : ''})`,
    };
  }
  const manifest = readManifest(dir);
  if (typeof manifest === 'string')
    return {
      path: OUTPUT_MARKER,
      why: manifest,
      fix: 'if nothing in it is yours, run once with --force, which deletes everything in it',
    };
  if (manifest.owner !== owner)
    return {
      path: OUTPUT_MARKER,
      why: `says voting-mesh ${manifest.owner} wrote this directory${manifest.owner === 'synth' ? ' (it holds synthesized stages)' : ''}, not ${owner}`,
      fix: `name another directory, e.g. ${owner === 'plan' ? '--outdir plans/next' : '--outdir dist'}`,
    };
  const root = lstatSync(dir);
  const listedDirs = new Set(
    Object.keys(manifest.files).flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  const walk = (rel: string): Obstacle | undefined => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      if (path === OUTPUT_MARKER) continue;
      const obstacle =
        entryObstacle(dir, path, lstatSync(join(dir, path)), root, manifest, listedDirs) ??
        (lstatSync(join(dir, path)).isDirectory() ? walk(path) : undefined);
      if (obstacle) return obstacle;
    }
    return undefined;
  };
  return walk('');
}

function entryObstacle(
  dir: string,
  path: string,
  st: Stats,
  root: Stats,
  manifest: OutputManifest,
  listedDirs: ReadonlySet<string>,
): Obstacle | undefined {
  if (st.isSymbolicLink()) return { path, why: 'is a symbolic link, which voting-mesh never writes' };
  if (st.isDirectory()) {
    if (st.dev !== root.dev) return { path, why: 'is a mount point' };
    return listedDirs.has(path)
      ? undefined
      : { path, why: `is a directory the ${OUTPUT_MARKER} manifest does not list` };
  }
  if (!st.isFile()) return { path, why: 'is not a regular file (a FIFO, socket or device)' };
  const hash = Object.prototype.hasOwnProperty.call(manifest.files, path) ? manifest.files[path] : undefined;
  if (hash === undefined)
    return { path, why: `was not written by voting-mesh (the ${OUTPUT_MARKER} manifest does not list it)` };
  let actual: string;
  try {
    actual = sha256(join(dir, path));
  } catch {
    return { path, why: 'cannot be read to compare it with what voting-mesh wrote' };
  }
  return actual === hash ? undefined : { path, why: 'changed since voting-mesh wrote it' };
}
