import type { Io } from './io';
import type { ProgressOptions } from '../lib/release/progress-line';
import { ProgressLine } from '../lib/release/progress-line';

export { PROGRESS_DELAY_MS } from '../lib/release/progress-line';
export type { ProgressOptions } from '../lib/release/progress-line';

/**
 * The progress line of a command ({@link ProgressLine}): drawn only when the command's stderr is
 * a terminal and it is not `--quiet`, so pipes and logs see nothing of it.
 */
export class Progress extends ProgressLine {
  /** The progress of a command run with `io`: none unless its stderr is a terminal and it is not quiet. */
  static of(io: Io, options: ProgressOptions = {}): Progress {
    return new Progress(drawsProgress(io) ? io.stderr : undefined, { ...(io.now ? { now: io.now } : {}), ...options });
  }
}

/** Whether a command run with `io` draws a progress line: its stderr is a terminal and it is not quiet. */
export function drawsProgress(io: Io): boolean {
  return io.stderr?.isTTY === true && !io.quiet;
}
