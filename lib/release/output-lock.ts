import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'fs';
import { basename, dirname, join, resolve } from 'path';
import { describeFsError, fsStep, OutputDirectoryError } from './fs-errors';

/**
 * The names a run keeps beside an output directory `dir` (in its parent, so that publishing is a
 * rename on one filesystem). All match `.gitignore`'s `.*.voting-mesh-*`.
 */
export function sideNames(dir: string): {
  parent: string;
  lock: string;
  journal: string;
  stagingPrefix: string;
  previousPrefix: string;
} {
  const target = resolve(dir);
  const parent = dirname(target);
  const base = `.${basename(target)}.voting-mesh-`;
  return {
    parent,
    lock: join(parent, `${base}lock`),
    journal: join(parent, `${base}journal`),
    stagingPrefix: `${base}staging-`,
    previousPrefix: `${base}previous-`,
  };
}

/** Whether a process with this PID runs (this process counts: its lock is held). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock file younger than this whose content cannot be read is being written: not stale. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/**
 * Takes the lock of output directory `dir` for `command`: a file beside it holding this process's
 * PID, created exclusively. A lock whose PID no longer runs is stale and taken over (a killed
 * run); one held by a running process stops this one with one line. Returns the release.
 */
export function lockOutput(dir: string, command: string, shown: string): () => void {
  const { parent, lock } = sideNames(dir);
  // mkdir reports a file on the way as EEXIST: name it instead.
  for (let d = parent; dirname(d) !== d; d = dirname(d)) {
    if (existsSync(d)) {
      if (!statSync(d).isDirectory())
        throw new OutputDirectoryError(
          `cannot create ${shown}: ${d} is a file, not a directory: name a directory path`,
        );
      break;
    }
  }
  fsStep('create the parent directory of', shown, () => mkdirSync(parent, { recursive: true }));
  removeDeadPendingLocks(lock);
  // The lock appears whole or not at all: its content is written to a file of this PID's own,
  // then hard-linked to the lock's name (which fails if the lock exists). A lock created empty
  // and then written could be left empty by a kill, and would look held for the grace period.
  const pending = `${lock}-${process.pid}`;
  fsStep('write the lock file', pending, () =>
    writeFileSync(pending, `${JSON.stringify({ pid: process.pid, command })}\n`),
  );
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(pending, lock);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2)
          throw describeFsError(err, 'create the lock file', lock);
        const holder = lockHolder(lock);
        if (holder === 'gone') continue;
        if (holder !== 'stale') {
          throw new OutputDirectoryError(
            `${shown} is being written by another voting-mesh ${holder.command} (PID ${holder.pid}, lock ${lock}): wait for it to finish; if no such process runs, delete the lock file`,
          );
        }
        // Remove the stale lock only if it is still the one read (another run may have just taken it over).
        if (lockHolder(lock) === 'stale') fsStep('remove the stale lock file', lock, () => unlinkSync(lock));
        continue;
      }
      break;
    }
  } finally {
    unlinkSync(pending);
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(lock, 'utf8').includes(`"pid":${process.pid},`)) unlinkSync(lock);
    } catch {
      // Already gone: nothing to release.
    }
  };
}

/** The pending lock files (`<lock>-<pid>`) of runs killed before they linked or removed them. */
function removeDeadPendingLocks(lock: string): void {
  const prefix = `${basename(lock)}-`;
  for (const entry of readdirSync(dirname(lock))) {
    if (entry.startsWith(prefix) && !alive(Number(entry.slice(prefix.length)))) {
      fsStep('remove the pending lock file of a dead run', join(dirname(lock), entry), () =>
        unlinkSync(join(dirname(lock), entry)),
      );
    }
  }
}

function lockHolder(lock: string): { pid: number; command: string } | 'stale' | 'gone' {
  let text: string;
  let age: number;
  try {
    text = readFileSync(lock, 'utf8');
    age = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 'gone';
  }
  let holder: { pid?: unknown; command?: unknown } | undefined;
  try {
    holder = JSON.parse(text);
  } catch {
    holder = undefined;
  }
  if (typeof holder?.pid !== 'number') return age > UNREADABLE_LOCK_GRACE_MS ? 'stale' : { pid: NaN, command: 'run' };
  return alive(holder.pid) ? { pid: holder.pid, command: String(holder.command ?? 'run') } : 'stale';
}

/**
 * Test hook: with VOTING_MESH_TEST_PAUSE_AT=<step>, the process stops at that step of a publish
 * (printing `voting-mesh: paused at <step>` on stderr) for up to a minute, so that a test can
 * look at the directory at that instant and kill the process there.
 */
export function pauseAt(step: string): void {
  if (process.env.VOTING_MESH_TEST_PAUSE_AT !== step) return;
  writeSync(2, `voting-mesh: paused at ${step}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
