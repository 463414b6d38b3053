// The modules themselves, not the package entry point: loading it loads the constructs (cdk8s-plus-27), ~80 ms of every command.
import type { ExplainNode } from '../../lib/analysis/explain';
import {
  CallTargetError,
  explainCall,
  explainRequest,
  formatCallExplanation,
  formatExplanation,
} from '../../lib/analysis/explain';
import type { SimulatedRequest } from '../../lib/analysis/traffic-simulator';
import type { ParsedArgs } from '../args';
import { requestClaims } from './explain-claims';
import { backendAnswer } from './explain-backend';
import { decimalInteger, UsageError, value } from '../args';
import { inputLimits } from '../input-limits';
import { distDir, loadFiles, loadStage, meshContextOptions } from '../inputs';
import type { Io } from '../io';
import { warn } from '../io';

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The request fields besides headers and path: method, host, scheme, arrival port, query parameters, SNI. */
function requestOptions(args: ParsedArgs): Omit<SimulatedRequest, 'headers' | 'path'> {
  const method = value(args, 'method');
  if (method !== undefined && !TOKEN.test(method))
    throw new UsageError(`malformed --method '${method}': expected a token such as GET or POST`);
  const host = value(args, 'host');
  if (host !== undefined && !/^[A-Za-z0-9.*\-[\]:]+$/.test(host))
    throw new UsageError(`malformed --host '${host}': expected a host name, optionally with :port`);
  const portText = value(args, 'port');
  const port = portText === undefined ? undefined : decimalInteger(portText, '--port', 1, 65535, 'a port number');
  const query: Record<string, string> = {};
  for (const q of args.options.get('query') ?? []) {
    const eq = q.indexOf('=');
    if (eq === 0) throw new UsageError(`malformed --query '${q}': expected name=value or name`);
    query[eq === -1 ? q : q.slice(0, eq)] = eq === -1 ? '' : q.slice(eq + 1);
  }
  const scheme = value(args, 'scheme');
  const sni = value(args, 'sni');
  return {
    ...(method !== undefined ? { method: method.toUpperCase() } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(scheme !== undefined ? { scheme } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(Object.keys(query).length > 0 ? { query } : {}),
    ...(sni !== undefined ? { sni } : {}),
  };
}

/** The request headers: each --header name=value (lower-cased names, each once), and --cookie as the cookie header. */
function requestHeaders(args: ParsedArgs): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of args.options.get('header') ?? []) {
    const eq = h.indexOf('=');
    const name = h.slice(0, eq);
    if (eq < 1 || !TOKEN.test(name))
      throw new UsageError(`malformed --header '${h}': expected name=value with a token name`);
    if (Object.prototype.hasOwnProperty.call(headers, name.toLowerCase())) {
      throw new UsageError(
        `--header ${name.toLowerCase()} is given twice ('${headers[name.toLowerCase()]}' and '${h.slice(eq + 1)}'): give it once, with the values joined by ',' as one header would carry them`,
      );
    }
    headers[name.toLowerCase()] = h.slice(eq + 1);
  }
  const cookie = value(args, 'cookie');
  if (cookie !== undefined) {
    for (const pair of cookie
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq < 1 || !TOKEN.test(pair.slice(0, eq)))
        throw new UsageError(`malformed --cookie '${cookie}': '${pair}' is not name=value`);
    }
    headers.cookie = cookie;
  }
  return headers;
}

export function explain(args: ParsedArgs, io: Io): number {
  const files = args.options.get('filename') ?? [];
  if (files.length === 0 && args.positional.length !== 1)
    throw new UsageError(
      args.positional.length === 0 ? 'missing <stage>' : `unexpected argument '${args.positional[1]}'`,
    );
  if (files.length > 0 && args.positional.length > 0) throw new UsageError('name a stage or give -f files, not both');
  const headers = requestHeaders(args);
  const path = value(args, 'path') ?? '/';
  if (!path.startsWith('/')) throw new UsageError(`malformed --path '${path}': it must start with '/'`);
  const call = callTarget(args);
  const set =
    files.length > 0
      ? loadFiles(files, io.cwd, inputLimits(args), (l) => warn(io, l))
      : loadStage(distDir(args, io.cwd), args.positional[0], io.cwd);
  const claims = requestClaims(args);
  const request: SimulatedRequest = {
    headers,
    path,
    ...requestOptions(args),
    ...(claims ? { claims } : {}),
    ...backendAnswer(args),
  };
  const hop = (n: ExplainNode): unknown => ({ ...n, calls: n.calls.map(hop) });
  const json = value(args, 'output') === 'json';
  const asJson = (e: { readonly hops: readonly ExplainNode[] }) =>
    JSON.stringify({ stage: set.name, ...e, hops: e.hops.map(hop) }, null, 2);
  if (call) {
    if (value(args, 'propagate-headers') !== undefined)
      throw new UsageError(
        '--propagate-headers is for requests entering through a gateway: a --from call carries the headers given to it',
      );
    const explanation = targetArgument(set.name, () =>
      explainCall(set.objects, call.from, call.service, call.port, meshContextOptions(args, set), request),
    );
    io.out(json ? asJson(explanation) : formatCallExplanation(set.name, explanation));
    return 0;
  }
  // A --gateway the manifests do not have (or none named among several) is a bad argument: exit 2.
  const explanation = targetArgument(set.name, () =>
    explainRequest(set.objects, request, value(args, 'gateway'), {
      ...meshContextOptions(args, set),
      propagateHeaders: value(args, 'propagate-headers') !== undefined,
    }),
  );
  io.out(json ? asJson(explanation) : formatExplanation(set.name, explanation));
  return 0;
}

/** Runs `explain`; a call target or gateway the manifests do not have is a bad argument (exit 2), named with the stage. */
function targetArgument<T>(stage: string, explain: () => T): T {
  try {
    return explain();
  } catch (err) {
    if (err instanceof CallTargetError) throw new UsageError(`${stage}: ${err.message}`);
    throw err;
  }
}

/** `--from <workload> --to <service>[:<port>]`: a call from a workload's pods instead of an entry request. */
function callTarget(args: ParsedArgs): { from: string; service: string; port?: number } | undefined {
  const from = value(args, 'from');
  const to = value(args, 'to');
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined)
    throw new UsageError(`--to ${to} needs --from <workload>: the workload whose pods make the call`);
  if (to === undefined) throw new UsageError(`--from ${from} needs --to <service>[:<port>]: the Service called`);
  for (const gatewayOnly of ['gateway', 'port', 'sni']) {
    if (value(args, gatewayOnly) !== undefined)
      throw new UsageError(
        `--${gatewayOnly} is for requests entering through a gateway, not for --from calls: give the port as --to ${to.split(':')[0]}:<port>`,
      );
  }
  // A Unix domain socket path a Sidecar egress listener is bound to has no port.
  if (/^unix:\/\/\S+$/.test(to)) return { from, service: to };
  const m = /^([A-Za-z0-9][A-Za-z0-9.-]*)(?::([0-9]+))?$/.exec(to);
  const port = m?.[2] === undefined ? undefined : decimalInteger(m[2], '--to port', 1, 65535, 'a port number');
  if (!m) throw new UsageError(`malformed --to '${to}': expected <service>[:<port>], e.g. voting-storage:6379`);
  return { from, service: m[1], ...(port !== undefined ? { port } : {}) };
}
