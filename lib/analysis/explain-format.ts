/** Text rendering of explanations: one hop per line, as an indented tree. */
import type { CallExplanation, ExplainMirror, ExplainNode, Explanation } from './explain';
import { isZeroDuration } from './routing/policies';
import type { HashPolicy, HopLoadBalancing } from './routing/destination-load-balancing';
import type { SimulatedRequest } from './traffic-simulator';

/** Renders an entry request's explanation: the request, the gateway, then the hops. */
export function formatExplanation(stage: string, e: Explanation): string {
  const lines = [`${stage}: ${requestLine(e.request)}`, `gateway ${e.gateway}`];
  walk(e.hops, '', lines);
  // Istio copies no header onto the calls a workload makes: say which assumption the inner hops follow.
  if (Object.keys(e.request.headers ?? {}).length > 0) {
    lines.push(
      e.headersPropagated
        ? 'inner hops: every workload is assumed to forward the request headers (--propagate-headers)'
        : 'inner hops: evaluated without the request headers (Istio does not propagate them; --propagate-headers if the app forwards them)',
    );
  }
  return lines.join('\n');
}

/** Renders a caller-side explanation: who calls, what, then the hops with their authorization verdicts. */
export function formatCallExplanation(stage: string, e: CallExplanation): string {
  // The request line only matters on HTTP ports, and only when it says more than `GET /`.
  const request = requestLine(e.request);
  const lines = [
    `${stage}: call from ${e.from.workload} (${e.from.principal}) to ${e.service}:${e.port}${request === 'GET /' ? '' : `, ${request}`}`,
  ];
  walk(e.hops, '', lines);
  return lines.join('\n');
}

function requestLine(req: SimulatedRequest): string {
  const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  const query = Object.entries(req.query ?? {}).map(([k, v]) => `${k}=${v}`);
  const target = `${req.scheme !== undefined || req.host !== undefined ? `${req.scheme ?? 'http'}://${req.host ?? ''}${req.port !== undefined ? `:${req.port}` : ''}` : ''}${req.path ?? '/'}`;
  const context = [
    ...headers,
    ...(query.length > 0 ? [`query ${query.join('&')}`] : []),
    ...(req.sni !== undefined ? [`SNI ${req.sni}`] : []),
    ...(req.claims !== undefined ? [`JWT claims ${JSON.stringify(req.claims)}`] : []),
  ];
  return `${req.method ?? 'GET'} ${target}${context.length > 0 ? ` (${context.join('; ')})` : ''}`;
}

function walk(nodes: readonly ExplainNode[], indent: string, lines: string[]): void {
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1;
    const share = n.share === n.weight ? `${n.share}%` : `${n.weight}% (${n.share}% of all)`;
    const line = n.answer !== undefined ? `${share} → ${n.answer}` : `${share} → ${workloadText(n)}`;
    lines.push(`${indent}${last ? '└─' : '├─'} ${line} via ${n.rule}${denied(n)}`);
    const inner = `${indent}${last ? '   ' : '│  '}`;
    const policy = policyLine(n);
    if (policy !== undefined) lines.push(`${inner}${policy}`);
    for (const line of shapeLines(n)) lines.push(`${inner}${line}`);
    const pool = poolLine(n);
    if (pool !== undefined) lines.push(`${inner}${pool}`);
    if (n.loadBalancing !== undefined) lines.push(`${inner}${loadBalancingLine(n.loadBalancing)}`);
    for (const m of n.mirrors ?? []) {
      lines.push(`${inner}${mirrorLine(m)}`);
      // The copies' own calls hang under the mirror line, indented past it.
      walk(m.calls, `${inner}  `, lines);
    }
    for (const c of n.setCookies ?? []) lines.push(`${inner}response sets cookie: ${c}`);
    for (const m of n.matchNotes ?? []) lines.push(`${inner}${m}`);
    const unevaluated = [...(n.notModelled ?? []), ...(n.authorization?.notModelled ?? [])];
    if (unevaluated.length > 0) lines.push(`${inner}not modelled: ${unevaluated.join('; ')}`);
    walk(n.calls, inner, lines);
  });
}

/** `web 2.0 [web-2-0, subset v2-0, port 8080/http]`. */
function workloadText(n: {
  component: string;
  version?: string;
  deployments: readonly string[];
  subset?: string;
  port: number;
  protocol?: string;
}): string {
  const where = [
    n.deployments.join(', ') || 'NO PODS',
    n.subset !== undefined ? `subset ${n.subset}` : 'no subset',
    ...(n.protocol !== undefined ? [`port ${n.port}/${n.protocol}`] : []),
  ];
  return `${n.component}${n.version !== undefined ? ` ${n.version}` : ''} [${where.join(', ')}]`;
}

function denied(n: { authorization?: { allowed: boolean; reason: string; undetermined?: boolean } }): string {
  if (n.authorization?.undetermined === true)
    return ` AUTHORIZATION ${n.authorization.reason.toUpperCase().startsWith('NOT DETERMINED') ? '' : 'NOT DETERMINED: '}${n.authorization.reason}`;
  return n.authorization?.allowed === false ? ` DENIED: ${n.authorization.reason}` : '';
}

/**
 * `timeout 3s · 2 retries of 1s on connect-failure,503`, printed when the route sets a timeout or
 * its own retries; Istio's defaults alone (no timeout, 2 retries) are left to `-o json`.
 */
function policyLine(n: ExplainNode): string | undefined {
  const ownRetries = n.retries !== undefined && n.retries.istioDefault !== true;
  if (n.timeout === undefined && !ownRetries) return undefined;
  const parts: string[] = [];
  if (n.timeout !== undefined)
    parts.push(isZeroDuration(n.timeout) ? `no timeout (${n.timeout})` : `timeout ${n.timeout}`);
  const r = n.retries;
  if (r !== undefined) {
    const what =
      r.attempts === 0
        ? 'no retries'
        : `${r.attempts} ${r.attempts === 1 ? 'retry' : 'retries'}${r.perTryTimeout !== undefined ? ` of ${r.perTryTimeout}` : ''} on ${r.retryOn}`;
    parts.push(`${what}${r.istioDefault === true ? ' (Istio default)' : ''}`);
  }
  return parts.join(' · ');
}

/** `outlier detection: eject after 5 errors in a row for 30s+, at most 34% · connection pool: {...}` (DestinationRule traffic policy). */
function poolLine(n: ExplainNode): string | undefined {
  const parts: string[] = [];
  const o = n.outlierDetection;
  if (o)
    parts.push(
      `outlier detection: eject after ${o.consecutive5xxErrors ?? o.consecutiveGatewayErrors ?? 5} errors in a row for ${o.baseEjectionTime ?? '30s'}+, every ${o.interval ?? '10s'}, at most ${o.maxEjectionPercent ?? 10}%`,
    );
  if (n.connectionPool) parts.push(`connection pool: ${JSON.stringify(n.connectionPool).replace(/"/g, '')}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

/** What the route's filters make of the request and the answer (Gateway API header modifiers, URLRewrite, CORS). */
function shapeLines(n: ExplainNode): string[] {
  const out: string[] = [];
  if (n.request)
    out.push(
      `backend receives: ${n.request.path} (${
        Object.entries(n.request.headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; ') || 'no headers'
      })`,
    );
  if (n.response) {
    // A sticky split's Set-Cookie has its own line ('response sets cookie').
    const set = Object.entries(n.response.headers)
      .filter(([k]) => !(k === 'set-cookie' && n.setCookies !== undefined))
      .map(([k, v]) => `${k}: ${v}`);
    const all = [...set, ...n.response.removed.map((k) => `-${k}`)];
    if (all.length > 0) out.push(`response headers: ${all.join('; ')}`);
  }
  return out;
}

/** `mirror 10% → web 2.0 [web-2-0, subset v2-0] (responses discarded)`. */
function mirrorLine(m: ExplainMirror): string {
  if (m.answer !== undefined) return `mirror ${m.percent}% → ${m.answer} (copies dropped)`;
  return `mirror ${m.percent}% → ${workloadText({ ...m, protocol: undefined })} (responses discarded)${denied(m)}`;
}

/** `load balancing: RING_HASH (minimumRingSize 1024) on cookie hash-cookie (ttl 10s) · DestinationRule default/acme trafficPolicy`. */
function loadBalancingLine(lb: HopLoadBalancing): string {
  const size =
    lb.minimumRingSize !== undefined
      ? ` (minimumRingSize ${lb.minimumRingSize})`
      : lb.tableSize !== undefined
        ? ` (tableSize ${lb.tableSize})`
        : '';
  const keys = (lb.hashPolicy ?? []).map(hashText).join(', ');
  const hashing = lb.policy === 'RING_HASH' || lb.policy === 'MAGLEV';
  const on =
    keys === ''
      ? hashing
        ? ' (no hash key: each request hashes to a random endpoint)'
        : ''
      : hashing
        ? ` on ${keys}`
        : ` (the route's hash on ${keys} is unused: the cluster does not hash)`;
  return `load balancing: ${lb.policy}${size}${on}${lb.from !== undefined ? ` · ${lb.from}` : ''}`;
}

/** `cookie sid (ttl 60s, path /)`, `header x-user`, `source IP`, `query parameter q`. */
function hashText(h: HashPolicy): string {
  if (h.header !== undefined) return `header ${h.header}`;
  if (h.queryParameter !== undefined) return `query parameter ${h.queryParameter}`;
  if (h.sourceIp !== undefined) return h.sourceIp ? 'source IP' : 'source IP (useSourceIp false)';
  const c = h.cookie!;
  const more = [
    ...(c.ttl !== undefined ? [`ttl ${c.ttl}`] : []),
    ...(c.path !== undefined ? [`path ${c.path}`] : []),
    ...(c.attributes ?? []).map((a) => `${a.name}${a.value !== undefined ? `=${a.value}` : ''}`),
  ];
  return `cookie ${c.name}${more.length > 0 ? ` (${more.join(', ')})` : ''}`;
}
