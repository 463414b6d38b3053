import type { Stats } from 'fs';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  statSync,
} from 'fs';
import { basename, join, relative, resolve } from 'path';
import { ACCEPTED_FINDINGS_FILE, RELEASE_CONTEXT_FILE } from '../lib/release/release-context-file';
import { GATES_FILE } from '../lib/release/gates/gate-notes';
import { UsageError } from './args';
import type { InputLimits } from './input-limits';
import { DEFAULT_INPUT_LIMITS, MIB } from './input-limits';

/** Input that cannot be read safely: one line (what, where, how to proceed), exit code 1. */
export class InputError extends Error {}

/** How many directory levels below a `-f` directory are searched. */
export const MAX_DIRECTORY_DEPTH = 32;
/** The files the tools write beside stages: recognised wherever they are, never read as manifests. */
const OWN_FILES = new Set([
  RELEASE_CONTEXT_FILE,
  GATES_FILE,
  ACCEPTED_FINDINGS_FILE,
  'RELEASE.md',
  '.voting-mesh-output',
  '.voting-mesh-staging',
]);
const MANIFEST_NAME = /\.(ya?ml|json)$/;

/** A `-f` file read, with the path it was named by (relative to the working directory). */
export interface InputFile {
  readonly path: string;
  readonly text: string;
}

/** The files found under the `-f` paths, and what was skipped (one line each, for stderr). */
export interface InputFiles {
  readonly files: readonly InputFile[];
  readonly skipped: readonly string[];
}

export function readInputFiles(
  paths: readonly string[],
  cwd: string,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): InputFiles {
  const seen = new Set<string>();
  const files: InputFile[] = [];
  const skipped: string[] = [];
  let total = 0;
  const shown = (p: string) => relative(cwd, p) || '.';
  const readOne = (p: string, named: boolean): void => {
    const text = readBounded(p, shown(p), limits.maxFileBytes, limits.maxInputBytes - total, named, skipped);
    if (text === undefined) return;
    total += Buffer.byteLength(text);
    files.push({ path: p, text });
  };
  const walk = (p: string, depth: number, named: boolean): void => {
    const real = realOrUndefined(p);
    if (real === undefined) {
      skipped.push(`skipped ${shown(p)}: a symbolic link to nothing`);
      return;
    }
    if (named && OWN_FILES.has(basename(p))) {
      skipped.push(`skipped ${shown(p)}: a file voting-mesh writes beside stages, not a manifest`);
      return;
    }
    if (seen.has(real)) return; // read once, whichever path reached it first (no cycles)
    seen.add(real);
    const st = statSync(real);
    if (!st.isDirectory()) return readOne(p, named);
    if (depth >= MAX_DIRECTORY_DEPTH) {
      skipped.push(`skipped ${shown(p)}: deeper than ${MAX_DIRECTORY_DEPTH} directory levels below -f`);
      return;
    }
    for (const entry of readdirSync(p).sort()) {
      const child = join(p, entry);
      if (OWN_FILES.has(entry)) continue;
      const childStat = statOrUndefined(child);
      if (childStat?.isDirectory() ? !entry.startsWith('.') : MANIFEST_NAME.test(entry)) walk(child, depth + 1, false);
    }
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    // A path that is not there is a bad argument (exit 2), not an input that could not be read.
    if (!statOrUndefined(abs) && !lstatOrUndefined(abs)) throw new UsageError(`-f ${p}: no such file or directory`);
    walk(abs, 0, true);
  }
  return { files, skipped };
}

/**
 * The text of `file`, or undefined when it is not a regular file (recorded in `skipped`; an error
 * when the file was named itself). Opened non-blocking, so that a FIFO does not wait for a writer.
 */
function readBounded(
  file: string,
  shown: string,
  maxFile: number,
  budget: number,
  named: boolean,
  skipped: string[],
): string | undefined {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = `${shown} is not a regular file (${kindOf(st)})`;
      if (named) throw new InputError(`-f ${what}: only regular files are read. Name a file or a directory`);
      skipped.push(`skipped ${what}`);
      return undefined;
    }
    if (st.size > maxFile)
      throw new InputError(
        `-f ${shown} is ${mib(st.size)} MiB, more than the ${mib(maxFile)} MiB a file may have: raise --max-file-size if it is meant`,
      );
    if (st.size > budget)
      throw new InputError(
        `-f: with ${shown}, the files given are more than --max-input-size (${mib(budget)} MiB left): raise --max-input-size, or give fewer files`,
      );
    // Read at most one byte more than the size stat reported: a file growing while read still ends.
    const buf = Buffer.alloc(Math.min(st.size, maxFile) + 1);
    let length = 0;
    for (let n; length < buf.length && (n = readSync(fd, buf, length, buf.length - length, null)) > 0;) length += n;
    if (length > st.size)
      throw new InputError(`-f ${shown} grew while it was read: give a file that is not being written`);
    return buf.subarray(0, length).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

const mib = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;

function realOrUndefined(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}
