import { Construct } from 'constructs';
import type {
  HttpRouteSpecParentRefs,
  HttpRouteSpecRules,
  HttpRouteSpecRulesMatches,
} from '../../imports/gateway.networking.k8s.io';
import {
  HttpRoute,
  HttpRouteSpecRulesBackendRefsFiltersType,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesHeadersType,
  HttpRouteSpecRulesMatchesPathType,
} from '../../imports/gateway.networking.k8s.io';
import { flattenRoutes, sortApiRoutes } from '../analysis/routing/gateway-api-match';
import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError } from '../model/errors';
import { escapeRegex } from '../resolve/entry-match';
import type { Route, RouteMatch } from '../resolve/resolved-stage';

/** Properties of {@link GatewayApiRoute}. */
export interface GatewayApiRouteProps {
  readonly name: string;
  readonly namespace: string;
  /** The Gateway or Service the route attaches to. */
  readonly parentRefs: readonly HttpRouteSpecParentRefs[];
  /** Hostnames of an ingress route. @default - every hostname the listener serves */
  readonly hostnames?: readonly string[];
  /** The routes, in the order their first match must win. */
  readonly routes: readonly Route[];
  /** The Service a destination version is reached through (a version's own Service, or the component's). */
  readonly backend: (version: string) => string;
  /** Where the routes come from, for errors. @default - `{ field: 'routes' }` */
  readonly at?: ErrorLocation;
}

/**
 * One Gateway API HTTPRoute rendered from derived routes (the same `Route`s the sidecar flavour
 * writes into a VirtualService): header and cookie matches as `RegularExpression` (Istio reads
 * them as RE2, matched against the whole value, as VirtualService regexes), exact headers as
 * `Exact`, a path prefix as a `RegularExpression` (Gateway API's `PathPrefix` matches whole path
 * segments, a VirtualService prefix any characters), weights, the request timeout and mirrors.
 *
 * Istio does not evaluate an HTTPRoute's rules in written order: it sorts them (path kind, path
 * length, method, header count). The construct checks that this order keeps every route's place,
 * and refuses routes whose first match would no longer win.
 */
export class GatewayApiRoute extends Construct {
  public readonly route: HttpRoute;

  constructor(scope: Construct, id: string, props: GatewayApiRouteProps) {
    super(scope, id);
    // A uri prefix is written as a RegularExpression path, which Istio ranks below every PathPrefix
    // match, and the API server gives a match without a path (and a rule without matches) the
    // default PathPrefix `/`: a header-only or default route would then always be evaluated
    // before every uri-prefix route. Where a route has a uri prefix, the routes without a path
    // match every path by a RegularExpression instead (`.*`, ranked with the prefixes, after the
    // longer ones), so that the sort keeps the written order wherever it can be kept.
    const anyPath = props.routes.some((r) => r.matches.some((m) => m.uri?.prefix !== undefined));
    const rules: HttpRouteSpecRules[] = props.routes.map((r) => ({
      name: r.name,
      ...(r.matches.length > 0
        ? { matches: r.matches.map((m) => httpMatch(m, anyPath)) }
        : anyPath
          ? { matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.REGULAR_EXPRESSION, value: ANY_PATH } }] }
          : {}),
      backendRefs: r.destinations.map((d) => ({
        group: '',
        kind: 'Service',
        name: props.backend(d.version),
        port: d.port,
        ...(d.weight !== undefined ? { weight: d.weight } : {}),
        // A sticky split: the response of a request sent to this backend names it, for the cookie rule before the split.
        ...(d.setCookie !== undefined
          ? {
              filters: [
                {
                  type: HttpRouteSpecRulesBackendRefsFiltersType.RESPONSE_HEADER_MODIFIER,
                  responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: d.setCookie }] },
                },
              ],
            }
          : {}),
      })),
      ...(r.mirror
        ? {
            filters: [
              {
                type: HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
                requestMirror: {
                  backendRef: {
                    group: '',
                    kind: 'Service',
                    name: props.backend(r.mirror.version),
                    port: r.mirror.port,
                  },
                  ...(Number.isInteger(r.mirror.percent)
                    ? { percent: r.mirror.percent }
                    : { fraction: { numerator: Math.round(r.mirror.percent * 10000), denominator: 1000000 } }),
                },
              },
            ],
          }
        : {}),
      ...(r.timeout !== undefined ? { timeouts: { request: r.timeout } } : {}),
    }));
    checkIstioOrder(props, rules);
    this.route = new HttpRoute(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        parentRefs: [...props.parentRefs],
        ...(props.hostnames && props.hostnames.length > 0 ? { hostnames: [...props.hostnames] } : {}),
        rules,
      },
    });
  }
}

/** A RegularExpression path that every path matches (RE2, full match). */
const ANY_PATH = '.*';

function httpMatch(m: RouteMatch, anyPath: boolean): HttpRouteSpecRulesMatches {
  const headers = Object.entries(m.headers ?? {}).map(([name, h]) =>
    h.exact !== undefined
      ? { type: HttpRouteSpecRulesMatchesHeadersType.EXACT, name, value: h.exact }
      : {
          type: HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION,
          name,
          value: h.regex ?? `${escapeRegex(h.prefix ?? '')}.*`,
        },
  );
  const path =
    m.uri === undefined
      ? anyPath
        ? { type: HttpRouteSpecRulesMatchesPathType.REGULAR_EXPRESSION, value: ANY_PATH }
        : undefined
      : m.uri.exact !== undefined
        ? { type: HttpRouteSpecRulesMatchesPathType.EXACT, value: m.uri.exact }
        : { type: HttpRouteSpecRulesMatchesPathType.REGULAR_EXPRESSION, value: `${escapeRegex(m.uri.prefix ?? '')}.*` };
  return { ...(path ? { path } : {}), ...(headers.length > 0 ? { headers } : {}) };
}

/** Throws when Istio's sort of the rules (sortHTTPRoutes) would put a later route's match before an earlier route's. */
function checkIstioOrder(props: GatewayApiRouteProps, rules: readonly HttpRouteSpecRules[]): void {
  const flat = flattenRoutes([
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: props.name, namespace: props.namespace },
      spec: { rules },
    },
  ]);
  const sorted = sortApiRoutes(flat);
  const index = (r: { rule: unknown }) => rules.indexOf(r.rule as HttpRouteSpecRules);
  for (let i = 1; i < sorted.length; i++) {
    const [before, after] = [index(sorted[i - 1]), index(sorted[i])];
    if (before > after) {
      throw new ReleaseConfigError(
        props.at ?? { field: 'routes' },
        `route '${rules[before].name}' would be evaluated before route '${rules[after].name}' in HTTPRoute '${props.name}': Istio orders HTTPRoute rules by path kind (Exact, PathPrefix, RegularExpression), path length and header count, not as written`,
        'Reorder the routes so that more specific matches come first (exact paths, then longer path prefixes, then more headers), or use the istio-sidecar flavour, whose VirtualServices keep the written order',
      );
    }
  }
}
