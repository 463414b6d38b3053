import type { CelFunc } from '@bufbuild/cel';
import { isIP } from './ip-address';

type CelModule = typeof import('@bufbuild/cel');
type CelExtModule = typeof import('@bufbuild/cel/ext');
type Re2Module = typeof import('re2js');

/**
 * The Kubernetes CEL extension functions the pinned CRDs call, on top of CEL's standard library
 * and the cel-go `strings` extension (Kubernetes enables it: k8s.io/apiserver/pkg/cel/environment/base.go).
 *
 * - `isURL(string)`, `url(string)` and the URL accessors: k8s.io/apiserver/pkg/cel/library/urls.go.
 *   A string is a URL when Go's `url.ParseRequestURI` accepts it: an absolute URI (`scheme:...`)
 *   or an absolute path (`/...`), no fragment, no control characters or spaces.
 * - `isIP(string)`: k8s.io/apiserver/pkg/cel/library/ip.go (Go `netip.ParseAddr`, zones rejected).
 * - `matches` runs RE2 (re2js) as cel-go does, not JavaScript RegExp.
 *
 * A URL value is a CEL map tagged with a private key, so the accessors are methods on maps; a rule
 * cannot tell the difference, as it only reaches the value through them.
 *
 * The libraries come in as arguments (only types are imported here): ./cel.ts loads them at run
 * time, so that bundlers do not inline them into every app (see there).
 */

const URL_TAG = '__k8s_url__';

interface ParsedUrl {
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly query: string;
}

/** Go's `url.ParseRequestURI`, to the degree the accessors need: undefined where Go returns an error. */
export function parseRequestUri(raw: string): ParsedUrl | undefined {
  // eslint-disable-next-line no-control-regex -- Go's ParseRequestURI refuses control characters: matching them is the point
  if (raw === '' || /[\x00-\x20\x7f]/.test(raw)) return undefined;
  const [beforeQuery, ...queryParts] = raw.split('?');
  const query = queryParts.join('?');
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(beforeQuery);
  if (!schemeMatch) {
    // no scheme: only an absolute path is a request URI (a leading ':' or a relative path is not)
    return beforeQuery.startsWith('/') ? { scheme: '', host: '', path: beforeQuery, query } : undefined;
  }
  const scheme = schemeMatch[1].toLowerCase();
  const rest = beforeQuery.slice(schemeMatch[0].length);
  if (!rest.startsWith('/')) return { scheme, host: '', path: '', query }; // opaque, e.g. mailto:x
  if (!rest.startsWith('//')) return { scheme, host: '', path: rest, query };
  const authorityEnd = rest.indexOf('/', 2);
  const authority = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, authorityEnd);
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  if (!/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(:\d*)?$/.test(host)) return undefined;
  return { scheme, host, path: authorityEnd < 0 ? '' : rest.slice(authorityEnd), query };
}

function urlValue(s: string): Map<string, string | boolean> {
  const u = parseRequestUri(s);
  if (!u) throw new Error(`URL parse error during conversion from string: ${s}`);
  return new Map<string, string | boolean>([
    [URL_TAG, true],
    ['scheme', u.scheme],
    ['host', u.host],
    ['path', u.path],
    ['query', u.query],
  ]);
}

function urlPart(target: unknown, part: string): string {
  const m = target as { get(k: string): unknown };
  if (m.get(URL_TAG) !== true) throw new Error('no such overload: a URL accessor called on a map that is not a URL');
  return String(m.get(part));
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Every function beyond CEL's standard library that the Kubernetes API server offers the pinned CRDs. */
export function kubernetesCelFunctions(
  { celFunc, celMethod, CelScalar, mapType }: CelModule,
  { strings }: CelExtModule,
): CelFunc[] {
  const URL_TYPE = mapType(CelScalar.STRING, CelScalar.DYN);
  return [
    ...strings,
    celFunc('isURL', [CelScalar.STRING], CelScalar.BOOL, (s) => parseRequestUri(s) !== undefined),
    celFunc('url', [CelScalar.STRING], URL_TYPE, (s) => urlValue(s)),
    celMethod('getScheme', URL_TYPE, [], CelScalar.STRING, function () {
      return urlPart(this, 'scheme');
    }),
    celMethod('getHost', URL_TYPE, [], CelScalar.STRING, function () {
      return urlPart(this, 'host');
    }),
    celMethod('getHostname', URL_TYPE, [], CelScalar.STRING, function () {
      return hostname(urlPart(this, 'host'));
    }),
    celMethod('getPort', URL_TYPE, [], CelScalar.STRING, function () {
      const host = urlPart(this, 'host');
      const m = /:(\d*)$/.exec(host.startsWith('[') ? host.slice(host.indexOf(']') + 1) : host);
      return m ? m[1] : '';
    }),
    celMethod('getEscapedPath', URL_TYPE, [], CelScalar.STRING, function () {
      return urlPart(this, 'path');
    }),
    celFunc('isIP', [CelScalar.STRING], CelScalar.BOOL, (s) => isIP(s)),
  ];
}

/** RE2 for `matches` (cel-go compiles with Go's regexp, which is RE2). */
export function re2Engine({ RE2JS }: Re2Module) {
  return {
    compile(pattern: string) {
      const re = RE2JS.compile(pattern);
      return { test: (text: string) => re.matcher(text).find() };
    },
  };
}
