import type { OptionSpec, ParsedArgs } from './args';
import { decimalInteger, value } from './args';

/**
 * Bounded reading of the files given with `-f` (docs/output-safety.md): only regular files are
 * read (a FIFO would block forever, `/dev/zero` never ends), each at most `maxFileBytes` and all
 * together at most `maxInputBytes`; every path is resolved to its real path once, so a symlink
 * fan-out or cycle reads no file twice and never loops; directories deeper than
 * {@link MAX_DIRECTORY_DEPTH} are not entered.
 */
export interface InputLimits {
  readonly maxFileBytes: number;
  readonly maxInputBytes: number;
}

export const MIB = 1024 * 1024;
export const DEFAULT_INPUT_LIMITS: InputLimits = { maxFileBytes: 16 * MIB, maxInputBytes: 256 * MIB };
export const INPUT_LIMIT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'max-file-size',
    value: 'MiB',
    help: `Largest -f file read, in MiB (default ${DEFAULT_INPUT_LIMITS.maxFileBytes / MIB}).`,
  },
  {
    name: 'max-input-size',
    value: 'MiB',
    help: `Most bytes read from all -f files together, in MiB (default ${DEFAULT_INPUT_LIMITS.maxInputBytes / MIB}).`,
  },
];

export function inputLimits(args: ParsedArgs): InputLimits {
  const mib = (flag: string, fallback: number) => {
    const text = value(args, flag);
    return text === undefined ? fallback : decimalInteger(text, `--${flag}`, 1, 1_000_000, 'a size in MiB') * MIB;
  };
  return {
    maxFileBytes: mib('max-file-size', DEFAULT_INPUT_LIMITS.maxFileBytes),
    maxInputBytes: mib('max-input-size', DEFAULT_INPUT_LIMITS.maxInputBytes),
  };
}
