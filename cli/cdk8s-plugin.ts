// A cdk8s validation plugin: with it in cdk8s.yaml's `validations:`, plain `cdk8s synth` runs
// `voting-mesh validate` on what the app wrote (strict schemas, the mesh analyzer, every
// transition forward and back) and reports each message in cdk8s' own report. cdk8s loads a
// local plugin by path and instantiates the class named in cdk8s.yaml with its `properties`:
//
//   validations:
//     - package: ./node_modules/voting-mesh/out/cli/cdk8s-plugin.js
//       class: VotingMeshValidation
//       version: <the installed voting-mesh version>
//
// The messages are validate's own (the same function, run on each directory of stages), so the
// two reports of a stage never disagree.

/**
 * The cdk8s validation plugin: `VotingMeshValidation`, named in cdk8s.yaml's `validations:`.
 * @module voting-mesh/cdk8s-plugin
 */
import { dirname, join } from 'path';
import { CATALOGUE } from '../lib';
import { parseArgs } from './args';
import type { ValidationMessage } from './commands/validate';
import { validate } from './commands/validate';
import { validateSpec } from './specs';

/** A violation as cdk8s' `ValidationReport.addViolation` takes it. */
export interface Cdk8sViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly {
    readonly resourceName: string;
    readonly locations: readonly string[];
    readonly manifestPath: string;
  }[];
}

/**
 * What the plugin uses of cdk8s' `ValidationContext` (cdk8s-cli's `Validation` contract): cdk8s
 * passes its own object, so cdk8s-cli is not a dependency of this package.
 */
export interface Cdk8sValidationContext {
  /** Every YAML file the app wrote, under the output directory. */
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: Cdk8sViolation): void;
    submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
  };
  readonly logger: { log(message: string): void };
}

/** cdk8s.yaml's `properties:` for the plugin: the options of `voting-mesh validate` that apply. */
export interface VotingMeshValidationProperties {
  /** Lowest level that fails the synth. @default 'Error' */
  readonly failureThreshold?: 'Error' | 'Warning' | 'Info';
  /** `--profile`: istioctl-default, aks:<revision>[:internal], helm:<release>[:<namespace>]. @default - the stages' mesh-context.json */
  readonly profile?: string;
  /** `--cluster-domain`. @default - the stages' mesh-context.json, else 'cluster.local' */
  readonly clusterDomain?: string;
  /** `--trust-domain`. @default - the stages' mesh-context.json, else 'cluster.local' */
  readonly trustDomain?: string;
  /** `--ingress-principal`. @default - the stages' mesh-context.json, else Istio's default */
  readonly ingressPrincipal?: string;
}

const STAGE_SUFFIX = '.k8s.yaml';
const FLAGS: Readonly<Record<keyof VotingMeshValidationProperties, string>> = {
  failureThreshold: '--failure-threshold',
  profile: '--profile',
  clusterDomain: '--cluster-domain',
  trustDomain: '--trust-domain',
  ingressPrincipal: '--ingress-principal',
};
/** validate's own codes, which the analyzer's catalogue does not list. */
const PROJECT_RULES: Readonly<Record<string, string>> = { VM0100: 'SchemaViolation', VM0200: 'UnsafeTransition' };

/** The plugin class cdk8s instantiates (`class: VotingMeshValidation`). */
export class VotingMeshValidation {
  private readonly argv: string[];

  constructor(properties: VotingMeshValidationProperties = {}) {
    this.argv = [];
    for (const [key, value] of Object.entries(properties)) {
      const flag = FLAGS[key as keyof VotingMeshValidationProperties];
      if (!flag)
        throw new Error(
          `voting-mesh cdk8s plugin: unknown property '${key}' (properties: ${Object.keys(FLAGS).join(', ')})`,
        );
      this.argv.push(flag, String(value));
    }
  }

  /** Validates every directory of stages the app wrote, each as `voting-mesh validate --dist <dir>` would. */
  public async validate(context: Cdk8sValidationContext): Promise<void> {
    const directories = [
      ...new Set(context.manifests.filter((m) => m.endsWith(STAGE_SUFFIX)).map((m) => dirname(m))),
    ].sort();
    const skipped = context.manifests.filter((m) => !m.endsWith(STAGE_SUFFIX));
    if (skipped.length > 0)
      context.logger.log(`voting-mesh: not a stage (*${STAGE_SUFFIX}), not checked: ${skipped.join(', ')}`);
    let failed = false;
    const counts = { Error: 0, Warning: 0, Info: 0 };
    for (const dir of directories) {
      const result = this.validateDirectory(dir);
      failed ||= result.failed;
      if (result.refusal) context.report.addViolation(refusal(result.refusal, dir));
      for (const m of result.messages) {
        counts[m.level]++;
        context.report.addViolation(violation(m, dir));
      }
    }
    const stages = context.manifests.filter((m) => m.endsWith(STAGE_SUFFIX)).length;
    context.report.submit(failed ? 'failure' : 'success', {
      Checked: `${stages} stage(s) in ${directories.join(', ') || 'no directory'}, and the transitions between them`,
      Errors: String(counts.Error),
      Warnings: String(counts.Warning),
      Info: String(counts.Info),
    });
  }

  private validateDirectory(dir: string): { messages: ValidationMessage[]; failed: boolean; refusal?: string } {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      cwd: process.cwd(),
      env: process.env,
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
    };
    try {
      const code = validate(parseArgs(validateSpec, ['--dist', dir, '-o', 'json', ...this.argv], {}), io);
      return { messages: JSON.parse(out.join('\n')), failed: code !== 0 };
    } catch (e) {
      // Input validate refuses (a stage that is not YAML, a bad property) fails the directory, in one line.
      return { messages: [], failed: true, refusal: [e instanceof Error ? e.message : String(e), ...err].join(' ') };
    }
  }
}

/** One message of validate as a cdk8s violation: rule = code, name, level and stage; resource = the object; location = the field. */
function violation(m: ValidationMessage, dir: string): Cdk8sViolation {
  const rule = [m.code, CATALOGUE.get(m.code)?.name ?? PROJECT_RULES[m.code]].filter(Boolean).join(' ');
  // A transition's message (`<from> → <to>`) belongs to the stage it moves to.
  const [from, to] = m.stage.split(' → ');
  return {
    ruleName: `${rule} (${m.level}) in ${m.stage}`,
    recommendation: m.message,
    // A Warning the application accepts fails nothing: the report says so, with the reason.
    fix: m.accepted !== undefined ? `Accepted (${m.accepted}): nothing to do.` : fixOf(m.code, from, to),
    violatingResources: [
      { resourceName: m.origin, locations: [m.field], manifestPath: join(dir, `${to ?? from}${STAGE_SUFFIX}`) },
    ],
  };
}

function refusal(message: string, dir: string): Cdk8sViolation {
  return {
    ruleName: `voting-mesh could not validate ${dir}`,
    recommendation: message,
    fix: `'voting-mesh validate --dist ${dir}' says the same; fix what it names`,
    violatingResources: [{ resourceName: dir, locations: [''], manifestPath: dir }],
  };
}

function fixOf(code: string, from: string, to: string | undefined): string {
  if (to !== undefined)
    return `fix what the message names in either stage, or put a stage between them; 'voting-mesh plan ${from} ${to}' shows each step`;
  if (code === 'VM0100')
    return `make the field what its kind's schema allows; 'voting-mesh validate ${from}' checks the stage again`;
  return `change the object as the message says; 'voting-mesh explain ${from}' shows where requests go`;
}
