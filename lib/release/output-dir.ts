import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'path';

/**
 * Output directories the tools own. A directory written by `voting-mesh synth` or `plan --out`
 * carries this marker file; the tools replace only such directories (or empty or new ones), so
 * they never delete a path they did not create.
 */
export const OUTPUT_MARKER = '.voting-mesh-output';

/** Which command owns an output directory: each replaces only its own (a plan never replaces stages). */
export type OutputOwner = 'synth' | 'plan';

/** The marker's text: the owner, then every file it wrote, one a line. */
function markerText(owner: OutputOwner, files: readonly string[]): string {
  return [`Written by voting-mesh ${owner}, which replaces this directory as a whole: keep nothing else in it. Its files:`, ...files, ''].join('\n');
}

/** The owner and files a marker records; a marker of an earlier version records neither. */
function readMarker(dir: string): { owner?: OutputOwner; files?: string[] } {
  const lines = readFileSync(join(dir, OUTPUT_MARKER), 'utf8').split('\n').filter((l) => l !== '');
  const owner = /^Written by voting-mesh (synth|plan),/.exec(lines[0] ?? '')?.[1] as OutputOwner | undefined;
  return owner ? { owner, files: lines.slice(1) } : {};
}
const STAGING_MARKER = '.voting-mesh-staging';

/** A directory a tool may not replace, with why and how to fix it. */
export class OutputDirectoryError extends Error {}

/**
 * Throws unless `dir` may be replaced: it does not exist, is an empty directory, or carries the
 * marker; and it neither is nor contains the working directory.
 */
export function assertReplaceable(dir: string, option: string, cwd = process.cwd(), owner: OutputOwner = 'synth'): void {
  const abs = resolve(cwd, dir);
  dir = relative(cwd, abs) || '.';
  const inside = relative(abs, resolve(cwd));
  if (inside === '' || !(inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))) {
    throw new OutputDirectoryError(`refusing to write ${option} ${dir}: it is or contains the working directory. Name a directory of its own, e.g. ${option} ${owner === 'plan' ? 'plans/next' : 'dist'}`);
  }
  if (!existsSync(abs)) return;
  if (!statSync(abs).isDirectory()) {
    throw new OutputDirectoryError(`refusing to write ${option} ${dir}: it is a file, not a directory. Name a new or empty directory`);
  }
  const entries = readdirSync(abs);
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
    throw new OutputDirectoryError(`refusing to replace ${option} ${dir}: it holds ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'} (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}) and no ${OUTPUT_MARKER} marker, so voting-mesh did not write it. Name a new or empty directory, or move its contents away`);
  }
  if (entries.length === 0) return;
  const marker = readMarker(abs);
  if (marker.owner !== undefined && marker.owner !== owner) {
    throw new OutputDirectoryError(`refusing to replace ${option} ${dir}: voting-mesh ${marker.owner} wrote it${marker.owner === 'synth' ? ' (it holds the synthesized stages)' : ''}. Name another directory, e.g. ${option} ${owner === 'plan' ? 'plans/next' : 'dist'}`);
  }
  const foreign = marker.files ? entries.filter((e) => e !== OUTPUT_MARKER && !marker.files!.includes(e)) : [];
  if (foreign.length > 0) {
    throw new OutputDirectoryError(`refusing to replace ${option} ${dir}: ${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''} ${foreign.length === 1 ? 'was' : 'were'} not written by voting-mesh ${owner}, and the directory is replaced as a whole. Move ${foreign.length === 1 ? 'it' : 'them'} elsewhere`);
  }
}

/**
 * A new, empty staging directory beside `dir` (same filesystem, so publishing is a rename).
 * Staging directories left by killed runs of this tool are removed first: they carry a marker.
 */
export function createStaging(dir: string): string {
  const parent = dirname(resolve(dir));
  mkdirSync(parent, { recursive: true });
  const prefix = `.${basename(resolve(dir))}.staging-`;
  for (const entry of readdirSync(parent)) {
    const pid = Number(entry.slice(prefix.length));
    if (entry.startsWith(prefix) && existsSync(join(parent, entry, STAGING_MARKER)) && !alive(pid)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
  const staging = join(parent, `${prefix}${process.pid}`);
  mkdirSync(staging);
  writeFileSync(join(staging, STAGING_MARKER), '');
  return staging;
}

/** Removes a staging directory made by {@link createStaging}. */
export function discardStaging(staging: string): void {
  if (existsSync(join(staging, STAGING_MARKER))) rmSync(staging, { recursive: true, force: true });
}

/**
 * Replaces `dir` with `staging` by renames: the old directory (checked by {@link assertReplaceable})
 * is moved aside, the staging directory takes its place, then the old one is removed. A reader
 * sees the old output or the new one, never a mix.
 */
export function publishStaging(staging: string, dir: string, option: string, owner: OutputOwner = 'synth'): void {
  const target = resolve(dir);
  assertReplaceable(target, option, process.cwd(), owner);
  rmSync(join(staging, STAGING_MARKER), { force: true });
  writeFileSync(join(staging, OUTPUT_MARKER), markerText(owner, readdirSync(staging).sort()));
  if (!existsSync(target)) {
    renameSync(staging, target);
    return;
  }
  const previous = join(dirname(target), `.${basename(target)}.previous-${process.pid}`);
  renameSync(target, previous);
  try {
    renameSync(staging, target);
  } catch (err) {
    renameSync(previous, target);
    throw err;
  }
  rmSync(previous, { recursive: true, force: true });
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return pid !== process.pid;
  } catch {
    return false;
  }
}
