/**
 * Native twins of the CEL rules the bundled Istio CRDs use most (each keyed by the rule's exact
 * text, or by a rule family such as "at most one of these fields"). A twin reads the JSON value
 * itself (no conversion to CEL values, which costs more than the rule), answers only for the
 * ordinary values it understands (a string, an integer, an object of plain fields) and returns
 * undefined otherwise, and then @bufbuild/cel evaluates the rule: CEL stays the authority for
 * every odd input. __tests__/schema-cel.test.ts runs every twin and @bufbuild/cel on the same
 * values and requires the same answer.
 *
 * Why: loading @bufbuild/cel costs more than validating all stages, and the library's own
 * stages only meet these rules with ordinary values, so synth rarely needs to load it.
 */

type Twin = (self: unknown) => boolean | undefined;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** The keys of a JSON object (a CEL map or object). */
const keys = (v: unknown): string[] | undefined =>
  isMap(v) ? Object.keys(v).filter((k) => v[k] !== undefined) : undefined;
/** CEL `has(self.f)` on an object: the field is set (a null field counts as unusual: defer to CEL). */
function has(self: Record<string, unknown>, field: string): boolean | undefined {
  const v = self[field];
  return v === null ? undefined : v !== undefined;
}
function hasAll(self: unknown, fields: readonly string[]): boolean[] | undefined {
  if (!isMap(self)) return undefined;
  const out: boolean[] = [];
  for (const f of fields) {
    const h = has(self, f);
    if (h === undefined) return undefined;
    out.push(h);
  }
  return out;
}

/** Go durations such as "1m30s", "1.5s", "100ms", "500us" (no sign, at most 9 digits a part), in milliseconds. */
function simpleDurationMs(s: string): number | undefined {
  if (!/^(\d{1,9}(\.\d{1,9})?(h|ms|m|s|us|ns))+$/.test(s)) return undefined;
  let ms = 0;
  for (const [, n, unit] of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)) ms += Number(n) * UNIT_MS[unit];
  // Go's time.ParseDuration fails past 2^63 ns (about 2562047h): leave those, and the edge, to CEL
  return ms < 9.2e12 ? ms : undefined;
}

const UNIT_MS: Record<string, number> = { h: 3600000, m: 60000, s: 1000, ms: 1, us: 0.001, ns: 0.000001 };

const EXACT: Record<string, Twin | undefined> = {
  '!self.contains("*")': (self) => (typeof self === 'string' ? !self.includes('*') : undefined),
  'self.all(key, !key.contains("*"))': (self) => keys(self)?.every((k) => !k.includes('*')),
  'self.all(key, key.size() != 0)': (self) => keys(self)?.every((k) => k.length !== 0),
  'self.size() == 0': (self) => {
    const size = Array.isArray(self) ? self.length : keys(self)?.length;
    return size === undefined ? undefined : size === 0;
  },
  '0 < self && self <= 65535': (self) =>
    Number.isSafeInteger(self) ? (self as number) > 0 && (self as number) <= 65535 : undefined,
  "duration(self) >= duration('1ms')": (self) => {
    const ms = typeof self === 'string' ? simpleDurationMs(self) : undefined;
    return ms === undefined ? undefined : ms >= 1;
  },
  'self.all(key, size(key) < 63 && key.matches("^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$"))': (self) =>
    keys(self)?.every((k) => k.length < 63 && /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/.test(k)),
  'self.all(key, 0 < int(key) && int(key) <= 65535)': (self) => {
    const ks = keys(self);
    if (!ks || !ks.every((k) => /^[0-9]{1,9}$/.test(k))) return undefined;
    return ks.every((k) => Number(k) > 0 && Number(k) <= 65535);
  },
  '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) &&\n!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true':
    (self) => {
      const h = hasAll(self, [
        'serviceAccounts',
        'notServiceAccounts',
        'principals',
        'notPrincipals',
        'namespaces',
        'notNamespaces',
      ]);
      return h && (h[0] || h[1] ? !h[2] && !h[3] && !h[4] && !h[5] : true);
    },
  'has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) ? self.selector.matchLabels : {}).size() > 0) : true':
    (self) => {
      const h = hasAll(self, ['portLevelMtls', 'selector']);
      if (!h || !isMap(self)) return undefined;
      if (!h[0]) return true;
      if (!h[1]) return false;
      const selector = self.selector;
      if (!isMap(selector)) return undefined;
      const labels = selector.matchLabels;
      if (labels === undefined) return false;
      const size = keys(labels)?.length;
      return size === undefined ? undefined : size > 0;
    },
};

/** "(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) ... <= 1": at most one of the fields is set. */
const AT_MOST_ONE = /^\(has\(self\.([A-Za-z_]\w*)\) \? 1 : 0\)((?: \+ \(has\(self\.[A-Za-z_]\w*\) \? 1 : 0\))+) <= 1$/;

const cache = new Map<string, Twin | undefined>();

/** The native twin of a rule, if it has one. */
export function fastPathFor(rule: string): Twin | undefined {
  if (cache.has(rule)) return cache.get(rule);
  let twin: Twin | undefined = EXACT[rule];
  const m = twin ? null : AT_MOST_ONE.exec(rule);
  if (m) {
    const fields = [m[1], ...[...m[2].matchAll(/has\(self\.(\w+)\)/g)].map((x) => x[1])];
    twin = (self) => {
      const h = hasAll(self, fields);
      return h && h.filter(Boolean).length <= 1;
    };
  }
  cache.set(rule, twin);
  return twin;
}
