import { relative } from 'path';
import {
  assertReplaceable,
  createStaging,
  discardStaging,
  lockOutput,
  publishStaging,
  recoverOutput,
} from '../../lib/release/output-dir';
import type { ParsedArgs } from '../args';
import { value } from '../args';
import type { Io } from '../io';
import { warn } from '../io';

/**
 * Writes a plan directory (`--outdir`) the way synth writes dist/: refused unless voting-mesh's plan
 * wrote every entry unchanged (or `--force`), under the output lock, after recovering what a dead
 * run left, into a staging directory that replaces `out` only once `write` has finished.
 */
export function writePlanDirectory(
  out: string,
  args: ParsedArgs,
  io: Io,
  write: (staging: string, shown: string) => void,
): void {
  const shown = relative(io.cwd, out) || '.';
  const replace = { cwd: io.cwd, owner: 'plan' as const, force: value(args, 'force') !== undefined };
  assertReplaceable(out, '--outdir', replace);
  const release = lockOutput(out, 'plan', shown);
  let staging: string | undefined;
  try {
    for (const line of recoverOutput(out, shown)) warn(io, `note: ${line}`);
    staging = createStaging(out);
    write(staging, shown);
    for (const w of publishStaging(staging, out, '--outdir', replace)) warn(io, `warning: ${w}`);
  } finally {
    if (staging !== undefined) discardStaging(staging);
    release();
  }
}
