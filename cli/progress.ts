import type { Io, TerminalStream } from './io';

/** How long work runs before a progress line appears. */
export const PROGRESS_DELAY_MS = 1000;

/** Options of {@link Progress}: the clock and the delay, replaceable in tests. */
export interface ProgressOptions {
  readonly delayMs?: number;
  readonly now?: () => number;
}

/**
 * One line on stderr saying what long work is doing, redrawn in place (`\r`) and erased by
 * {@link done}. Drawn only on a terminal, never with `--quiet`, and only once the work has run
 * for {@link PROGRESS_DELAY_MS}: short runs, pipes and logs see nothing of it.
 */
export class Progress {
  private readonly start: number;
  private readonly now: () => number;
  private readonly delayMs: number;
  private drawn = 0;

  constructor(
    private readonly stream: TerminalStream | undefined,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
    this.start = this.now();
  }

  /** The progress of a command run with `io`: none unless its stderr is a terminal and it is not quiet. */
  static of(io: Io, options: ProgressOptions = {}): Progress {
    const stream = io.stderr?.isTTY === true && !io.quiet ? io.stderr : undefined;
    return new Progress(stream, { ...(io.now ? { now: io.now } : {}), ...options });
  }

  /** Shows `text` (one line, without a newline) in place of the previous one, once the delay has passed. */
  update(text: string): void {
    if (!this.stream || this.now() - this.start < this.delayMs) return;
    const line = text.replace(/\s+/g, ' ').slice(0, 100);
    this.stream.write(`\r${line.padEnd(this.drawn)}`);
    this.drawn = line.length;
  }

  /** Erases the line, if one was drawn, so that what is printed next starts on a clean line. */
  done(): void {
    if (!this.stream || this.drawn === 0) return;
    this.stream.write(`\r${' '.repeat(this.drawn)}\r`);
    this.drawn = 0;
  }
}
