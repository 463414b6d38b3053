/** A directory a tool may not replace or could not write, with why and how to fix it: one line. */
export class OutputDirectoryError extends Error {}

/** An output directory refused as named (not voting-mesh's to replace, a symlink, a file): a usage error, exit 2. */
export class OutputRefusedError extends OutputDirectoryError {}

/** What to do about a filesystem error, by its code. */
const ADVICE: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device: free some and run again',
  EDQUOT: 'the disk quota is exhausted: free some space and run again',
  EACCES: 'permission denied: make the directory writable for this user, or name another one',
  EPERM: 'operation not permitted: make the directory writable for this user, or name another one',
  EROFS: 'the filesystem is read-only: name a directory on a writable one',
  EEXIST: 'something else created that path meanwhile: make sure no other program writes there, and run again',
  ENOTEMPTY:
    'something else wrote into that directory meanwhile: make sure no other program writes there, and run again',
  ENOTDIR: 'a part of the path is a file, not a directory: name a directory path',
  EISDIR: 'it is a directory where a file was expected: move it away',
  ENOENT: 'a part of the path disappeared meanwhile: make sure no other program removes it, and run again',
  EXDEV:
    'the staging directory and the output are on different filesystems: name an output directory whose parent is on one filesystem',
  EBUSY: 'the path is in use (a mount point?): name another directory',
  EMFILE: 'too many open files: raise the limit (ulimit -n) and run again',
};

/**
 * Runs one filesystem step; a failure becomes one {@link OutputDirectoryError} line: what failed,
 * on which path, the error code, and what to do. Anything else is rethrown as it is.
 */
export function fsStep<T>(what: string, path: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw describeFsError(err, what, path);
  }
}

/** {@link fsStep}'s one line for an error thrown by a filesystem call (other errors are returned unchanged). */
export function describeFsError(err: unknown, what: string, path: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (err instanceof OutputDirectoryError || typeof code !== 'string') return err;
  return new OutputDirectoryError(
    `cannot ${what} ${path} (${code}): ${ADVICE[code] ?? `${String((err as Error).message).split('\n')[0]}`}`,
  );
}
