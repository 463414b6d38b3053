import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'fs';
import { isAbsolute, join, relative, resolve, sep } from 'path';
import { describeFsError, fsStep, OutputRefusedError } from './fs-errors';
import type { OutputOwner } from './output-manifest';
import { firstObstacle, manifestText, OUTPUT_MARKER, STAGING_MARKER } from './output-manifest';
import { alive, pauseAt, sideNames } from './output-lock';

export { OUTPUT_MARKER } from './output-manifest';
export type { OutputOwner } from './output-manifest';
export { OutputDirectoryError, OutputRefusedError } from './fs-errors';
export { lockOutput } from './output-lock';

/** How a replaceable directory is checked. */
export interface ReplaceOptions {
  readonly owner?: OutputOwner;
  /** Replace a directory the tool cannot prove it wrote, deleting everything in it. @default false */
  readonly force?: boolean;
  readonly cwd?: string;
}

/**
 * Throws one line unless `dir` may be replaced: it does not exist, is an empty directory, holds
 * only what its manifest lists unchanged (for synth: or only `*.k8s.yaml` files of a plain
 * `cdk8s synth`), or `force` is set; and it is a real directory (not a symlink or a file) that
 * neither is nor contains the working directory.
 */
export function assertReplaceable(dir: string, option: string, options: ReplaceOptions = {}): void {
  const cwd = options.cwd ?? process.cwd();
  const owner = options.owner ?? 'synth';
  const abs = resolve(cwd, dir);
  const shown = relative(cwd, abs) || '.';
  const inside = relative(abs, resolve(cwd));
  if (inside === '' || !(inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))) {
    throw new OutputRefusedError(
      `refusing to write ${option} ${shown}: it is or contains the working directory. Name a directory of its own, e.g. ${option} ${owner === 'plan' ? 'plans/next' : 'dist'}`,
    );
  }
  const st = fsStep('read', shown, () => (existsSync(abs) || isDanglingLink(abs) ? lstatSync(abs) : undefined));
  if (!st) return;
  if (st.isSymbolicLink()) {
    throw new OutputRefusedError(
      `refusing to write ${option} ${shown}: it is a symbolic link (to ${readlinkSync(abs)}), and publishing would replace the link by a directory. Name the directory it points to instead (${option} <target>)`,
    );
  }
  if (!st.isDirectory()) {
    throw new OutputRefusedError(
      `refusing to write ${option} ${shown}: it is a file, not a directory. Name a new or empty directory`,
    );
  }
  if (options.force) return;
  const obstacle = fsStep('read', shown, () => firstObstacle(abs, owner));
  if (obstacle) {
    const path = obstacle.path ? join(shown, obstacle.path) : shown;
    const fix = obstacle.fix
      ? `${obstacle.fix[0].toUpperCase()}${obstacle.fix.slice(1)}`
      : `Move it out of ${shown}, or name another directory (--force replaces ${shown}, deleting everything in it)`;
    throw new OutputRefusedError(`refusing to replace ${option} ${shown}: ${path} ${obstacle.why}. ${fix}`);
  }
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * A new, empty staging directory beside `dir` (same filesystem, so publishing is a rename). Call
 * it holding {@link lockOutput}'s lock, after {@link recoverOutput}.
 */
export function createStaging(dir: string): string {
  const { parent, stagingPrefix } = sideNames(dir);
  const staging = join(parent, `${stagingPrefix}${process.pid}`);
  fsStep('create the staging directory', staging, () => {
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, STAGING_MARKER), '');
  });
  return staging;
}

/** Removes a staging directory made by {@link createStaging}. */
export function discardStaging(staging: string): void {
  if (existsSync(join(staging, STAGING_MARKER))) rmSync(staging, { recursive: true, force: true });
}

/** What the journal beside an output directory records while a publish swaps it. */
interface Journal {
  readonly pid: number;
  readonly staging: string;
  readonly previous: string;
}

/**
 * Replaces `dir` with `staging`, crash-safe (docs/output-safety.md): the manifest is written into
 * the staging directory, `dir` is checked again, a journal naming both sides is written, then the
 * old output is renamed aside and the new one into place; the old one and the journal are removed
 * last. A kill at any moment leaves the complete old or the complete new output, or (between the
 * two renames) the old one aside with the journal, which {@link recoverOutput} puts back at the next
 * run. Returns warnings: a failure after the new output is in place does not fail the publish.
 */
export function publishStaging(staging: string, dir: string, option: string, options: ReplaceOptions = {}): string[] {
  const owner = options.owner ?? 'synth';
  const target = resolve(dir);
  const shown = relative(options.cwd ?? process.cwd(), target) || '.';
  fsStep('write the manifest into', staging, () =>
    writeFileSync(join(staging, OUTPUT_MARKER), manifestText(staging, owner)),
  );
  pauseAt('staged');
  assertReplaceable(target, option, options);
  const { journal, previousPrefix, parent } = sideNames(target);
  if (!existsSync(target)) {
    fsStep('publish', shown, () => {
      rmSync(join(staging, STAGING_MARKER));
      renameSync(staging, target);
    });
    pauseAt('published');
    return [];
  }
  const previous = join(parent, `${previousPrefix}${process.pid}`);
  writeJournal(journal, { pid: process.pid, staging, previous });
  pauseAt('journal-written');
  fsStep('publish', shown, () => rmSync(join(staging, STAGING_MARKER)));
  fsStep('move the previous output aside from', shown, () => renameSync(target, previous));
  pauseAt('old-moved-aside');
  try {
    renameSync(staging, target);
  } catch (err) {
    fsStep('put the previous output back into', shown, () => renameSync(previous, target));
    rmSync(journal, { force: true });
    throw describeFsError(err, 'publish', shown);
  }
  pauseAt('new-in-place');
  try {
    rmSync(previous, { recursive: true, force: true });
    pauseAt('old-removed');
    rmSync(journal, { force: true });
  } catch (err) {
    return [
      `${shown} is published, but removing the previous output ${previous} failed (${(err as NodeJS.ErrnoException).code ?? err}): the next run removes it`,
    ];
  }
  return [];
}

function writeJournal(file: string, journal: Journal): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fsStep('write the publish journal', file, () => {
    writeFileSync(tmp, `${JSON.stringify(journal)}\n`);
    renameSync(tmp, file);
  });
}

function readJournal(file: string): Journal | undefined {
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    return typeof j?.staging === 'string' && typeof j?.previous === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finishes what a killed run left beside `dir` (call it holding the lock): with a journal, the
 * previous output is put back if the new one never took its place, else removed; staging
 * directories and previous outputs of runs whose PID no longer runs are removed (a previous output
 * without a journal only when its manifest proves it is the tool's). Returns what it did, one line each.
 */
export function recoverOutput(dir: string, shown: string): string[] {
  const target = resolve(dir);
  const { parent, journal, stagingPrefix, previousPrefix } = sideNames(target);
  const done: string[] = [];
  const j = existsSync(journal) ? readJournal(journal) : undefined;
  if (j) {
    if (!existsSync(target) && existsSync(j.previous)) {
      fsStep('restore the previous output into', shown, () => renameSync(j.previous, target));
      done.push(`restored ${shown} to its output before a publish that was interrupted`);
    }
    if (existsSync(j.staging))
      fsStep('remove the staging directory', j.staging, () => rmSync(j.staging, { recursive: true, force: true }));
    else if (existsSync(j.previous))
      fsStep('remove the previous output', j.previous, () => rmSync(j.previous, { recursive: true, force: true }));
  }
  if (existsSync(journal)) fsStep('remove the publish journal', journal, () => rmSync(journal, { force: true }));
  for (const entry of existsSync(parent) ? readdirSync(parent) : []) {
    const path = join(parent, entry);
    const legacy =
      entry.startsWith(`.${target.split(sep).pop()}.staging-`) ||
      entry.startsWith(`.${target.split(sep).pop()}.previous-`);
    const prefix = [stagingPrefix, previousPrefix].find((p) => entry.startsWith(p));
    if (!prefix && !legacy) continue;
    if (alive(Number(entry.slice(entry.lastIndexOf('-') + 1)))) continue;
    const isStaging = prefix === stagingPrefix || entry.includes('.staging-');
    // A staging directory of a dead run holds its marker, or the manifest written just before publishing, or nothing yet.
    if (
      isStaging &&
      (existsSync(join(path, STAGING_MARKER)) ||
        (prefix === stagingPrefix && (existsSync(join(path, OUTPUT_MARKER)) || readdirSync(path).length === 0)))
    ) {
      fsStep('remove the staging directory of a dead run', path, () => rmSync(path, { recursive: true, force: true }));
      done.push(`removed ${entry}, left by a run that was killed`);
    } else if (!isStaging && !existsSync(target)) {
      fsStep('restore the previous output into', shown, () => renameSync(path, target));
      done.push(`restored ${shown} from ${entry}, left by a run that was killed`);
    } else if (
      (!isStaging && firstObstacle(path, 'synth') === undefined) ||
      (!isStaging && firstObstacle(path, 'plan') === undefined)
    ) {
      fsStep('remove the previous output of a dead run', path, () => rmSync(path, { recursive: true, force: true }));
      done.push(`removed ${entry}, left by a run that was killed`);
    }
  }
  return done;
}
