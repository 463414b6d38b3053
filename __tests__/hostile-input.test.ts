import { spawnSync } from 'child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { SchemaValidator } from '../lib/analysis/schema/schema-validator';
import { loadFiles } from '../cli/inputs';
import { cli, ROOT } from './cli-support';

// Input from others cannot hang, exhaust or fool the tools (docs/output-safety.md, "Input").
const STAGE = join(ROOT, 'dist', '01-v1.k8s.yaml');
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'voting-mesh-input-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));
const at = (...p: string[]) => join(scratch, ...p);
const oneLine = (stderr: string) => expect(stderr.trimEnd().split('\n')).toHaveLength(1);

describe('-f reads only regular files, within bounds, each once', () => {
  test('GIVEN a FIFO named with -f WHEN validate runs THEN it refuses at once in one line (it does not wait for a writer)', async () => {
    expect(spawnSync('mkfifo', [at('pipe.yaml')]).status).toBe(0);
    const r = await cli(['validate', '-f', at('pipe.yaml')], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: -f pipe\.yaml is not a regular file \(a FIFO\): only regular files are read/);
  }, 10_000);

  test('GIVEN a directory holding a FIFO and a manifest THEN the FIFO is skipped, said on stderr, and the manifest checked', async () => {
    copyFileSync(STAGE, at('01.k8s.yaml'));
    expect(spawnSync('mkfifo', [at('pipe.yaml')]).status).toBe(0);
    const r = await cli(['validate', '-f', scratch], scratch);
    expect(r.stderr).toContain('voting-mesh: skipped pipe.yaml is not a regular file (a FIFO)\n');
    expect(r.code).toBe(0);
  }, 10_000);

  test('GIVEN /dev/zero THEN it is refused as a character device, not read', async () => {
    const r = await cli(['validate', '-f', '/dev/zero'], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not a regular file \(a character device\)/);
  });

  test('GIVEN a file over --max-file-size THEN one line names it, its size and the flag; a larger cap reads it', async () => {
    writeFileSync(
      at('big.yaml'),
      `# ${'x'.repeat(2 * 1024 * 1024)}\n${'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n'}`,
    );
    const r = await cli(['validate', '-f', 'big.yaml', '--max-file-size', '1'], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: -f big.yaml is 2 MiB, more than the 1 MiB a file may have: raise --max-file-size if it is meant\n',
    );
    expect((await cli(['validate', '-f', 'big.yaml', '--max-file-size', '3'], scratch)).code).toBe(0);
  });

  test('GIVEN files together over --max-input-size THEN it stops at the file that crosses it', async () => {
    for (const n of ['a', 'b'])
      writeFileSync(
        at(`${n}.yaml`),
        `# ${'x'.repeat(700 * 1024)}\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${n}\n`,
      );
    const r = await cli(['validate', '-f', scratch, '--max-input-size', '1'], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: -f: with b\.yaml, the files given are more than --max-input-size \(0\.3 MiB left\)/,
    );
    oneLine(r.stderr);
  });

  test.each([['1e3'], ['0x10'], ['0']])('GIVEN --max-file-size %s THEN it is a usage error', async (v) => {
    const r = await cli(['validate', '-f', scratch, '--max-file-size', v], scratch);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error: malformed --max-file-size '${v}'`));
  });

  test('GIVEN symlink fan-out and a cycle to one manifest THEN it is read once and the walk ends', () => {
    mkdirSync(at('d', 'sub'), { recursive: true });
    copyFileSync(STAGE, at('d', 'sub', 'one.yaml'));
    for (let i = 0; i < 8; i++) symlinkSync(at('d', 'sub'), at('d', `link${i}`));
    symlinkSync(at('d'), at('d', 'sub', 'loop'));
    symlinkSync(at('d', 'sub', 'one.yaml'), at('d', 'alias.yaml'));
    const set = loadFiles([at('d'), at('d', 'sub', 'one.yaml')], scratch);
    expect(set.files).toEqual(['d/alias.yaml']);
  });

  test('GIVEN an empty file, or a directory with no manifest THEN validate fails: nothing was checked', async () => {
    writeFileSync(at('empty.yaml'), '');
    const empty = await cli(['validate', '-f', 'empty.yaml'], scratch);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe(
      'error: -f empty.yaml: no Kubernetes object in empty.yaml, so nothing was checked. Give manifests\n',
    );
    mkdirSync(at('none'));
    writeFileSync(at('none', 'notes.txt'), 'x');
    expect((await cli(['validate', '-f', 'none'], scratch)).stderr).toMatch(
      /^error: -f none: no \*\.yaml, \*\.yml or \*\.json file there/,
    );
  });

  test.each([
    [
      'YAML flow sequences 5000 deep',
      'deep.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
    ],
    [
      'JSON 200 deep',
      'deep.json',
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":${'['.repeat(200)}${']'.repeat(200)}}`,
    ],
  ])('GIVEN %s THEN one line at the documented depth, no stack overflow', async (_, name, text) => {
    writeFileSync(at(name), text);
    const r = await cli(['validate', '-f', name], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error: ${name.replace('.', '\\.')} (document 1 )?nests (too deeply|more than 100 levels)`),
    );
    oneLine(r.stderr);
  });
});

describe("the tool's own files are recognised wherever they are", () => {
  test('GIVEN a directory with stages and the mesh-context.json, RELEASE.md and manifest synth writes THEN validate -f checks only the stages', async () => {
    mkdirSync(at('out', 'gateway-api-ambient'), { recursive: true });
    copyFileSync(
      join(ROOT, 'dist', 'gateway-api-ambient', '01-v1.k8s.yaml'),
      at('out', 'gateway-api-ambient', '01-v1.k8s.yaml'),
    );
    for (const f of ['mesh-context.json', 'RELEASE.md'])
      copyFileSync(join(ROOT, 'dist', 'gateway-api-ambient', f), at('out', 'gateway-api-ambient', f));
    copyFileSync(join(ROOT, 'dist', '.voting-mesh-output'), at('out', '.voting-mesh-output'));
    const r = await cli(['validate', '-f', 'out'], scratch);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test.each([
    ['a wrong type', { trustDomain: 5 }, 'trustDomain must be a string, got 5'],
    [
      'an unknown field',
      { trustDomian: 'x' },
      "unknown field 'trustDomian' (known: clusterDomain, trustDomain, ingressPrincipal, ingressGateway)",
    ],
    [
      'an unknown field named constructor',
      { constructor: 'x' },
      "unknown field 'constructor' (known: clusterDomain, trustDomain, ingressPrincipal, ingressGateway)",
    ],
    [
      'a label that is not a string',
      { ingressGateway: { namespace: 'n', podLabels: { app: 1 } } },
      'ingressGateway.podLabels.app must be a string, got 1',
    ],
  ])('GIVEN a mesh-context.json with %s THEN one line names the field', async (_, context, message) => {
    mkdirSync(at('dist'));
    copyFileSync(STAGE, at('dist', '01-v1.k8s.yaml'));
    writeFileSync(at('dist', 'mesh-context.json'), JSON.stringify(context));
    const r = await cli(['validate'], scratch);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: dist/mesh-context.json: ${message}. Run voting-mesh synth again, or delete it\n`);
  });
});

describe('schemas: RE2 patterns and own-property lookups', () => {
  test('GIVEN a CRD pattern with nested repetition THEN a 41-character value is checked in linear time (RE2), and rejected', () => {
    const v = new SchemaValidator();
    expect(v.validate(`${'a'.repeat(40)}!`, { type: 'string', pattern: '^(a+)+$' })).toEqual([
      { path: '(root)', message: `"${'a'.repeat(40)}!" does not match ^(a+)+$` },
    ]);
    expect(v.validate('aaa', { type: 'string', pattern: '^(a+)+$' })).toEqual([]);
    expect(v.validate('xaby', { type: 'string', pattern: 'ab' })).toEqual([]); // unanchored, as in Kubernetes
  }, 3_000);

  test('GIVEN a pattern in RE2 syntax (POSIX class) THEN it means what it means to the API server', () => {
    const v = new SchemaValidator();
    expect(v.validate('123', { type: 'string', pattern: '^[[:digit:]]+$' })).toEqual([]);
    expect(v.validate('12a', { type: 'string', pattern: '^[[:digit:]]+$' })).toHaveLength(1);
  });

  test('GIVEN unknown fields named constructor, toString and __proto__ THEN strict validation reports each', () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } } };
    const value = JSON.parse('{"name":"a","constructor":"x","toString":1,"__proto__":{"y":1}}');
    expect(new SchemaValidator().validate(value, schema).map((e) => e.message)).toEqual([
      "unknown field 'constructor'",
      "unknown field 'toString'",
      "unknown field '__proto__'",
    ]);
  });

  test('GIVEN a required field named like an Object member THEN its absence is reported', () => {
    expect(
      new SchemaValidator().validate(
        {},
        { type: 'object', required: ['constructor'], properties: { constructor: { type: 'string' } } },
      ),
    ).toEqual([{ path: 'constructor', message: 'required field is missing' }]);
  });
});
