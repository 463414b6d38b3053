/**
 * VirtualService matches on JWT claims (`@request.auth.claims.<name>`), as istiod compiles them
 * and Envoy evaluates them (istio/istio 1.30.3 pilot/pkg/networking/core/route/route.go
 * translateMetadataMatch, pkg/jwt/routing.go ToRoutingClaim, pilot/pkg/security/authz/matcher
 * MetadataListMatcher): a dynamic metadata matcher on the jwt_authn filter's payload at the claim's
 * path, holding when the claim is a string the StringMatch matches or a list one of whose strings
 * it matches; `withoutHeaders` inverts it. The payload exists only where Envoy's jwt_authn filter
 * validated a JWT: on a gateway a RequestAuthentication selects (a sidecar's outbound routes have
 * no JWT filter).
 */
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { at as valueAt } from '../manifest-kinds';
import { DEFAULT_ISTIO_NAMESPACE } from '../../model/defaults';
import { isPresenceMatch, stringMatchHolds } from './string-match';

/** The JWT claims a request's route matches see, and why there are none. */
export interface ClaimContext {
  /** The validated JWT's payload. @default - none: no validated JWT */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Why the request has no claims, for the hop's note. */
  readonly absent: string;
  /** Claim matches that did not hold for want of claims (filled while routing; the hop states them). */
  readonly misses: string[];
}

/** Why a request without `claims` has none. */
export const NO_JWT = 'the request carries no validated JWT (no claims given)';

/** The claim path of a header name (ToRoutingClaim: `.a.b` or `[a][b]`), or undefined when it names no claim. */
export function claimPath(name: string): string[] | undefined {
  const prefix = '@request.auth.claims';
  if (!name.toLowerCase().startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  if (rest.startsWith('.') && rest.length > 1) return rest.slice(1).split('.');
  if (rest.startsWith('[') && rest.endsWith(']') && rest.length > 2) return rest.slice(1, -1).split('][');
  return undefined;
}

/**
 * Whether a claim match holds (headers; `inverted` for withoutHeaders). Without claims the
 * metadata path is absent: the match does not hold, its inversion does; a miss is recorded.
 */
export function claimMatchHolds(
  path: readonly string[],
  cond: unknown,
  ctx: ClaimContext,
  inverted: boolean,
  at: string,
): boolean {
  if (ctx.claims === undefined) {
    if (!inverted) ctx.misses.push(`${at} did not match: ${ctx.absent}`);
    return inverted;
  }
  const value = valueAt(ctx.claims, ...path);
  // A present_match is not a StringMatcher: istiod's ConvertToEnvoyMatch gives nil, and Envoy's metadata matcher then tests presence.
  const matches = (v: unknown) => typeof v === 'string' && (isPresenceMatch(cond) || stringMatchHolds(cond, v));
  const held = Array.isArray(value) ? value.some(matches) : matches(value);
  return inverted ? !held : held;
}

/**
 * The claims a gateway proxy sees: the request's, when a RequestAuthentication selects the proxy
 * (its namespace's or the root namespace's, without a selector or with one the proxy's labels hold;
 * one with targetRefs names a Gateway API Gateway or a Service instead).
 */
export function gatewayClaims(
  index: ManifestIndex,
  claims: Readonly<Record<string, unknown>> | undefined,
  proxy: { readonly labels: Readonly<Record<string, string>>; readonly namespace: string },
): ClaimContext {
  if (claims === undefined || Object.keys(claims).length === 0) return { absent: NO_JWT, misses: [] };
  // A policy with targetRefs is ignored for a gateway that is no Gateway API one (model/policyattachment.go ShouldAttachPolicy).
  const selects = (ra: Manifest) =>
    (namespaceOf(ra) === proxy.namespace || namespaceOf(ra) === DEFAULT_ISTIO_NAMESPACE) &&
    ra.spec?.targetRefs === undefined &&
    ra.spec?.targetRef === undefined &&
    labelsHold(ra.spec?.selector?.matchLabels, proxy.labels);
  if (!index.ofKind('RequestAuthentication').some(selects))
    return {
      absent: `no RequestAuthentication selects the gateway's proxy, so Envoy validates no JWT and the request's claims are not known to it`,
      misses: [],
    };
  return { claims, absent: NO_JWT, misses: [] };
}

/** A sidecar's outbound routes: Envoy has no JWT filter there, so claim matches never hold. */
export const SIDECAR_CLAIMS: () => ClaimContext = () => ({
  absent: "a sidecar's outbound routes have no JWT filter (claim matches hold at gateways only)",
  misses: [],
});

/** The hops with the claim matches that did not hold for want of claims stated on them (`matchNotes`). */
export function withClaimMisses<H extends { readonly matchNotes?: readonly string[] }>(
  hops: H[],
  ctx: ClaimContext,
): H[] {
  if (ctx.misses.length === 0) return hops;
  const notes = [...new Set(ctx.misses)];
  return hops.map((h) => ({ ...h, matchNotes: [...(h.matchNotes ?? []), ...notes] }));
}
