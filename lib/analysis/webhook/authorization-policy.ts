import { badIps } from './net';
import type { WebhookCheck } from './report';
import { list, present } from './report';
import { policySelection } from './policy-selection';

/** Source fields Istio's CUSTOM action cannot match on (ValidateAuthorizationPolicy). */
const CUSTOM_UNSUPPORTED_SOURCES = [
  'namespaces',
  'notNamespaces',
  'serviceAccounts',
  'notServiceAccounts',
  'trustDomains',
  'notTrustDomains',
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
];
const CUSTOM_UNSUPPORTED_KEYS = ['source.namespace', 'source.serviceAccount', 'source.trustDomain', 'source.principal'];
/** Every source field: a source with none of them is empty. */
const SOURCE_FIELDS = [
  'principals',
  'requestPrincipals',
  'namespaces',
  'ipBlocks',
  'remoteIpBlocks',
  'notPrincipals',
  'notRequestPrincipals',
  'notNamespaces',
  'notIpBlocks',
  'notRemoteIpBlocks',
  'serviceAccounts',
  'notServiceAccounts',
  'trustDomains',
  'notTrustDomains',
];
const OPERATION_FIELDS = ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'];
const MEANINGLESS = (action: string) =>
  `${action} action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request`;

/** Istio's ValidateAuthorizationPolicy (pkg/config/validation/validation.go), rule for rule. */
export function authorizationPolicy(c: WebhookCheck): void {
  const { spec } = c;
  policySelection(c);
  const action = spec.action ?? 'ALLOW';
  if (action === 'CUSTOM') {
    if (!present(spec.rules)) c.report('spec.rules', MEANINGLESS('CUSTOM'));
    else if (!spec.provider?.name) c.report('spec.provider.name', '`provider.name` must not be empty');
    customRules(c);
  }
  if (present(spec.provider) && action !== 'CUSTOM')
    c.report('spec.provider', `\`provider\` must not be with non CUSTOM action, found ${action}`);
  if (action === 'DENY' && !present(spec.rules)) c.report('spec.rules', MEANINGLESS('DENY'));
  list(spec.rules).forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    if (rule === null) return c.report(at, `\`rule\` must not be nil, found at rule ${i}`);
    if (present(rule.from) && list(rule.from).length === 0)
      c.report(`${at}.from`, `\`from\` must not be empty, found at rule ${i}`);
    list(rule.from).forEach((from, j) => source(c, from?.source, `${at}.from[${j}].source`, i));
    if (present(rule.to) && list(rule.to).length === 0)
      c.report(`${at}.to`, `\`to\` must not be empty, found at rule ${i}`);
    list(rule.to).forEach((to, j) => operation(c, to?.operation, `${at}.to[${j}].operation`, i));
    list(rule.when).forEach((cond, j) => condition(c, cond, `${at}.when[${j}]`));
  });
}

function customRules(c: WebhookCheck): void {
  list(c.spec.rules).forEach((rule, i) => {
    list(rule?.from).forEach((from, j) => {
      for (const f of CUSTOM_UNSUPPORTED_SOURCES) {
        if (list(from?.source?.[f]).length > 0)
          c.report(
            `spec.rules[${i}].from[${j}].source.${f}`,
            `From.${f[0].toUpperCase()}${f.slice(1)} is currently not supported with CUSTOM action`,
          );
      }
    });
    list(rule?.when).forEach((w, j) => {
      const key = String(w?.key ?? '');
      if (CUSTOM_UNSUPPORTED_KEYS.includes(key) || key.startsWith('request.auth.'))
        c.report(`spec.rules[${i}].when[${j}].key`, `${key} is currently not supported with CUSTOM action`);
    });
  });
}

function source(c: WebhookCheck, src: any, at: string, i: number): void {
  if (!present(src)) return c.report(at, `\`from.source\` must not be nil, found at rule ${i}`);
  const n = (f: string) => list(src[f]).length;
  if (
    n('principals') + n('notPrincipals') + n('namespaces') + n('notNamespaces') > 0 &&
    n('serviceAccounts') + n('notServiceAccounts') > 0
  ) {
    c.report(at, `cannot set serviceAccounts with namespaces or principals, found at rule ${i}`);
  }
  if (SOURCE_FIELDS.every((f) => n(f) === 0)) c.report(at, `\`from.source\` must not be empty, found at rule ${i}`);
  for (const f of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'])
    for (const e of badIps(list(src[f]))) c.report(`${at}.${f}`, e);
  for (const f of [
    'principals',
    'requestPrincipals',
    'namespaces',
    'ipBlocks',
    'remoteIpBlocks',
    'notPrincipals',
    'notRequestPrincipals',
    'notNamespaces',
    'notIpBlocks',
    'notRemoteIpBlocks',
  ])
    emptyValues(c, `${at}.${f}`, f, list(src[f]));
  for (const f of ['serviceAccounts', 'notServiceAccounts']) serviceAccounts(c, `${at}.${f}`, f, list(src[f]));
  for (const f of ['trustDomains', 'notTrustDomains']) trustDomains(c, `${at}.${f}`, f, list(src[f]));
}

function operation(c: WebhookCheck, op: any, at: string, i: number): void {
  if (!present(op)) return c.report(at, `\`to.operation\` must not be nil, found at rule ${i}`);
  if (OPERATION_FIELDS.every((f) => list(op[f]).length === 0))
    c.report(at, `\`to.operation\` must not be empty, found at rule ${i}`);
  for (const f of ['ports', 'notPorts'])
    for (const p of list(op[f]).map(String)) if (!validPortString(p)) c.report(`${at}.${f}`, `bad port (${p})`);
  for (const f of OPERATION_FIELDS) emptyValues(c, `${at}.${f}`, f, list(op[f]));
  for (const f of ['paths', 'notPaths']) for (const p of list(op[f]).map(String)) pathTemplate(c, `${at}.${f}`, f, p);
}

/** security.ValidatePorts: a decimal number, at most 65535 (0 allowed). */
function validPortString(p: string): boolean {
  return /^\d+$/.test(p) && Number(p) <= 65535;
}

function emptyValues(c: WebhookCheck, at: string, key: string, values: any[]): void {
  if (values.some((v) => v === '' || v === null)) c.report(at, `empty value not allowed, found in ${key}`);
}

function serviceAccounts(c: WebhookCheck, at: string, key: string, values: any[]): void {
  if (values.length > 16) return c.report(at, 'may not have more than 16 values');
  for (const v of values.map((x) => String(x ?? ''))) {
    const problem =
      v === ''
        ? `empty value not allowed, found in ${key}`
        : v.includes('*')
          ? `wildcard not allowed, found in ${key}`
          : v.split('/').length > 2 || v.startsWith('/') || v.endsWith('/')
            ? `expected format 'serviceAccount' or 'namespace/serviceAccount', found ${JSON.stringify(v)} in ${key}`
            : v.length > 320
              ? `value cannot exceed 320 characters, found ${JSON.stringify(v)} in ${key}`
              : undefined;
    if (problem) return c.report(at, problem);
  }
}

/** security.CheckWildcardValues: `*` alone, or at one end only. */
function wildcardValues(c: WebhookCheck, at: string, key: string, values: any[]): boolean {
  for (const v of values.map(String)) {
    const inner = v.length > 1 ? v.slice(1, -1) : '';
    if (v !== '*' && (inner.includes('*') || (v.startsWith('*') && v.endsWith('*')))) {
      c.report(at, `wildcard is not allowed in the middle, found in ${key}: ${JSON.stringify(v)}`);
      return false;
    }
  }
  return true;
}

function trustDomains(c: WebhookCheck, at: string, key: string, values: any[]): void {
  if (!wildcardValues(c, at, key, values)) return;
  const bad = values.map(String).find((v) => v.includes('/'));
  if (bad !== undefined) c.report(at, `trust domain must not contain '/', found in ${key}: ${JSON.stringify(bad)}`);
}

const MATCH_ONE = '{*}';
const MATCH_ANY = '{**}';
/** RFC 3986 pchar, what Envoy's path templates accept between operators. */
const LITERAL = /^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/;

/** security.CheckValidPathTemplate. */
function pathTemplate(c: WebhookCheck, at: string, key: string, raw: string): void {
  const templated = raw.includes(MATCH_ONE) || raw.includes(MATCH_ANY);
  const path = raw.replace(/^\/+|\/+$/g, '');
  let anySeen = false;
  for (const glob of path.split('/')) {
    if ((glob === MATCH_ONE || glob === MATCH_ANY) && anySeen)
      return c.report(at, `invalid or unsupported path ${path}, found in ${key}. {**} is not the last operator`);
    if (glob === MATCH_ONE) continue;
    if (glob === MATCH_ANY) {
      anySeen = true;
      continue;
    }
    if (/[{}]/.test(glob))
      return c.report(
        at,
        `invalid or unsupported path ${path}, found in ${key}. Contains '{' or '}' beyond a supported path template`,
      );
    if (templated && !LITERAL.test(glob))
      return c.report(
        at,
        `invalid or unsupported path ${path}, found in ${key}. Contains segment ${glob} with invalid string literal`,
      );
  }
}

const MAP_KEYS = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const PLAIN_KEYS = [
  'source.namespace',
  'source.principal',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'connection.sni',
];

function condition(c: WebhookCheck, cond: any, at: string): void {
  const key = String(cond?.key ?? '');
  if (key === '') return c.report(`${at}.key`, '`key` must not be empty');
  if (list(cond.values).length === 0 && list(cond.notValues).length === 0)
    return c.report(at, `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
  for (const [field, word] of [
    ['values', 'value'],
    ['notValues', 'notValue'],
  ] as const) {
    const problem = attributeProblem(key, list(cond[field]));
    if (problem) c.report(`${at}.${field}`, `invalid \`${word}\` for \`key\` ${key}: ${problem}`);
  }
}

/** security.ValidateAttribute: what a `when` key may be, and what its values must look like. */
function attributeProblem(key: string, values: any[]): string | undefined {
  if (values.some((v) => v === '' || v === null)) return `empty value not allowed, found in ${key}`;
  // validateMapKey: a `[` after the first character, the key ending in `]` with something between.
  const open = key.indexOf('[');
  const mapKey = () =>
    key.endsWith(']') && open > 0 && open < key.length - 2 ? undefined : `bad key (${key}): should have format a[b]`;
  if (MAP_KEYS.some((p) => key.startsWith(p))) return mapKey();
  if (['source.ip', 'remote.ip', 'destination.ip'].includes(key)) return badIps(values)[0];
  if (key === 'source.serviceAccount')
    return values.some((v) => String(v).includes('*')) ? `wildcard not allowed, found in ${key}` : undefined;
  if (key === 'source.trustDomain')
    return values.some((v) => {
      const s = String(v);
      return s !== '*' && s.length > 1 && s.slice(1, -1).includes('*');
    })
      ? `wildcard is not allowed in the middle, found in ${key}`
      : undefined;
  if (key === 'destination.port')
    return values.map(String).find((p) => !validPortString(p)) !== undefined ? 'bad port' : undefined;
  if (PLAIN_KEYS.includes(key)) return undefined;
  if (key === 'destination.namespace') return `attribute ${key} is replaced by the metadata.namespace`;
  if (key.startsWith('destination.labels')) return `attribute ${key} is replaced by the workload selector`;
  if (key === 'destination.name' || key === 'destination.user')
    return `deprecated attribute ${key}: only supported in v1alpha1`;
  return `unknown attribute: ${key}`;
}
