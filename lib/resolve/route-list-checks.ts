import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError, show } from '../model/errors';
import { assertDnsLabel } from '../model/names';
import { validateEntryMatch } from './entry-match';
import type { RouteSpecLike } from './route-lists';
import { implies, routeName, targetsOf, toRouteMatch } from './route-lists';
import { checkSticky } from './sticky-routes';

/**
 * Checks one ordered route list (entry routes to lanes, or service routes to versions):
 * default route last and only last, valid matches and names, known targets, whole weights
 * summing to 100, no route that an earlier one makes unreachable. Returns the targets used.
 */
export function checkRouteList(
  stage: string,
  routes: readonly RouteSpecLike[],
  list: string,
  component: string,
  kind: 'lane' | 'version',
  valid: Set<string>,
): Set<string> {
  const at: At = (field: string) => ({ stage, component, field });
  if (routes.length === 0) {
    throw new ReleaseConfigError(at(list), 'there is no route', `Add a default route: { to: '<${kind}>' }.`);
  }
  const targeted = new Set<string>();
  const routeNames = new Set<string>();
  routes.forEach((route, i) => {
    const field = `${list}[${i}]`;
    checkRouteShape(routes, i, field, at, routeNames);
    for (const t of checkTargets(route, field, at, kind, valid)) targeted.add(t);
    if (route.sticky !== undefined) checkSticky(route, routeNames, at(`${field}.sticky`));
  });
  checkDeadRoutes(routes, list, at);
  return targeted;
}

type At = (field: string) => ErrorLocation;

/** The default route is last and only last, matches are valid, names are DNS labels and unique (added to `routeNames`). */
function checkRouteShape(
  routes: readonly RouteSpecLike[],
  i: number,
  field: string,
  at: At,
  routeNames: Set<string>,
): void {
  const route = routes[i];
  const isLast = i === routes.length - 1;
  const hasMatch = route.match !== undefined;
  if (!hasMatch && !isLast) {
    throw new ReleaseConfigError(
      at(`${field}.match`),
      `route ${i} has no match, so it takes every request and the ${routes.length - 1 - i} route(s) after it never match`,
      'Give the route a match, or move it last as the default route.',
    );
  }
  if (hasMatch && isLast) {
    throw new ReleaseConfigError(
      at(`${field}.match`),
      'the last route has a match, so unmatched requests have no route',
      'End the routes with a default route that has no match.',
    );
  }
  if (hasMatch) {
    if (route.match!.length === 0) {
      throw new ReleaseConfigError(
        at(`${field}.match`),
        'the match list is empty',
        'Add a match, or remove the match field for a default route.',
      );
    }
    route.match!.forEach((m, j) => validateEntryMatch(m, at(`${field}.match[${j}]`)));
  }
  const name = routeName(route, i);
  assertDnsLabel(name, at(`${field}.name`));
  if (routeNames.has(name)) {
    throw new ReleaseConfigError(
      at(`${field}.name`),
      `route name ${show(name)} is used twice`,
      'Give each route a unique name.',
    );
  }
  routeNames.add(name);
}

/** Known targets, whole weights summing to 100, each target once; returns the targets. */
function checkTargets(
  route: RouteSpecLike,
  field: string,
  at: At,
  kind: 'lane' | 'version',
  valid: Set<string>,
): string[] {
  const targets = targetsOf(route);
  if (targets.length === 0) {
    throw new ReleaseConfigError(
      at(`${field}.to`),
      'the route sends traffic nowhere',
      `Name a ${kind}, or list weighted ${kind}s.`,
    );
  }
  for (const t of targets) {
    if (!valid.has(t.target)) {
      throw new ReleaseConfigError(
        at(`${field}.to`),
        kind === 'lane'
          ? `lane ${show(t.target)} is not defined in this stage`
          : `version ${show(t.target)} is not deployed in this stage`,
        `Use one of ${[...valid].join(', ')}.`,
      );
    }
    if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > 100) {
      throw new ReleaseConfigError(
        at(`${field}.to`),
        `weight ${show(t.weight)} of ${kind} '${t.target}' is not a whole percentage`,
        'Use whole numbers from 0 to 100.',
      );
    }
    if (targets.filter((o) => o.target === t.target).length > 1) {
      throw new ReleaseConfigError(
        at(`${field}.to`),
        `${kind} ${show(t.target)} appears twice in one split`,
        `List each ${kind} once per route.`,
      );
    }
  }
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  if (total !== 100) {
    throw new ReleaseConfigError(
      at(`${field}.to`),
      `weights sum to ${total}, not 100`,
      'Make the weights of one route add up to 100.',
    );
  }
  return targets.map((t) => t.target);
}

/** No route that an earlier one makes unreachable. */
function checkDeadRoutes(routes: readonly RouteSpecLike[], list: string, at: At): void {
  // A route is dead when every one of its matches is implied by a match of an earlier route.
  routes.forEach((route, j) => {
    if (!route.match) return;
    const later = route.match.map(toRouteMatch);
    const i = routes
      .slice(0, j)
      .findIndex(
        (earlier) =>
          earlier.match !== undefined &&
          later.every((m) => earlier.match!.map(toRouteMatch).some((e) => implies(m, e))),
      );
    if (i !== -1) {
      throw new ReleaseConfigError(
        at(`${list}[${j}].match`),
        `route ${j} (${show(routeName(route, j))}) can never match: every request it matches is already taken by route ${i} (${show(routeName(routes[i], i))})`,
        'Reorder the routes (more specific first) or remove the dead one.',
      );
    }
  });
}
