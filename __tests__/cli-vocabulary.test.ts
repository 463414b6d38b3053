// One CLI vocabulary (issue 23): --outdir for directories and -o/--output for formats, exit codes
// exactly as --help says, --quiet, accepted findings shown as accepted, the progress line, whole
// values in plan, and the small leftovers (VM0010's line, app-level errors, package.json).
import { App } from 'cdk8s';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { ReleaseStage, renderRelease } from 'voting-mesh';
import { runCommand } from '../cli/run';
import { Progress } from '../cli/progress';
import type { Io } from '../cli/io';
import { buildRolloutsDemo } from '../examples/rollouts-demo/app';
import { synthRelease, synthWith } from '../lib/release/synth';
import { PROGRESS_ENV, ProgressLine } from '../lib/release/progress-line';
import { QUIET_ENV } from '../lib/release/allow-failing-checks';
import { createVotingApplication, votingStages } from '../voting';
import { cli, ROOT } from './cli-support';
import { testApp } from './support';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-vocabulary-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const firstLine = (text: string) => text.split('\n')[0];
const COMMANDS = ['synth', 'validate', 'explain', 'plan', 'diff', 'gate', 'init'];

/** A stream that records what is written to it, a terminal or not. */
function stream(isTTY: boolean): { isTTY: boolean; written: string[]; write(text: string): boolean } {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) > 0 };
}

/** Runs a command line with an Io of the test's choosing (terminal streams, clock). */
async function run(argv: string[], extra: Partial<Io> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommand(argv, {
    cwd: ROOT,
    env: {},
    out: (t) => out.push(`${t}\n`),
    err: (t) => err.push(`${t}\n`),
    ...extra,
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A manifest file with an AuthorizationPolicy selecting no workload (IST0127, a Warning), annotated or not. */
function orphanPolicy(annotation?: string): string {
  const file = join(scratch, annotation === undefined ? 'policy.yaml' : 'suppressed.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: security.istio.io/v1',
      'kind: AuthorizationPolicy',
      'metadata:',
      '  name: orphan',
      '  namespace: shop',
      ...(annotation === undefined ? [] : ['  annotations:', `    galley.istio.io/analyze-suppress: '${annotation}'`]),
      'spec:',
      '  selector:',
      '    matchLabels:',
      '      app: nothing',
      '',
    ].join('\n'),
  );
  return file;
}

describe('--outdir for directories, -o/--output for formats', () => {
  test.each(['-o', '--output'])(
    'GIVEN synth %s DIR (the old output directory) THEN exit 2 and one line saying to use --outdir',
    async (flag) => {
      const result = await cli(['synth', flag, join(scratch, 'out')]);
      expect(result.code).toBe(2);
      expect(firstLine(result.stderr)).toBe(
        `error: synth ${flag} no longer names the output directory (-o/--output is an output format in every command): use --outdir <dir>`,
      );
      expect(result.stdout).toBe('');
      expect(existsSync(join(scratch, 'out'))).toBe(false);
    },
  );

  test('GIVEN plan --out (the old name) THEN it still writes the steps there, with one deprecation warning on stderr', async () => {
    const result = await cli(['plan', '01', '02', '--out', join(scratch, 'p')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning: --out is deprecated and will be removed: use --outdir\n');
    expect(existsSync(join(scratch, 'p', '01-make.yaml'))).toBe(true);
  });

  test('GIVEN --gateway-principal (the old name of --ingress-principal) THEN it works, with one deprecation warning', async () => {
    const result = await cli([
      'validate',
      '01',
      '--gateway-principal',
      'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning: --gateway-principal is deprecated and will be removed: use --ingress-principal\n',
    );
  });

  test('GIVEN --quiet THEN a deprecated name is used without its warning', async () => {
    const result = await cli(['plan', '01', '02', '--out', join(scratch, 'p'), '--quiet']);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test("GIVEN every command's --help THEN each lists --outdir only as a directory, -o only as --output <format>, and the exit codes", async () => {
    for (const name of COMMANDS) {
      const help = (await cli([name, '--help'])).stdout;
      expect(help).not.toMatch(/--out <|--output <dir>/);
      for (const line of help.split('\n').filter((l) => /^\s+-o, /.test(l)))
        expect(line).toMatch(/^ {2}-o, --output <format>/);
      expect(help).toMatch(/\nexit codes: 0 \w+.*; 2 usage: an unknown option, a bad value/);
    }
  });
});

describe('exit codes: 0 ok, 1 findings, 2 usage or a refused argument', () => {
  test.each(COMMANDS)('GIVEN %s with an unknown option THEN exit 2, the error line, then the usage', async (name) => {
    const result = await cli([name, '--no-such-option']);
    expect(result.code).toBe(2);
    expect(firstLine(result.stderr)).toBe("error: unknown option '--no-such-option'");
    expect(result.stderr.split('\n')[1]).toMatch(new RegExp(`^usage: voting-mesh ${name} `));
  });

  test.each([
    [['validate', '-o', 'yaml'], "error: option '--output' is 'yaml', not one of text, json"],
    [
      ['validate', '--failure-threshold', 'Fatal'],
      "error: option '--failure-threshold' is 'Fatal', not one of Error, Warning, Info",
    ],
    [['plan', '01', '02', '--format', 'helm'], "error: option '--format' is 'helm', not one of kubectl, argocd, flux"],
    [['explain', '03', '--scheme', 'ftp'], "error: option '--scheme' is 'ftp', not one of http, https"],
    [['validate', '-f', 'no-such-file.yaml'], 'error: -f no-such-file.yaml: no such file or directory'],
    [['diff', '01'], undefined],
    [
      ['explain', '03', '--gateway', 'nope'],
      "error: 03-cookie-canary: no Gateway 'nope' and no VirtualService bound to it: name a Gateway of the manifests (namespace/name or name)",
    ],
    [['explain', '03', '--from', 'nothing', '--to', 'voting-storage'], undefined],
    [
      ['gate', '03'],
      'error: --prometheus <url> is required: the base URL of the Prometheus HTTP API, e.g. http://prometheus.istio-system:9090',
    ],
  ])('GIVEN a bad value %j THEN exit 2 with one error line', async (argv, line) => {
    const result = await cli(argv);
    expect(result.code).toBe(2);
    if (line !== undefined) expect(firstLine(result.stderr)).toBe(line);
    expect(result.stderr).toMatch(/^error: /);
  });

  test('GIVEN plan --outdir naming a directory plan did not create THEN exit 2 and exactly one line, nothing deleted', async () => {
    mkdirSync(join(scratch, 'mine'));
    writeFileSync(join(scratch, 'mine', 'notes.txt'), 'mine');
    const result = await cli(['plan', '01', '02', '--outdir', join(scratch, 'mine')]);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error: refusing to replace --outdir .*mine: .*mine\/notes\.txt was not written by voting-mesh/,
    );
    expect(readFileSync(join(scratch, 'mine', 'notes.txt'), 'utf8')).toBe('mine');
  });

  test('GIVEN validate of files with an Error THEN exit 1 (findings), not 2', async () => {
    const file = join(scratch, 'bad.yaml');
    writeFileSync(
      file,
      'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: vs\n  namespace: shop\nspec:\n  hosts: [web]\n  gateways: [nowhere]\n  http:\n  - route:\n    - destination:\n        host: web\n',
    );
    const result = await cli(['validate', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\n2 error\(s\)\n$/);
  });

  test('GIVEN validate, plan and explain of the committed stages THEN exit 0', async () => {
    expect((await cli(['validate'])).code).toBe(0);
    expect((await cli(['plan', '01', '02', '--outdir', join(scratch, 'p')])).code).toBe(0);
    expect((await cli(['explain', '01'])).code).toBe(0);
  });
});

describe('--quiet prints only errors', () => {
  test('GIVEN validate --quiet of a valid release (with Info and accepted findings) THEN nothing at all', async () => {
    expect(await cli(['validate', '-q'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(
      await cli(['validate', '--dist', 'dist/gateway-api-ambient', '--quiet', '--failure-threshold', 'Warning']),
    ).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('GIVEN validate --quiet of files with a plain Warning, a skipped file and --failure-threshold Warning THEN only the failing message and the count', async () => {
    const policy = orphanPolicy();
    const result = await cli([
      'validate',
      '-q',
      '--failure-threshold',
      'Warning',
      '-f',
      policy,
      '-f',
      join('dist', 'gates.json'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `${relative(ROOT, policy)}: IST0127 [Warning] AuthorizationPolicy shop/orphan spec.selector: No matching workloads for this resource with the following labels: app=nothing\n` +
        '1 message(s) at or above the failure threshold\n',
    );
  });

  test('GIVEN plan --quiet THEN the steps are written and nothing is printed', async () => {
    const result = await cli(['plan', '01', '02', '--outdir', join(scratch, 'p'), '-q']);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(scratch, 'p', '01-make.yaml'))).toBe(true);
  });

  test('GIVEN synth --quiet THEN the app runs with VOTING_MESH_QUIET=1, and synthRelease then prints no warning (not even an accepted one)', async () => {
    const dir = join(scratch, 'app');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'app.js'),
      "const fs = require('fs'); const out = process.env.CDK8S_OUTDIR; fs.mkdirSync(out, { recursive: true });" +
        " fs.writeFileSync(out + '/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: ' + (process.env.VOTING_MESH_QUIET === '1' ? 'quiet' : 'loud') + '\\n');",
    );
    expect(await cli(['synth', '--app', 'node app.js', '--quiet'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(join(dir, 'dist', '01-a.k8s.yaml'), 'utf8')).toContain('name: quiet');

    const printed: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => {
      printed.push(line);
    });
    try {
      synthRelease(
        new App({ outdir: join(scratch, 'loud') }),
        buildRolloutsDemo(new App({ outdir: join(scratch, 'loud') })),
        { schemaValidation: false },
      );
      expect(printed.some((l) => /^accepted: stage '.*': IST0162 \[Warning\] .*\(accepted: /.test(l))).toBe(true);
      printed.length = 0;
      process.env[QUIET_ENV] = '1';
      synthRelease(
        new App({ outdir: join(scratch, 'quiet') }),
        buildRolloutsDemo(new App({ outdir: join(scratch, 'quiet') })),
        { schemaValidation: false },
      );
      expect(printed).toEqual([]);
    } finally {
      delete process.env[QUIET_ENV];
      spy.mockRestore();
    }
  });
});

describe('accepted findings are shown as accepted, with the reason', () => {
  test('GIVEN the ambient flavour, whose waypoint policy Warning the release accepts THEN validate marks it accepted with the reason, and it fails no threshold', async () => {
    const text = await cli(['validate', '--dist', 'dist/gateway-api-ambient', '--failure-threshold', 'Warning']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "  IST0127 [Warning, accepted] AuthorizationPolicy voting/waypoint spec.selector: No matching workloads for this resource with the following labels: gateway.networking.k8s.io/gateway-name=waypoint (accepted: selects the pods Istio deploys for the waypoint Gateway 'waypoint' (label gateway.networking.k8s.io/gateway-name))\n",
    );
    expect(text.stdout).toMatch(
      /^02-analytics-1-1-lock: \d+ objects, 0 schema error\(s\), 2 finding\(s\) \(1 accepted\) ✓$/m,
    );
    const json = JSON.parse((await cli(['validate', '--dist', 'dist/gateway-api-ambient', '-o', 'json'])).stdout);
    const accepted = json.filter((m: { accepted?: string }) => m.accepted !== undefined);
    expect(accepted.length).toBeGreaterThan(0);
    expect(
      accepted.every(
        (m: { code: string; accepted: string }) =>
          m.code === 'IST0127' && m.accepted.startsWith('selects the pods Istio deploys'),
      ),
    ).toBe(true);
  });

  test('GIVEN an object whose galley.istio.io/analyze-suppress annotation names the code THEN its Warning is accepted, naming the annotation; without it, a plain Warning', async () => {
    const plain = await cli(['validate', '-f', orphanPolicy(), '--failure-threshold', 'Warning']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain(
      '  IST0127 [Warning] AuthorizationPolicy shop/orphan spec.selector: No matching workloads for this resource with the following labels: app=nothing\n',
    );
    const suppressed = await cli([
      'validate',
      '-f',
      orphanPolicy('IST0102, IST0127'),
      '--failure-threshold',
      'Warning',
    ]);
    expect(suppressed.code).toBe(0);
    expect(suppressed.stdout).toContain(
      '  IST0127 [Warning, accepted] AuthorizationPolicy shop/orphan spec.selector: No matching workloads for this resource with the following labels: app=nothing' +
        " (accepted: the object's galley.istio.io/analyze-suppress annotation names IST0127)\n",
    );
    expect((await cli(['validate', '-f', orphanPolicy('*'), '--failure-threshold', 'Warning'])).code).toBe(0);
  });

  test('GIVEN the release rendered twice THEN accepted-findings.json is the same bytes, sorted, beside the flavour that accepts something only', () => {
    const render = () =>
      renderRelease(buildRolloutsDemo(new App({ outdir: join(scratch, 'r') }))).filter((f) =>
        f.file.endsWith('accepted-findings.json'),
      );
    const [first] = render();
    expect(render()).toEqual([first]);
    expect(first.file).toBe('accepted-findings.json');
    expect(JSON.parse(first.content).accepted.map((e: { code: string }) => e.code)).toEqual(['IST0162']);
    expect(readFileSync(join(ROOT, 'examples', 'rollouts-demo', 'dist', 'accepted-findings.json'), 'utf8')).toBe(
      first.content,
    );
    expect(existsSync(join(ROOT, 'dist', 'accepted-findings.json'))).toBe(false);
  });
});

describe('the progress line', () => {
  test('GIVEN stderr that is not a terminal, or --quiet THEN no progress is written', async () => {
    const clock = (
      (t) => () =>
        (t += 5000)
    )(0);
    const pipe = stream(false);
    expect((await run(['validate'], { stderr: pipe, now: clock })).code).toBe(0);
    expect(pipe.written).toEqual([]);
    const tty = stream(true);
    expect(await run(['validate', '--quiet'], { stderr: tty, now: clock })).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(tty.written).toEqual([]);
  });

  test('GIVEN a terminal and work past the delay THEN one line redrawn with \\r per stage, erased before the report', async () => {
    const tty = stream(true);
    const clock = (
      (t) => () =>
        (t += 5000)
    )(0);
    const result = await run(['validate'], { stderr: tty, now: clock });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(tty.written[0]).toBe('\rvalidate: 1/4 01-v1');
    expect(tty.written.slice(1, 4).map((w) => w.trimEnd())).toEqual([
      '\rvalidate: 2/4 02-analytics-1-1-lock (and the transitions to it)',
      '\rvalidate: 3/4 03-cookie-canary (and the transitions to it)',
      '\rvalidate: 4/4 04-full-rollout (and the transitions to it)',
    ]);
    expect(tty.written.at(-1)).toMatch(/^\r +\r$/);
    expect(tty.written).toHaveLength(5);
  });

  test('GIVEN work shorter than the delay THEN nothing is drawn, and done() writes nothing', () => {
    const tty = stream(true);
    let now = 0;
    const progress = new Progress(tty, { now: () => now });
    progress.update('step 1');
    now = 999;
    progress.update('step 2');
    progress.done();
    expect(tty.written).toEqual([]);
    now = 1000;
    progress.update('a longer step 3');
    progress.update('step 4');
    progress.done();
    expect(tty.written).toEqual(['\ra longer step 3', '\rstep 4         ', `\r${' '.repeat(6)}\r`]);
  });
});

describe('the progress line of synth, drawn by the app', () => {
  /** An app file that writes one Namespace named after what VOTING_MESH_PROGRESS it was given. */
  function progressApp(): string {
    const dir = mkdtempSync(join(scratch, 'app-'));
    writeFileSync(
      join(dir, 'app.js'),
      "const fs = require('fs'); const out = process.env.CDK8S_OUTDIR; fs.mkdirSync(out, { recursive: true });" +
        " fs.writeFileSync(out + '/01-a.k8s.yaml', 'apiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: progress-' + (process.env.VOTING_MESH_PROGRESS ?? 'unset') + '\\n');",
    );
    return dir;
  }
  const namespace = (dir: string) => /name: (\S+)/.exec(readFileSync(join(dir, 'dist', '01-a.k8s.yaml'), 'utf8'))?.[1];

  test('GIVEN synth with stderr a terminal THEN the app runs with VOTING_MESH_PROGRESS=1; with a pipe, or --quiet, it is not set', async () => {
    const tty = progressApp();
    expect((await run(['synth', '--app', 'node app.js'], { cwd: tty, stderr: stream(true) })).code).toBe(0);
    expect(namespace(tty)).toBe('progress-1');
    const pipe = progressApp();
    expect((await run(['synth', '--app', 'node app.js'], { cwd: pipe, stderr: stream(false) })).code).toBe(0);
    expect(namespace(pipe)).toBe('progress-unset');
    const quiet = progressApp();
    expect((await run(['synth', '--app', 'node app.js', '--quiet'], { cwd: quiet, stderr: stream(true) })).code).toBe(
      0,
    );
    expect(namespace(quiet)).toBe('progress-unset');
    expect(process.env[PROGRESS_ENV]).toBeUndefined();
  });

  test('GIVEN checks past the delay THEN one line per stage and transition, redrawn with \\r, erased before the warnings are printed', () => {
    const order: string[] = [];
    const tty = { write: (text: string) => order.push(`draw ${text}`) };
    const spy = jest.spyOn(console, 'error').mockImplementation((line: string) => {
      order.push(`print ${line}`);
    });
    const clock = (
      (t) => () =>
        (t += 5000)
    )(0);
    try {
      const app = new App({ outdir: join(scratch, 'drawn') });
      synthWith(app, buildRolloutsDemo(app), { schemaValidation: false }, new ProgressLine(tty, { now: clock }));
    } finally {
      spy.mockRestore();
    }
    const drawn = order.filter((l) => l.startsWith('draw ')).map((l) => l.slice(5).trimEnd());
    expect(drawn[0]).toMatch(/^\rsynth: checking 1\/\d+ stage '/);
    expect(drawn).toContainEqual(expect.stringMatching(/^\rsynth: checking the transition \S+ ↔ \S+/));
    expect(drawn).toContain('\rsynth: validating the constructs');
    // Erased (a line of spaces between two \r) before the first warning or accepted finding.
    const firstPrint = order.findIndex((l) => l.startsWith('print '));
    expect(firstPrint).toBeGreaterThan(0);
    expect(order[firstPrint - 1]).toMatch(/^draw \r +\r$/);
    expect(order[firstPrint]).toMatch(/^print accepted: /);
  });
});

describe('plan prints values whole; shortened only on a terminal, with a note', () => {
  const NOTE =
    '  (shortened for the terminal: values cut at 100 characters, at most 12 changes per object; pipe the output, e.g. | less, to see every change whole)';

  test('GIVEN stdout that is not a terminal THEN every change and value is printed whole, with no note', async () => {
    const result = await run(['plan', '01', '02', '--outdir', join(scratch, 'p')]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('… ');
    expect(result.stdout).not.toContain('shortened for the terminal');
    expect(result.stdout).toContain(
      '      spec.ingress[0]: - {"from":[{"podSelector":{"matchLabels":{"app":"voting-app","version":"1.0"}}}],"ports":[{"port":8080,"protocol":"TCP"}]}\n',
    );
  });

  test('GIVEN a terminal THEN long values and lists are cut, and one note says how to see all', async () => {
    const result = await run(['plan', '01', '02', '--outdir', join(scratch, 'p')], { stdoutIsTTY: true });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\n {6}… \d+ more\n/);
    expect(result.stdout.split('\n').filter((l) => l === NOTE)).toHaveLength(1);
  });
});

describe('one-line messages', () => {
  test('GIVEN an idle version whose calls least privilege denies THEN VM0010 reads as one sentence on one line', async () => {
    const result = await cli(['validate', '02']);
    expect(result.stdout).toContain(
      '  VM0010 [Info] Deployment voting/voting-storage-1-0 AuthorizationPolicy: call from idle Deployment voting/voting-analytics-1-0 on port 6379' +
        ' (route voting-storage/tcp[1]) is denied, as meant while it receives no traffic (kept for rollback): no rule of voting-storage-1-0, allow-nothing allows' +
        ' cluster.local/ns/voting/sa/voting-analytics-1-0 on port 6379\n',
    );
  });

  test.each([
    [
      'bindMesh with wildcard hosts',
      { gateway: { name: 'g', bindMesh: true } },
      /^field 'application\.gateway\.hosts': bindMesh with wildcard hosts \* would route every in-mesh call/,
    ],
    [
      'contradicting ingress gateway labels',
      {
        gateway: { ...createVotingApplication().gateway, selector: { istio: 'a' } },
        security: { ingressGateway: { podLabels: { istio: 'b' } } },
      },
      /^field 'application\.gateway\.selector': \{"istio":"a"\} differs from application\.security\.ingressGateway\.podLabels/,
    ],
  ])('GIVEN an error of the application itself (%s) THEN it names no stage', (_, change, message) => {
    const application = { ...createVotingApplication(), ...change };
    expect(() => new ReleaseStage(testApp(), { application, stage: votingStages[1] })).toThrow(message);
  });
});

describe('leftovers', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  test('GIVEN package.json THEN it names the repository, carries no jest configuration, and ships no documentation tool as a dependency', () => {
    expect(pkg.repository).toEqual({ type: 'git', url: 'https://github.com/voting-mesh/voting-mesh.git' });
    expect(pkg.jest).toBeUndefined();
    expect(existsSync(join(ROOT, 'jest.config.js'))).toBe(true);
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith('typedoc'))).toEqual([]);
  });

  test('GIVEN -f naming gates.json or accepted-findings.json THEN each is skipped as a file voting-mesh writes, not read as a manifest', async () => {
    const result = await cli([
      'validate',
      '-f',
      join('dist', 'gates.json'),
      '-f',
      join('dist', 'gateway-api-ambient', 'accepted-findings.json'),
      '-f',
      join('dist', '01-v1.k8s.yaml'),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      [
        'voting-mesh: skipped dist/gates.json: a file voting-mesh writes beside stages, not a manifest',
        'voting-mesh: skipped dist/gateway-api-ambient/accepted-findings.json: a file voting-mesh writes beside stages, not a manifest',
        '',
      ].join('\n'),
    );
  });
});
