import { explainRequest, ExplainNode, formatExplanation } from '../../lib';
import { ParsedArgs, UsageError, value } from '../args';
import { distDir, loadFiles, loadStage, meshContextOptions } from '../inputs';
import { Io } from '../io';

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
