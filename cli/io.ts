/** Where a command reads and writes: the caller's directory and environment, and its output streams. */
export interface Io {
  /** The caller's working directory: every path on the command line is relative to it. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Writes one line (or several) to standard output. */
  out(text: string): void;
  /** Writes one line (or several) to standard error. */
  err(text: string): void;
}

/** The process's own directory, environment and streams. */
export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
}
