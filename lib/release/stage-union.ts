import type { Manifest } from '../analysis/manifest';

/**
 * The object both stages can live with during a transition: Service ports, DestinationRule
 * subsets, AuthorizationPolicy rules and NetworkPolicy rules of both; everything else from `after`.
 */
export function union(before: Manifest, after: Manifest): Manifest {
  switch (after.kind) {
    case 'Service':
      return {
        ...after,
        spec: {
          ...after.spec,
          ports: mergeBy(before.spec?.ports, after.spec?.ports, nameOf).sort((x, y) => x.port - y.port),
        },
      };
    case 'DestinationRule':
      return unionDestinationRule(before, after);
    case 'AuthorizationPolicy':
      return {
        ...after,
        spec: {
          ...after.spec,
          rules: mergePorts(
            before.spec?.rules,
            after.spec?.rules,
            (r) => r.from,
            (r) => r.to?.[0]?.operation?.ports,
            (r, ports) => ({ ...r, to: [{ ...r.to[0], operation: { ...r.to[0].operation, ports } }] }),
          ),
        },
      };
    case 'NetworkPolicy': {
      const rules = (field: 'ingress' | 'egress', peers: 'from' | 'to') =>
        mergePorts(
          before.spec?.[field],
          after.spec?.[field],
          (r) => r[peers],
          (r) => r.ports,
          (r, ports) => ({ ...r, ports }),
        );
      return { ...after, spec: { ...after.spec, ingress: rules('ingress', 'from'), egress: rules('egress', 'to') } };
    }
    default:
      return after;
  }
}

/**
 * Until traffic has moved, a subset both stages define keeps its old policy (connection pool,
 * outlier detection), and so does the rule: the target's apply in the break step.
 */
function unionDestinationRule(before: Manifest, after: Manifest): Manifest {
  const old = new Map<string, any>((before.spec?.subsets ?? []).map((x: any) => [nameOf(x), x]));
  const subsets = mergeBy(before.spec?.subsets, after.spec?.subsets, nameOf)
    .map((x: any) =>
      old.has(nameOf(x))
        ? {
            ...x,
            ...(old.get(nameOf(x)).trafficPolicy ? { trafficPolicy: old.get(nameOf(x)).trafficPolicy } : {}),
            ...(old.get(nameOf(x)).trafficPolicy ? {} : { trafficPolicy: undefined }),
          }
        : x,
    )
    .map((x: any) => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined)))
    .sort((x, y) => nameOf(x).localeCompare(nameOf(y)));
  const tp = { ...(after.spec?.trafficPolicy ?? {}) };
  for (const field of ['connectionPool', 'outlierDetection', 'loadBalancer']) {
    if (before.spec?.trafficPolicy?.[field] !== undefined) tp[field] = before.spec.trafficPolicy[field];
    else delete tp[field];
  }
  return {
    ...after,
    spec: { ...after.spec, ...(Object.keys(tp).length > 0 ? { trafficPolicy: tp } : {}), subsets },
  };
}

/** The items of `b`, then those of `a` whose key `b` lacks. */
function mergeBy(a: any[] | undefined, b: any[] | undefined, key: (x: any) => string): any[] {
  const out = [...(b ?? [])];
  for (const x of a ?? []) if (!out.some((y) => key(y) === key(x))) out.push(x);
  return out;
}

/** A list item's name, or its JSON text when it has none. */
function nameOf(x: any): string {
  return String(x.name ?? JSON.stringify(x));
}

/**
 * Rules of both lists; rules with the same peers (`peersOf`) become one rule with the ports of
 * both, so a rule that only lost ports in `after` widens back to exactly its `before` form.
 */
function mergePorts(
  before: any[] | undefined,
  after: any[] | undefined,
  peersOf: (r: any) => unknown,
  portsOf: (r: any) => any[] | undefined,
  withPorts: (r: any, ports: any[]) => any,
): any[] {
  const out: any[] = [];
  // The first rule of each peers' JSON text (merging ports keeps a rule's peers): a scan per rule was quadratic.
  const firstWith = new Map<string | undefined, number>();
  for (const r of [...(after ?? []), ...(before ?? [])]) {
    const peers = JSON.stringify(peersOf(r));
    const i = firstWith.get(peers);
    if (i === undefined) {
      firstWith.set(peers, out.length);
      out.push(r);
      continue;
    }
    const a = portsOf(out[i]);
    const b = portsOf(r);
    if (a === undefined || b === undefined) continue; // one of them allows every port already
    const had = new Set(a.map((q) => JSON.stringify(q)));
    const extra = b.filter((p) => !had.has(JSON.stringify(p)));
    if (extra.length === 0) continue;
    const ports = [...a, ...extra];
    ports.sort(
      (x, y) =>
        Number(x.port ?? x) - Number(y.port ?? y) || String(x.protocol ?? '').localeCompare(String(y.protocol ?? '')),
    );
    out[i] = withPorts(out[i], ports);
  }
  return out;
}
