import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { basename, join, relative, resolve, sep } from 'path';
import { packageRoot } from '../../lib/analysis/schema/bundled-schemas';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';
import type { Io } from '../io';

/** The app's packages that this package pins itself: the app gets the versions it is built and tested against. */
const PINNED_HERE = {
  dependencies: ['cdk8s', 'cdk8s-plus-27', 'constructs'],
  devDependencies: ['@types/jest', '@types/node', 'jest', 'typescript'],
} as const;

/**
 * The app's runners, which this package does not use itself: ts-node runs main.ts (cdk8s.yaml's
 * app), ts-jest runs the tests. The consumer test installs exactly these with the versions above.
 */
const RUNNERS: Readonly<Record<string, string>> = { 'ts-jest': '29.4.15', 'ts-node': '10.9.2' };

/** Files copied from the package's templates/app/, and their names in the app (npm does not pack a `.gitignore`). */
const TEMPLATE_FILES: readonly (readonly [template: string, file: string])[] = [
  ['main.ts', 'main.ts'],
  ['main.test.ts', 'main.test.ts'],
  ['tsconfig.json', 'tsconfig.json'],
  ['jest.config.js', 'jest.config.js'],
  ['gitignore', '.gitignore'],
];

/** The class `cdk8s synth` loads from the plugin file (cli/cdk8s-plugin.ts). */
export const PLUGIN_CLASS = 'VotingMeshValidation';
/** Where the plugin is in an app that installed the package: cdk8s loads a local plugin by path, not by package name. */
export const PLUGIN_PATH = './node_modules/voting-mesh/out/cli/cdk8s-plugin.js';

/**
 * Writes a new app into a new or empty directory, offline: package.json, tsconfig.json,
 * cdk8s.yaml, main.ts (a two-service release), main.test.ts, jest.config.js and .gitignore.
 * A non-empty directory is refused with one line (exit 2); no file is ever overwritten.
 */
export function init(args: ParsedArgs, io: Io): number {
  if (args.positional.length > 1)
    throw new UsageError(`unexpected argument '${args.positional[1]}': init takes one directory`);
  const shown = args.positional[0] ?? '.';
  const dir = resolve(io.cwd, shown);
  const refusal = whyNotWritable(dir, shown);
  if (refusal) {
    io.err(`error: ${refusal}`);
    return 2;
  }
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
  const source = votingMeshSource(value(args, 'source'), manifest.version, dir, io.cwd);
  const files: [string, string][] = [
    ['package.json', appPackageJson(appName(dir), source, manifest)],
    ['cdk8s.yaml', cdk8sYaml(manifest.version)],
    ...TEMPLATE_FILES.map(([template, file]): [string, string] => [
      file,
      readFileSync(join(packageRoot(), 'templates', 'app', template), 'utf8'),
    ]),
  ];
  mkdirSync(dir, { recursive: true });
  // 'wx': fail rather than replace a file that appeared since the check above.
  for (const [file, content] of files) writeFileSync(join(dir, file), content, { flag: 'wx' });
  const cd = relative(io.cwd, dir);
  if (io.quiet) return 0;
  io.out(`wrote ${files.map(([f]) => f).join(', ')} into ${cd || '.'}`);
  io.out(
    [
      'next:',
      ...(cd ? [`  cd ${cd}`] : []),
      '  npm install',
      '  npx voting-mesh synth       # dist/01-stable.k8s.yaml, dist/02-canary.k8s.yaml',
      '  npm test',
      '  npx voting-mesh validate',
    ].join('\n'),
  );
  if (value(args, 'source') === undefined)
    io.out(
      `voting-mesh is installed from the registry (${source}); to install a packed tarball instead, run init with --source <file.tgz>`,
    );
  return 0;
}

/** Why `dir` cannot receive a new app, or undefined when it is new or empty. */
function whyNotWritable(dir: string, shown: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory())
    return `${shown} is a file, not a directory: give a new or empty directory (voting-mesh init <dir>)`;
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) return undefined;
  const listed = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, and ${entries.length - 3} more` : '');
  return `refusing to write into ${shown}: it is not empty (${listed}); give a new or empty directory (voting-mesh init <dir>)`;
}

/**
 * How the app's package.json names voting-mesh: a path to the packed tarball (`file:`,
 * relative to the app), else what npm takes as is (a version range or tag); default
 * `^<this version>` from the registry.
 */
function votingMeshSource(option: string | undefined, version: string, dir: string, cwd: string): string {
  if (option === undefined) return `^${version}`;
  const path = resolve(cwd, option);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new UsageError(
      `--source ${option} is a directory: npm would link it, and its own copy of cdk8s would load beside the app's. Run npm pack there and give the .tgz`,
    );
  }
  if (existsSync(path)) return `file:${relative(dir, path).split(sep).join('/')}`;
  if (/[\\/]|\.tgz$/.test(option))
    throw new UsageError(
      `--source ${option}: no such file or directory (give the packed tarball, e.g. voting-mesh-${version}.tgz, or a version range)`,
    );
  return option;
}

/** An npm package name from the directory's name. */
function appName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name || 'mesh-app';
}

function appPackageJson(name: string, source: string, manifest: { devDependencies: Record<string, string> }): string {
  const pin = (names: readonly string[]) =>
    Object.fromEntries(names.map((n) => [n, exactVersion(manifest.devDependencies, n)]));
  const sorted = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify(
    {
      name,
      version: '0.1.0',
      private: true,
      description: 'Release stages written with voting-mesh (a cdk8s app)',
      scripts: {
        synth: 'voting-mesh synth',
        validate: 'voting-mesh validate',
        test: 'jest',
        typecheck: 'tsc --noEmit',
      },
      dependencies: sorted({ ...pin(PINNED_HERE.dependencies), 'voting-mesh': source }),
      devDependencies: sorted({ ...pin(PINNED_HERE.devDependencies), ...RUNNERS }),
    },
    null,
    2,
  )}\n`;
}

/** The exact version this package pins for `name` (its own devDependency). */
function exactVersion(pinned: Record<string, string>, name: string): string {
  const v = pinned[name];
  if (!v || !/^\d+\.\d+\.\d+$/.test(v))
    throw new Error(
      `voting-mesh's package.json pins no exact version of ${name} (found ${JSON.stringify(v)}): reinstall voting-mesh`,
    );
  return v;
}

function cdk8sYaml(version: string): string {
  return [
    '# The cdk8s app: `npx voting-mesh synth` (and plain `cdk8s synth`) run `app` and write into `output`.',
    'language: typescript',
    'app: npx ts-node main.ts',
    'output: dist',
    "# Plain `cdk8s synth` runs voting-mesh validate's checks (schemas, mesh analyzer, every transition)",
    "# through this plugin and reports them in cdk8s' format; `cdk8s synth --no-validate` skips them.",
    'validations:',
    `  - package: ${PLUGIN_PATH}`,
    `    class: ${PLUGIN_CLASS}`,
    `    version: ${version}`,
    '',
  ].join('\n');
}
