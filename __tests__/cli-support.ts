import { join } from 'path';
import { runCommand } from '../cli/run';

export const ROOT = join(__dirname, '..');

/** What one command line printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `voting-mesh <argv>` in this process, in `cwd` (default: the project root), with stdout
 * and stderr captured: the same code path as the bin, without starting a process per case.
 */
export async function cli(argv: readonly string[], cwd = ROOT, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(argv, { cwd, env, out: (t) => out.push(`${t}\n`), err: (t) => err.push(`${t}\n`) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
