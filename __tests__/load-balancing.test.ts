import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { stringify } from 'yaml';
import type { Manifest } from 'voting-mesh';
import { explainCall, explainRequest, formatCallExplanation, formatExplanation } from 'voting-mesh';
import { cli } from './cli-support';

// Hand-written manifests. The load balancing of a hop follows istio/istio 1.30.3
// pilot/pkg/networking/core/route/route.go (HashForHTTPDestination, hashForService,
// consistentHashToHashPolicy), pilot/pkg/networking/util MergeSubsetTrafficPolicy and
// cluster_traffic_policy.go (applyLoadBalancer, ApplyRingHashLoadBalancer).

const NET = 'networking.istio.io/v1';
const svc = (name: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] },
});
const deploy = (name: string, labels: Record<string, string>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    replicas: 1,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [] } },
  },
});
const object = (kind: string, name: string, spec: any): Manifest => ({
  apiVersion: NET,
  kind,
  metadata: { name, namespace: 'shop' },
  spec,
});
const gw = object('Gateway', 'gw', {
  selector: { istio: 'ingressgateway' },
  servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
});
const base: Manifest[] = [
  gw,
  deploy('istio-ingressgateway', { istio: 'ingressgateway' }),
  svc('web'),
  deploy('web-v1', { app: 'web', version: 'v1' }),
  deploy('web-v2', { app: 'web', version: 'v2' }),
  svc('cart'),
  deploy('cart', { app: 'cart' }),
  deploy('client', { app: 'client' }),
];
const split = object('VirtualService', 'web', {
  hosts: ['*'],
  gateways: ['gw'],
  http: [
    {
      route: [
        { destination: { host: 'web', subset: 'v1' }, weight: 50 },
        { destination: { host: 'web', subset: 'v2' }, weight: 50 },
      ],
    },
  ],
});
const rule = (trafficPolicy: any, subsets: any[] = []) =>
  object('DestinationRule', 'web', {
    host: 'web',
    trafficPolicy,
    subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }, ...subsets],
  });

describe('GIVEN DestinationRules that set load balancing', () => {
  test('WHEN the rule hashes on a header with a ring size THEN each weighted destination states RING_HASH on that header, and the route carries one hash policy per destination', () => {
    const m = [
      ...base,
      split,
      rule({ loadBalancer: { consistentHash: { httpHeaderName: 'x-user', ringHash: { minimumRingSize: 2048 } } } }),
    ];
    const e = explainRequest(m, { path: '/' }, 'shop/gw');
    expect(e.hops.map((h) => h.loadBalancing)).toEqual([
      {
        policy: 'RING_HASH',
        minimumRingSize: 2048,
        from: 'DestinationRule shop/web trafficPolicy',
        hashPolicy: [{ header: 'x-user' }, { header: 'x-user' }],
      },
      {
        policy: 'RING_HASH',
        minimumRingSize: 2048,
        from: 'DestinationRule shop/web trafficPolicy',
        hashPolicy: [{ header: 'x-user' }, { header: 'x-user' }],
      },
    ]);
    expect(formatExplanation('s', e)).toContain(
      'load balancing: RING_HASH (minimumRingSize 2048) on header x-user, header x-user · DestinationRule shop/web trafficPolicy',
    );
  });

  test("WHEN a subset sets ROUND_ROBIN over the rule's cookie hash THEN that subset's cluster does not hash (the route still carries the cookie hash) and the other keeps Envoy's 1024 ring", () => {
    const policy = { loadBalancer: { consistentHash: { httpCookie: { name: 'sid', ttl: '60s', path: '/' } } } };
    const m = [...base, split, rule(policy)];
    (m[m.length - 1].spec.subsets[1] as any).trafficPolicy = { loadBalancer: { simple: 'ROUND_ROBIN' } };
    const [v1, v2] = explainRequest(m, { path: '/' }, 'shop/gw').hops;
    const cookie = { cookie: { name: 'sid', ttl: '60s', path: '/' } };
    expect(v1.loadBalancing).toEqual({
      policy: 'RING_HASH',
      minimumRingSize: 1024,
      from: 'DestinationRule shop/web trafficPolicy',
      hashPolicy: [cookie, cookie],
    });
    expect(v2.loadBalancing).toEqual({
      policy: 'ROUND_ROBIN',
      from: 'DestinationRule shop/web subsets[v2].trafficPolicy',
      hashPolicy: [cookie, cookie],
    });
  });

  test('WHEN a port-level setting names the port THEN it replaces the whole policy: a port-level connectionPool alone leaves the cluster at LEAST_REQUEST, yet the route keeps the rule-level hash', () => {
    const m = [
      ...base,
      split,
      rule({
        loadBalancer: { consistentHash: { useSourceIp: true } },
        portLevelSettings: [{ port: { number: 8080 }, connectionPool: { tcp: { maxConnections: 10 } } }],
      }),
    ];
    expect(explainRequest(m, { path: '/' }, 'shop/gw').hops[0].loadBalancing).toEqual({
      policy: 'LEAST_REQUEST',
      hashPolicy: [{ sourceIp: true }, { sourceIp: true }],
    });
  });

  test("WHEN a Service has no VirtualService THEN its default route hashes as the rule's port-level consistentHash says (hashForService), with MAGLEV", () => {
    const m = [
      ...base,
      object('DestinationRule', 'cart', {
        host: 'cart',
        trafficPolicy: {
          loadBalancer: { consistentHash: { httpHeaderName: 'x-a' } },
          portLevelSettings: [
            { port: { number: 8080 }, loadBalancer: { consistentHash: { httpQueryParameterName: 'q', maglev: {} } } },
          ],
        },
      }),
    ];
    expect(explainCall(m, 'client', 'cart', 8080).hops[0].loadBalancing).toEqual({
      policy: 'MAGLEV',
      from: 'DestinationRule shop/cart trafficPolicy.portLevelSettings[0]',
      hashPolicy: [{ queryParameter: 'q' }],
    });
  });

  test('WHEN the rule of a TCP Service hashes on the source IP THEN its default TCP route hashes on it (maybeSetHashPolicy); a header hash gives a TCP proxy no hash key', () => {
    const db: Manifest = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { selector: { app: 'db' }, ports: [{ name: 'tcp', port: 5432 }] },
    };
    const hash = (consistentHash: any) =>
      object('DestinationRule', 'db', { host: 'db', trafficPolicy: { loadBalancer: { consistentHash } } });
    const m = [...base, db, deploy('db', { app: 'db' })];
    expect(explainCall([...m, hash({ useSourceIp: true })], 'client', 'db', 5432).hops[0].loadBalancing).toEqual({
      policy: 'RING_HASH',
      minimumRingSize: 1024,
      from: 'DestinationRule shop/db trafficPolicy',
      hashPolicy: [{ sourceIp: true }],
    });
    const e = explainCall([...m, hash({ httpHeaderName: 'x-user' })], 'client', 'db', 5432);
    expect(e.hops[0].loadBalancing).toEqual({
      policy: 'RING_HASH',
      minimumRingSize: 1024,
      from: 'DestinationRule shop/db trafficPolicy',
    });
    expect(formatCallExplanation('s', e)).toContain(
      'load balancing: RING_HASH (minimumRingSize 1024) (no hash key: each request hashes to a random endpoint) · DestinationRule shop/db trafficPolicy',
    );
  });

  test('WHEN no DestinationRule sets load balancing THEN the hops state none (output unchanged)', () => {
    const m = [...base, split, rule({ connectionPool: { tcp: { maxConnections: 5 } } })];
    const e = explainRequest(m, { path: '/' }, 'shop/gw');
    expect(e.hops.map((h) => h.loadBalancing)).toEqual([undefined, undefined]);
    expect(formatExplanation('s', e)).not.toContain('load balancing');
    expect(explainCall(base, 'client', 'cart', 8080).hops[0].loadBalancing).toBeUndefined();
  });

  test('WHEN explain runs with -o json THEN the hop carries loadBalancing, and the text its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-'));
    try {
      const rules = rule({ loadBalancer: { consistentHash: { httpCookie: { name: 'sid', ttl: '0s' } } } });
      writeFileSync(join(dir, 'web.yaml'), [...base, split, rules].map((o) => stringify(o)).join('---\n'));
      const args = ['explain', '-f', join(dir, 'web.yaml'), '--gateway', 'gw'];
      const json = JSON.parse((await cli([...args, '-o', 'json'])).stdout);
      expect(json.hops[0].loadBalancing).toEqual({
        policy: 'RING_HASH',
        minimumRingSize: 1024,
        from: 'DestinationRule shop/web trafficPolicy',
        hashPolicy: [{ cookie: { name: 'sid', ttl: '0s' } }, { cookie: { name: 'sid', ttl: '0s' } }],
      });
      expect((await cli(args)).stdout).toContain(
        'load balancing: RING_HASH (minimumRingSize 1024) on cookie sid (ttl 0s), cookie sid (ttl 0s) · DestinationRule shop/web trafficPolicy',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
