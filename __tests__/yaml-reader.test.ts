import { parseYamlDocuments, simpleTopLevelScalars } from '../lib/release/yaml-reader';

// The fast path for cdk8s.yaml must agree with the YAML library whenever it answers, and
// hand every other form to the library.
describe('simpleTopLevelScalars (cdk8s.yaml without the YAML library)', () => {
  test.each([
    'app: node main.js\noutput: dist\n',
    'language: typescript\napp: node .build/main.js\noutput: dist\nimports:\n  - https://example.com/crds.yaml\n  # a comment\n',
    "# cdk8s\napp: 'npx ts-node main.ts' # run it\noutput: \"out dir\"\n",
    'app: node main.js\r\noutput: dist/manifests\r\n',
    "app: 'it''s here'\n",
    'output: dist\nimports:\n- k8s\n- crds.yaml\napp: node a.js\n',
    'app: node main.js\noutput: .\n',
    'app: node main.js\noutput: ./out\n',
  ])('GIVEN %j THEN it reads what the YAML library reads (YAML 1.2, as the cdk8s CLI reads cdk8s.yaml)', (text) => {
    const fast = simpleTopLevelScalars(text, ['app', 'output']);
    expect(fast).toBeDefined();
    const full = parseYamlDocuments(text, 'cdk8s.yaml', '1.2')[0] as Record<string, unknown>;
    expect(fast).toEqual(Object.fromEntries(['app', 'output'].filter((k) => full[k] !== undefined).map((k) => [k, full[k]])));
  });

  test.each([
    'app: >\n  node main.js\n', 'app: |\n  node main.js\n', 'app: {cmd: x}\n', 'app: [a]\n', 'app: &a node x\n', 'app: !!str node\n',
    'app: "node \\"x\\""\n', 'output: 123\n', 'output: yes\n', 'app: node a: b\n', '{app: node x}\n', 'app: node\napp: again\n', 'app:\n  - x\n',
  ])('GIVEN %j THEN it declines and the YAML library decides', (text) => {
    expect(simpleTopLevelScalars(text, ['app', 'output'])).toBeUndefined();
  });
});
