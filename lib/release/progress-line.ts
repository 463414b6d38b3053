/**
 * The progress line of long work: one line on a terminal's stderr, redrawn in place. Here rather
 * than in cli/ because the app's own `runSynth` draws it too (its checks run in the app's
 * process, where the CLI cannot see them); a module of its own so that the CLI loads it without
 * loading the library.
 */

/** Where a progress line is drawn: a terminal's stream. */
export interface ProgressStream {
  write(text: string): unknown;
}

/** How long work runs before a progress line appears. */
export const PROGRESS_DELAY_MS = 1000;

/**
 * The environment variable `voting-mesh synth` sets to 1 for the app it runs when its own stderr
 * is a terminal and it is not `--quiet`: the app's `runSynth` then draws its progress line there.
 */
export const PROGRESS_ENV = 'VOTING_MESH_PROGRESS';

/** Options of {@link ProgressLine}: the clock and the delay, replaceable in tests. */
export interface ProgressOptions {
  readonly delayMs?: number;
  readonly now?: () => number;
}

/**
 * One line on stderr saying what long work is doing, redrawn in place (`\r`) and erased by
 * {@link done}. Drawn only on the stream given (none: nothing is drawn), and only once the work
 * has run for {@link PROGRESS_DELAY_MS}: short runs see nothing of it.
 */
export class ProgressLine {
  private readonly start: number;
  private readonly now: () => number;
  private readonly delayMs: number;
  private drawn = 0;

  constructor(
    private readonly stream: ProgressStream | undefined,
    options: ProgressOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.delayMs = options.delayMs ?? PROGRESS_DELAY_MS;
    this.start = this.now();
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
