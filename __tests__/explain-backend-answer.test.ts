import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Manifest } from 'voting-mesh';
import { explainRequest } from 'voting-mesh';
import { stringify } from 'yaml';
import { cli } from './cli-support';

// What the backend answers, when the request states it (lib/analysis/routing/backend-answer.ts):
// the route's response header modifiers applied to the backend's headers, Envoy's 504 for a backend
// slower than the route or per-try timeout. The conformance requests are in gateway-api-parity.test.ts.
const ns = 'default';
const objects: Manifest[] = [
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: ns },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: ns },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } } } },
  },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web', namespace: ns },
    spec: {
      parentRefs: [{ name: 'gw' }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/headers' } }],
          filters: [
            {
              type: 'ResponseHeaderModifier',
              responseHeaderModifier: { add: [{ name: 'X-Add', value: 'route' }], remove: ['X-Drop'] },
            },
          ],
          backendRefs: [{ name: 'web', port: 8080 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/retry' } }],
          retry: { attempts: 1 },
          timeouts: { backendRequest: '200ms' },
          backendRefs: [{ name: 'web', port: 8080 }],
        },
      ],
    },
  },
];
const hop = (request: object) => explainRequest(objects, request, `${ns}/gw`).hops[0];

describe('GIVEN a request that states what the backend answers', () => {
  test('THEN the client gets the backend headers with the modifiers applied, and nothing is named not modelled', () => {
    const h = hop({ path: '/headers', backendResponseHeaders: { 'x-ADD': 'backend', 'X-Drop': '1', Other: 'v' } });
    expect(h.response?.headers).toEqual({ 'x-add': 'backend,route', other: 'v' });
    expect(h.notModelled).toBeUndefined();
    expect(hop({ path: '/headers' }).notModelled?.join()).toMatch(/ResponseHeaderModifier/);
  });
  test.each([
    ['300ms', /^504: the backend answers after 300ms, later than the per-try timeout 200ms/],
    ['100ms', undefined],
  ])('THEN a backend delay of %s against a 200ms per-try timeout answers %s', (delay, answer) => {
    const h = hop({ path: '/retry', backendDelay: delay });
    if (answer) expect(h.answer).toMatch(answer);
    else expect(h.answer).toBeUndefined();
    expect(h.deployments).toEqual(['web']);
  });
  test('THEN explain takes them as --backend-header and --backend-delay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-backend-'));
    try {
      const file = join(dir, 'routes.yaml');
      writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      const base = ['explain', '-f', file, '--gateway', `${ns}/gw`];
      const headers = await cli([...base, '--path', '/headers', '--backend-header', 'X-Add=b']);
      expect(headers.stdout).toContain('response headers: x-add: b,route');
      const late = await cli([...base, '--path', '/retry', '--backend-delay', '1s']);
      expect(late.stdout).toContain('504: the backend answers after 1s');
      const bad = await cli([...base, '--backend-delay', 'soon']);
      expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("malformed --backend-delay 'soon'")]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
