/**
 * The one response-header change the simulator evaluates: a `Set-Cookie` a route adds for one
 * destination (a sticky split: the cookie that sends the user back there). Every other header
 * change still shapes nothing the simulator answers, and stays named as not modelled.
 */
import { at, listAt } from '../manifest-kinds';

const isSetCookie = (name: string) => name.toLowerCase() === 'set-cookie';

/** A VirtualService destination's `headers`: its Set-Cookie values, and whether anything else is set. */
export function istioSetCookies(headers: unknown): { cookies: string[]; other: boolean } {
  if (headers === undefined || headers === null) return { cookies: [], other: false };
  const response = at(headers, 'response') ?? {};
  const maps = [at(response, 'add'), at(response, 'set')];
  const cookies = maps.flatMap((h) =>
    Object.entries(h ?? {})
      .filter(([k]) => isSetCookie(k))
      .map(([, v]) => String(v)),
  );
  const other =
    at(headers, 'request') !== undefined ||
    listAt(response, 'remove').length > 0 ||
    maps.some((h) => Object.keys(h ?? {}).some((k) => !isSetCookie(k)));
  return { cookies, other };
}

/** A Gateway API backendRef's `filters`: the Set-Cookie values of its ResponseHeaderModifiers, and whether any other filter or header is there. */
export function apiSetCookies(filters: readonly unknown[] | undefined): { cookies: string[]; other: boolean } {
  let other = false;
  const cookies: string[] = [];
  for (const f of filters ?? []) {
    const m = at(f, 'type') === 'ResponseHeaderModifier' ? (at(f, 'responseHeaderModifier') ?? {}) : undefined;
    if (m === undefined) {
      other = true;
      continue;
    }
    for (const h of [...listAt(m, 'add'), ...listAt(m, 'set')]) {
      if (isSetCookie(String(at(h, 'name') ?? ''))) cookies.push(String(at(h, 'value')));
      else other = true;
    }
    if (listAt(m, 'remove').length > 0) other = true;
  }
  return { cookies, other };
}
