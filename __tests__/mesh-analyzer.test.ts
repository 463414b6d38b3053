import { Finding, Manifest, analyzeMesh, formatFinding } from 'voting-mesh';
import { votingManifests } from './support';

const NS = 'shop';
const HOST = `web.${NS}.svc.cluster.local`;

/** A minimal, correct stage: one service with one version, a gateway, strict mTLS. */
function good(): any[] {
  const meta = (name: string, labels?: Record<string, string>) => ({ name, namespace: NS, ...(labels ? { labels } : {}) });
  const deployment = (version: string, extra: any = {}) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta(`web-${version.replace('.', '-')}`),
    spec: { selector: { matchLabels: { app: 'web', version } }, template: { metadata: { labels: { app: 'web', version } }, spec: { containers: [{ name: 'web', image: 'web:1', ...extra }] } } },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, appProtocol: 'http' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta('db'), spec: { selector: { app: 'db' }, ports: [{ name: 'tcp-mysql', port: 3306, appProtocol: 'tcp' }] } },
    deployment('1.0'),
    deployment('2.0'),
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('db-1-0'), spec: { template: { metadata: { labels: { app: 'db', version: '1.0' } }, spec: { containers: [{ name: 'db' }] } } } },
    { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta('web'),
      spec: { host: HOST, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1-0', labels: { version: '1.0' } }, { name: 'v2-0', labels: { version: '2.0' } }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: meta('gw'), spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta('web-ingress'),
      spec: { hosts: ['shop.example.com'], gateways: ['gw'], http: [
        { name: 'beta', match: [{ headers: { cookie: { regex: '^(.*;\\s*)?beta=1(\\s*;.*)?$' } } }], route: [{ destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } } }] },
        { name: 'default', route: [{ destination: { host: HOST, subset: 'v1-0', port: { number: 8080 } }, weight: 90 }, { destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } }, weight: 10 }] },
      ] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta('web'),
      spec: { hosts: [HOST], gateways: ['mesh'], http: [
        { name: 'pinned', match: [{ sourceLabels: { app: 'client', version: '2.0' } }], route: [{ destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } } }] },
        { name: 'default', route: [{ destination: { host: HOST, subset: 'v1-0', port: { number: 8080 } } }] },
      ] } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('default'), spec: { mtls: { mode: 'STRICT' } } },
  ];
}

const get = (objs: any[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const codes = (findings: Finding[]) => findings.map((f) => `${f.code} ${f.severity} ${f.object} ${f.field}`);

describe('mesh analyzer', () => {
  test('GIVEN a correct stage THEN it reports nothing', () => {
    expect(analyzeMesh(good())).toEqual([]);
  });

  test.each([...votingManifests().entries()])('GIVEN voting stage %s THEN it reports nothing', (_, manifests) => {
    expect(analyzeMesh(manifests).map(formatFinding)).toEqual([]);
  });

  const cases: [string, (o: any[]) => void, string[], RegExp?][] = [
    ['IST0101 destination host without Service', (o) => { get(o, 'VirtualService', 'web').spec.http[1].route[0].destination.host = 'nope.shop.svc.cluster.local'; },
      ['IST0101 error VirtualService shop/web spec.http[1].route[0].destination.host'], /host 'nope\.shop\.svc\.cluster\.local' is not a Service/],
    ['IST0101 subset not defined', (o) => { get(o, 'VirtualService', 'web').spec.http[0].route[0].destination.subset = 'v3-0'; },
      ['IST0101 error VirtualService shop/web spec.http[0].route[0].destination.subset'], /subset 'v3-0' of '.*' is not defined by a DestinationRule/],
    ['IST0173 subset selecting no pods, routed to', (o) => { get(o, 'DestinationRule', 'web').spec.subsets[1].labels.version = '9.9'; },
      ['IST0173 error VirtualService shop/web-ingress spec.http[0].route[0].destination.subset', 'IST0173 error VirtualService shop/web-ingress spec.http[1].route[1].destination.subset',
        'IST0173 error VirtualService shop/web spec.http[0].route[0].destination.subset', 'IST0173 warning DestinationRule shop/web spec.subsets[1]']],
    ['IST0174 DestinationRule host without Service', (o) => { get(o, 'DestinationRule', 'web').spec.host = 'gone.shop.svc.cluster.local'; },
      expect.arrayContaining(['IST0174 error DestinationRule shop/web spec.host']) as any],
    ['IST0109 two mesh VirtualServices for one host', (o) => { o.push({ ...get(o, 'VirtualService', 'web'), metadata: { name: 'web-2', namespace: NS }, spec: { ...get(o, 'VirtualService', 'web').spec, hosts: ['web'] } }); },
      ['IST0109 error VirtualService shop/web-2 spec.hosts[0]']],
    ['IST0130 rule after a catch-all', (o) => { get(o, 'VirtualService', 'web').spec.http.reverse(); },
      ['IST0130 error VirtualService shop/web spec.http[1]'], /route 'pinned' can never match: route 0 before it matches every request/],
    ['IST0130 prefix / counts as catch-all', (o) => { get(o, 'VirtualService', 'web-ingress').spec.http[0].match = [{ uri: { prefix: '/' } }]; },
      ['IST0130 error VirtualService shop/web-ingress spec.http[1]']],
    ['IST0131 repeated match', (o) => { const http = get(o, 'VirtualService', 'web').spec.http; http.splice(1, 0, { ...http[0], name: 'again' }); },
      ['IST0131 warning VirtualService shop/web spec.http[1].match[0]']],
    ['weights not summing to 100', (o) => { get(o, 'VirtualService', 'web-ingress').spec.http[1].route[1].weight = 20; },
      ['VM0002 error VirtualService shop/web-ingress spec.http[1].route'], /weights sum to 110, not 100/],
    ['IST0112 destination without port on a multi-port Service', (o) => {
      get(o, 'Service', 'web').spec.ports.push({ name: 'grpc', port: 9090, appProtocol: 'grpc' });
      delete get(o, 'VirtualService', 'web').spec.http[1].route[0].destination.port;
    }, ['IST0112 error VirtualService shop/web spec.http[1].route[0].destination.port']],
    ['sourceLabels in a gateway-only VirtualService', (o) => { get(o, 'VirtualService', 'web-ingress').spec.http[0].match = [{ sourceLabels: { app: 'client' } }]; },
      ['VM0001 error VirtualService shop/web-ingress spec.http[0].match[0].sourceLabels'], /sourceLabels only match sidecar \(mesh\) callers/],
    ['IST0132 VirtualService host not served by its Gateway', (o) => { get(o, 'VirtualService', 'web-ingress').spec.hosts = ['other.example.com']; },
      ['IST0132 error VirtualService shop/web-ingress spec.hosts[0]'], /host 'other\.example\.com' is not served by Gateway 'gw' \(hosts: shop\.example\.com\)/],
    ['IST0118 port without protocol', (o) => { get(o, 'Service', 'web').spec.ports[0] = { name: 'web', port: 8080 }; },
      ['IST0118 warning Service shop/web spec.ports[0]']],
    ['server-first port not TCP under STRICT', (o) => { get(o, 'Service', 'db').spec.ports[0] = { name: 'mysql', port: 3306, appProtocol: 'mysql' }; },
      ['VM0004 error Service shop/db spec.ports[0]'], /port 3306 carries MySQL, a server-first protocol/],
    ['DestinationRule TLS contradicting STRICT', (o) => { get(o, 'DestinationRule', 'web').spec.trafficPolicy.tls.mode = 'DISABLE'; },
      ['VM0003 error DestinationRule shop/web spec.trafficPolicy.tls.mode']],
    ['IST0102 namespace without injection', (o) => { delete get(o, 'Namespace', NS).metadata.labels; },
      ['IST0102 error Namespace shop metadata.labels']],
    ['IST0144 pod running as UID 1337', (o) => { get(o, 'Deployment', 'web-1-0').spec.template.spec.containers[0].securityContext = { runAsUser: 1337 }; },
      ['IST0144 error Deployment shop/web-1-0 spec.template.spec.containers[0].securityContext.runAsUser']],
  ];

  test.each(cases)('GIVEN %s THEN it is reported', (_, mutate, expected, ...rest) => {
    const [message] = rest;
    const objs = good();
    mutate(objs);
    const findings = analyzeMesh(objs as Manifest[]);
    expect(codes(findings)).toEqual(expected);
    if (message) expect(findings.map((f) => f.message).join('\n')).toMatch(message);
  });

  test('GIVEN a server-first port not declared TCP but no STRICT policy THEN it is only a protocol question', () => {
    const objs = good().filter((o) => o.kind !== 'PeerAuthentication');
    get(objs, 'Service', 'db').spec.ports[0] = { name: 'mysql', port: 3306 };
    expect(codes(analyzeMesh(objs))).toEqual([]);
  });
});
