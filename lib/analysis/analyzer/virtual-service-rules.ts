import { IST0002, IST0130, IST0131 } from './catalogue';
import type { Manifest } from '../manifest';
import type { AnalysisContext } from './context';

/**
 * IST0130 and IST0131, as Istio's VirtualService validation warnings that the
 * schema.ValidationAnalyzer reports (pkg/config/validation/validation.go
 * analyzeUnreachableHTTPRules / TCP / TLS): a rule after a rule without matches, or whose every
 * match repeats an earlier one, is unreachable; a match equal to an earlier one (names aside),
 * or an http `uri.prefix` match covered by an earlier prefix with the same other conditions, is
 * ineffective. A `uri: prefix: /` is not a catch-all here: Istio only treats "no match" so.
 */
export function unreachableRules(ctx: AnalysisContext): void {
  for (const vs of ctx.ofKind('VirtualService')) {
    for (const proto of ['http', 'tcp', 'tls'] as const) analyzeRoutes(ctx, vs, proto);
  }
}

function analyzeRoutes(ctx: AnalysisContext, vs: Manifest, proto: 'http' | 'tcp' | 'tls'): void {
  const routes: any[] = vs.spec?.[proto] ?? [];
  const seen = new Map<string, number>();
  const prefixed: PrefixMatch[] = [];
  let emptyMatch = -1;
  const unused = (i: number, reason: string) =>
    ctx.report(IST0130.messages.unused, vs, `spec.${proto}[${i}]`, { rule: routeName(routes[i], i, proto), reason });
  routes.forEach((route, i) => {
    if (!route) return;
    const matches: any[] = route.match ?? [];
    if (matches.length === 0) {
      if (emptyMatch >= 0) unused(i, 'only the last rule can have no matches');
      emptyMatch = i;
      return;
    }
    let duplicates = 0;
    matches.forEach((match, j) => {
      if (emptyMatch >= 0) {
        unused(i, 'route without matches defined before');
        return;
      }
      const key = canonical(proto === 'http' ? withoutName(match) : match);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        ctx.report(IST0131.messages.duplicate, vs, `spec.${proto}[${i}].match[${j}]`, {
          rule: routeName(route, i, proto),
          match: matchName(match, j, proto),
          earlierRule: routeName(routes[earlier], earlier, proto),
        });
        duplicates++;
        return;
      }
      seen.set(key, i);
      if (proto === 'http') {
        const p = prefixMatch(route, match, i, j);
        if (p) prefixed.push(p);
      }
    });
    if (duplicates === matches.length) unused(i, 'all matches used by prior rules');
  });
  for (const [a, earlier] of prefixed.entries()) {
    for (const later of prefixed.slice(a + 1)) {
      if (later.prefix === earlier.prefix || !covers(earlier, later)) continue;
      ctx.report(IST0131.messages.prefixCovered, vs, `spec.http[${later.rule}].match[${later.match}]`, {
        rule: later.routeName,
        match: later.matchName,
        prefix: later.prefix,
        earlierMatch: earlier.matchName,
        earlierPrefix: earlier.prefix,
        earlierRule: earlier.routeName,
      });
    }
  }
}

/** Istio's OverlappingMatchValidationForHTTPRoute: an http match with a uri prefix, its other conditions as `exact:`/`prefix:` strings. */
interface PrefixMatch {
  readonly rule: number;
  readonly match: number;
  readonly routeName: string;
  readonly matchName: string;
  readonly prefix: string;
  readonly port: number;
  readonly method: string;
  readonly authority: string;
  readonly headers: Record<string, string>;
  readonly queryParams: Record<string, string>;
  readonly withoutHeaders: Record<string, string>;
}

function prefixMatch(route: any, match: any, rule: number, j: number): PrefixMatch | undefined {
  const prefix = match?.uri?.prefix;
  if (!prefix) return undefined;
  const values = (m: Record<string, any> | undefined) =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, exactOrPrefix(v)]));
  return {
    rule,
    match: j,
    routeName: routeName(route, rule, 'http'),
    matchName: matchName(match, j, 'http'),
    prefix,
    port: match.port ?? 0,
    method: exactOrPrefix(match.method) || 'exact:GET',
    authority: exactOrPrefix(match.authority),
    headers: values(match.headers),
    queryParams: values(match.queryParams),
    withoutHeaders: values(match.withoutHeaders),
  };
}

function exactOrPrefix(v: any): string {
  if (v?.exact) return `exact:${v.exact}`;
  if (v?.prefix) return `prefix:${v.prefix}`;
  return '';
}

/** Istio's coveredValidation: `a`, earlier, covers `b` (same port, b's prefix starts with a's, conditions prefix-compatible). */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  const compatible = (x: string, y: string) => x === y || x.startsWith(y);
  if (!compatible(a.method, b.method) || !compatible(a.authority, b.authority)) return false;
  for (const key of ['headers', 'queryParams', 'withoutHeaders'] as const) {
    const ka = Object.keys(a[key]);
    if (ka.length !== Object.keys(b[key]).length) return false;
    if (!ka.every((k) => k in b[key] && compatible(a[key][k], b[key][k]))) return false;
  }
  return true;
}

function routeName(route: any, i: number, proto: string): string {
  return proto === 'http' && route?.name ? `"${route.name}"` : `#${i}`;
}

function matchName(match: any, j: number, proto: string): string {
  return proto === 'http' && match?.name ? `"${match.name}"` : `#${j}`;
}

function withoutName(match: any): any {
  if (!match || typeof match !== 'object') return match;
  const { name: _name, ...rest } = match;
  return rest;
}

/** JSON with sorted keys, so two equal matches written in another key order compare equal. */
function canonical(v: any): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v ?? null);
}

/**
 * IST0002, as Istio's deprecation.FieldAnalyzer (deprecation/deprecation.go): a VirtualService
 * fault delay `percent` (use `percentage`), a Sidecar `outboundTrafficPolicy.egressProxy`
 * (ignored), and CustomResourceDefinitions of removed Istio kinds.
 */
export function deprecatedFields(ctx: AnalysisContext): void {
  for (const vs of ctx.ofKind('VirtualService')) {
    (vs.spec?.http ?? []).forEach((r: any, i: number) => {
      if ((r?.fault?.delay?.percent ?? 0) > 0) {
        ctx.report(IST0002.messages.faultDelayPercent, vs, `spec.http[${i}].fault.delay.percent`);
      }
    });
  }
  for (const sc of ctx.ofKind('Sidecar')) {
    if (sc.spec?.outboundTrafficPolicy?.egressProxy) {
      ctx.report(IST0002.messages.egressProxy, sc, 'spec.outboundTrafficPolicy.egressProxy');
    }
  }
  for (const crd of ctx.ofKind('CustomResourceDefinition')) {
    const group = crd.spec?.group;
    const kind = crd.spec?.names?.kind;
    if (REMOVED_CRDS.some((r) => r.group === group && r.kind === kind)) {
      ctx.report(IST0002.messages.removedKind, crd, 'spec.names.kind', { group, kind });
    }
  }
}

/** Istio's deprecatedCRDs (deprecation/deprecation.go). */
const REMOVED_CRDS = [
  { group: 'rbac.istio.io', kind: 'ClusterRbacConfig' },
  { group: 'rbac.istio.io', kind: 'RbacConfig' },
  { group: 'rbac.istio.io', kind: 'ServiceRole' },
  { group: 'rbac.istio.io', kind: 'ServiceRoleBinding' },
];
