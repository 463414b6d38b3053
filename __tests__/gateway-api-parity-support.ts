/**
 * The Gateway API conformance tests (transcribed by scripts/transcribe-conformance.mjs into
 * __tests__/parity/gateway-api-conformance.json) as parity calls: each `http.ExpectedResponse` a
 * request to the test's Gateway (or, for the mesh tests, a call from the echo-v1 client pod to the
 * Host's Service), its expectation in the harness's terms.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import type { Manifest } from 'voting-mesh';
import type { Expectation, Outcome, ParityCall, ParityCase } from './parity-support';
import { runCall } from './parity-support';

interface ConformanceTest {
  readonly file: string;
  readonly test: string;
  readonly gateways: readonly string[];
  readonly client?: string;
  readonly manifests: readonly { path: string; yaml: string }[];
  readonly requests: readonly any[];
  readonly untranscribed: readonly { line: number; why: string }[];
}

interface ConformanceData {
  readonly source: string;
  readonly base: string;
  readonly mesh: string;
  readonly tests: readonly ConformanceTest[];
}

export function loadConformance(): ConformanceData {
  const data: ConformanceData = JSON.parse(
    readFileSync(join(__dirname, 'parity', 'gateway-api-conformance.json'), 'utf8'),
  );
  // Requests built from tables in loops, transcribed by hand (gateway-api-tables.yaml).
  const tables: { test: string; requests: any[] }[] = parse(
    readFileSync(join(__dirname, 'parity', 'gateway-api-tables.yaml'), 'utf8'),
  );
  return {
    ...data,
    tests: data.tests.map((t) => {
      const table = tables.find((x) => x.test === t.test);
      return table ? { ...t, requests: [...t.requests, ...table.requests], untranscribed: [] } : t;
    }),
  };
}

/** The conformance suite installs the manifests with the GatewayClass under test: Istio's `istio`. */
function objectsOf(yaml: string): Manifest[] {
  return parseAllDocuments(yaml.replace(/\{GATEWAY_CLASS_NAME\}/g, 'istio'))
    .map((d) => d.toJSON())
    .filter((m) => m && m.kind);
}

/** Upstream's expectation in the harness's terms. */
function expectationOf(r: any, mesh: boolean): Expectation {
  const status = r.Response?.StatusCode ?? r.Response?.StatusCodes?.[0] ?? 200;
  const redirect = r.RedirectRequest;
  const expected = r.ExpectedRequest;
  return {
    status,
    ...(r.Response?.StatusCodes ? { statuses: r.Response.StatusCodes } : {}),
    ...(r.Response?.ValidHeaderValues ? { responseHeaderChoices: r.Response.ValidHeaderValues } : {}),
    ...(r.Backend ? { backend: r.Backend } : {}),
    ...(r.Namespace && status < 300 ? { namespace: r.Namespace } : {}),
    ...(redirect
      ? {
          redirect: {
            ...(redirect.Scheme ? { scheme: redirect.Scheme } : {}),
            ...(redirect.Host ? { host: redirect.Host } : {}),
            port: redirect.Port ?? '',
            ...(redirect.Path ? { path: redirect.Path } : {}),
          },
        }
      : {}),
    ...(expected?.Request?.Headers ? { requestHeaders: expected.Request.Headers } : {}),
    ...(expected?.AbsentHeaders ? { absentRequestHeaders: expected.AbsentHeaders } : {}),
    // The mesh client (conformance/utils/echo/pod.go) compares headers, not the path the backend saw.
    ...(!mesh && expected?.Request?.Path && expected.Request.Path !== r.Request?.Path
      ? { backendPath: expected.Request.Path }
      : {}),
    ...(expected?.Request?.Host && expected.Request.Host !== r.Request?.Host
      ? { requestHeaders: { ...(expected.Request.Headers ?? {}), host: expected.Request.Host } }
      : {}),
    ...(r.Response?.Headers ? { responseHeaders: r.Response.Headers } : {}),
    ...(r.Response?.AbsentHeaders ? { absentResponseHeaders: r.Response.AbsentHeaders } : {}),
  };
}

export interface ConformanceRun {
  readonly test: string;
  readonly call: ParityCall;
  readonly outcome: Outcome;
}

/** Every transcribed request of every test, run through explain. */
/** A change the test makes to the cluster before a request (by test name and request index). */
export type Mutation = (objects: Manifest[]) => Manifest[];

export function runConformance(
  data: ConformanceData,
  mutations: Readonly<Record<string, Readonly<Record<number, Mutation>>>> = {},
  clients: Readonly<Record<string, Readonly<Record<number, string>>>> = {},
): ConformanceRun[] {
  const base = objectsOf(data.base);
  const mesh = objectsOf(data.mesh);
  return data.tests.flatMap((t) => {
    const own = t.manifests.flatMap((m) => objectsOf(m.yaml));
    const isMesh = t.file.includes('/mesh/');
    const objects = [...(isMesh ? mesh : base), ...own];
    const firstGateway = t.gateways.find((g) => objects.some((o) => o.kind === 'Gateway' && o.metadata.name === g));
    const c: ParityCase = { test: t.test, subtest: t.file, config: '', calls: [] };
    return t.requests.map((r: any, i: number) => {
      const gw = objects.find((o) => o.kind === 'Gateway' && o.metadata.name === (r.gateway ?? firstGateway));
      const req = r.Request ?? {};
      const name = `${i} ${req.Method ?? 'GET'} ${req.Host ?? ''}${req.Path ?? '/'}`;
      const request = {
        ...(req.Host ? { host: req.Host } : {}),
        ...(req.Path ? { path: req.Path } : {}),
        ...(req.Method ? { method: req.Method } : {}),
        ...(req.Headers ? { headers: req.Headers } : {}),
        ...(r.tls ? { scheme: 'https', ...(r.sni ? { sni: r.sni } : {}) } : {}),
        ...arrivalPort(gw, r, req.Host),
        // What the echo backend answers: the headers the test asks it to set, the delay it asks for.
        ...(r.BackendSetResponseHeaders ? { backendResponseHeaders: r.BackendSetResponseHeaders } : {}),
        ...(r.backendDelay ? { backendDelay: r.backendDelay } : {}),
      };
      const call: ParityCall = isMesh
        ? {
            name,
            from: `${clients[t.test]?.[i] ?? r.client ?? t.client ?? 'gateway-conformance-mesh'}/echo-v1`,
            to: meshTarget(req.Host),
            request,
            expect: expectationOf(r, isMesh),
          }
        : {
            name,
            gateway: gw ? `${gw.metadata.namespace}/${gw.metadata.name}` : 'gateway-conformance-infra/same-namespace',
            request,
            expect: expectationOf(r, isMesh),
          };
      const mutate = mutations[t.test]?.[i];
      const outcome = runCall(c, call, mutate ? mutate([...objects]) : objects);
      return { test: t.test, call, outcome };
    });
  });
}

/**
 * The port the request is sent to: the listener the test's address names (NewGatewayRef with a
 * listener name), else a listener on the Host's port, else explain's default (the HTTP or HTTPS listener).
 */
function arrivalPort(gw: Manifest | undefined, r: any, host: string | undefined): { port?: number } {
  const listeners: any[] = gw?.spec?.listeners ?? [];
  const named = listeners.find((l) => l.name === r.section);
  if (named) return { port: named.port };
  const hostPort = Number(String(host ?? '').split(':')[1]);
  if (listeners.some((l) => l.port === hostPort)) return { port: hostPort };
  return {};
}

/** A mesh request's Host names the Service (and port, else 80) the client calls. */
function meshTarget(host: string | undefined): string {
  const [name, port] = String(host ?? 'echo').split(':');
  return `${name}:${port ?? 80}`;
}
