import type { Manifest } from '../analysis/manifest';
import { namespaceOf } from '../analysis/manifest';
import type { ManifestIndex } from '../analysis/manifest-index';
import { isGatewayApi } from '../analysis/routing/gateway-api-match';

// The tables of a stage's section of RELEASE.md (./release-notes.ts): Deployments, routes,
// DestinationRule policies, and the words the tables and the flowchart describe routes with.

/** The Deployment table: each workload's version, replicas, image and whether traffic reaches it; retired ones struck through. */
export function deploymentTable(
  deployments: readonly Manifest[],
  retired: readonly Manifest[],
  served: ReadonlySet<string>,
): string[] {
  const lines = ['| Deployment | version | replicas | image | traffic |', '|---|---|---|---|---|'];
  for (const d of deployments) {
    const c = d.spec?.template?.spec?.containers?.[0] ?? {};
    lines.push(
      `| ${d.metadata.name} | ${d.spec?.template?.metadata?.labels?.version ?? ''} | ${d.spec?.replicas ?? 1} | \`${c.image}\` | ${served.has(d.metadata.name) ? 'serving' : 'idle'} |`,
    );
  }
  for (const d of retired)
    lines.push(`| ~~${d.metadata.name}~~ | ${d.spec?.template?.metadata?.labels?.version ?? ''} | 0 | | retired |`);
  lines.push('');
  return lines;
}

/** The VirtualService table (none for a stage routed by HTTPRoutes alone), then the HTTPRoute table. */
export function routeTables(index: ManifestIndex): string[] {
  const lines: string[] = [];
  const routes = index.objects.filter((x) => isGatewayApi(x, 'HTTPRoute'));
  const withPolicy = index
    .ofKind('VirtualService')
    .some((vs) => (vs.spec?.http ?? []).some((r: any) => describePolicy(r) !== ''));
  // A stage routed by HTTPRoutes alone shows no empty VirtualService table.
  const vsTable = !(routes.length > 0 && index.ofKind('VirtualService').length === 0);
  if (vsTable)
    lines.push(
      `| VirtualService | route | match | destination |${withPolicy ? ' policy |' : ''}`,
      `|---|---|---|---|${withPolicy ? '---|' : ''}`,
    );
  for (const vs of index.ofKind('VirtualService')) {
    for (const proto of ['http', 'tcp'] as const) {
      (vs.spec?.[proto] ?? []).forEach((r: any, i: number) => {
        const dest = (r.route ?? [])
          .map(
            (d: any) =>
              `${d.destination.host.split('.')[0]}${d.destination.subset ? `/${d.destination.subset}` : ''}:${d.destination.port?.number ?? ''}${d.weight !== undefined ? ` ${d.weight}%` : ''}`,
          )
          .join(', ');
        lines.push(
          `| ${vs.metadata.name} | ${r.name ?? `${proto}[${i}]`} | ${describeMatches(r.match).replace(/\|/g, '\\|')} | ${dest} |${withPolicy ? ` ${describePolicy(r)} |` : ''}`,
        );
      });
    }
  }
  if (routes.length > 0) {
    if (vsTable) lines.push('');
    lines.push('| HTTPRoute | rule | match | backends | timeout/mirror |', '|---|---|---|---|---|');
    for (const r of routes) {
      (r.spec?.rules ?? []).forEach((rule: any, i: number) => {
        lines.push(
          `| ${r.metadata.name} | ${rule.name ?? `rules[${i}]`} | ${describeApiMatches(rule.matches).replace(/\|/g, '\\|')} | ${describeBackends(rule.backendRefs, namespaceOf(r))} | ${describeApiPolicy(rule, namespaceOf(r))} |`,
        );
      });
    }
  }
  return lines;
}

/** The DestinationRule table: connection pools and outlier detection, per rule and subset; none when no rule sets them. */
export function destinationRuleTable(index: ManifestIndex): string[] {
  const rules = index
    .ofKind('DestinationRule')
    .flatMap((dr) => [
      ...(dr.spec?.trafficPolicy?.outlierDetection || dr.spec?.trafficPolicy?.connectionPool
        ? [[dr.metadata.name, 'all', dr.spec.trafficPolicy] as const]
        : []),
      ...(dr.spec?.subsets ?? [])
        .filter((x: any) => x.trafficPolicy)
        .map((x: any) => [dr.metadata.name, x.name, x.trafficPolicy] as const),
    ]);
  if (rules.length === 0) return [];
  const lines = ['', '| DestinationRule | subset | connection pool | outlier detection |', '|---|---|---|---|'];
  for (const [name, subset, p] of rules)
    lines.push(
      `| ${name} | ${subset} | ${p.connectionPool ? compactJson(p.connectionPool) : ''} | ${p.outlierDetection ? describeOutliers(p.outlierDetection) : ''} |`,
    );
  return lines;
}

/** A route's timeout, retries and mirror in words: `timeout 3s · 2 retries (1s each, on 503,reset)` · `mirror 10% → app/v2-0`. */
export function describePolicy(r: any): string {
  const parts: string[] = [];
  if (r.timeout) parts.push(`timeout ${r.timeout}`);
  if (r.retries)
    parts.push(
      `${r.retries.attempts} retr${r.retries.attempts === 1 ? 'y' : 'ies'}${r.retries.perTryTimeout ? ` of ${r.retries.perTryTimeout}` : ''}${r.retries.retryOn ? ` on ${r.retries.retryOn}` : ''}`,
    );
  if (r.mirror)
    parts.push(
      `mirror ${r.mirrorPercentage?.value ?? 100}% → ${r.mirror.host.split('.')[0]}${r.mirror.subset ? `/${r.mirror.subset}` : ''} (responses discarded)`,
    );
  return parts.join(' · ');
}

function describeOutliers(o: any): string {
  return `eject after ${o.consecutive5xxErrors ?? 5} errors in a row, for ${o.baseEjectionTime ?? '30s'}+, at most ${o.maxEjectionPercent ?? 10}%`;
}

function compactJson(v: unknown): string {
  return JSON.stringify(v).replace(/"/g, '').replace(/,/g, ', ');
}

/**
 * An HTTPRoute rule's matches in words, as {@link describeMatches} says a VirtualService's: `cookie featureflag=on`,
 * `header qa = canary-test`, `path /api*`, `method GET`, `query k = v`, `any request` (no match, or the default path prefix `/`).
 */
export function describeApiMatches(matches: any[] | undefined): string {
  if (!matches || matches.length === 0) return 'any request';
  return matches
    .map((m) => {
      const parts: string[] = [];
      for (const h of m.headers ?? []) {
        const regex = h.type === 'RegularExpression';
        const cookie = String(h.name).toLowerCase() === 'cookie' && regex ? COOKIE.exec(String(h.value)) : null;
        if (cookie) parts.push(`cookie ${unescape(cookie[1])}=${unescape(cookie[2])}`);
        else parts.push(`header ${h.name} ${regex ? `~ ${h.value}` : `= ${h.value}`}`);
      }
      const path = m.path;
      if (path && !((path.type ?? 'PathPrefix') === 'PathPrefix' && (path.value ?? '/') === '/')) {
        parts.push(
          path.type === 'Exact'
            ? `path ${path.value}`
            : path.type === 'RegularExpression'
              ? `path ~ ${path.value}`
              : `path ${path.value}*`,
        );
      }
      if (m.method) parts.push(`method ${m.method}`);
      for (const q of m.queryParams ?? [])
        parts.push(`query ${q.name} ${q.type === 'RegularExpression' ? `~ ${q.value}` : `= ${q.value}`}`);
      return parts.join(' and ') || 'any request';
    })
    .join(' or ');
}

/** A rule's backendRefs: `name:port`, `namespace/name` outside the route's namespace, the share of each when there are several. */
function describeBackends(refs: any[] | undefined, routeNs: string): string {
  const list: any[] = refs ?? [];
  if (list.length === 0) return '(none: 404)';
  const total = list.reduce((sum, b) => sum + (b.weight ?? 1), 0);
  return list
    .map((b) => {
      const kind = (b.group ?? '') === '' && (b.kind ?? 'Service') === 'Service' ? '' : `${b.kind} `;
      const name = `${kind}${b.namespace && b.namespace !== routeNs ? `${b.namespace}/` : ''}${b.name}${b.port !== undefined ? `:${b.port}` : ''}`;
      return list.length > 1 || b.weight !== undefined
        ? `${name} ${total === 0 ? 0 : Math.round(((b.weight ?? 1) * 10000) / total) / 100}%`
        : name;
    })
    .join(', ');
}

/** A rule's timeouts, retry and RequestMirror filters in words: `timeout 3s` · `mirror 10% → app-2-0:8080 (responses discarded)`. */
function describeApiPolicy(rule: any, routeNs: string): string {
  const parts: string[] = [];
  if (rule.timeouts?.request) parts.push(`timeout ${rule.timeouts.request}`);
  if (rule.timeouts?.backendRequest) parts.push(`backend timeout ${rule.timeouts.backendRequest}`);
  if (rule.retry)
    parts.push(
      `${rule.retry.attempts ?? 2} retr${(rule.retry.attempts ?? 2) === 1 ? 'y' : 'ies'}${rule.retry.codes?.length ? ` on ${rule.retry.codes.join(',')}` : ''}`,
    );
  for (const f of (rule.filters ?? []).filter((x: any) => x.type === 'RequestMirror' && x.requestMirror?.backendRef)) {
    const m = f.requestMirror;
    const percent =
      m.percent !== undefined
        ? Number(m.percent)
        : m.fraction !== undefined
          ? (Number(m.fraction.numerator) * 100) / Number(m.fraction.denominator ?? 100)
          : 100;
    const b = m.backendRef;
    parts.push(
      `mirror ${percent}% → ${b.namespace && b.namespace !== routeNs ? `${b.namespace}/` : ''}${b.name}${b.port !== undefined ? `:${b.port}` : ''} (responses discarded)`,
    );
  }
  return parts.join(' · ');
}

const COOKIE = /^\^\(\.\*;\\s\*\)\?(.+)=(.+)\(\\s\*;\.\*\)\?\$$/;

/** A route's matches in words: `cookie featureflag=on`, `header qa = canary-test`, `path /api*`, `any request`. */
export function describeMatches(matches: any[] | undefined): string {
  if (!matches || matches.length === 0) return 'any request';
  return matches
    .map((m) => {
      const parts: string[] = [];
      for (const [name, cond] of Object.entries<any>(m.headers ?? {})) {
        const cookie = name === 'cookie' && typeof cond.regex === 'string' ? COOKIE.exec(cond.regex) : null;
        if (cookie) parts.push(`cookie ${unescape(cookie[1])}=${unescape(cookie[2])}`);
        else
          parts.push(
            `header ${name} ${cond.exact !== undefined ? `= ${cond.exact}` : cond.prefix !== undefined ? `starts ${cond.prefix}` : `~ ${cond.regex}`}`,
          );
      }
      if (m.uri)
        parts.push(
          m.uri.exact !== undefined
            ? `path ${m.uri.exact}`
            : m.uri.prefix !== undefined
              ? `path ${m.uri.prefix}*`
              : `path ~ ${m.uri.regex}`,
        );
      if (m.sourceLabels) parts.push(`from ${Object.values(m.sourceLabels).join(' ')}`);
      if (m.port !== undefined) parts.push(`port ${m.port}`);
      return parts.join(' and ') || 'any request';
    })
    .join(' or ');
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}
