import { explainRequest, ExplainNode, formatExplanation } from '../../lib';
import { CommandSpec, CONTEXT_OPTIONS, ParsedArgs, UsageError, value } from '../args';
import { distDir, loadFiles, loadStage, meshContextOptions } from '../inputs';
import { Io } from '../io';

export const explainSpec: CommandSpec = {
  name: 'explain',
  summary: 'Prints where a request goes through a stage: the gateway route, then every call, hop by hop.',
  usage: "explain <stage|file> [--cookie 'a=1; b=2'] [--header name=value]... [--path /p] [--gateway name] [-o text|json]",
  description: [
    'Evaluates the objects that will be applied: VirtualService match order, header regexes as full',
    'matches, sourceLabels, weights, DestinationRule subsets and Service selectors. Calls between',
    "workloads are read from each container's environment (a value naming a Service). With",
    'AuthorizationPolicies, each hop says whether authorization allows it.',
    'With -f, the files given are read as one set of objects instead of a stage.',
  ],
  options: [
    { name: 'cookie', value: 'cookies', help: "The request's Cookie header, every cookie at once: 'a=1; featureflag=on'." },
    { name: 'header', value: 'name=value', repeat: true, help: 'A request header.' },
    { name: 'path', value: 'path', help: "Request path (default '/')." },
    { name: 'gateway', value: 'name', help: 'Gateway the request enters through (default: the only one).' },
    { name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." },
    { name: 'filename', alias: 'f', value: 'file|dir', repeat: true, help: 'Manifest files, or directories of them, read as one set.' },
    { name: 'output', alias: 'o', value: 'format', choices: ['text', 'json'], help: 'text (default), or json: the hops, each with its weight and share of all requests.' },
    ...CONTEXT_OPTIONS,
  ],
};

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function explain(args: ParsedArgs, io: Io): number {
  const files = args.options.get('filename') ?? [];
  if (files.length === 0 && args.positional.length !== 1) throw new UsageError(args.positional.length === 0 ? 'missing <stage>' : `unexpected argument '${args.positional[1]}'`);
  if (files.length > 0 && args.positional.length > 0) throw new UsageError('name a stage or give -f files, not both');
  const headers: Record<string, string> = {};
  for (const h of args.options.get('header') ?? []) {
    const eq = h.indexOf('=');
    const name = h.slice(0, eq);
    if (eq < 1 || !TOKEN.test(name)) throw new UsageError(`malformed --header '${h}': expected name=value with a token name`);
    headers[name.toLowerCase()] = h.slice(eq + 1);
  }
  const cookie = value(args, 'cookie');
  if (cookie !== undefined) {
    for (const pair of cookie.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq < 1 || !TOKEN.test(pair.slice(0, eq))) throw new UsageError(`malformed --cookie '${cookie}': '${pair}' is not name=value`);
    }
    headers.cookie = cookie;
  }
  const path = value(args, 'path') ?? '/';
  if (!path.startsWith('/')) throw new UsageError(`malformed --path '${path}': it must start with '/'`);
  const set = files.length > 0 ? loadFiles(files, io.cwd) : loadStage(distDir(args, io.cwd), args.positional[0], io.cwd);
  const explanation = explainRequest(set.objects, { headers, path }, value(args, 'gateway'), meshContextOptions(args));
  if (value(args, 'output') === 'json') {
    const hop = (n: ExplainNode): unknown => ({ ...n, calls: n.calls.map(hop) });
    io.out(JSON.stringify({ stage: set.name, ...explanation, hops: explanation.hops.map(hop) }, null, 2));
  } else {
    io.out(formatExplanation(set.name, explanation));
  }
  return 0;
}
