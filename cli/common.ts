import { existsSync, readdirSync } from 'fs';
import { join, resolve } from 'path';
import { Yaml } from 'cdk8s';
import { Manifest } from '../lib';

/** A mistake in how the command was called: one line, the usage, exit code 2. */
export class UsageError extends Error {}

/** Runs a command-line tool: usage errors exit 2, other errors exit 1, each as one line on stderr. */
export function runCli(usage: string, main: (args: string[]) => number | void): void {
  try {
    process.exitCode = main(process.argv.slice(2)) ?? 0;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`error: ${message}`);
    if (err instanceof UsageError) console.error(`usage: ${usage}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

/** Splits `args` into positionals and `--flag value` options (repeatable); `booleans` take no value. */
export function parseArgs(args: string[], valued: readonly string[], booleans: readonly string[] = []) {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [flag, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (booleans.includes(flag)) {
      options.set(flag, ['true']);
      continue;
    }
    if (!valued.includes(flag)) throw new UsageError(`unknown option '--${flag}'`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`option '--${flag}' needs a value`);
    options.set(flag, [...(options.get(flag) ?? []), value]);
  }
  return { positional, options };
}

/** The directory holding the synthesized stages. */
export function distDir(options: Map<string, string[]>): string {
  return resolve(options.get('dist')?.[0] ?? 'dist');
}

/** Stage names available in `dir`, in file order. */
export function stageNames(dir: string): string[] {
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: run npm run synth first`);
  return readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort().map((f) => f.replace(/\.k8s\.yaml$/, ''));
}

/** Resolves a stage by full name, number (`3`, `03`) or name without number (`cookie-canary`). */
export function resolveStageName(dir: string, wanted: string): string {
  const names = stageNames(dir);
  const hits = names.filter((n) => n === wanted || n.replace(/^\d+-/, '') === wanted
    || (/^\d+$/.test(wanted) && Number(n.split('-')[0]) === Number(wanted)));
  if (hits.length !== 1) throw new UsageError(`unknown stage '${wanted}' (stages: ${names.join(', ')})`);
  return hits[0];
}

/** The synthesized objects of a stage, as they will be applied. */
export function loadStage(dir: string, name: string): Manifest[] {
  return Yaml.load(join(dir, `${name}.k8s.yaml`)).filter((d: unknown) => d) as Manifest[];
}
