// The seven named properties of every generated release (issue 18). Each takes a built release
// and throws an Error saying what does not hold; `PROPERTIES` lists them by name.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { StageSpec, ReleaseStage, Manifest, ReleaseFlavour, TransitionPlan } from 'voting-mesh';
import {
  analyzeMesh,
  authorize,
  authorizeAtWaypoint,
  deploymentName,
  checkTransition,
  explainRequest,
  networkPolicyAllows,
  planTransition,
  ReleaseConfigError,
  renderRelease,
  SchemaRegistry,
  schemaSources,
  synthRelease,
} from 'voting-mesh';
import type { App } from 'cdk8s';
import { cli } from '../cli-support';
import type { GeneratedRelease } from './arbitraries';
import type { PathShare } from './model';
import { expectedPaths, explainedPaths } from './model';
import type { BuiltRelease } from './support';
import { build, chartsOf, chartsOfBuilt, DIRECTORY, FLAVOURS, quietly, requestsOf, withTempDir } from './support';

export type Property = (b: BuiltRelease) => void | Promise<void>;

const fail = (message: string): never => {
  throw new Error(message);
};
/** The stages of a release that built; the other properties hold vacuously for a refused one (the first property judges the refusal). */
const flavoursOf = (b: BuiltRelease) => (b.error ? [] : FLAVOURS.map((f) => [f, b.stages.get(f)!] as const));

/**
 * 1. synth writes every file, or refuses with one line naming the stage and the field, leaving the
 * output as it was. A release that built is synthesized from its built App (a fresh App of its own,
 * into its own new directory), not constructed a second time.
 */
export const synthAllOrOneLine: Property = (b) => {
  if (b.error !== undefined || b.app === undefined) return withTempDir((dir) => synthAllOrOneLineIn(b, dir));
  const dir = b.app.outdir;
  mkdirSync(dir, { recursive: true });
  try {
    return synthAllOrOneLineIn(b, dir, { app: b.app, charts: chartsOfBuilt(b) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** {@link synthAllOrOneLine} into `dir` (empty, or prepared by a mutation test), of `built` charts whose App writes there, or of charts constructed for it. */
export function synthAllOrOneLineIn(b: BuiltRelease, dir: string, built?: { app: App; charts: ReleaseStage[] }): void {
  const before = readdirSync(dir).length;
  let charts;
  try {
    charts = built ?? chartsOf(b.release, dir);
  } catch (err) {
    if (!(err instanceof ReleaseConfigError)) fail(`construction threw ${String((err as Error)?.stack ?? err)}`);
    const message = (err as ReleaseConfigError).message;
    if (message.includes('\n')) fail(`the refusal is not one line: ${message}`);
    if (!/stage '[^']+'/.test(message) && !b.release.stages.some((s) => message.includes(s.name)))
      fail(`the refusal names no stage: ${message}`);
    if (!/field '[^']+'/.test(message)) fail(`the refusal names no field: ${message}`);
    if (readdirSync(dir).length > before) fail('a refused synth wrote files');
    return;
  }
  if (b.release.corruption) fail(`the corrupted release (${b.release.corruption}) was accepted`);
  try {
    quietly(() => synthRelease(charts.app, charts.charts));
  } catch (err) {
    if (readdirSync(dir).length > before) fail(`a failed synth wrote files (${(err as Error).message.split('\n')[0]})`);
    fail(`synth refused a generated release: ${(err as Error).message}`);
  }
  for (const f of renderedOf(b, charts.charts)) {
    if (!existsSync(join(dir, f.file)) || readFileSync(join(dir, f.file), 'utf8') !== f.content)
      fail(`synth did not write ${f.file} as rendered`);
  }
}

let registry: SchemaRegistry | undefined;

/** 2. Every object passes the strict schemas (CEL rules included) and the analyzer reports no Error. */
export const schemasAndAnalyzer: Property = (b) => {
  registry ??= SchemaRegistry.load(schemaSources());
  for (const [flavour, stages] of flavoursOf(b)) {
    for (const s of stages) {
      const violations = registry.validateAll(s.manifests);
      if (violations.length > 0)
        fail(
          `${flavour} ${s.spec.name}: schema ${violations[0].object} ${violations[0].path}: ${violations[0].message}`,
        );
      const errors = analyzeMesh(s.manifests, {
        ...s.chart.meshContext,
        meshConfig: { ingressGateway: s.chart.ingressGateway },
      }).filter((f) => f.level === 'Error');
      if (errors.length > 0)
        fail(`${flavour} ${s.spec.name}: ${errors[0].code} ${errors[0].object}: ${errors[0].message}`);
    }
  }
};

/** Explain's paths for every request of every stage of one flavour, keyed by stage and request. */
function explainedOf(b: BuiltRelease, flavour: ReleaseFlavour): Map<string, PathShare[]> {
  const out = new Map<string, PathShare[]>();
  for (const s of b.stages.get(flavour)!) {
    for (const { label, request } of requestsOf(s.spec)) {
      const e = explainRequest(s.manifests, request, b.release.app.gateway.name, {
        ...s.chart.meshContext,
        propagateHeaders: true,
      });
      out.set(`${s.spec.name} ${label}`, explainedPaths(e.hops));
    }
  }
  return out;
}

const show = (paths: readonly PathShare[]) => paths.map((p) => `${p.path} ${p.share}%`).join(', ');

/** 3. Routing intent: explain reaches, at every hop, exactly the versions and weights the stage data says, in both flavours, which agree on the Deployments. */
export const routingIntent: Property = (b) => {
  if (b.error) return;
  const byFlavour = FLAVOURS.map((f) => explainedOf(b, f));
  for (const s of b.stages.get(FLAVOURS[0])!) {
    for (const { label, request } of requestsOf(s.spec)) {
      const key = `${s.spec.name} ${label}`;
      const expected = expectedPaths(b.release.app, s.spec, request, true);
      FLAVOURS.forEach((f, i) => {
        const actual = byFlavour[i].get(key)!;
        if (show(actual) !== show(expected))
          fail(`${f} ${key}: explain reaches ${show(actual)}; the stage data says ${show(expected)}`);
      });
      const deployments = byFlavour.map((m) =>
        m
          .get(key)!
          .map((p) => `${p.path}=${p.deployments}`)
          .join(', '),
      );
      if (deployments[0] !== deployments[1])
        fail(`${key}: the flavours disagree on the Deployments: ${deployments.join(' vs ')}`);
    }
  }
};

/**
 * 4. Least privilege, both flavours: the (caller, callee Deployment) pairs that authorization
 * allows, on any port of the callee, are exactly the hops routing uses (explain's paths over every
 * request, headers forwarded or not; every version of a service-routed callee's routes). Sidecar:
 * authorization and NetworkPolicy agree on every pair and port; ambient: see {@link ambientAllowedPairs}.
 */
export const leastPrivilege: Property = (b) => {
  if (b.error) return;
  for (const flavour of FLAVOURS) leastPrivilegeIn(b, flavour);
};

/** {@link leastPrivilege} in one flavour: sidecar by each callee's policies; ambient through ztunnel (L4) and the waypoint (L7). */
export function leastPrivilegeIn(b: BuiltRelease, flavour: ReleaseFlavour): void {
  for (const s of b.stages.get(flavour)!) {
    const routed = new Set<string>();
    // Routing can use a hop when workloads forward the entry request's headers, and when none does (Istio's default).
    for (const [{ request }, propagateHeaders] of requestsOf(s.spec).flatMap(
      (r) =>
        [
          [r, true],
          [r, false],
        ] as const,
    )) {
      const e = explainRequest(s.manifests, request, b.release.app.gateway.name, {
        ...s.chart.meshContext,
        propagateHeaders,
      });
      const visit = (n: any, caller: string) => {
        if (n.weight === 0) return;
        routed.add(`${caller} → ${n.deployments[0]}`);
        // A service route's match is on the request: a caller may send its header itself, so a
        // caller of a service-routed component can use every version its routes send to.
        for (const version of serviceRouteTargets(s.spec, n.component))
          routed.add(`${caller} → ${deploymentName(n.component, version)}`);
        n.calls.forEach((c: any) => visit(c, n.deployments[0]));
      };
      e.hops.forEach((h) => visit(h, 'gateway'));
    }
    const allowed =
      flavour === 'istio-sidecar'
        ? allowedPairs(s.manifests, s.chart)
        : ambientAllowedPairs(s.manifests, s.chart, routed);
    const extra = [...allowed].filter((x) => !routed.has(x));
    const missing = [...routed].filter((x) => !allowed.has(x));
    if (extra.length + missing.length > 0)
      fail(
        `${flavour} ${s.spec.name}: policies allow ${extra.length > 0 ? extra.join(', ') : 'nothing more'} beyond routing, and deny ${missing.length > 0 ? missing.join(', ') : 'nothing'} that routing uses`,
      );
  }
}

/** A caller of the stage (a Deployment, or the ingress gateway): its name, principal and NetworkPolicy peer. */
function callersOf(m: readonly Manifest[], chart: ReleaseStage) {
  const deployments = m.filter((o) => o.kind === 'Deployment');
  return [undefined, ...deployments].map((d) => ({
    name: d?.metadata.name ?? 'gateway',
    principal: d
      ? `${chart.meshContext.trustDomain}/ns/${d.metadata.namespace}/sa/${d.spec.template.spec.serviceAccountName}`
      : chart.meshContext.ingressPrincipal,
    peer: d
      ? { namespace: d.metadata.namespace!, labels: d.spec.template.metadata.labels }
      : { namespace: chart.ingressGateway.namespace ?? 'istio-system', labels: { ...chart.ingressGateway.podLabels } },
  }));
}

/**
 * Ambient: a caller reaches a Deployment directly when ztunnel's (selector) policy of its pods
 * admits the caller's principal on a container port, or through the waypoint when the waypoint's
 * (targetRefs) policy of a waypointed Service selecting them admits the caller on a Service port and
 * the pods' policy admits the waypoint's principal on its target port. NetworkPolicies are L4 (every
 * connection on HBONE 15008 from the caller's pod or the waypoint's): they must let every routed
 * pair through, and cannot tell the callers of one waypoint apart.
 */
function ambientAllowedPairs(m: readonly Manifest[], chart: ReleaseStage, routed: ReadonlySet<string>): Set<string> {
  const deployments = m.filter((o) => o.kind === 'Deployment');
  const out = new Set<string>();
  const via = new Map<string, { waypoint: string; service: Manifest }[]>();
  for (const svc of m.filter((o) => o.kind === 'Service' && o.metadata.labels?.['istio.io/use-waypoint'])) {
    for (const t of deployments.filter((d) =>
      Object.entries(svc.spec.selector ?? {}).every(([k, v]) => d.spec.template.metadata.labels[k] === v),
    )) {
      via.set(t.metadata.name, [
        ...(via.get(t.metadata.name) ?? []),
        { waypoint: svc.metadata.labels!['istio.io/use-waypoint'], service: svc },
      ]);
    }
  }
  const trust = chart.meshContext.trustDomain;
  for (const c of callersOf(m, chart)) {
    for (const t of deployments) {
      const ns = t.metadata.namespace!;
      const labels = t.spec.template.metadata.labels;
      const direct = t.spec.template.spec.containers[0].ports.some(
        (p: any) => authorize(m, ns, labels, c.principal, p.containerPort).allowed,
      );
      const waypointed = (via.get(t.metadata.name) ?? []).some(({ waypoint, service }) =>
        (service.spec.ports ?? []).some(
          (p: any) =>
            authorizeAtWaypoint(m, ns, waypoint, service.metadata.name, c.principal, p.port).allowed &&
            authorize(m, ns, labels, `${trust}/ns/${ns}/sa/${waypoint}`, Number(p.targetPort ?? p.port)).allowed,
        ),
      );
      const pair = `${c.name} → ${t.metadata.name}`;
      if (direct || waypointed) out.add(pair);
      if (
        routed.has(pair) &&
        !networkPolicyAllows(m, c.peer, { namespace: ns, labels }, 15008).allowed &&
        !(via.get(t.metadata.name) ?? []).length
      )
        fail(`NetworkPolicy denies ${pair} on HBONE (15008), which routing uses`);
    }
  }
  return out;
}

/** Every version (weight > 0) the stage's service routes send calls to `component` to; none for a component without them. */
function serviceRouteTargets(stage: StageSpec, component: string): string[] {
  return (stage.serviceRoutes?.[component] ?? []).flatMap((r) =>
    typeof r.to === 'string' ? [r.to] : r.to.filter((t) => t.weight > 0).map((t) => t.version),
  );
}

function allowedPairs(m: readonly Manifest[], chart: ReleaseStage): Set<string> {
  const deployments = m.filter((o) => o.kind === 'Deployment');
  const out = new Set<string>();
  for (const { name, principal, peer: from } of callersOf(m, chart)) {
    for (const target of deployments) {
      const labels = target.spec.template.metadata.labels;
      for (const port of target.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort)) {
        const authz = authorize(m, target.metadata.namespace!, labels, principal, port).allowed;
        const net = networkPolicyAllows(m, from, { namespace: target.metadata.namespace!, labels }, port).allowed;
        const pair = `${name} → ${target.metadata.name}`;
        if (authz !== net) fail(`authorization (${authz}) and NetworkPolicy (${net}) disagree on ${pair}:${port}`);
        if (authz) out.add(pair);
      }
    }
  }
  return out;
}

/** 5. Every transition between consecutive stages, forward and back, gets a plan whose check passes. */
export const transitionsPass: Property = (b) => {
  for (const [flavour, stages] of flavoursOf(b)) {
    for (let i = 0; i + 1 < stages.length; i++) {
      for (const [x, y] of [
        [stages[i], stages[i + 1]],
        [stages[i + 1], stages[i]],
      ]) {
        const plan: TransitionPlan = planTransition(x.spec.name, x.manifests, y.spec.name, y.manifests);
        const problems = checkTransition(x.manifests, plan, x.chart.meshContext.clusterDomain);
        if (problems.length > 0)
          fail(
            `${flavour} ${x.spec.name} → ${y.spec.name}: step ${problems[0].step} (${problems[0].kind}): ${problems[0].message}`,
          );
      }
    }
  }
};

/** 6. `voting-mesh validate -f OUTDIR` and `validate --dist OUTDIR` pass on what synth wrote, for each flavour directory. */
export const validatePasses: Property = (b) => validateSynthesized(b);

/** {@link validatePasses}, with `tamper` applied to the synthesized directory before validate runs (mutation tests). */
export async function validateSynthesized(
  b: BuiltRelease,
  tamper: (dir: string) => void = () => undefined,
): Promise<void> {
  if (b.error) return;
  const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-prop-'));
  try {
    const { app, charts } = chartsOf(b.release, dir);
    quietly(() => synthRelease(app, charts));
    tamper(dir);
    for (const flavour of FLAVOURS) {
      const out = join(dir, DIRECTORY[flavour]);
      for (const argv of [
        ['validate', '-f', out],
        ['validate', '--dist', out],
      ]) {
        const r = await cli(argv, dir);
        if (r.code !== 0)
          fail(
            `${flavour}: voting-mesh ${argv.join(' ')} exited ${r.code}: ${(r.stdout + r.stderr)
              .split('\n')
              .filter((l) => /error|\[Error\]|problem|step/.test(l))
              .slice(0, 3)
              .join(' | ')}`,
          );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The files of a built release's own charts, rendered once (properties 1 and 7 read them). */
const rendered = new WeakMap<BuiltRelease, ReturnType<typeof renderRelease>>();
function renderedOf(b: BuiltRelease, charts: readonly ReleaseStage[]): ReturnType<typeof renderRelease> {
  if (b.app === undefined || charts[0] !== chartsOfBuilt(b)[0]) return renderRelease(charts);
  let files = rendered.get(b);
  if (!files) rendered.set(b, (files = renderRelease(charts)));
  return files;
}

/** 7. synth twice (two fresh Apps: the built one and another) renders byte-identical files. */
export const synthDeterministic: Property = (b) => {
  if (b.error || b.app === undefined) return;
  const text = (files: ReturnType<typeof renderRelease>) =>
    files.map((f) => `${f.file}\n${f.content}`).join('\n---file---\n');
  if (text(renderedOf(b, chartsOfBuilt(b))) !== text(renderRelease(chartsOf(b.release).charts)))
    fail('two syntheses of the same release differ');
};

/** The properties by name, in the order. */
export const PROPERTIES: Readonly<Record<string, Property>> = {
  'synth writes every file or refuses with one line naming stage and field': synthAllOrOneLine,
  'every object passes the strict schemas and CEL rules, and the analyzer reports no Error': schemasAndAnalyzer,
  'routing intent: explain follows the stage data at every hop, in both flavours alike': routingIntent,
  'least privilege: policies allow exactly the edges routing uses': leastPrivilege,
  'every consecutive transition, forward and back, gets a plan whose check passes': transitionsPass,
  'validate -f OUTDIR and validate --dist OUTDIR pass on what synth wrote': validatePasses,
  'synth twice is byte-identical': synthDeterministic,
};

/** Runs one property on a release (built once per process). */
export function holds(name: string, release: GeneratedRelease): void | Promise<void> {
  return PROPERTIES[name](build(release));
}
