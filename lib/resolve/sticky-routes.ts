import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError, show } from '../model/errors';
import { subsetName } from '../model/names';
import type { StickySpec } from '../model/spec';
import { cookieRegex } from './entry-match';
import type { Route } from './resolved-stage';
import type { RouteSpecLike } from './route-lists';
import { targetsOf } from './route-lists';

/** How long a sticky cookie keeps a user on one side of the split, unless the stage says. */
export const DEFAULT_STICKY_MAX_AGE_SECONDS = 3600;
/** RFC 6265 cookie-name token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Throws unless `route.sticky` can be honoured: a split, a cookie name, a whole Max-Age, no cookie match of its own. */
export function checkSticky(route: RouteSpecLike, _names: Set<string>, at: ErrorLocation): void {
  const sticky = route.sticky!;
  if (typeof route.to === 'string' || targetsOf(route).filter((t) => t.weight > 0).length < 2) {
    throw new ReleaseConfigError(
      at,
      'sticky needs a weighted split: the route sends everything to one target',
      'Remove sticky, or split the route between two or more targets.',
    );
  }
  if (typeof sticky.cookie !== 'string' || !COOKIE_NAME.test(sticky.cookie)) {
    throw new ReleaseConfigError(
      { ...at, field: `${at.field}.cookie` },
      `${show(sticky.cookie)} is not a cookie name`,
      "Use letters, digits and -_.!#$%&'*+^`|~, e.g. 'canary'.",
    );
  }
  const age = sticky.maxAgeSeconds;
  if (age !== undefined && !(Number.isInteger(age) && age >= 1 && age <= 31_536_000)) {
    throw new ReleaseConfigError(
      { ...at, field: `${at.field}.maxAgeSeconds` },
      `${show(age)} is not a whole number of seconds from 1 to 31536000`,
      'Give the seconds a user stays on one side, e.g. 3600.',
    );
  }
  if ((route.match ?? []).some((m) => m.cookie !== undefined)) {
    throw new ReleaseConfigError(
      at,
      'a sticky route cannot also match a cookie: the sticky cookie is matched on the same Cookie header',
      'Match the route on a header or path, or put the cookie match on a route of its own before it.',
    );
  }
}

/** The `Set-Cookie` value that sends a user back to `version`. */
export function stickyCookie(sticky: StickySpec, version: string): string {
  return `${sticky.cookie}=${subsetName(version)}; Path=/; Max-Age=${sticky.maxAgeSeconds ?? DEFAULT_STICKY_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax`;
}

/**
 * A weighted route made sticky: first, per target with a share, a route for the requests that
 * carry the cookie naming it (the route's own matches, plus the cookie), sending them there;
 * then the split itself, each destination setting that cookie on its responses.
 */
export function withStickiness(route: Route, sticky: StickySpec | undefined): Route[] {
  if (sticky === undefined) return [route];
  const { name, matches, destinations, ...policy } = route;
  const back = destinations
    .filter((d) => (d.weight ?? 0) > 0)
    .map((d): Route => ({
      name: `${name}-sticky-${subsetName(d.version)}`,
      matches: (matches.length > 0 ? matches : [{}]).map((m) => ({
        ...m,
        headers: { ...(m.headers ?? {}), cookie: { regex: cookieRegex(sticky.cookie, subsetName(d.version)) } },
      })),
      destinations: [{ version: d.version, port: d.port }],
      ...policy,
    }));
  return [
    ...back,
    {
      ...route,
      destinations: destinations.map((d) =>
        (d.weight ?? 0) > 0 ? { ...d, setCookie: stickyCookie(sticky, d.version) } : d,
      ),
    },
  ];
}
