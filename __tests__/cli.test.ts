import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { cli, ROOT } from './cli-support';

describe('voting-mesh explain', () => {
  test('GIVEN the canary stage and the cookie THEN it prints the 2.0 lane, hop by hop, with the matching rules', async () => {
    const result = await cli(['explain', '03', '--cookie', 'session=abc; featureflag=on', '--path', '/']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '03-cookie-canary: GET / (cookie: session=abc; featureflag=on)',
        'gateway voting-app-gateway',
        '└─ 100% → voting-app 2.0 [voting-app-2-0, subset v2-0, port 8080/http] via voting-app-ingress/featureflag-cookie',
        '   outlier detection: eject after 5 errors in a row for 30s+, every 10s, at most 34%',
        '   ├─ 100% → voting-storage 2.0 [voting-storage-2-0, subset v2-0, port 3306/tcp] via voting-storage/tcp[1]',
        '   └─ 100% → voting-analytics 2.0 [voting-analytics-2-0, subset v2-0, port 8080/http] via voting-analytics/lane-v2',
        '      timeout 3s · 2 retries of 1s on connect-failure,refused-stream,reset,503',
        '      └─ 100% → voting-storage 2.0 [voting-storage-2-0, subset v2-0, port 3306/tcp] via voting-storage/tcp[1]',
        'inner hops: evaluated without the request headers (Istio does not propagate them; --propagate-headers if the app forwards them)',
        '',
      ].join('\n'),
    );
  });

  test('GIVEN -o json THEN the hops with their weights and shares of all requests', async () => {
    const result = await cli(['explain', '03-cookie-canary', '-o', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.stage).toBe('03-cookie-canary');
    expect(json.hops.map((h: any) => [h.deployments, h.weight, h.share])).toEqual([[['voting-app-1-0'], 100, 100]]);
    expect(json.hops[0].calls.map((c: any) => [c.service, c.deployments, c.share, c.authorization.allowed])).toEqual([
      ['voting-storage', ['voting-storage-1-0'], 100, true],
      ['voting-analytics', ['voting-analytics-1-1'], 100, true],
    ]);
  });

  test('GIVEN a stage file path instead of a name THEN the file is explained', async () => {
    const result = await cli(['explain', 'dist/04-full-rollout.k8s.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('04-full-rollout: GET /');
    expect(result.stdout).toContain('voting-app 2.0 [voting-app-2-0');
  });

  test.each([
    [[], /^error: missing <stage>\nusage: voting-mesh explain <stage\|file>/],
    [
      ['9'],
      /^error: unknown stage '9' \(stages: 01-v1, 02-analytics-1-1-lock, 03-cookie-canary, 04-full-rollout\)\nusage: /,
    ],
    [
      ['03', '--cookie', 'featureflag'],
      /^error: malformed --cookie 'featureflag': 'featureflag' is not name=value\nusage: /,
    ],
    [
      ['03', '--header', 'no-value'],
      /^error: malformed --header 'no-value': expected name=value with a token name\nusage: /,
    ],
    [['03', '--path', 'x'], /^error: malformed --path 'x': it must start with '\/'\nusage: /],
    [['03', '--colour'], /^error: unknown option '--colour'\nusage: /],
    [['03', '--cookie', 'a=1', '--cookie', 'b=2'], /^error: option '--cookie' is given twice\nusage: /],
    [['03', '-o', 'yaml'], /^error: option '--output' is 'yaml', not one of text, json\nusage: /],
  ])('GIVEN arguments %j THEN one error line, the usage, exit 2', async (args, message) => {
    const result = await cli(['explain', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });

  test('GIVEN npm swallowed --cookie=... (no -- before it) THEN it says so instead of running without the cookie', async () => {
    const result = await cli(['explain', '03'], ROOT, {
      npm_lifecycle_event: 'explain',
      npm_config_cookie: 'featureflag=on',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: npm took --cookie as its own option and dropped it: put '--' before the tool's options/,
    );
  });
});

describe('voting-mesh plan', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-plan-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('GIVEN 03 → 04 THEN it prints the diff, runnable steps and a passing transition check, and writes the step files', async () => {
    const out = join(scratch, 'plan');
    const result = await cli(['plan', '03-cookie-canary', '04-full-rollout', '--outdir', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^plan 03-cookie-canary → 04-full-rollout\n/);
    expect(result.stdout).toContain('  - Deployment voting/voting-app-1-0');
    expect(result.stdout).toContain(`kubectl apply -f ${relative(ROOT, join(out, '01-switch.yaml'))}`);
    expect(result.stdout).toContain(
      'kubectl apply -f dist/04-full-rollout.k8s.yaml --prune -l app.kubernetes.io/part-of=voting --prune-allowlist=apps/v1/Deployment',
    );
    expect(result.stdout).toMatch(
      /transition check: at no moment does a VirtualService route to a missing subset, port or pod\.\n$/,
    );
    expect(readdirSync(out).sort()).toEqual(['.voting-mesh-output', '01-switch.yaml', '02-break.yaml']);
  });

  test('GIVEN --outdir names a directory with files voting-mesh did not write THEN it is refused and left as it was', async () => {
    const keep = join(scratch, 'keep');
    mkdirSync(keep);
    writeFileSync(join(keep, 'file.txt'), 'mine');
    const result = await cli(['plan', '03', '04', '--outdir', keep]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: refusing to replace --outdir .*keep: .*keep\/file\.txt was not written by voting-mesh \(the directory has no \.voting-mesh-output manifest\)\. Move it out of .*keep, or name another directory \(--force replaces .*keep, deleting everything in it\)\n$/,
    );
    expect(readdirSync(keep)).toEqual(['file.txt']);
    expect(readFileSync(join(keep, 'file.txt'), 'utf8')).toBe('mine');
  });

  test('GIVEN --outdir dist (the synthesized stages) THEN the plan refuses it and the stages stay', async () => {
    const before = readdirSync(join(ROOT, 'dist')).sort();
    const result = await cli(['plan', '03', '04', '--outdir', 'dist']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: refusing to replace --outdir dist: dist/.voting-mesh-output says voting-mesh synth wrote this directory (it holds synthesized stages), not plan. Name another directory, e.g. --outdir plans/next\n',
    );
    expect(readdirSync(join(ROOT, 'dist')).sort()).toEqual(before);
  });

  test('GIVEN --outdir . (the working directory) THEN it is refused', async () => {
    const result = await cli(['plan', '03', '04', '--outdir', '.']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: refusing to write --outdir \.: it is or contains the working directory/);
  });

  test.each([[['03']], [['03', '03']], [['03', 'nine']]])('GIVEN arguments %j THEN exit 2 with usage', async (args) => {
    const result = await cli(['plan', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\nusage: voting-mesh plan <from-stage> <to-stage>/);
  });
});

describe('voting-mesh validate', () => {
  test('GIVEN the committed stages THEN every stage and transition is valid', async () => {
    const result = await cli(['validate']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('03-cookie-canary: 45 objects, 0 schema error(s), 1 finding(s) ✓');
    expect(result.stdout).toContain(
      '  VM0010 [Info] Deployment voting/voting-storage-1-0 AuthorizationPolicy: call from idle Deployment voting/voting-analytics-1-0 on port 6379 (route voting-storage/tcp[1]) is denied, as meant while it receives no traffic (kept for rollback): ',
    );
    expect(result.stdout).toContain(
      '04-full-rollout → 03-cookie-canary: 3 steps, traffic never routed to a missing subset, port or pod ✓',
    );
    expect(result.stdout).toMatch(/\nvalid\n$/);
  });

  test('GIVEN -o json on files with problems THEN an array of {code, level, origin, field, message}, exit 1', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-validate-'));
    try {
      writeFileSync(
        join(scratch, 'bad.yaml'),
        [
          'apiVersion: networking.istio.io/v1',
          'kind: VirtualService',
          'metadata: {name: web, namespace: shop}',
          'spec:',
          '  hosts: [web]',
          '  http:',
          '  - route:',
          '    - destination: {host: web, subset: v1}',
          '---',
          'apiVersion: v1',
          'kind: Service',
          'metadata: {name: web, namespace: shop}',
          'spec: {selector: {app: web}, ports: [{name: http, port: 80}], colour: blue}',
          '',
        ].join('\n'),
      );
      const result = await cli(['validate', '-f', join(scratch, 'bad.yaml'), '-o', 'json']);
      expect(result.code).toBe(1);
      const messages = JSON.parse(result.stdout);
      expect(messages).toContainEqual({
        code: 'VM0100',
        level: 'Error',
        origin: 'Service shop/web',
        field: 'spec.colour',
        message: "unknown field 'colour'",
        stage: expect.stringContaining('bad.yaml'),
      });
      expect(messages).toContainEqual(
        expect.objectContaining({
          code: 'IST0101',
          level: 'Error',
          origin: 'VirtualService shop/web',
          field: 'spec.http[0].route[0].destination.subset',
        }),
      );
      for (const m of messages)
        expect(Object.keys(m).sort()).toEqual(['code', 'field', 'level', 'message', 'origin', 'stage']);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('GIVEN a directory without stages THEN it says there is nothing to validate (never "valid")', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'voting-mesh-empty-'));
    try {
      const result = await cli(['validate', '--dist', empty]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: nothing to validate: .* holds no \*\.k8s\.yaml stage file/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("GIVEN a relative --dist THEN it is resolved against the caller's directory, not the package's", async () => {
    const result = await cli(['validate', '--dist', 'dist'], join(ROOT, 'examples', 'website'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^01-header-canary: /);
    expect(result.stdout).not.toContain('cookie-canary');
  });

  test("GIVEN no --dist in an app directory THEN cdk8s.yaml's output is used", async () => {
    const result = await cli(['validate'], join(ROOT, 'examples', 'flaskapp'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^01-root-v1: /);
  });
});

describe('voting-mesh diff', () => {
  test('GIVEN 03 → 04 THEN a field-level diff in a stable order', async () => {
    const result = await cli(['diff', '3', '4']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('diff 03-cookie-canary → 04-full-rollout: 0 added, 8 changed, 16 removed');
    expect(lines).toContain('- Deployment voting/voting-analytics-1-1');
    expect(lines).toContain('- AuthorizationPolicy voting/voting-storage-1-0');
    expect(lines).toContain('- ServiceAccount voting/voting-app-1-0');
    expect(lines).toContain(
      '    spec.ports[name=tcp-redis]: - {"appProtocol":"tcp","name":"tcp-redis","port":6379,"protocol":"TCP","targetPort":6379}',
    );
  });
  test('GIVEN one stage only THEN usage and exit 2', async () => {
    expect((await cli(['diff', '3'])).code).toBe(2);
  });
});

describe('voting-mesh help and usage', () => {
  test.each(['synth', 'validate', 'explain', 'plan', 'diff'])(
    'GIVEN %s --help THEN its usage and every option, exit 0',
    async (command) => {
      const result = await cli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: voting-mesh ${command} `));
      expect(result.stdout).toContain('--verbose');
    },
  );
  test('GIVEN no command THEN the list of commands on stderr, exit 2', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^usage: voting-mesh <command> \[options\]/);
  });
  test('GIVEN an unknown command THEN one error line and the usage, exit 2', async () => {
    const result = await cli(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown command 'deploy' (commands: synth, validate, explain, plan, diff, gate, init)\nusage: voting-mesh <command> [options]\n",
    );
  });
  test('GIVEN --version THEN the package version', async () => {
    const result = await cli(['--version']);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('every example validates', () => {
  test.each(['bookinfo-reviews', 'website', 'flaskapp', 'rollouts-demo'])(
    'GIVEN examples/%s/dist THEN schemas, analyzer and transitions are clean',
    async (example) => {
      const result = await cli(['validate', '--dist', join('examples', example, 'dist')]);
      expect(result.stdout).toMatch(/\nvalid\n$/);
      expect(result.code).toBe(0);
      expect(existsSync(join(ROOT, 'examples', example, 'dist', '.voting-mesh-output'))).toBe(true);
    },
  );
});
