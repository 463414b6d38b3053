import { spawnSync } from 'child_process';
import { existsSync, readFileSync, statSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import {
  assertReplaceable,
  createStaging,
  discardStaging,
  lockOutput,
  publishStaging,
  recoverOutput,
} from '../../lib/release/output-dir';
import { ALLOW_FAILING_CHECKS_ENV, QUIET_ENV } from '../../lib/release/allow-failing-checks';
import { PROGRESS_ENV } from '../../lib/release/progress-line';
import { drawsProgress } from '../progress';
import { regularFiles } from '../../lib/release/output-manifest';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';
import { projectConfig } from '../project-config';
import type { Io } from '../io';
import { warn } from '../io';

/** The app stopped on purpose (process.exit) while running in this process. */
class AppExit extends Error {
  constructor(public readonly code: number) {
    super(`the app called process.exit(${code})`);
  }
}

export async function synth(args: ParsedArgs, io: Io): Promise<number> {
  if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  const config = projectConfig(io.cwd);
  const app = value(args, 'app') ?? config.app;
  if (!app)
    throw new UsageError(
      `no app to run: ${relative(io.cwd, join(io.cwd, 'cdk8s.yaml'))} is missing or has no 'app', and --app is not given`,
    );
  const output = value(args, 'outdir') ?? config.output ?? 'dist';
  const outdir = resolve(io.cwd, output);
  // Errors name where the output directory came from: the flag, or cdk8s.yaml.
  const option =
    value(args, 'outdir') !== undefined
      ? '--outdir'
      : config.output !== undefined
        ? "cdk8s.yaml's output"
        : 'the default output';
  const replace = { cwd: io.cwd, force: value(args, 'force') !== undefined };
  assertReplaceable(outdir, option, replace);
  const release = lockOutput(outdir, 'synth', output);
  let staging: string | undefined;
  try {
    for (const line of recoverOutput(outdir, output)) warn(io, `note: ${line}`);
    staging = createStaging(outdir);
    return await synthInto(staging, output, args, io, app, () => publishStaging(staging!, outdir, option, replace));
  } finally {
    if (staging !== undefined) discardStaging(staging);
    release();
  }
}

/** Runs the app into `staging`; publishes it (with `publish`) only when it succeeded with non-empty manifests. */
async function synthInto(
  staging: string,
  output: string,
  args: ParsedArgs,
  io: Io,
  app: string,
  publish: () => string[],
): Promise<number> {
  let status: number;
  try {
    const allowFailingChecks = value(args, 'allow-failing-checks') !== undefined;
    status = await runApp(app, staging, io, { allowFailingChecks, quiet: io.quiet === true });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    io.err(`error: synth failed (${err.message}); ${output} was left untouched.`);
    if (value(args, 'verbose') !== undefined && err.original instanceof Error) io.err(err.original.stack ?? '');
    return 1;
  }
  // A flavour of the release writes its stages into a subdirectory (gateway-api-ambient/): listed with it.
  const manifests = regularFiles(staging).filter((f) => /\.ya?ml$/.test(f));
  const empty = manifests.filter((f) => statSync(join(staging, f)).size === 0);
  const why =
    status !== 0
      ? `the app exited with ${status}`
      : manifests.length === 0
        ? 'the app wrote no manifest'
        : empty.length > 0
          ? `empty manifests: ${empty.join(', ')}`
          : undefined;
  if (why) {
    io.err(`error: synth failed (${why}); ${output} was left untouched.`);
    return 1;
  }
  const summary = manifests.sort().map((f) => {
    const text = readFileSync(join(staging, f), 'utf8');
    return { file: join(output, f), objects: text.split(/^---$/m).length, bytes: Buffer.byteLength(text) };
  });
  for (const w of publish()) warn(io, `warning: ${w}`);
  if (!io.quiet) {
    const width = Math.max(44, ...summary.map((s) => s.file.length));
    for (const s of summary)
      io.out(`  ${s.file.padEnd(width)} ${String(s.objects).padStart(3)} objects ${String(s.bytes).padStart(7)} bytes`);
    io.out(
      `synthesized ${summary.length} manifest file(s), ${summary.reduce((n, s) => n + s.objects, 0)} objects into ${output}` +
        (value(args, 'allow-failing-checks') !== undefined
          ? ' (--allow-failing-checks: published even if the checks printed above failed)'
          : ''),
    );
  }
  return 0;
}

/** What the app is told through its environment: --allow-failing-checks, --quiet (and whether to draw progress). */
interface AppFlags {
  readonly allowFailingChecks: boolean;
  readonly quiet: boolean;
}

/**
 * Runs the app with CDK8S_OUTDIR set to `outdir` and returns its exit status. `node <file>` of a
 * CommonJS file runs in this process: the module is required, process.exit is caught, and the exit
 * code it leaves is its status. Anything else runs through the shell, as `cdk8s synth` runs it.
 */
async function runApp(command: string, outdir: string, io: Io, flags: AppFlags): Promise<number> {
  const file = inProcessEntry(command, io.cwd);
  // The app's runSynth reads them: publish even when the release's own checks fail, each failure
  // printed; print only errors.
  const env: Record<string, string> = {
    CDK8S_OUTDIR: outdir,
    ...(flags.allowFailingChecks ? { [ALLOW_FAILING_CHECKS_ENV]: '1' } : {}),
    ...(flags.quiet ? { [QUIET_ENV]: '1' } : {}),
    // The app's checks draw their progress line on stderr, which the app shares with this command.
    ...(drawsProgress(io) ? { [PROGRESS_ENV]: '1' } : {}),
  };
  if (!file) {
    const run = spawnSync(command, {
      shell: true,
      cwd: io.cwd,
      stdio: 'inherit',
      env: { ...io.env, CDK8S_CHECK_UPGRADE: 'false', ...env },
    });
    return run.status ?? 1;
  }
  const names = ['CDK8S_OUTDIR', ALLOW_FAILING_CHECKS_ENV, QUIET_ENV, PROGRESS_ENV];
  const saved = {
    exit: process.exit,
    exitCode: process.exitCode,
    cwd: process.cwd(),
    env: names.map((n) => [n, process.env[n]] as const),
  };
  Object.assign(process.env, env);
  process.exitCode = undefined;
  process.exit = ((code?: number) => {
    throw new AppExit(code ?? Number(process.exitCode ?? 0));
  }) as typeof process.exit;
  if (saved.cwd !== io.cwd) process.chdir(io.cwd);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the user's app file in this process (its path is known only at run time)
    require(file);
    // A cdk8s app synthesizes synchronously; one turn of the event loop lets a trailing promise settle.
    await new Promise((r) => setImmediate(r));
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof AppExit) return err.code;
    throw new AppError(err);
  } finally {
    process.exit = saved.exit;
    process.exitCode = saved.exitCode;
    for (const [n, v] of saved.env) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
    if (saved.cwd !== io.cwd) process.chdir(saved.cwd);
  }
}

/** An error thrown by the app itself (not by this tool): its message, and its stack with --verbose. */
export class AppError extends Error {
  constructor(public readonly original: unknown) {
    super(
      `the app threw: ${(original instanceof Error ? original.message : String(original))
        .trim()
        .split('\n')
        .map((l) => l.trim())
        .join(' ')}`,
    );
  }
}

/** The CommonJS file of `node <file>` (no node flags), or undefined when the command must run in a shell. */
function inProcessEntry(command: string, cwd: string): string | undefined {
  const m = /^\s*node\s+("[^"]+"|'[^']+'|[^\s"'`$;&|<>]+)\s*$/.exec(command);
  if (!m) return undefined;
  const file = resolve(cwd, m[1].replace(/^["']|["']$/g, ''));
  if (!existsSync(file) || !/\.(c?js)$/.test(file)) return undefined;
  if (file.endsWith('.js') && nearestPackageType(dirname(file)) === 'module') return undefined;
  return file;
}

function nearestPackageType(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p)) {
      try {
        return JSON.parse(readFileSync(p, 'utf8')).type;
      } catch {
        return undefined;
      }
    }
    if (dirname(d) === d) return undefined;
  }
}
