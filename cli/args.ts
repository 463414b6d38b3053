/** A mistake in how a command was called: one line, the usage, exit code 2. */
export class UsageError extends Error {}

/** One option of a command. */
export interface OptionSpec {
  /** Long name, without `--`. */
  readonly name: string;
  /** One-letter alias, without `-`. @default - none */
  readonly alias?: string;
  /** Placeholder of the value (`dir`); options without one are flags. @default - a flag */
  readonly value?: string;
  /** The option may be given several times. @default false */
  readonly repeat?: boolean;
  /** The values allowed. @default - any */
  readonly choices?: readonly string[];
  /** Other long names accepted for it (kept for old scripts): each works, with one warning line. @default - none */
  readonly deprecated?: readonly string[];
  readonly help: string;
}

/** A subcommand: its usage line, what it does, and its options. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly description: readonly string[];
  readonly options: readonly OptionSpec[];
  /** Flags that once meant something else: refused (exit 2) with the line saying what to use now. @default - none */
  readonly refused?: Readonly<Record<string, string>>;
  /** What each exit code means, when the command has more than {@link EXIT_CODES}. @default EXIT_CODES */
  readonly exitCodes?: string;
}

/** The exit codes of every command (and of `--help`'s word for them). */
export const EXIT_CODES =
  '0 success; 1 findings, or a run that failed (the app, an unreadable input); 2 usage: an unknown option, a bad value, or an argument refused (an output directory voting-mesh did not write)';

/** Options every command takes. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'quiet',
    alias: 'q',
    help: 'Print only errors: no warnings, notes, accepted findings or progress (synth, validate and plan print nothing else on success).',
  },
  { name: 'verbose', help: 'On an error, also print its stack trace.' },
  { name: 'help', alias: 'h', help: 'Print this help.' },
];

/** Options of the commands that read manifests: the cluster they run in. */
export const CONTEXT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'profile',
    value: 'installation',
    help: "Where Istio is installed: istioctl-default, aks:<revision>[:internal] (AKS add-on), helm:<release>[:<namespace>] (default: the stages' mesh-context.json, else istioctl-default).",
  },
  {
    name: 'cluster-domain',
    value: 'domain',
    help: "Cluster domain of fully qualified Service hosts (default 'cluster.local').",
  },
  {
    name: 'trust-domain',
    value: 'domain',
    help: "Istio trust domain of workload principals (default 'cluster.local').",
  },
  {
    name: 'ingress-principal',
    value: 'principal',
    deprecated: ['gateway-principal'],
    help: "SPIFFE principal of the ingress gateway, without spiffe:// (default '<trust domain>/ns/istio-system/sa/istio-ingressgateway-service-account').",
  },
];

/** Parsed arguments: positionals, and each option's values in order (flags get `'true'`). */
export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly options: ReadonlyMap<string, readonly string[]>;
  /** One line per deprecated option name used (for stderr, unless --quiet). @default - none */
  readonly warnings?: readonly string[];
}

/** Parses `args` against `spec` (plus the common options); throws {@link UsageError} on anything unknown or incomplete. */
export function parseArgs(
  spec: CommandSpec,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedArgs {
  const all = [...spec.options, ...COMMON_OPTIONS];
  const { byName, deprecated } = optionIndex(all);
  const warnings: string[] = [];
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq === -1 ? a : a.slice(0, eq);
    const refusal = spec.refused?.[flag];
    if (refusal !== undefined) throw new UsageError(refusal);
    const o = byName.get(flag);
    if (!o) throw new UsageError(`unknown option '${flag}'${suggest(flag, all)}`);
    const renamed = deprecated.get(flag);
    if (renamed) warnings.push(`warning: ${flag} is deprecated and will be removed: use --${renamed.name}`);
    let value: string;
    if (o.value === undefined) {
      if (eq !== -1) throw new UsageError(`option '--${o.name}' takes no value`);
      value = 'true';
    } else {
      const next = eq !== -1 ? a.slice(eq + 1) : args[++i];
      if (next === undefined) throw new UsageError(`option '--${o.name}' needs a value: --${o.name} <${o.value}>`);
      value = next;
      if (o.choices && !o.choices.includes(value))
        throw new UsageError(`option '--${o.name}' is '${value}', not one of ${o.choices.join(', ')}`);
    }
    const values = options.get(o.name) ?? [];
    if (values.length > 0 && !o.repeat && o.value !== undefined)
      throw new UsageError(`option '--${o.name}' is given twice`);
    options.set(o.name, [...values, value]);
  }
  refuseNpmSwallowed(spec, options, env);
  return { positional, options, warnings };
}

/** Every spelling of each option (`--name`, `-alias`, deprecated names), and which of them are deprecated. */
function optionIndex(all: readonly OptionSpec[]): {
  byName: Map<string, OptionSpec>;
  deprecated: Map<string, OptionSpec>;
} {
  const byName = new Map<string, OptionSpec>();
  const deprecated = new Map<string, OptionSpec>();
  for (const o of all) {
    byName.set(`--${o.name}`, o);
    if (o.alias) byName.set(`-${o.alias}`, o);
    for (const a of o.deprecated ?? []) {
      byName.set(`--${a}`, o);
      deprecated.set(`--${a}`, o);
    }
  }
  return { byName, deprecated };
}

/**
 * `npm run <script> --cookie=x` (without `--`) gives the option to npm, which exports it as
 * npm_config_cookie and drops it: say so instead of silently running without it.
 */
function refuseNpmSwallowed(spec: CommandSpec, options: ReadonlyMap<string, string[]>, env: NodeJS.ProcessEnv): void {
  if (env.npm_lifecycle_event === undefined) return;
  const swallowed = spec.options.filter(
    (o) =>
      o.value !== undefined && !options.has(o.name) && env[`npm_config_${o.name.replace(/-/g, '_')}`] !== undefined,
  );
  if (swallowed.length > 0) {
    throw new UsageError(
      `npm took --${swallowed[0].name} as its own option and dropped it: put '--' before the tool's options (npm run ${env.npm_lifecycle_event} -- ... --${swallowed[0].name} <${swallowed[0].value}>)`,
    );
  }
}

/**
 * `text` as a whole number written in decimal digits within [min, max]; `1e3`, `0x50`, `+80`,
 * ` 80`, `80.0` and the empty string are refused (Number() would take them).
 */
export function decimalInteger(text: string, flag: string, min: number, max: number, what: string): number {
  const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(
      `malformed ${flag} '${text}': expected ${what} ${min}-${max}${/^[0-9]+$/.test(text) ? '' : ', written in decimal digits only'}`,
    );
  return n;
}

/** The single value of an option, or undefined. */
export function value(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.[0];
}

/** The help text of a command. */
export function helpText(bin: string, spec: CommandSpec): string {
  const rows = [...spec.options, ...COMMON_OPTIONS].map((o) => {
    const names = [o.alias ? `-${o.alias}, ` : '    ', `--${o.name}`, o.value ? ` <${o.value}>` : ''].join('');
    const old = o.deprecated ? ` (deprecated name: ${o.deprecated.map((d) => `--${d}`).join(', ')})` : '';
    return `  ${names.padEnd(34)} ${o.help}${o.repeat ? ' (repeatable)' : ''}${old}`;
  });
  return [
    `usage: ${bin} ${spec.usage}`,
    '',
    spec.summary,
    ...spec.description.map((l) => (l ? `  ${l}` : '')),
    '',
    'options:',
    ...rows,
    '',
    `exit codes: ${spec.exitCodes ?? EXIT_CODES}.`,
    '',
  ].join('\n');
}

function suggest(flag: string, all: readonly OptionSpec[]): string {
  const bare = flag.replace(/^-+/, '');
  const near = all.find((o) => o.name.startsWith(bare) || bare.startsWith(o.name));
  return near ? ` (did you mean --${near.name}?)` : '';
}
