#!/usr/bin/env node
/**
 * Transcribes the Gateway API conformance tests for HTTPRoute (conformance/tests/httproute-*.go)
 * and the mesh (conformance/tests/mesh/*.go) as data for __tests__/gateway-api-parity.test.ts:
 * each test's manifests (its YAML, with the base manifests' Gateways, Services and Deployments)
 * and the `http.ExpectedResponse` literals it sends. Upstream: https://github.com/kubernetes-sigs/gateway-api
 * (the commit is recorded in the output). Run with a local checkout (the machines are offline):
 *
 *   node scripts/transcribe-conformance.mjs <gateway-api checkout or bare git dir> > __tests__/parity/gateway-api-conformance.json
 *
 * Literals that are not constant (built from a loop variable) are listed under `untranscribed`
 * and are transcribed by hand in __tests__/parity/gateway-api-tables.yaml.
 */
import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

const src = process.argv[2];
if (!src) {
  console.error('usage: node scripts/transcribe-conformance.mjs <gateway-api checkout or bare git dir>');
  process.exit(2);
}
const bare = !existsSync(join(src, 'conformance'));
const git = (...args) =>
  execFileSync('git', ['--git-dir', bare ? src : join(src, '.git'), ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const read = (path) => (bare ? git('show', `HEAD:${path}`) : readFileSync(join(src, path), 'utf8'));
const list = (dir) =>
  bare ? git('ls-tree', '--name-only', `HEAD:${dir}`).split('\n').filter(Boolean) : readdirSync(join(src, dir));
const commit = git('rev-parse', 'HEAD').trim();

const CONSTANTS = {
  'confsuite.InfrastructureNamespace': 'gateway-conformance-infra',
  'suite.InfrastructureNamespace': 'gateway-conformance-infra',
  'confsuite.AppBackendNamespace': 'gateway-conformance-app-backend',
  'confsuite.WebBackendNamespace': 'gateway-conformance-web-backend',
  'confsuite.MeshNamespace': 'gateway-conformance-mesh',
  'confsuite.MeshConsumerNamespace': 'gateway-conformance-mesh-consumer',
  'confsuite.InfraBackendServiceNameV1': 'infra-backend-v1',
  'confsuite.InfraBackendServiceNameV2': 'infra-backend-v2',
  'confsuite.InfraBackendServiceNameV3': 'infra-backend-v3',
  'roundtripper.H2Protocol': 'HTTP/2.0',
  'roundtripper.H2CPriorKnowledgeProtocol': 'H2C_PRIOR_KNOWLEDGE',
  true: true,
  false: false,
  nil: null,
};

/** Go tokens: strings, numbers, identifiers (with dots), punctuation; comments dropped. */
function tokens(text) {
  const out = [];
  const re =
    /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|-?[0-9]+(?:\.[0-9]+)?|[A-Za-z_][A-Za-z0-9_.]*|[{}[\]:,&()*]|./g;
  let m;
  while ((m = re.exec(text))) {
    const t = m[0];
    if (/^\s|^\/\/|^\/\*/.test(t)) continue;
    out.push({ t, at: m.index });
  }
  return out;
}

class Unresolved extends Error {}

/** Parses one composite literal starting at tokens[i] === '{' into a JS value. */
function literal(toks, i, locals) {
  const fields = {};
  const items = [];
  let keyed = false;
  i++;
  while (toks[i].t !== '}') {
    let key;
    if (toks[i + 1]?.t === ':') {
      key = toks[i].t.startsWith('"') ? JSON.parse(toks[i].t) : toks[i].t;
      i += 2;
      keyed = true;
    }
    const [value, next] = valueAt(toks, i, locals);
    if (key !== undefined) fields[key] = value;
    else items.push(value);
    i = next;
    if (toks[i].t === ',') i++;
  }
  return [keyed ? fields : items, i + 1];
}

function valueAt(toks, i, locals) {
  const t = toks[i].t;
  if (t.startsWith('"')) return [JSON.parse(t), i + 1];
  if (t.startsWith('`')) return [t.slice(1, -1), i + 1];
  if (/^-?[0-9]/.test(t)) return [Number(t), i + 1];
  // A type before a literal: &pkg.T{, pkg.T{, []T{, map[K]V{, or an elided type {.
  let j = i;
  while (
    j < toks.length &&
    toks[j].t !== '{' &&
    toks[j].t !== ',' &&
    toks[j].t !== '}' &&
    toks[j].t !== '(' &&
    (j === i || /^[[\]&*]$|^[A-Za-z_]/.test(toks[j].t))
  ) {
    if (toks[j].t === ']' && toks[j + 1] && /^[A-Za-z_]/.test(toks[j + 1].t)) {
      j += 2;
      continue;
    }
    j++;
    if (
      toks[j - 1].t !== '&' &&
      toks[j - 1].t !== '[' &&
      toks[j - 1].t !== ']' &&
      toks[j - 1].t !== '*' &&
      toks[j] &&
      !['{', '[', ']'].includes(toks[j].t)
    )
      break;
  }
  if (toks[j]?.t === '{') return literal(toks, j, locals);
  if (toks[i + 1]?.t === '(') throw new Unresolved(`call ${t}(...)`);
  if (t in CONSTANTS) return [CONSTANTS[t], i + 1];
  if (t in locals) return [locals[t], i + 1];
  throw new Unresolved(t);
}

/** String constants a test function binds (`ns := confsuite.InfrastructureNamespace`, `x := "..."`). */
function localsOf(text) {
  const locals = {};
  for (const m of text.matchAll(
    /\b([a-zA-Z_][A-Za-z0-9_]*)\s*:?=\s*("(?:[^"\\]|\\.)*"|confsuite\.[A-Za-z0-9]+|suite\.[A-Za-z0-9]+)\s*$/gm,
  )) {
    locals[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : CONSTANTS[m[2]];
  }
  return locals;
}

/** The ConformanceTest variables of a file, with their ShortName, Manifests and the text of their Test function. */
function testsOf(text) {
  const starts = [...text.matchAll(/var\s+([A-Za-z0-9_]+)\s*=\s*(?:confsuite|suite)\.ConformanceTest\{/g)];
  return starts.map((m, k) => {
    const body = text.slice(m.index, k + 1 < starts.length ? starts[k + 1].index : text.length);
    return {
      variable: m[1],
      shortName: /ShortName:\s*"([^"]+)"/.exec(body)?.[1] ?? m[1],
      manifests: [...(/Manifests:\s*\[\]string\{([^}]*)\}/.exec(body)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map(
        (x) => x[1],
      ),
      reuses: /Test:\s*([A-Za-z0-9_]+)\.Test/.exec(body)?.[1],
      body,
    };
  });
}

function requestsOf(body) {
  const locals = localsOf(body);
  const toks = tokens(body);
  const requests = [];
  const untranscribed = [];
  for (let i = 0; i < toks.length; i++) {
    if (toks[i].t !== 'http.ExpectedResponse' || toks[i + 1]?.t !== '{' || toks[i - 1]?.t === ']') continue;
    const line = body.slice(0, toks[i].at).split('\n').length;
    try {
      const [value, next] = literal(toks, i + 1, locals);
      requests.push({ line, ...value });
      i = next - 1;
    } catch (err) {
      if (!(err instanceof Unresolved)) throw err;
      untranscribed.push({ line, why: `not a constant: ${err.message}` });
    }
  }
  // `[]http.ExpectedResponse{ {...}, {...} }`: elements with the type elided.
  for (let i = 0; i < toks.length; i++) {
    if (!(
      toks[i].t === '[' &&
      toks[i + 1]?.t === ']' &&
      toks[i + 2]?.t === 'http.ExpectedResponse' &&
      toks[i + 3]?.t === '{'
    ))
      continue;
    let j = i + 4;
    while (toks[j].t !== '}') {
      const line = body.slice(0, toks[j].at).split('\n').length;
      let depth = 0;
      let end = j;
      do {
        if (toks[end].t === '{') depth++;
        if (toks[end].t === '}') depth--;
        end++;
      } while (depth > 0);
      if (toks[j].t === '{') {
        try {
          requests.push({ line, ...literal(toks, j, locals)[0] });
        } catch (err) {
          if (!(err instanceof Unresolved)) throw err;
          untranscribed.push({ line, why: `not a constant: ${err.message}` });
        }
      }
      j = end;
      if (toks[j].t === ',') j++;
    }
  }
  const lines = body.split('\n');
  return {
    requests: requests
      .sort((a, b) => a.line - b.line)
      .map((r) => ({ ...r, ...targetOf(lines, r.line), ...backendDelayOf(r) })),
    untranscribed,
  };
}

/** The echo backend (echo-basic) waits as long as the request's `delay` query parameter says before it answers. */
function backendDelayOf(r) {
  const query = String(r.Request?.Path ?? '').split('?')[1];
  const delay = query === undefined ? null : new URLSearchParams(query).get('delay');
  return delay ? { backendDelay: delay } : {};
}

/**
 * Where a request literal is sent: the first Make...Response call after it names the address
 * variable (`gwAddr8080`), whose assignment names the Gateway (`NewGatewayRef(gwNN[, "listener"])`)
 * as the Gateway variable then holds it; a TLS request names its SNI.
 */
function targetOf(lines, line) {
  const call = lines
    .slice(line - 1)
    .map((l) => /(?:([A-Za-z0-9_]+)\.)?Make(TLS)?RequestAndExpectEventuallyConsistentResponse\(([^)]*)/.exec(l))
    .find(Boolean);
  if (!call) return {};
  const args = call[3].split(',').map((a) => a.trim());
  const addr = args.find((a) => /^gwAddr/.test(a));
  const out = {};
  // A mesh request: the client pod variable and the namespace it was connected in.
  const client =
    call[1] &&
    lines
      .slice(0, line)
      .map((l) => new RegExp(`\\b${call[1]}\\s*:?=\\s*echo\\.ConnectToApp(InNamespace)?\\(([^)]*)\\)`).exec(l))
      .filter(Boolean)
      .pop();
  if (client)
    out.client = /MeshConsumerNamespace/.test(client[2])
      ? 'gateway-conformance-mesh-consumer'
      : 'gateway-conformance-mesh';
  call.splice(1, 1);
  if (call[1]) {
    out.tls = true;
    const sni = args.find((a) => /^"[^"]*"$/.test(a));
    if (sni) out.sni = JSON.parse(sni);
  }
  if (!addr) return out;
  const assigned = lines
    .slice(0, line)
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => new RegExp(`\\b${addr}\\s*:?=.*NewGatewayRef\\(([A-Za-z0-9_]+)(?:,\\s*"([^"]+)")?`).test(l))
    .pop();
  if (!assigned) return out;
  const [, nnVar, section] = new RegExp(`NewGatewayRef\\(([A-Za-z0-9_]+)(?:,\\s*"([^"]+)")?`).exec(assigned.l);
  const nn = lines
    .slice(0, assigned.i + 1)
    .map((l) => new RegExp(`\\b${nnVar}\\s*:?=\\s*types\\.NamespacedName\\{Name:\\s*"([^"]+)"`).exec(l))
    .filter(Boolean)
    .pop();
  if (nn) out.gateway = nn[1];
  if (section) out.section = section;
  return out;
}

function gatewaysOf(body) {
  return [...body.matchAll(/types\.NamespacedName\{Name:\s*"([^"]+)",\s*Namespace:\s*([A-Za-z.]+)\}/g)]
    .filter((m) => /gw|gateway/i.test(body.slice(Math.max(0, m.index - 40), m.index)))
    .map((m) => m[1]);
}

const out = {
  source: `kubernetes-sigs/gateway-api@${commit}`,
  base: read('conformance/base/manifests.yaml'),
  mesh: read('conformance/mesh/manifests.yaml'),
  tests: [],
};
const files = [
  ...list('conformance/tests')
    .filter((f) => /^httproute-.*\.go$/.test(f))
    .map((f) => `conformance/tests/${f}`),
  ...list('conformance/tests/mesh')
    .filter((f) => /^(httproute|mesh|grpcroute)-.*\.go$/.test(f))
    .map((f) => `conformance/tests/mesh/${f}`),
];
for (const file of files) {
  const text = read(file);
  const tests = testsOf(text);
  for (const t of tests) {
    const from = t.reuses ? (tests.find((x) => x.variable === t.reuses) ?? t) : t;
    const { requests, untranscribed } = requestsOf(from.body);
    const dir = file.includes('/mesh/') ? 'conformance/' : 'conformance/';
    out.tests.push({
      file,
      test: t.shortName,
      gateways: gatewaysOf(from.body),
      ...(file.includes('/mesh/')
        ? {
            client: /ConnectToAppInNamespace\([^)]*MeshConsumerNamespace/.test(from.body)
              ? 'gateway-conformance-mesh-consumer'
              : 'gateway-conformance-mesh',
          }
        : {}),
      manifests: t.manifests.map((m) => ({ path: m, yaml: read(`${dir}${m}`) })),
      requests,
      untranscribed,
    });
  }
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
