/** A stream a progress line is drawn on: a terminal when `isTTY` is true (process.stderr is one). */
export interface TerminalStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Where a command reads and writes: the caller's directory and environment, and its output streams. */
export interface Io {
  /** The caller's working directory: every path on the command line is relative to it. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Writes one line (or several) to standard output. */
  out(text: string): void;
  /** Writes one line (or several) to standard error. */
  err(text: string): void;
  /** `--quiet`: warnings, notes and progress are dropped ({@link warn}); only errors are printed. @default false */
  readonly quiet?: boolean;
  /** Standard error as a stream, for the progress line (cli/progress.ts). @default - no progress line */
  readonly stderr?: TerminalStream;
  /** Whether standard output is a terminal: only there does `plan` shorten long values. @default false */
  readonly stdoutIsTTY?: boolean;
  /** The clock the progress line measures elapsed time by (tests replace it). @default Date.now */
  readonly now?: () => number;
}

/** Writes a warning or note line to stderr, unless `--quiet`. */
export function warn(io: Io, text: string): void {
  if (!io.quiet) io.err(text);
}

/** The process's own directory, environment and streams. */
export function processIo(): Io {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    stderr: process.stderr,
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}
