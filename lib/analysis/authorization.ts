import { principal } from '../model/defaults';
import { labelsHold, Manifest, namespaceOf, podTemplate } from './manifest';
import { ManifestIndex } from './manifest-index';

/** The SPIFFE principal (without `spiffe://`) the pods of a workload present over mTLS. */
export function workloadPrincipal(workload: Manifest, trustDomain: string): string {
  return principal(trustDomain, namespaceOf(workload), podTemplate(workload)?.spec?.serviceAccountName ?? 'default');
}

/** The verdict of Istio authorization for one request. */
export interface AuthorizationVerdict {
  readonly allowed: boolean;
  /** Why: the policy and rule that allowed it, or why nothing did. */
  readonly reason: string;
  /** Rule conditions of the policies selecting the pod that are not evaluated (taken as not matching). @default - none */
  readonly notModelled?: readonly string[];
}

/**
 * Evaluates Istio AuthorizationPolicies (ALLOW and DENY, principals and ports; other conditions
 * are treated as not matching and named on the verdict) for a request from `principal` to a pod
 * with `podLabels` on `port`. With no ALLOW policy selecting the pod everything not denied is
 * allowed; otherwise a rule must match.
 */
export function authorize(manifests: readonly Manifest[], namespace: string, podLabels: Readonly<Record<string, string>>, principal: string, port: number): AuthorizationVerdict {
  // A policy with targetRefs binds to a gateway or waypoint (the Gateway, or a Service it serves),
  // never to the workload's sidecar or ztunnel (security/v1 AuthorizationPolicy targetRefs).
  return verdictOf(workloadPolicies(manifests, namespace, podLabels), principal, port);
}

/**
 * The policies of `namespace` that select pods with `podLabels` (no targetRefs), in manifest order.
 * Only those whose selector names no `app`, or the pods' `app`, are tested: every call of a large
 * release tested every policy of its namespace before.
 */
function workloadPolicies(manifests: readonly Manifest[], namespace: string, podLabels: Readonly<Record<string, string>>): Manifest[] {
  const group = groupsOf(manifests).get(namespace);
  if (!group) return [];
  const own = podLabels.app !== undefined ? group.byApp.get(podLabels.app) ?? [] : [];
  const candidates = own.length === 0 ? group.anyApp : group.anyApp.length === 0 ? own : [...own, ...group.anyApp].sort((a, b) => group.order.get(a)! - group.order.get(b)!);
  return candidates.filter((m) => labelsHold(m.spec?.selector?.matchLabels, podLabels));
}

/**
 * The waypoint's verdict for a call to Service `service` (namespace `namespace`) through the
 * waypoint Gateway `waypoint`: the policies of the namespace whose targetRefs name that Service
 * (core group, kind Service) or the waypoint's Gateway apply; with no ALLOW policy among them,
 * everything not denied passes (ztunnel at the destination then sees the waypoint's identity).
 */
export function authorizeAtWaypoint(manifests: readonly Manifest[], namespace: string, waypoint: string, service: string, principal: string, port: number): AuthorizationVerdict {
  const refs = (m: Manifest): any[] => [...(m.spec?.targetRefs ?? []), ...(m.spec?.targetRef ? [m.spec.targetRef] : [])];
  return verdictOf(policiesIn(manifests, namespace).filter((m) => refs(m).some((r) => ((r.group ?? '') === '' && r.kind === 'Service' && r.name === service)
    || (r.group === 'gateway.networking.k8s.io' && r.kind === 'Gateway' && r.name === waypoint))), principal, port);
}

/** The verdict of the policies that apply, with the conditions they hold that are not evaluated. */
function verdictOf(policies: readonly Manifest[], principal: string, port: number): AuthorizationVerdict {
  const verdict = decide(policies, principal, port);
  const notModelled = policies.flatMap(unevaluated);
  return notModelled.length > 0 ? { ...verdict, notModelled } : verdict;
}

/** Whether a policy binds to gateways or waypoints (targetRefs) rather than to workloads (selector). */
export function targeted(m: Manifest): boolean {
  return (m.spec?.targetRefs ?? []).length > 0 || m.spec?.targetRef !== undefined;
}

/** The rule conditions {@link authorize} does not evaluate: sources other than principals, operations other than ports, `when`. */
function unevaluated(p: Manifest): string[] {
  const at = `AuthorizationPolicy ${namespaceOf(p)}/${p.metadata.name}`;
  const out: string[] = [];
  (p.spec?.rules ?? []).forEach((rule: any, i: number) => {
    (rule.from ?? []).forEach((f: any, j: number) => Object.keys(f.source ?? {}).filter((k) => k !== 'principals').forEach((k) => out.push(`${at} rules[${i}].from[${j}].source.${k}`)));
    (rule.to ?? []).forEach((t: any, j: number) => Object.keys(t.operation ?? {}).filter((k) => k !== 'ports').forEach((k) => out.push(`${at} rules[${i}].to[${j}].operation.${k}`)));
    if (rule.when !== undefined) out.push(`${at} rules[${i}].when`);
  });
  if (p.spec?.action !== undefined && !['ALLOW', 'DENY'].includes(p.spec.action)) out.push(`${at} action ${p.spec.action}`);
  return out;
}

function decide(policies: readonly Manifest[], principal: string, port: number): AuthorizationVerdict {
  const matches = (rule: any): boolean => {
    const fromOk = !rule.from || rule.from.some((f: any) => {
      const s = f.source ?? {};
      return Object.keys(s).every((k) => k === 'principals') && (s.principals ?? []).some((p: string) => p === '*' || p === principal);
    });
    const toOk = !rule.to || rule.to.some((t: any) => {
      const o = t.operation ?? {};
      return Object.keys(o).every((k) => k === 'ports') && (o.ports === undefined || o.ports.includes(String(port)));
    });
    return fromOk && toOk && rule.when === undefined;
  };
  for (const p of policies.filter((x) => x.spec?.action === 'DENY')) {
    if ((p.spec.rules ?? []).some(matches)) return { allowed: false, reason: `denied by AuthorizationPolicy ${p.metadata.name}` };
  }
  const allow = policies.filter((x) => (x.spec?.action ?? 'ALLOW') === 'ALLOW');
  if (allow.length === 0) return { allowed: true, reason: 'no AuthorizationPolicy selects the pods' };
  for (const p of allow) {
    const i = (p.spec?.rules ?? []).findIndex(matches);
    if (i !== -1) return { allowed: true, reason: `allowed by AuthorizationPolicy ${p.metadata.name} rule ${i}` };
  }
  return { allowed: false, reason: `no rule of ${allow.map((p) => p.metadata.name).join(', ')} allows ${principal} on port ${port}` };
}

/** The AuthorizationPolicies of one namespace: all of them, and the workload policies by the `app` their selector names. */
interface NamespacePolicies {
  readonly all: Manifest[];
  readonly byApp: Map<string, Manifest[]>;
  /** Workload policies whose selector names no `app` (the whole namespace, or other labels). */
  readonly anyApp: Manifest[];
  readonly order: Map<Manifest, number>;
}

const byNamespace = new WeakMap<ManifestIndex, Map<string, NamespacePolicies>>();

/** The AuthorizationPolicies by namespace, grouped once per manifest list. */
function groupsOf(manifests: readonly Manifest[]): Map<string, NamespacePolicies> {
  const index = ManifestIndex.of(manifests);
  let groups = byNamespace.get(index);
  if (!groups) {
    groups = new Map();
    index.ofKind('AuthorizationPolicy').forEach((m, i) => {
      const ns = namespaceOf(m);
      let group = groups!.get(ns);
      if (!group) groups!.set(ns, (group = { all: [], byApp: new Map(), anyApp: [], order: new Map() }));
      group.all.push(m);
      group.order.set(m, i);
      if (targeted(m)) return;
      const app = m.spec?.selector?.matchLabels?.app;
      if (typeof app !== 'string') group.anyApp.push(m);
      else if (group.byApp.has(app)) group.byApp.get(app)!.push(m);
      else group.byApp.set(app, [m]);
    });
    byNamespace.set(index, groups);
  }
  return groups;
}

/** The AuthorizationPolicies of a namespace, in manifest order. */
function policiesIn(manifests: readonly Manifest[], namespace: string): Manifest[] {
  return groupsOf(manifests).get(namespace)?.all ?? [];
}
