import type { Manifest } from 'voting-mesh';
import { explainCall } from 'voting-mesh';
import { deployment, istioObject } from './manifest-builders';

// Sidecar calls to ServiceEntry hosts (routing/sidecar-host-call.ts): the virtual host of the route
// configuration for the port, as istiod builds it (httproute.go BuildSidecarOutboundVirtualHosts at
// 1.30.3), what the fixture istio-sidecar-outbound.yaml does not reach: wildcard hosts, ports that
// are not HTTP, workloadSelector endpoints, and egress listener fields explain does not evaluate.

const deploy = deployment;
const entry = (name: string, ns: string, spec: Record<string, unknown>) => istioObject('ServiceEntry', name, ns, spec);
const istio = istioObject;
const client = deploy('client', 'apps', { app: 'client' });
const external = entry('external', 'apps', {
  hosts: ['*.example.org'],
  resolution: 'NONE',
  ports: [
    { number: 80, name: 'http', protocol: 'HTTP' },
    { number: 5432, name: 'tcp', protocol: 'TCP' },
  ],
});

describe('GIVEN a ServiceEntry with a wildcard host', () => {
  test('WHEN a name under it is called on its HTTP port THEN the wildcard virtual host takes it, with its resolution on the hop', () => {
    const [hop] = explainCall([client, external], 'client', 'api.example.org', 80).hops;
    expect([hop.service, hop.port, hop.serviceEntry, hop.rule]).toEqual([
      '*.example.org',
      80,
      'apps/external',
      'service (ServiceEntry apps/external, resolution NONE: to the address dialled, MESH_EXTERNAL)',
    ]);
  });
  test('WHEN a VirtualService is bound to it THEN its routes apply', () => {
    const route = istio('VirtualService', 'to-v2', 'apps', {
      hosts: ['*.example.org'],
      http: [{ route: [{ destination: { host: 'v2.example.org' } }] }],
    });
    const [hop] = explainCall([client, external, route], 'client', 'api.example.org', 80).hops;
    expect([hop.service, hop.rule]).toEqual(['v2.example.org', 'to-v2/0']);
  });
  test('WHEN a VirtualService routes to a name under it THEN there is no cluster for that name: 503', () => {
    const route = istio('VirtualService', 'to-foo', 'apps', {
      hosts: ['api.example.org'],
      http: [{ route: [{ destination: { host: 'foo.example.org', port: { number: 80 } } }] }],
    });
    const [hop] = explainCall([client, external, route], 'client', 'api.example.org', 80).hops;
    expect(hop.answer).toBe(
      "503: host 'foo.example.org' is neither a Service nor a ServiceEntry host visible from namespace 'apps' (no cluster)",
    );
  });
  test('WHEN it is called on its TCP port THEN the entry takes it; tcp routes of a VirtualService are named, not evaluated', () => {
    const [hop] = explainCall([client, external], 'client', 'db.example.org', 5432).hops;
    expect([hop.service, hop.port, hop.answer]).toEqual(['*.example.org', 5432, undefined]);
    const tcp = istio('VirtualService', 'db', 'apps', {
      hosts: ['db.example.org'],
      tcp: [{ route: [{ destination: { host: 'db.example.org' } }] }],
    });
    const [named] = explainCall([client, external, tcp], 'client', 'db.example.org', 5432).hops;
    expect(named.answer).toMatch(/^not modelled: VirtualService apps\/db tcp routes/);
  });
});

describe('GIVEN a ServiceEntry of workloads in the mesh (workloadSelector)', () => {
  const db = entry('db', 'data', {
    hosts: ['db.internal'],
    addresses: ['10.9.0.1'],
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
    workloadSelector: { labels: { app: 'db' } },
  });
  const objects = [client, db, deploy('db', 'data', { app: 'db' })];
  test('WHEN it is called by host or by address THEN its selected workloads receive the call', () => {
    for (const to of ['db.internal', '10.9.0.1']) {
      const [hop] = explainCall(objects, 'client', to, 8080).hops;
      expect([hop.service, hop.deployments, hop.notModelled]).toEqual(['db.internal', ['db'], undefined]);
    }
  });
  test('WHEN it is exported only to its own namespace THEN another namespace has no virtual host for it (ALLOW_ANY: PassthroughCluster)', () => {
    const own = { ...db, spec: { ...db.spec, exportTo: ['.'] } } as Manifest;
    const [hop] = explainCall([client, own, objects[2]], 'client', 'db.internal', 8080).hops;
    expect(hop.rule).toMatch(/^PassthroughCluster \(Host 'db.internal' names no virtual host/);
  });
  test('WHEN the egress listener for the port has a bind address THEN the hop names it not modelled', () => {
    const sc = istio('Sidecar', 'default', 'apps', {
      egress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, bind: '127.0.0.2', hosts: ['*/*'] }],
    });
    const [hop] = explainCall([...objects, sc], 'client', 'db.internal', 8080).hops;
    expect([hop.service, hop.notModelled]).toEqual(['db.internal', ['Sidecar apps/default egress[0].bind']]);
  });
  test('WHEN the call dials the address the egress listener is bound to THEN that listener takes it (bind evaluated)', () => {
    const sc = istio('Sidecar', 'default', 'apps', {
      egress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, bind: '127.0.0.2', hosts: ['*/*'] }],
    });
    const [hop] = explainCall([...objects, sc], 'client', '127.0.0.2', 8080, {}, { host: 'db.internal' }).hops;
    expect([hop.service, hop.notModelled]).toEqual(['db.internal', undefined]);
    expect(() => explainCall([...objects, sc], 'client', '127.0.0.3', 8080)).toThrow(/no Service '127.0.0.3'/);
  });
  test('WHEN the only egress listener for it is a Unix domain socket THEN a TCP port has no listener of its own', () => {
    const sc = istio('Sidecar', 'default', 'apps', {
      egress: [{ port: { number: 0, protocol: 'HTTP', name: 'uds' }, bind: 'unix:///var/run/db', hosts: ['*/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    const [hop] = explainCall([...objects, sc], 'client', 'db.internal', 8080).hops;
    expect(hop.answer).toMatch(/^connection closed: Sidecar apps\/default has no egress listener for port 8080/);
  });
});

describe('GIVEN a DestinationRule with consistentHash for a ServiceEntry host', () => {
  const rule = (hash: Record<string, unknown>) =>
    istio('DestinationRule', 'sticky', 'apps', {
      host: '*.example.org',
      trafficPolicy: { loadBalancer: { consistentHash: hash } },
    });
  test("WHEN a name under it is called on its HTTP port THEN the entry's default route carries the hash policy", () => {
    const [hop] = explainCall(
      [client, external, rule({ httpHeaderName: 'x-user' })],
      'client',
      'api.example.org',
      80,
    ).hops;
    expect(hop.loadBalancing?.hashPolicy).toEqual([{ header: 'x-user' }]);
  });
  test('WHEN it is called on its TCP port THEN the TCP proxy hashes on the source IP when the rule says so', () => {
    const [hop] = explainCall([client, external, rule({ useSourceIp: true })], 'client', 'db.example.org', 5432).hops;
    expect(hop.loadBalancing?.hashPolicy).toEqual([{ sourceIp: true }]);
  });
});

describe('GIVEN a Sidecar egress port of protocol HTTP_PROXY', () => {
  const proxyPort = istio('Sidecar', 'default', 'apps', {
    egress: [{ port: { number: 7443, protocol: 'HTTP_PROXY', name: 'proxy' }, hosts: ['*/*'] }],
  });
  const web = entry('web', 'apps', {
    hosts: ['web.example.com'],
    resolution: 'DNS',
    ports: [
      { number: 8080, name: 'http-alt', protocol: 'HTTP' },
      { number: 80, name: 'http', protocol: 'HTTP' },
    ],
  });
  test('WHEN the Host names a host whose first HTTP port is not 80 THEN no verdict: its port-less domains went to that port', () => {
    const [hop] = explainCall([client, web, proxyPort], 'client', 'web.example.com', 7443).hops;
    expect(hop.answer).toMatch(/^not modelled: virtual host web\.example\.com:80 of route configuration '7443'/);
  });
});

describe('GIVEN a Sidecar egress listener on a Unix domain socket', () => {
  const socket = istio('Sidecar', 'default', 'apps', {
    egress: [
      { port: { number: 0, protocol: 'HTTP', name: 'uds' }, bind: 'unix:///var/run/web', hosts: ['*/web.example.com'] },
      {
        port: { number: 0, protocol: 'HTTP', name: 'none' },
        bind: 'unix:///var/run/none',
        hosts: ['*/nothing.invalid'],
      },
    ],
  });
  const web = entry('web', 'apps', {
    hosts: ['web.example.com'],
    resolution: 'DNS',
    ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
  });
  test('WHEN a request through the socket names a port-80 host THEN its virtual host takes it (route configuration named by the path)', () => {
    const [hop] = explainCall(
      [client, web, socket],
      'client',
      'unix:///var/run/web',
      undefined,
      {},
      {
        host: 'web.example.com',
      },
    ).hops;
    expect([hop.service, hop.port, hop.notModelled]).toEqual([
      'web.example.com',
      80,
      ['ServiceEntry apps/web endpoints (outside the manifests)'],
    ]);
  });
  test('WHEN its listener imports no host THEN istiod builds no listener there', () => {
    const [hop] = explainCall([client, web, socket], 'client', 'unix:///var/run/none').hops;
    expect(hop.answer).toMatch(
      /^connection refused: no egress listener of Sidecar apps\/default is bound to 'unix:\/\/\/var\/run\/none'/,
    );
  });
});
