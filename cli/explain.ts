// npm run explain -- <stage> [--cookie 'a=b; featureflag=on'] [--header name=value]... [--path /] [--gateway name]
// Prints the path a request takes through the synthesized objects of a stage.
import { explainRequest, formatExplanation } from '../lib';
import { distDir, loadStage, parseArgs, resolveStageName, runCli, UsageError } from './common';

const USAGE = "npm run explain -- <stage> [--cookie 'name=value; ...'] [--header name=value]... [--path /path] [--gateway name] [--gateway-principal principal] [--dist dir]";
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

runCli(USAGE, (args) => {
  const { positional, options } = parseArgs(args, ['cookie', 'header', 'path', 'gateway', 'gateway-principal', 'dist']);
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing <stage>' : `unexpected argument '${positional[1]}'`);
  const headers: Record<string, string> = {};
  for (const h of options.get('header') ?? []) {
    const eq = h.indexOf('=');
    const name = h.slice(0, eq);
    if (eq < 1 || !TOKEN.test(name)) throw new UsageError(`malformed --header '${h}': expected name=value with a token name`);
    headers[name.toLowerCase()] = h.slice(eq + 1);
  }
  const cookies = options.get('cookie') ?? [];
  if (cookies.length > 1) throw new UsageError('give --cookie once, with every cookie: --cookie \'a=1; b=2\'');
  if (cookies.length === 1) {
    for (const pair of cookies[0].split(';').map((p) => p.trim()).filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq < 1 || !TOKEN.test(pair.slice(0, eq))) throw new UsageError(`malformed --cookie '${cookies[0]}': '${pair}' is not name=value`);
    }
    headers.cookie = cookies[0];
  }
  const path = options.get('path')?.[0] ?? '/';
  if (!path.startsWith('/')) throw new UsageError(`malformed --path '${path}': it must start with '/'`);
  const dir = distDir(options);
  const stage = resolveStageName(dir, positional[0]);
  const explanation = explainRequest(loadStage(dir, stage), { headers, path }, options.get('gateway')?.[0], { ingressPrincipal: options.get('gateway-principal')?.[0] });
  console.log(formatExplanation(stage, explanation));
});
