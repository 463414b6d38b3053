import { mkdirSync, writeFileSync } from 'fs';
import { dirname, join, relative, sep } from 'path';
// The modules themselves, not the package entry point (see explain.ts).
import type { TransitionPlan } from '../../lib/release/plan';
import { planTransition } from '../../lib/release/plan';
import { SchemaRegistry, schemaSources } from '../../lib/analysis/schema/schema-registry';
import type { GitOpsEngine, GitOpsOptions } from '../../lib/release/gitops/engines';
import type { RouteWait } from '../../lib/release/gitops/route-wait';
import { analysisTemplate } from '../../lib/release/gates/analysis-template';
import { describeGate } from '../../lib/release/gates/gate-notes';
import type { ResolvedGate } from '../../lib/release/gates/gates';
import type { GitOpsSeries } from '../../lib/release/gitops/series';
import { gitopsSeries } from '../../lib/release/gitops/series';
import type { DesiredState, StateProblem } from '../../lib/release/gitops/states';
import { checkStates, transitionStates } from '../../lib/release/gitops/states';
import { fsStep } from '../../lib/release/fs-errors';
import { toYaml } from '../../lib/release/yaml-writer';
import type { ParsedArgs } from '../args';
import { UsageError, value } from '../args';
import type { ManifestSet } from '../inputs';
import { meshContextOptions } from '../inputs';
import type { Io } from '../io';
import { gatesBeside } from './plan-gates';
import { writePlanDirectory } from './plan-output';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Where Argo CD reads the states from when `--repo-url` is not given: a placeholder to replace. */
export const PLACEHOLDER_REPO = 'https://git.example.com/replace-me/deploy.git';

/** The engine options of the command line; `out` is where the series is written. */
function gitopsOptions(
  args: ParsedArgs,
  engine: GitOpsEngine,
  to: ManifestSet,
  out: string,
  cwd: string,
): GitOpsOptions {
  const partOf = to.objects.find((m) => m.metadata.labels?.['app.kubernetes.io/part-of'])?.metadata.labels?.[
    'app.kubernetes.io/part-of'
  ];
  const name = value(args, 'name') ?? `${partOf ?? 'release'}-release`;
  if (!DNS_LABEL.test(name))
    throw new UsageError(
      `malformed --name '${name}': expected a DNS-1123 label (lower-case letters, digits, '-'; at most 63)`,
    );
  const delay = value(args, 'route-delay');
  const delaySeconds = delay === undefined ? undefined : Number(delay);
  if (delaySeconds !== undefined && !(Number.isInteger(delaySeconds) && delaySeconds >= 1 && delaySeconds <= 3600)) {
    throw new UsageError(`malformed --route-delay '${delay}': expected whole seconds from 1 to 3600`);
  }
  const repoPath = value(args, 'repo-path') ?? relative(cwd, out).split(sep).join('/');
  if (value(args, 'repo-path') === undefined && repoPath.split('/').includes('..')) {
    throw new UsageError(
      `--outdir ${relative(cwd, out)} is not below the working directory, so its folder in the repository is unknown: name it with --repo-path <folder>`,
    );
  }
  if (repoPath.startsWith('/') || repoPath.split('/').includes('..'))
    throw new UsageError(
      `malformed --repo-path '${repoPath}': expected a folder inside the repository, relative, without '..'`,
    );
  return {
    engine,
    name,
    repoUrl: value(args, 'repo-url') ?? PLACEHOLDER_REPO,
    repoPath,
    ...(value(args, 'flux-source') ? { fluxSource: value(args, 'flux-source') } : {}),
    routeWait: (value(args, 'route-wait') ?? 'delay') as RouteWait,
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
  };
}

/**
 * `plan A B --format argocd|flux`: the transition as a series of complete desired states, each
 * pair proven drop-free, every emitted object valid against its schema (Kubernetes, Istio, Argo
 * CD Application, Flux Kustomization). Exit 1 on any problem; the series is written even then,
 * so that it can be read, and the problems are printed.
 */
export function planGitops(
  args: ParsedArgs,
  io: Io,
  engine: GitOpsEngine,
  from: ManifestSet,
  to: ManifestSet,
  out: string,
): number {
  const options = gitopsOptions(args, engine, to, out, io.cwd);
  const plan = planTransition(from.name, from.objects, to.name, to.objects);
  const states = transitionStates(plan, from.objects);
  let series = gitopsSeries(plan, states, options);
  const problems = checkStates(states, meshContextOptions(args, from).clusterDomain);
  const gates = gatesBeside(to, from);
  if (gates.length > 0) {
    const rollback = withRollback(args, from, to, options, series, gates);
    series = rollback.series;
    problems.push(...rollback.problems);
  }
  const registry = SchemaRegistry.load(schemaSources(io.env, io.cwd));
  const invalid = series.files.flatMap((f) =>
    registry.validateAll(f.objects).map((v) => `${f.path}: ${v.object}: ${v.path ? `${v.path}: ` : ''}${v.message}`),
  );

  writeSeries(out, args, io, series);
  const where = relative(io.cwd, out) || '.';
  const failures = [
    ...problems.map((p) => `transition check: ${p.between}: ${p.message}`),
    ...invalid.map((v) => `schema: ${v}`),
  ];
  const lines = [
    ...stateLines(plan, states, options, where),
    ...failures,
    ...outcomeLines({
      states,
      options,
      where,
      to,
      gates,
      series,
      checked: problems.length === 0,
      valid: invalid.length === 0,
    }),
  ];
  // --quiet: only the problems (the series is written all the same).
  const shown = io.quiet ? failures : lines;
  if (shown.length > 0) io.out(shown.join('\n'));
  return problems.length + invalid.length === 0 ? 0 : 1;
}

/**
 * A gated target: the reverse series (for a failed gate, checked too) under rollback/, and the gate
 * as an AnalysisTemplate for Argo CD; returns the series with them, and the problems of the reverse series.
 */
function withRollback(
  args: ParsedArgs,
  from: ManifestSet,
  to: ManifestSet,
  options: GitOpsOptions,
  series: GitOpsSeries,
  gates: readonly ResolvedGate[],
): { series: GitOpsSeries; problems: StateProblem[] } {
  const back = planTransition(to.name, to.objects, from.name, from.objects);
  const backStates = transitionStates(back, to.objects);
  const backSeries = gitopsSeries(back, backStates, {
    ...options,
    repoPath: [options.repoPath, 'rollback'].filter((p) => p !== '' && p !== '.').join('/'),
  });
  return {
    series: {
      files: [
        ...series.files,
        ...backSeries.files.map((f) => ({ ...f, path: `rollback/${f.path}` })),
        ...(options.engine === 'argocd'
          ? gates.map((g) => ({
              path: `argocd/gates/${g.name}.analysis-template.yaml`,
              objects: [analysisTemplate(g)],
            }))
          : []),
      ],
      readme: `${series.readme}\n${gateReadme(to.name, gates, options.engine)}\n## rollback/\n\n${backSeries.readme.replace(/^# /, '')}`,
    },
    problems: checkStates(backStates, meshContextOptions(args, from).clusterDomain).map((p) => ({
      ...p,
      between: `rollback ${p.between}`,
    })),
  };
}

/** Writes the series' files and README.md into `out` (through the plan directory's staging). */
function writeSeries(out: string, args: ParsedArgs, io: Io, series: GitOpsSeries): void {
  writePlanDirectory(out, args, io, (staging, shown) => {
    for (const f of series.files) {
      fsStep('write', join(shown, f.path), () => {
        mkdirSync(dirname(join(staging, f.path)), { recursive: true });
        writeFileSync(join(staging, f.path), toYaml(...f.objects));
      });
    }
    fsStep('write', join(shown, 'README.md'), () => writeFileSync(join(staging, 'README.md'), series.readme));
  });
}

/** The summary's head: the states in order, how to advance them, and the plan's warnings. */
function stateLines(
  plan: TransitionPlan,
  states: readonly DesiredState[],
  options: GitOpsOptions,
  where: string,
): string[] {
  const engine = options.engine;
  const lines = [
    `plan ${plan.from} → ${plan.to} as ${states.length} desired states for ${engine === 'argocd' ? 'Argo CD' : 'Flux'} in ${where}/`,
    '',
  ];
  states.forEach((s, i) =>
    lines.push(
      `${String(i).padStart(2)}. ${where}/states/${s.name}/    ${s.title}${s.prunes ? ' [prunes]' : ''}${s.movesTraffic ? ` [route wait: ${options.routeWait}]` : ''}`,
    ),
  );
  lines.push(
    '',
    `advance one commit per state: ${where}/${engine}/<state>.yaml is the ${engine === 'argocd' ? 'Application' : 'Kustomization'} '${options.name}' syncing it (see ${where}/README.md)`,
  );
  if (options.repoUrl === PLACEHOLDER_REPO && engine === 'argocd')
    lines.push(`note: the Applications read ${PLACEHOLDER_REPO}: pass --repo-url <your repository>`);
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** What the summary's tail needs: the series, and whether the transition check and the schemas passed. */
interface Outcome {
  readonly states: readonly DesiredState[];
  readonly options: GitOpsOptions;
  readonly where: string;
  readonly to: ManifestSet;
  readonly gates: readonly ResolvedGate[];
  readonly series: GitOpsSeries;
  readonly checked: boolean;
  readonly valid: boolean;
}

/** The summary's tail (after the failures): the checks that passed, and the gate to run before promoting. */
function outcomeLines(o: Outcome): string[] {
  const { states, where, to, gates } = o;
  const engine = o.options.engine;
  const lines: string[] = [];
  if (o.checked)
    lines.push(
      `transition check: each of the ${states.length - 1} syncs (state to next state, objects landing in any order) keeps every route on ready pods, subsets and ports.`,
    );
  if (gates.length > 0)
    lines.push(
      `gate: ${gates.map((g) => g.name).join(', ')} before ${to.name} is promoted: voting-mesh gate ${to.name} --prometheus "$PROMETHEUS_URL"${engine === 'argocd' ? ` (or the AnalysisTemplates in ${where}/argocd/gates/)` : ''}; exit 1: sync ${where}/rollback/ state by state`,
    );
  if (o.valid)
    lines.push(
      `schema: all ${o.series.files.reduce((n, f) => n + f.objects.length, 0)} emitted objects are valid (Kubernetes 1.27, Istio 1.30.3, ${engine === 'argocd' ? 'Argo CD v3.5.1 Application' : 'Flux kustomize-controller v1.9.4 Kustomization'}).`,
    );
  return lines;
}

/** The README section of a gated target: what the gate checks, and how each engine runs it. */
function gateReadme(stage: string, gates: readonly ResolvedGate[], engine: string): string {
  return [
    `## Gate before ${stage} is promoted`,
    '',
    ...gates.map((g) => `- \`${g.name}\` (${g.target}): ${describeGate(g)}`),
    '',
    `Once the last state is healthy: \`voting-mesh gate ${stage} --prometheus <url>\` — exit 0 promote, 3 not enough data (ask again later), 1 roll back: sync the states of \`rollback/\` in order, as above.`,
    ...(engine === 'argocd'
      ? [
          '',
          'In Argo CD the same queries are `argocd/gates/*.analysis-template.yaml` (Argo Rollouts AnalysisTemplates, Prometheus provider): an AnalysisRun from them, e.g. a PostSync hook, runs the gate in the cluster.',
        ]
      : []),
    '',
  ].join('\n');
}
