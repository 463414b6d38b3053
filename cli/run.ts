import { readFileSync } from 'fs';
import { join } from 'path';
import { packageRoot } from '../lib/analysis/schema/bundled-schemas';
import { OutputRefusedError } from '../lib/release/fs-errors';
import type { CommandSpec, ParsedArgs } from './args';
import { EXIT_CODES, helpText, parseArgs, UsageError } from './args';
import type { Io } from './io';
import { warn } from './io';
import { diffSpec, explainSpec, gateSpec, initSpec, planSpec, synthSpec, validateSpec } from './specs';

const BIN = 'voting-mesh';

type Run = (args: ParsedArgs, io: Io) => number | Promise<number>;

interface Command {
  readonly spec: CommandSpec;
  /** Loads the implementation: `synth` never loads the analysis tools, and no command loads the others'. */
  readonly load: () => Promise<Run>;
}

const COMMANDS: readonly Command[] = [
  { spec: synthSpec, load: async () => (await import('./commands/synth')).synth },
  { spec: validateSpec, load: async () => (await import('./commands/validate')).validate },
  { spec: explainSpec, load: async () => (await import('./commands/explain')).explain },
  { spec: planSpec, load: async () => (await import('./commands/plan')).plan },
  { spec: diffSpec, load: async () => (await import('./commands/diff')).diff },
  { spec: gateSpec, load: async () => (await import('./commands/gate')).gate },
  { spec: initSpec, load: async () => (await import('./commands/init')).init },
];

function overview(): string {
  return [
    `usage: ${BIN} <command> [options]`,
    '',
    'Typed Istio release stages for cdk8s: synthesize them, and check, explain, plan and diff them offline.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(10)} ${c.spec.summary}`),
    '',
    `Run '${BIN} <command> --help' for a command's options.`,
    `Exit codes: ${EXIT_CODES}.`,
    '',
  ].join('\n');
}

/**
 * Runs one command line (without the program name) against `io` and returns the exit code:
 * 0 success, 1 findings or failure, 2 usage (an unknown option, a bad value, a refused output
 * directory). Every error is one line on stderr (what, where, how to fix); `--verbose` adds the
 * stack trace; `--quiet` drops every warning, note and progress line.
 */
export async function runCommand(argv: readonly string[], given: Io): Promise<number> {
  let io = given;
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    io.out(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version);
    return 0;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    io.err(`error: unknown command '${name}' (commands: ${COMMANDS.map((c) => c.spec.name).join(', ')})`);
    io.err(`usage: ${BIN} <command> [options]`);
    return 2;
  }
  const verbose = rest.includes('--verbose');
  try {
    const args = parseArgs(command.spec, rest, io.env);
    if (args.options.has('quiet')) io = { ...io, quiet: true };
    for (const w of args.warnings ?? []) warn(io, w);
    if (args.options.has('help')) {
      io.out(helpText(BIN, command.spec));
      return 0;
    }
    return await (
      await command.load()
    )(args, io);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.err(`error: ${message}`);
    if (err instanceof UsageError) {
      io.err(`usage: ${BIN} ${command.spec.usage} (see ${BIN} ${name} --help)`);
      return 2;
    }
    // A refused output directory is a refused argument: one line saying what to name instead.
    if (err instanceof OutputRefusedError) return 2;
    if (verbose && err instanceof Error && err.stack) io.err(err.stack);
    return 1;
  }
}
export { processIo } from './io';
