/**
 * Runs upstream test cases, transcribed as data under __tests__/parity/, through explain (the
 * library functions the CLI calls) and compares explain's answer with the upstream expectation.
 * A case agrees, disagrees, or cannot be judged because explain names what decides it "not
 * modelled" on the hop (and states no verdict for it).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { isDeepStrictEqual } from 'util';
import { parse, parseAllDocuments } from 'yaml';
import type { ExplainNode, HashPolicy, Manifest } from 'voting-mesh';
import { explainCall, explainRequest } from 'voting-mesh';
import { deployment } from './manifest-builders';

/** What upstream expects of one request. */
export interface Expectation {
  /** Istio simulation: the cluster the route sends to, `outbound|port|subset|host`. */
  readonly cluster?: string;
  /** Ambient: the waypoint (`namespace/name`) the hop goes through, or `none`. */
  readonly waypoint?: string;
  /** Istio simulation: the route's name (RouteMatched; `default` is the Service's own default route). */
  readonly route?: string;
  /** Istio route tests: Envoy's route name, `<route>.<match>` (route.go TranslateRoute), of the route that took the request. */
  readonly envoyRoute?: string;
  /** Istio simulation: no-listener, no-route, no-virtual-host, tls-redirect, multiple-filter-chain, no-action (a route Envoy rejects). */
  readonly error?: string;
  /** Istio route tests: the route's timeout as written, or `none` when the route sets none. */
  readonly timeout?: string;
  /** Istio route tests: the route's hash policies (Envoy hash_policy, from DestinationRule consistentHash), in order; `[]` for none. */
  readonly hashPolicy?: readonly HashPolicy[];
  /** Gateway API conformance: the status code, and for 2xx the backend and namespace that answer. */
  readonly status?: number;
  /** Any of these status codes (the test's StatusCodes). */
  readonly statuses?: readonly number[];
  /** Response headers that may have any of several values (ValidHeaderValues; whitespace ignored). */
  readonly responseHeaderChoices?: Readonly<Record<string, readonly string[]>>;
  readonly backend?: string;
  readonly namespace?: string;
  /** A redirect's Location, the parts the conformance test states (port '' means none in the Location). */
  readonly redirect?: {
    readonly scheme?: string;
    readonly host?: string;
    readonly port: string;
    readonly path?: string;
  };
  /** Headers the backend must see, and must not see (request header modifiers, URLRewrite host). */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  readonly absentRequestHeaders?: readonly string[];
  /** Headers the client must see on the response (response header modifiers, CORS). */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  readonly absentResponseHeaders?: readonly string[];
  /** The path the backend sees (URLRewrite). */
  readonly backendPath?: string;
  /** InferencePool backends: the endpoint picker's cluster (ext_proc) and whether the request goes on when it fails. */
  readonly endpointPicker?: { readonly cluster: string; readonly failureModeAllow: boolean };
}

export interface ParityRequest {
  readonly port?: number;
  readonly host?: string;
  readonly path?: string;
  readonly method?: string;
  readonly scheme?: string;
  readonly sni?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The validated JWT's claims (`@request.auth.claims` matches). */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** What the backend answers: its response headers, and how long it takes. */
  readonly backendResponseHeaders?: Readonly<Record<string, string>>;
  readonly backendDelay?: string;
}

export interface ParityCall {
  readonly name: string;
  /** Ingress: the gateway the request enters through (default: the case's first Gateway). */
  readonly gateway?: string;
  /** Mesh: the calling workload (`namespace/name`), and the Service called (`name.namespace`), or an address (a Service's clusterIP or a pod IP). */
  readonly from?: string;
  readonly to?: string;
  readonly request?: ParityRequest;
  readonly expect: Expectation;
  /** Why explain's answer is not upstream's, when it is not (the suite asserts this status). */
  readonly known?: { readonly status: 'disagree' | 'not-modelled'; readonly why: string };
}

export interface ParityCase {
  readonly test: string;
  readonly subtest: string;
  /** Which of the subtest's configurations, when one subtest builds several. */
  readonly variant?: string;
  readonly source?: string;
  /** `service NAME NAMESPACE PORT[,PORT] [PROTOCOL]`, `client NAMESPACE`, `no-gateway-pod`. */
  readonly environment?: readonly string[];
  readonly config: string;
  readonly calls: readonly ParityCall[];
}

export interface ParityFile {
  readonly source: string;
  readonly cases: readonly ParityCase[];
}

export type Status = 'agree' | 'disagree' | 'not-modelled';

export interface Outcome {
  readonly id: string;
  readonly status: Status;
  /** Explain's answer, as the harness reads it. */
  readonly got: string;
  readonly want: string;
}

export function loadParity(file: string): ParityFile {
  return parse(readFileSync(join(__dirname, 'parity', file), 'utf8')) as ParityFile;
}

/** The objects of a case: its config and the environment the upstream test's fake registry provides. */
export function manifestsOf(c: ParityCase, base: readonly Manifest[] = []): Manifest[] {
  const objects: Manifest[] = parseAllDocuments(c.config)
    .map((d) => d.toJSON())
    .filter((m) => m);
  const env: Manifest[] = [];
  for (const line of c.environment ?? []) {
    const [what, ...rest] = line.split(/\s+/);
    if (what === 'service') {
      const [name, ns, ports, protocol] = rest;
      const list = ports.split(',').map(Number);
      env.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: ns },
        spec: { selector: { app: name }, ports: list.map((port) => ({ name: `${protocol ?? 'http'}-${port}`, port })) },
      });
      env.push(deployment(`${name}-${ns}`, ns, { app: name }));
    } else if (what === 'client') {
      env.push(deployment(`client-${rest[0]}`, rest[0], { app: 'client' }));
    }
  }
  const gatewayPod =
    !(c.environment ?? []).includes('no-gateway-pod') &&
    objects.some(
      (m) => (m.kind === 'Gateway' && String(m.apiVersion).startsWith('networking.istio.io')) || m.kind === 'Ingress',
    );
  if (gatewayPod) env.push(deployment('istio-ingressgateway', 'istio-system', { istio: 'ingressgateway' }));
  return [...base, ...objects, ...env];
}

/** Runs one call of a case through explain. */
export function runCall(c: ParityCase, call: ParityCall, objects: readonly Manifest[]): Outcome {
  const id = `${c.test} / ${c.subtest}${c.variant ? ` (${c.variant})` : ''} / ${call.name}`;
  const want = JSON.stringify(call.expect);
  let got: Answer;
  try {
    got = answerOf(call, objects);
  } catch (err) {
    got = { text: `error: ${(err as Error).message}`, kind: errorKind((err as Error).message), notModelled: [] };
  }
  const agrees = judge(call.expect, got, objects, call.request ?? {});
  const status: Status = agrees ? 'agree' : got.notModelled.length > 0 ? 'not-modelled' : 'disagree';
  return {
    id,
    status,
    got: got.text + (got.notModelled.length > 0 ? ` [not modelled: ${got.notModelled.join('; ')}]` : ''),
    want,
  };
}

interface Answer {
  readonly text: string;
  /** no-listener, no-route, ... or `hop` for a forwarded request. */
  readonly kind: string;
  readonly hop?: ExplainNode;
  readonly notModelled: readonly string[];
}

function answerOf(call: ParityCall, objects: readonly Manifest[]): Answer {
  const r = call.request ?? {};
  const request = {
    ...(r.headers ? { headers: r.headers } : {}),
    ...(r.path ? { path: r.path } : {}),
    ...(r.method ? { method: r.method } : {}),
    ...(r.host ? { host: r.host } : {}),
    ...(r.scheme ? { scheme: r.scheme } : {}),
    ...(r.port ? { port: r.port } : {}),
    ...(r.sni ? { sni: r.sni } : {}),
    ...(r.claims ? { claims: r.claims } : {}),
    ...(r.backendResponseHeaders ? { backendResponseHeaders: r.backendResponseHeaders } : {}),
    ...(r.backendDelay ? { backendDelay: r.backendDelay } : {}),
  };
  let hops: readonly ExplainNode[];
  if (call.from !== undefined) {
    // A Unix domain socket path (`unix://...`) has no port.
    const [service, port] = String(call.to).startsWith('unix://') ? [String(call.to)] : String(call.to).split(':');
    hops = explainCall(objects, call.from, service, port === undefined ? undefined : Number(port), {}, {
      ...request,
      port: undefined,
    } as any).hops;
  } else {
    hops = explainRequest(objects, request, call.gateway ?? firstGateway(objects)).hops;
  }
  const hop = [...hops].sort((a, b) => b.weight - a.weight)[0];
  const notModelled = [...(hop?.notModelled ?? [])];
  if (!hop) return { text: 'no hop', kind: 'none', notModelled };
  if (hop.answer !== undefined) return { text: hop.answer, kind: answerKind(hop.answer), hop, notModelled };
  return {
    text: `${hop.service}:${hop.port}${hop.subset ? `/${hop.subset}` : ''} [${hop.deployments.join(',')}]`,
    kind: 'hop',
    hop,
    notModelled,
  };
}

function firstGateway(objects: readonly Manifest[]): string {
  const gw = objects.find((m) => m.kind === 'Gateway');
  return `${gw?.metadata.namespace ?? 'default'}/${gw?.metadata.name}`;
}

function errorKind(message: string): string {
  if (/serves host/.test(message)) return 'no-virtual-host';
  if (/no route of .*404/.test(message)) return 'no-route';
  return 'refused';
}

function answerKind(answer: string): string {
  if (/^connection refused|^connection closed/.test(answer)) return 'no-listener';
  if (/multiple filter chains/.test(answer)) return 'multiple-filter-chain';
  if (/without an action, which Envoy rejects/.test(answer)) return 'no-action';
  if (/^301 redirect to https \(server\.tls\.httpsRedirect\)/.test(answer)) return 'tls-redirect';
  if (/^not modelled/.test(answer)) return 'not-modelled';
  const status = /^(\d{3})\b/.exec(answer);
  return status ? `status-${status[1]}` : 'answer';
}

/** The route's name in Istio's terms: `default` for a Service's or ServiceEntry host's own route, else the VirtualService route's name. */
function routeName(rule: string): string {
  return rule === 'service' || rule.startsWith('service (ServiceEntry ')
    ? 'default'
    : rule.slice(rule.indexOf('/') + 1);
}

/** Envoy's name for the route a hop took: the route's name, then `.` and the name of the match that held. */
function envoyRouteName(hop: ExplainNode): string {
  return `${routeName(hop.rule)}${hop.match !== undefined ? `.${hop.match}` : ''}`;
}

/** Which namespace a hop's pods are in: the environment names its Deployments `<service>-<namespace>`. */
function hopNamespace(hop: ExplainNode, objects: readonly Manifest[]): string | undefined {
  const d = objects.find((m) => m.kind !== 'Service' && m.metadata.name === hop.deployments[0]);
  return d?.metadata.namespace;
}

function judge(want: Expectation, got: Answer, objects: readonly Manifest[], sent: ParityRequest): boolean {
  if (want.envoyRoute !== undefined && (!got.hop || envoyRouteName(got.hop) !== want.envoyRoute)) return false;
  if (want.waypoint !== undefined) return got.kind === 'hop' && (got.hop?.waypoint ?? 'none') === want.waypoint;
  if (want.error !== undefined)
    return got.kind === want.error || (want.error === 'no-route' && got.kind === 'status-404');
  if (want.cluster === 'PassthroughCluster')
    return got.kind === 'hop' && (got.hop?.rule ?? '').startsWith('PassthroughCluster');
  // The catch-all virtual host `block_all` of REGISTRY_ONLY (502 on an HTTP route configuration).
  if (want.cluster === 'BlackHoleCluster') return got.hop?.rule === 'BlackHoleCluster';
  if (want.cluster !== undefined) {
    const [, port, subset, host] = want.cluster.split('|');
    // A route to a host that has no cluster: explain names the host; Envoy answers 503 (NC), 500 for Gateway API routes.
    const noCluster =
      /^503: host '([^']+)' is neither a Service nor a ServiceEntry host/.exec(got.text) ??
      /^500: no ServiceEntry visible from namespace '[^']+' declares host '([^']+)'/.exec(got.text);
    // A route to a subset no DestinationRule defines: no such cluster either (503, NC).
    const noSubset = /^503: subset '[^']+' of host '([^']+)' is not defined/.exec(got.text);
    if (want.route !== undefined && got.hop && routeName(got.hop.rule) !== want.route) return false;
    if (want.timeout !== undefined && (got.hop?.timeout ?? 'none') !== want.timeout) return false;
    if (want.hashPolicy !== undefined && !isDeepStrictEqual(got.hop?.loadBalancing?.hashPolicy ?? [], want.hashPolicy))
      return false;
    if (want.endpointPicker !== undefined && !pickerHolds(want.endpointPicker, got.hop)) return false;
    if ((noCluster ?? noSubset) && got.hop)
      return (
        namesClusterHost((noCluster ?? noSubset)![1], host) &&
        got.hop.port === Number(port) &&
        (got.hop.subset ?? '') === subset
      );
    if (got.kind !== 'hop' || !got.hop) return false;
    // What the backend receives and the client gets back (rewrite, header operations), when the case states it.
    if (!shapesHold(want, got.hop, sent)) return false;
    const [name, ns] = host.split('.');
    if (got.hop.serviceEntry !== undefined) return got.hop.service === host && got.hop.port === Number(port);
    // The route's cluster is what Istio's test asserts; the namespace is read from the pods when there are any.
    const podNs = got.hop.deployments.length > 0 ? hopNamespace(got.hop, objects) : undefined;
    return (
      got.hop.service === name &&
      got.hop.port === Number(port) &&
      (got.hop.subset ?? '') === subset &&
      (ns === undefined || podNs === undefined || podNs === ns)
    );
  }
  if (want.status !== undefined) return judgeResponse(want, got, objects, sent);
  return false;
}

/** Whether the hop's endpoint picker is the one expected (cluster and failure mode). */
function pickerHolds(want: NonNullable<Expectation['endpointPicker']>, hop: ExplainNode | undefined): boolean {
  const p = hop?.endpointPicker;
  return p !== undefined && p.cluster === want.cluster && p.failureModeAllow === want.failureModeAllow;
}

/** Whether a destination host as written names a cluster's host: the same host, or a short name (no dot) of it. */
function namesClusterHost(written: string, clusterHost: string): boolean {
  const w = written.toLowerCase();
  const c = clusterHost.toLowerCase();
  return w === c || (!w.includes('.') && c.startsWith(`${w}.`));
}

function judgeResponse(want: Expectation, got: Answer, objects: readonly Manifest[], sent: ParityRequest): boolean {
  const statuses = want.statuses ?? [want.status!];
  // The proxy's own 2xx answer (a CORS preflight) is judged by its status and headers.
  const answered = statuses.find((s) => got.kind === `status-${s}`);
  if (answered !== undefined && answered < 300) return want.backend === undefined && shapesHold(want, got.hop, sent);
  if (statuses.some((s) => s >= 200 && s < 300) && got.kind === 'hop' && got.hop) {
    if (
      want.backend !== undefined &&
      !got.hop.deployments.some((d) => d === want.backend || podsOf(d, objects) === want.backend)
    )
      return false;
    if (want.namespace !== undefined && hopNamespace(got.hop, objects) !== want.namespace) return false;
    return shapesHold(want, got.hop, sent);
  }
  const status = statuses[0];
  if (answered === undefined) return false;
  if (want.redirect !== undefined) {
    const m = /redirect to (\S+)/.exec(got.text);
    if (!m) return false;
    let url: URL;
    try {
      // A redirect without a scheme keeps the request's (Envoy RedirectAction scheme_redirect unset).
      const location = m[1].replace('{host}', 'request-host.invalid');
      url = new URL(/^[a-z]+:\/\//.test(location) ? location : `${sent.scheme ?? 'http'}://${location}`);
    } catch {
      return false;
    }
    const r = want.redirect;
    return (
      (r.scheme === undefined || url.protocol === `${r.scheme}:`) &&
      (r.host === undefined || url.hostname === r.host) &&
      url.port === r.port &&
      (r.path === undefined || url.pathname === r.path)
    );
  }
  return status === answered && shapesHold(want, got.hop, sent);
}

/** The `app` label a Deployment's pods carry (conformance backends are named by it). */
function podsOf(deploymentName: string, objects: readonly Manifest[]): string | undefined {
  const d = objects.find((m) => m.kind === 'Deployment' && m.metadata.name === deploymentName);
  return d?.spec?.template?.metadata?.labels?.app ?? d?.metadata.name;
}

/** Header and path expectations against what explain says the backend and client see (the request as sent when no filter changed it). */
function shapesHold(want: Expectation, hop: ExplainNode | undefined, sent: ParityRequest): boolean {
  const lower = (h: Readonly<Record<string, string>> | undefined) =>
    Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const shaped = hop?.request ?? {
    headers: { ...lower(sent.headers), ...(sent.host !== undefined ? { host: sent.host } : {}) },
    path: sent.path ?? '/',
  };
  const h = lower(shaped.headers);
  if (Object.entries(want.requestHeaders ?? {}).some(([k, v]) => h[k.toLowerCase()] !== v)) return false;
  if ((want.absentRequestHeaders ?? []).some((k) => h[k.toLowerCase()] !== undefined)) return false;
  if (want.backendPath !== undefined && shaped.path !== want.backendPath) return false;
  const r = lower(hop?.response?.headers);
  const squash = (v: string) => v.replace(/\s+/g, '');
  if (Object.entries(want.responseHeaders ?? {}).some(([k, v]) => r[k.toLowerCase()] !== v)) return false;
  if (
    Object.entries(want.responseHeaderChoices ?? {}).some(
      ([k, vs]) => !vs.some((v) => r[k.toLowerCase()] !== undefined && squash(r[k.toLowerCase()]) === squash(v)),
    )
  )
    return false;
  if ((want.absentResponseHeaders ?? []).some((k) => r[k.toLowerCase()] !== undefined)) return false;
  return true;
}

/** Runs every call of every case of a fixture file. */
export function runParity(file: ParityFile, base: readonly Manifest[] = []): { call: ParityCall; outcome: Outcome }[] {
  return file.cases.flatMap((c) => {
    const objects = manifestsOf(c, base);
    return c.calls.map((call) => ({ call, outcome: runCall(c, call, objects) }));
  });
}

/** Counts per status, and a printable table of the cases that do not agree. */
export function summary(results: readonly { outcome: Outcome }[]): { counts: Record<Status, number>; table: string } {
  const counts: Record<Status, number> = { agree: 0, disagree: 0, 'not-modelled': 0 };
  for (const r of results) counts[r.outcome.status]++;
  const rows = results
    .filter((r) => r.outcome.status !== 'agree')
    .map((r) => `${r.outcome.status}: ${r.outcome.id}\n    want ${r.outcome.want}\n    got  ${r.outcome.got}`);
  return { counts, table: rows.join('\n') };
}
