import { Manifest } from './traffic-simulator';

/** Identity defaults shared by the analyzer and the explainer. */
export interface IdentityOptions {
  /** Istio trust domain. @default 'cluster.local' */
  readonly trustDomain?: string;
  /** Principal of the ingress gateway. @default 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account' */
  readonly ingressPrincipal?: string;
}

export const DEFAULT_INGRESS_GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

/** The SPIFFE principal (without `spiffe://`) the pods of a Deployment present over mTLS. */
export function deploymentPrincipal(d: Manifest, trustDomain = 'cluster.local'): string {
  const sa = d.spec?.template?.spec?.serviceAccountName ?? 'default';
  return `${trustDomain}/ns/${d.metadata.namespace ?? 'default'}/sa/${sa}`;
}

/** The verdict of Istio authorization for one request. */
export interface AuthorizationVerdict {
  readonly allowed: boolean;
  /** Why: the policy and rule that allowed it, or why nothing did. */
  readonly reason: string;
}

/**
 * Evaluates Istio AuthorizationPolicies (ALLOW and DENY, principals and ports; other conditions
 * are treated as not matching) for a request from `principal` to a pod with `podLabels` on `port`.
 * With no ALLOW policy selecting the pod everything not denied is allowed; otherwise a rule must match.
 */
export function authorize(manifests: readonly Manifest[], namespace: string, podLabels: Readonly<Record<string, string>>, principal: string, port: number): AuthorizationVerdict {
  const policies = policiesIn(manifests, namespace)
    .filter((m) => Object.entries(m.spec?.selector?.matchLabels ?? {}).every(([k, v]) => podLabels[k] === v));
  const matches = (rule: any): boolean => {
    const fromOk = !rule.from || rule.from.some((f: any) => {
      const s = f.source ?? {};
      const keys = Object.keys(s);
      return keys.every((k) => k === 'principals') && (s.principals ?? []).some((p: string) => p === '*' || p === principal);
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

const byNamespace = new WeakMap<readonly Manifest[], Map<string, Manifest[]>>();

/** The AuthorizationPolicies of a namespace, indexed once per manifest list. */
function policiesIn(manifests: readonly Manifest[], namespace: string): Manifest[] {
  let index = byNamespace.get(manifests);
  if (!index) {
    index = new Map();
    for (const m of manifests) {
      if (m.kind !== 'AuthorizationPolicy' || !m.apiVersion.startsWith('security.istio.io/')) continue;
      const ns = m.metadata.namespace ?? 'default';
      index.set(ns, [...(index.get(ns) ?? []), m]);
    }
    byNamespace.set(manifests, index);
  }
  return index.get(namespace) ?? [];
}
