import { spawnSync } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '..');
const run = (argv: string[]) => spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8' });
/** A tool as `npm run <tool>` runs it: scripts/cli.mjs builds it, then runs it. */
const npmRun = (tool: string, ...args: string[]) => run([join(ROOT, 'scripts', 'cli.mjs'), tool, ...args]);
/** The bundle built once in beforeAll, for the many argument cases (saves a build per case). */
const cli = (tool: string, ...args: string[]) => run([join(ROOT, '.build', 'cli', `${tool}.js`), ...args]);

beforeAll(() => {
  const build = run(['--input-type=module', '-e', "const { buildEntries } = await import('./scripts/build.mjs'); await buildEntries(['cli/explain.ts', 'cli/plan.ts', 'cli/validate.ts', 'cli/diff.ts']);"]);
  if (build.status !== 0) throw new Error(build.stderr);
});

describe('npm run explain', () => {
  test('GIVEN the canary stage and the cookie THEN it prints the 2.0 lane, hop by hop, with the matching rules', () => {
    const result = npmRun('explain', '03', '--cookie', 'session=abc; featureflag=on', '--path', '/');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe([
      '03-cookie-canary: GET / (cookie: session=abc; featureflag=on)',
      'gateway voting-app-gateway',
      '└─ 100% → voting-app 2.0 [voting-app-2-0, subset v2-0, port 8080/http] via voting-app-ingress/featureflag-cookie',
      '   ├─ 100% → voting-storage 2.0 [voting-storage-2-0, subset v2-0, port 3306/tcp] via voting-storage/tcp[1]',
      '   └─ 100% → voting-analytics 2.0 [voting-analytics-2-0, subset v2-0, port 8080/http] via voting-analytics/lane-v2',
      '      └─ 100% → voting-storage 2.0 [voting-storage-2-0, subset v2-0, port 3306/tcp] via voting-storage/tcp[1]',
      '',
    ].join('\n'));
  });

  test.each([
    [[], /^error: missing <stage>\nusage: npm run explain -- <stage>/],
    [['9'], /^error: unknown stage '9' \(stages: 01-v1, 02-analytics-1-1-lock, 03-cookie-canary, 04-full-rollout\)\nusage: /],
    [['03', '--cookie', 'featureflag'], /^error: malformed --cookie 'featureflag': 'featureflag' is not name=value\nusage: /],
    [['03', '--header', 'no-value'], /^error: malformed --header 'no-value': expected name=value with a token name\nusage: /],
    [['03', '--path', 'x'], /^error: malformed --path 'x': it must start with '\/'\nusage: /],
    [['03', '--colour'], /^error: unknown option '--colour'\nusage: /],
  ])('GIVEN arguments %j THEN one error line, the usage, exit 2', (args, message) => {
    const result = cli('explain', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
  });
});

describe('npm run plan', () => {
  test('GIVEN 03 → 04 THEN it prints the diff, runnable steps and a passing transition check', () => {
    const result = cli('plan', '03-cookie-canary', '04-full-rollout', '--out', join('.build', 'test-plan'));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^plan 03-cookie-canary → 04-full-rollout\n/);
    expect(result.stdout).toContain('  - Deployment voting/voting-app-1-0');
    expect(result.stdout).toContain('kubectl apply -f .build/test-plan/01-switch.yaml');
    expect(result.stdout).toContain('kubectl apply -f dist/04-full-rollout.k8s.yaml --prune -l app.kubernetes.io/part-of=voting --prune-allowlist=apps/v1/Deployment');
    expect(result.stdout).toMatch(/transition check: at no moment does a VirtualService route to a missing subset, port or pod\.\n$/);
  });
  test.each([[['03']], [['03', '03']], [['03', 'nine']]])('GIVEN arguments %j THEN exit 2 with usage', (args) => {
    const result = cli('plan', ...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/\nusage: npm run plan -- <from-stage> <to-stage>/);
  });
});

describe('npm run validate', () => {
  test('GIVEN the committed stages THEN every stage and transition is valid', () => {
    const result = cli('validate');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('03-cookie-canary: 34 objects, 0 schema error(s), 0 finding(s) ✓');
    expect(result.stdout).toContain('04-full-rollout → 03-cookie-canary: 3 steps, traffic never routed to a missing subset, port or pod ✓');
    expect(result.stdout).toMatch(/\nvalid\n$/);
  });
});

describe('npm run diff', () => {
  test('GIVEN 03 → 04 THEN a field-level diff in a stable order', () => {
    const result = cli('diff', '3', '4');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('diff 03-cookie-canary → 04-full-rollout: 0 added, 12 changed, 5 removed');
    expect(lines).toContain('- Deployment voting/voting-analytics-1-1');
    expect(lines).toContain('~ AuthorizationPolicy voting/voting-storage');
    expect(lines).toContain('    spec.rules[0].to[0].operation.ports[]: - "6379"');
    expect(lines).toContain('    spec.ports[name=tcp-redis]: - {"appProtocol":"tcp","name":"tcp-redis","port":6379,"protocol":"TCP","targetPort":6379}');
  });
  test('GIVEN one stage only THEN usage and exit 2', () => {
    expect(cli('diff', '3').status).toBe(2);
  });
});

describe('every example validates', () => {
  test.each(['bookinfo-reviews', 'website', 'flaskapp', 'rollouts-demo'])('GIVEN examples/%s/dist THEN schemas, analyzer and transitions are clean', (example) => {
    const result = cli('validate', '--dist', join('examples', example, 'dist'));
    expect(result.stdout).toMatch(/\nvalid\n$/);
    expect(result.status).toBe(0);
  });
});
