import { principal } from '../model/defaults';
import type { Manifest } from './manifest';
import { namespaceOf, podTemplate } from './manifest';
import { stringAt } from './manifest-kinds';
import { policiesIn, workloadPolicies } from './authorization-policy-groups';

// Re-exported for analyzer/routing-authorization.ts, which imports it from here.
export { targeted } from './authorization-policy-groups';

/** The SPIFFE principal (without `spiffe://`) the pods of a workload present over mTLS. */
export function workloadPrincipal(workload: Manifest, trustDomain: string): string {
  return principal(
    trustDomain,
    namespaceOf(workload),
    stringAt(podTemplate(workload)?.spec, 'serviceAccountName') ?? 'default',
  );
}

/** The verdict of Istio authorization for one request. */
export interface AuthorizationVerdict {
  /** Whether the request is allowed; when `undetermined`, not stated (taken as allowed so that its calls are still followed). */
  readonly allowed: boolean;
  /** Why: the policy and rule that allowed it, or why nothing did. */
  readonly reason: string;
  /** The verdict rests on rule conditions that are not evaluated (see notModelled): allowed or denied is not known. @default - determined */
  readonly undetermined?: boolean;
  /** Rule conditions of the policies selecting the pod that are not evaluated. @default - none */
  readonly notModelled?: readonly string[];
}

/** The part of a request authorization can read: path and method (an entry request), unknown for a call inferred from the environment. */
export interface AuthorizedRequest {
  readonly path?: string;
  readonly method?: string;
}

/**
 * Evaluates Istio AuthorizationPolicies (ALLOW and DENY; sources by principals and namespaces,
 * operations by ports, paths and methods; pkg/istio-agent and security/v1 AuthorizationPolicy
 * reference) for a request from `principal` to a pod with `podLabels` on `port`. A condition it
 * cannot evaluate (request principals, IP blocks, hosts, `when`, a path of a call whose request is
 * not known) leaves the verdict undetermined when it would decide it. With no ALLOW policy
 * selecting the pod everything not denied is allowed; otherwise a rule must match.
 */
export function authorize(
  manifests: readonly Manifest[],
  namespace: string,
  podLabels: Readonly<Record<string, string>>,
  principal: string,
  port: number,
  request: AuthorizedRequest = {},
): AuthorizationVerdict {
  // A policy with targetRefs binds to a gateway or waypoint (the Gateway, or a Service it serves),
  // never to the workload's sidecar or ztunnel (security/v1 AuthorizationPolicy targetRefs).
  return verdictOf(workloadPolicies(manifests, namespace, podLabels), principal, port, request);
}

/**
 * The waypoint's verdict for a call to Service `service` (namespace `namespace`) through the
 * waypoint Gateway `waypoint`: the policies of the namespace whose targetRefs name that Service
 * (core group, kind Service) or the waypoint's Gateway apply; with no ALLOW policy among them,
 * everything not denied passes (ztunnel at the destination then sees the waypoint's identity).
 */
export function authorizeAtWaypoint(
  manifests: readonly Manifest[],
  namespace: string,
  waypoint: string,
  service: string,
  principal: string,
  port: number,
  request: AuthorizedRequest = {},
): AuthorizationVerdict {
  const refs = (m: Manifest): any[] => [
    ...(m.spec?.targetRefs ?? []),
    ...(m.spec?.targetRef ? [m.spec.targetRef] : []),
  ];
  return verdictOf(
    policiesIn(manifests, namespace).filter((m) =>
      refs(m).some(
        (r) =>
          ((r.group ?? '') === '' && r.kind === 'Service' && r.name === service) ||
          (r.group === 'gateway.networking.k8s.io' && r.kind === 'Gateway' && r.name === waypoint),
      ),
    ),
    principal,
    port,
    request,
  );
}

/** A condition's outcome: holds, does not hold, or cannot be known offline. */
type Tri = boolean | undefined;

const all = (xs: readonly Tri[]): Tri =>
  xs.some((x) => x === false) ? false : xs.some((x) => x === undefined) ? undefined : true;
const any = (xs: readonly Tri[]): Tri =>
  xs.some((x) => x === true) ? true : xs.some((x) => x === undefined) ? undefined : false;

/** Istio's string match of principals, namespaces and paths: exact, `prefix*`, `*suffix`, or `*` (security/v1 AuthorizationPolicy). */
function istioStringMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

interface Caller {
  readonly principal: string;
  readonly namespace: string | undefined;
  readonly port: number;
  readonly request: AuthorizedRequest;
}

/** A list field (`principals`) and its negation (`notPrincipals`) against a known value; undefined value: not known. */
function listField(
  values: readonly string[] | undefined,
  negated: readonly string[] | undefined,
  value: string | undefined,
  match = istioStringMatch,
): Tri[] {
  const out: Tri[] = [];
  if (values !== undefined) out.push(value === undefined ? undefined : values.some((v) => match(String(v), value)));
  if (negated !== undefined) out.push(value === undefined ? undefined : !negated.some((v) => match(String(v), value)));
  return out;
}

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'];
const OPERATION_FIELDS = ['ports', 'notPorts', 'paths', 'notPaths', 'methods', 'notMethods'];

function sourceHolds(s: any, c: Caller): Tri {
  const known = [
    ...listField(s.principals, s.notPrincipals, c.principal),
    ...listField(s.namespaces, s.notNamespaces, c.namespace),
  ];
  const unknown = Object.keys(s)
    .filter((k) => !SOURCE_FIELDS.includes(k))
    .map((): Tri => undefined);
  return all([...known, ...unknown]);
}

function operationHolds(o: any, c: Caller): Tri {
  const path = c.request.path?.split('?')[0];
  const known = [
    ...listField(o.ports, o.notPorts, String(c.port), (a, b) => a === b),
    ...listField(o.paths, o.notPaths, path),
    ...listField(o.methods, o.notMethods, c.request.method, (a, b) => a === b),
  ];
  const unknown = Object.keys(o)
    .filter((k) => !OPERATION_FIELDS.includes(k))
    .map((): Tri => undefined);
  return all([...known, ...unknown]);
}

function ruleHolds(rule: any, c: Caller): Tri {
  const from: Tri = rule.from ? any(rule.from.map((f: any) => sourceHolds(f.source ?? {}, c))) : true;
  const to: Tri = rule.to ? any(rule.to.map((t: any) => operationHolds(t.operation ?? {}, c))) : true;
  return all([from, to, rule.when !== undefined ? undefined : true]);
}

/** The verdict of the policies that apply, with the conditions they hold that are not evaluated. */
function verdictOf(
  policies: readonly Manifest[],
  principal: string,
  port: number,
  request: AuthorizedRequest,
): AuthorizationVerdict {
  const caller: Caller = { principal, namespace: /\/ns\/([^/]+)\//.exec(principal)?.[1], port, request };
  const notModelled = policies.flatMap((p) => unevaluated(p, caller));
  const verdict = decide(policies, caller);
  const undetermined = verdict.undetermined === true;
  return notModelled.length > 0 || undetermined
    ? { ...verdict, ...(notModelled.length > 0 ? { notModelled } : {}) }
    : verdict;
}

/** The rule conditions {@link authorize} cannot evaluate for this caller: request principals, IP blocks, hosts, `when`, paths and methods of an unknown request. */
function unevaluated(p: Manifest, c: Caller): string[] {
  const at = `AuthorizationPolicy ${namespaceOf(p)}/${p.metadata.name}`;
  const out: string[] = [];
  const requestFields = [
    ...(c.request.path === undefined ? ['paths', 'notPaths'] : []),
    ...(c.request.method === undefined ? ['methods', 'notMethods'] : []),
  ];
  (p.spec?.rules ?? []).forEach((rule: any, i: number) => {
    (rule.from ?? []).forEach((f: any, j: number) =>
      Object.keys(f.source ?? {})
        .filter((k) => !SOURCE_FIELDS.includes(k))
        .forEach((k) => out.push(`${at} rules[${i}].from[${j}].source.${k}`)),
    );
    (rule.to ?? []).forEach((t: any, j: number) =>
      Object.keys(t.operation ?? {})
        .filter((k) => !OPERATION_FIELDS.includes(k) || requestFields.includes(k))
        .forEach((k) =>
          out.push(
            `${at} rules[${i}].to[${j}].operation.${k}${requestFields.includes(k) ? ' (the request of this call is not known)' : ''}`,
          ),
        ),
    );
    if (rule.when !== undefined) out.push(`${at} rules[${i}].when`);
  });
  if (p.spec?.action !== undefined && !['ALLOW', 'DENY'].includes(p.spec.action))
    out.push(`${at} action ${p.spec.action}`);
  return out;
}

function decide(policies: readonly Manifest[], c: Caller): AuthorizationVerdict {
  const undetermined = (why: string): AuthorizationVerdict => ({
    allowed: true,
    undetermined: true,
    reason: `not determined: ${why} depends on conditions that are not modelled`,
  });
  const deny = policies.filter((x) => x.spec?.action === 'DENY');
  for (const p of deny) {
    if ((p.spec.rules ?? []).some((r: any) => ruleHolds(r, c) === true))
      return { allowed: false, reason: `denied by AuthorizationPolicy ${p.metadata.name}` };
  }
  const unsure = deny.find((p) => (p.spec.rules ?? []).some((r: any) => ruleHolds(r, c) === undefined));
  if (unsure) return undetermined(`whether DENY policy ${unsure.metadata.name} matches`);
  const allow = policies.filter((x) => (x.spec?.action ?? 'ALLOW') === 'ALLOW');
  // CUSTOM and AUDIT policies decide nothing here; they are named in notModelled.
  if (allow.length === 0)
    return {
      allowed: true,
      reason:
        deny.length > 0
          ? `no DENY rule of ${deny.map((p) => p.metadata.name).join(', ')} matches and no ALLOW policy selects the pods`
          : 'no AuthorizationPolicy selects the pods',
    };
  for (const p of allow) {
    const i = (p.spec?.rules ?? []).findIndex((r: any) => ruleHolds(r, c) === true);
    if (i !== -1) return { allowed: true, reason: `allowed by AuthorizationPolicy ${p.metadata.name} rule ${i}` };
  }
  const maybe = allow.find((p) => (p.spec?.rules ?? []).some((r: any) => ruleHolds(r, c) === undefined));
  if (maybe) return undetermined(`whether ALLOW policy ${maybe.metadata.name} allows ${c.principal} on port ${c.port}`);
  return {
    allowed: false,
    reason: `no rule of ${allow.map((p) => p.metadata.name).join(', ')} allows ${c.principal} on port ${c.port}`,
  };
}
