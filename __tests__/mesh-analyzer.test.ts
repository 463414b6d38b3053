import type { Finding, Manifest } from 'voting-mesh';
import { analyzeMesh, formatFinding } from 'voting-mesh';
import { votingManifests } from './support';

const NS = 'shop';
const HOST = `web.${NS}.svc.cluster.local`;

/**
 * A minimal, correct stage: one service with two versions, a gateway, strict mTLS. It is the
 * passing fixture of every rule: lane pinning (sourceLabels) in a mesh VirtualService (VM0001),
 * weights 90/10 (VM0002), ISTIO_MUTUAL under STRICT (VM0003), MySQL declared tcp (VM0004), every
 * subset with pods (VM0008); the cases below each break one thing.
 */
function good(): any[] {
  const meta = (name: string, labels?: Record<string, string>) => ({
    name,
    namespace: NS,
    ...(labels ? { labels } : {}),
  });
  const deployment = (version: string, extra: any = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(`web-${version.replace('.', '-')}`),
    spec: {
      selector: { matchLabels: { app: 'web', version } },
      template: {
        metadata: { labels: { app: 'web', version } },
        spec: { containers: [{ name: 'web', image: 'web:1', ...extra }] },
      },
    },
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio-injection': 'enabled' } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web'),
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 8080, appProtocol: 'http' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('db'),
      spec: { selector: { app: 'db' }, ports: [{ name: 'tcp-mysql', port: 3306, appProtocol: 'tcp' }] },
    },
    deployment('1.0'),
    deployment('2.0'),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('db-1-0'),
      spec: {
        template: { metadata: { labels: { app: 'db', version: '1.0' } }, spec: { containers: [{ name: 'db' }] } },
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: meta('web'),
      spec: {
        host: HOST,
        trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
        subsets: [
          { name: 'v1-0', labels: { version: '1.0' } },
          { name: 'v2-0', labels: { version: '2.0' } },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: meta('gw'),
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta('web-ingress'),
      spec: {
        hosts: ['shop.example.com'],
        gateways: ['gw'],
        http: [
          {
            name: 'beta',
            match: [{ headers: { cookie: { regex: '^(.*;\\s*)?beta=1(\\s*;.*)?$' } } }],
            route: [{ destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } } }],
          },
          {
            name: 'default',
            route: [
              { destination: { host: HOST, subset: 'v1-0', port: { number: 8080 } }, weight: 90 },
              { destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } }, weight: 10 },
            ],
          },
        ],
      },
    },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: meta('web'),
      spec: {
        hosts: [HOST],
        gateways: ['mesh'],
        http: [
          {
            name: 'pinned',
            match: [{ sourceLabels: { app: 'client', version: '2.0' } }],
            route: [{ destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } } }],
          },
          { name: 'default', route: [{ destination: { host: HOST, subset: 'v1-0', port: { number: 8080 } } }] },
        ],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: meta('default'),
      spec: { mtls: { mode: 'STRICT' } },
    },
  ];
}

const get = (objs: any[], kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name);
const codes = (findings: Finding[]) => findings.map((f) => `${f.code} ${f.level} ${f.object} ${f.field}`);

describe('mesh analyzer', () => {
  test('GIVEN a correct stage THEN it reports nothing', () => {
    expect(analyzeMesh(good())).toEqual([]);
  });

  test.each([...votingManifests().entries()])(
    "GIVEN voting stage %s THEN it reports nothing but the idle version's denied calls (Info)",
    (name, manifests) => {
      // Analytics 1.0 stays deployed for rollback in stages 2 and 3 but is in no lane: per-version
      // least privilege denies its calls, which the analyzer shows (VM0010) without failing synth.
      const idle = ['02-analytics-1-1-lock', '03-cookie-canary'].includes(name)
        ? [
            expect.stringMatching(
              /^VM0010 \[Info\] Deployment voting\/voting-storage-1-0 AuthorizationPolicy: call from idle Deployment voting\/voting-analytics-1-0 on port 6379 \(route voting-storage\/tcp\[\d\]\) is denied, as meant while it receives no traffic \(kept for rollback\): no rule of voting-storage-1-0, allow-nothing allows cluster\.local\/ns\/voting\/sa\/voting-analytics-1-0 on port 6379$/,
            ),
          ]
        : [];
      expect(analyzeMesh(manifests).map(formatFinding)).toEqual(idle);
    },
  );

  const AP = (name: string, spec: any) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { name, namespace: NS },
    spec,
  });
  const cases: [string, (o: any[]) => void, string[], RegExp?][] = [
    // Istio's virtualservice.DestinationHostAnalyzer and DestinationRuleAnalyzer (virtualservice/destinationhosts.go, destinationrules.go).
    [
      'IST0101 destination host without Service (and so without the subset)',
      (o) => {
        get(o, 'VirtualService', 'web').spec.http[1].route[0].destination.host = 'nope.shop.svc.cluster.local';
      },
      [
        'IST0101 Error VirtualService shop/web spec.http[1].route[0].destination.host',
        'IST0101 Error VirtualService shop/web spec.http[1].route[0].destination.subset',
      ],
      /Referenced host not found: "nope\.shop\.svc\.cluster\.local"/,
    ],
    [
      'IST0101 destination host declared by a ServiceEntry is known',
      (o) => {
        o.push({
          apiVersion: 'networking.istio.io/v1',
          kind: 'ServiceEntry',
          metadata: { name: 'ext', namespace: NS },
          spec: {
            hosts: ['api.example.com'],
            ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
            resolution: 'DNS',
          },
        });
        get(o, 'VirtualService', 'web').spec.http[1].route = [
          { destination: { host: 'api.example.com', port: { number: 8443 } } },
        ];
      },
      ['IST0101 Error VirtualService shop/web spec.http[1].route[0].destination.port'],
      /Referenced host:port not found: "api\.example\.com:8443"/,
    ],
    [
      'IST0101 a Knative Service is not a Kubernetes Service',
      (o) => {
        o.push({
          apiVersion: 'serving.knative.dev/v1',
          kind: 'Service',
          metadata: { name: 'kn', namespace: NS },
          spec: { template: { spec: { containers: [{ image: 'kn' }] } } },
        });
        get(o, 'VirtualService', 'web').spec.http[1].route = [{ destination: { host: 'kn', port: { number: 80 } } }];
      },
      ['IST0101 Error VirtualService shop/web spec.http[1].route[0].destination.host'],
    ],
    [
      'IST0101 subset not defined',
      (o) => {
        get(o, 'VirtualService', 'web').spec.http[0].route[0].destination.subset = 'v3-0';
      },
      ['IST0101 Error VirtualService shop/web spec.http[0].route[0].destination.subset'],
      /Referenced host\+subset in destinationrule not found: ".*\+v3-0"/,
    ],
    [
      'IST0112 destination without port on a multi-port Service',
      (o) => {
        get(o, 'Service', 'web').spec.ports.push({ name: 'grpc', port: 9090, appProtocol: 'grpc' });
        delete get(o, 'VirtualService', 'web').spec.http[1].route[0].destination.port;
      },
      ['IST0112 Error VirtualService shop/web spec.http[1].route[0].destination.port'],
    ],
    // destinationrule.PodNotSelectedAnalyzer (destinationrule/subset.go) and the project's VM0008 on the routes.
    [
      'IST0173 subset selecting no pods, routed to',
      (o) => {
        get(o, 'DestinationRule', 'web').spec.subsets[1].labels.version = '9.9';
      },
      [
        'IST0173 Error DestinationRule shop/web spec.subsets[1]',
        'VM0008 Error VirtualService shop/web-ingress spec.http[0].route[0].destination.subset',
        'VM0008 Error VirtualService shop/web-ingress spec.http[1].route[1].destination.subset',
        'VM0008 Error VirtualService shop/web spec.http[0].route[0].destination.subset',
      ],
    ],
    [
      'IST0174 DestinationRule host without Service',
      (o) => {
        get(o, 'DestinationRule', 'web').spec.host = 'gone.shop.svc.cluster.local';
      },
      expect.arrayContaining(['IST0174 Warning DestinationRule shop/web spec.host']) as any,
    ],
    // virtualservice.ConflictingMeshGatewayHostsAnalyzer: every VirtualService of the conflict, scoped by exportTo.
    [
      'IST0109 two mesh VirtualServices for one host',
      (o) => {
        o.push({
          ...get(o, 'VirtualService', 'web'),
          metadata: { name: 'web-2', namespace: NS },
          spec: { ...get(o, 'VirtualService', 'web').spec, hosts: ['web'] },
        });
      },
      ['IST0109 Error VirtualService shop/web spec.hosts', 'IST0109 Error VirtualService shop/web-2 spec.hosts'],
      /The VirtualServices shop\/web,shop\/web-2 associated with mesh gateway define the same host \*\/web\.shop\.svc\.cluster\.local/,
    ],
    [
      'IST0109 not given when exportTo scopes differ',
      (o) => {
        o.push({
          ...get(o, 'VirtualService', 'web'),
          metadata: { name: 'web-2', namespace: NS },
          spec: { ...get(o, 'VirtualService', 'web').spec, exportTo: ['other'] },
        });
        get(o, 'VirtualService', 'web').spec.exportTo = ['.'];
      },
      [],
    ],
    // Istio's VirtualService validation warnings (pkg/config/validation/validation.go analyzeUnreachableHTTPRules).
    [
      'IST0130 rule after a rule without matches',
      (o) => {
        get(o, 'VirtualService', 'web').spec.http.reverse();
      },
      ['IST0130 Warning VirtualService shop/web spec.http[1]'],
      /VirtualService rule "pinned" not used \(route without matches defined before\)/,
    ],
    [
      'uri prefix / is not a catch-all for Istio',
      (o) => {
        get(o, 'VirtualService', 'web-ingress').spec.http[0].match = [{ uri: { prefix: '/' } }];
      },
      [],
    ],
    [
      'IST0130 and IST0131 when every match repeats an earlier one',
      (o) => {
        const http = get(o, 'VirtualService', 'web').spec.http;
        http.splice(1, 0, { ...http[0], name: 'again' });
      },
      [
        'IST0131 Info VirtualService shop/web spec.http[1].match[0]',
        'IST0130 Warning VirtualService shop/web spec.http[1]',
      ],
      /rule "again" not used \(all matches used by prior rules\)/,
    ],
    [
      'IST0131 a prefix covered by an earlier prefix',
      (o) => {
        get(o, 'VirtualService', 'web-ingress').spec.http.splice(
          0,
          1,
          {
            name: 'api',
            match: [{ uri: { prefix: '/api' } }],
            route: [{ destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } } }],
          },
          {
            name: 'api-v2',
            match: [{ uri: { prefix: '/api/v2' } }],
            route: [{ destination: { host: HOST, subset: 'v2-0', port: { number: 8080 } } }],
          },
        );
      },
      ['IST0131 Info VirtualService shop/web-ingress spec.http[1].match[0]'],
    ],
    [
      'IST0002 deprecated fault delay percent',
      (o) => {
        get(o, 'VirtualService', 'web').spec.http[1].fault = { delay: { percent: 10, fixedDelay: '1s' } };
      },
      ['IST0002 Warning VirtualService shop/web spec.http[1].fault.delay.percent'],
    ],
    // virtualservice.GatewayAnalyzer and the gateway analyzers (virtualservice/gateways.go, gateway/gateway.go, gateway/conflictinggateway.go).
    [
      'IST0132 VirtualService host not served by its Gateway',
      (o) => {
        get(o, 'VirtualService', 'web-ingress').spec.hosts = ['other.example.com'];
      },
      ['IST0132 Warning VirtualService shop/web-ingress spec.hosts'],
      /one or more host \[other\.example\.com\] defined in VirtualService shop\/web-ingress not found in Gateway shop\/gw/,
    ],
    [
      'IST0101 Gateway reference not found',
      (o) => {
        get(o, 'VirtualService', 'web-ingress').spec.gateways = ['edge/gw'];
      },
      [
        'IST0101 Error VirtualService shop/web-ingress spec.gateways[0]',
        'IST0132 Warning VirtualService shop/web-ingress spec.hosts',
      ],
    ],
    [
      'IST0162 Gateway port the ingress Service does not expose',
      (o) => {
        get(o, 'Gateway', 'gw').spec.servers[0].port.number = 8081;
      },
      ['IST0162 Warning Gateway shop/gw spec.servers[0].port.number'],
    ],
    [
      'IST0101 and IST0161 a Gateway credentialName without a valid Secret',
      (o) => {
        const servers = get(o, 'Gateway', 'gw').spec.servers;
        servers.push(
          {
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            hosts: ['shop.example.com'],
            tls: { mode: 'SIMPLE', credentialName: 'missing' },
          },
          {
            port: { number: 443, name: 'https-2', protocol: 'HTTPS' },
            hosts: ['api.example.com'],
            tls: { mode: 'SIMPLE', credentialName: 'garbage' },
          },
        );
        o.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'garbage', namespace: 'istio-system' },
          data: { 'tls.crt': 'bm90IGEgY2VydA==', 'tls.key': 'bm90IGEga2V5' },
        });
      },
      [
        'IST0101 Error Gateway shop/gw spec.servers[1].tls.credentialName',
        'IST0161 Error Gateway shop/gw spec.servers[2].tls.credentialName',
      ],
    ],
    [
      'IST0145 two Gateways serving one host on one port',
      (o) => {
        o.push({ ...get(o, 'Gateway', 'gw'), metadata: { name: 'gw-2', namespace: NS } });
      },
      ['IST0145 Error Gateway shop/gw spec.servers[0]', 'IST0145 Error Gateway shop/gw-2 spec.servers[0]'],
    ],
    // service.PortNameAnalyzer (service/portname.go, pkg/config/kube/conversion.go ConvertProtocol).
    [
      'IST0118 port without protocol',
      (o) => {
        get(o, 'Service', 'web').spec.ports[0] = { name: 'web', port: 8080 };
      },
      ['IST0118 Info Service shop/web spec.ports[0]'],
    ],
    [
      'IST0118 a bad appProtocol wins over a good name',
      (o) => {
        get(o, 'Service', 'web').spec.ports[0] = { name: 'http', port: 8080, appProtocol: 'web' };
      },
      ['IST0118 Info Service shop/web spec.ports[0]'],
    ],
    [
      'IST0118 not given for UDP or a well-known port',
      (o) => {
        get(o, 'Service', 'web').spec.ports.push({ name: 'dns', port: 5353, protocol: 'UDP' });
        get(o, 'Service', 'db').spec.ports[0] = { name: 'db', port: 3306 };
      },
      [],
    ],
    // deployment.ServiceAssociationAnalyzer (deployment/services.go).
    [
      'IST0116 and IST0137 two Services on one pod disagreeing on protocol and port',
      (o) => {
        o.push({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'web-udp', namespace: NS },
          spec: {
            selector: { app: 'web' },
            ports: [
              { name: 'udp', port: 8080, protocol: 'UDP', targetPort: 9999 },
              { name: 'http-alt', port: 8081, targetPort: 8080 },
            ],
          },
        });
      },
      [
        'IST0116 Warning Deployment shop/web-1-0 spec.template.metadata.labels',
        'IST0137 Warning Deployment shop/web-1-0 spec.template.metadata.labels',
        'IST0116 Warning Deployment shop/web-2-0 spec.template.metadata.labels',
        'IST0137 Warning Deployment shop/web-2-0 spec.template.metadata.labels',
      ],
    ],
    // destinationrule.CaCertificateAnalyzer (destinationrule/ca-certificates.go).
    [
      'IST0128 and IST0129 TLS without CA certificates',
      (o) => {
        get(o, 'DestinationRule', 'web').spec.trafficPolicy = {
          tls: { mode: 'SIMPLE' },
          portLevelSettings: [{ port: { number: 8080 }, tls: { mode: 'MUTUAL', credentialName: 'c' } }],
        };
      },
      [
        'IST0128 Warning DestinationRule shop/web spec.trafficPolicy.tls',
        'IST0129 Warning DestinationRule shop/web spec.trafficPolicy.portLevelSettings[0].tls',
        'VM0003 Error DestinationRule shop/web spec.trafficPolicy.tls.mode',
      ],
    ],
    // injection.Analyzer (injection/injection.go).
    [
      'IST0102 namespace without injection (Info)',
      (o) => {
        delete get(o, 'Namespace', NS).metadata.labels;
      },
      ['IST0102 Info Namespace shop metadata.labels'],
    ],
    [
      'IST0102 not given for istio-injection=disabled or ambient',
      (o) => {
        get(o, 'Namespace', NS).metadata.labels = { 'istio-injection': 'disabled' };
        o.push({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'amb', labels: { 'istio.io/dataplane-mode': 'ambient' } },
        });
      },
      [],
    ],
    [
      'IST0123 namespace with two injection labels',
      (o) => {
        get(o, 'Namespace', NS).metadata.labels['istio.io/rev'] = 'canary';
      },
      ['IST0123 Warning Namespace shop metadata.labels'],
    ],
    // authz.AuthorizationPoliciesAnalyzer (authz/authorizationpolicies.go).
    [
      'IST0127 and IST0101 policy selecting nothing, naming an unknown namespace',
      (o) => {
        o.push(
          AP('nobody', {
            selector: { matchLabels: { app: 'ghost' } },
            rules: [{ from: [{ source: { namespaces: ['elsewhere'] } }] }],
          }),
        );
      },
      [
        'IST0127 Warning AuthorizationPolicy shop/nobody spec.selector',
        'IST0101 Error AuthorizationPolicy shop/nobody spec.rules[0].from[0].source.namespaces[0]',
      ],
    ],
    // deployment.ApplicationUIDAnalyzer (deployment/pod.go).
    [
      'IST0144 pod running as UID 1337',
      (o) => {
        get(o, 'Deployment', 'web-1-0').spec.template.spec.containers[0].securityContext = { runAsUser: 1337 };
      },
      ['IST0144 Warning Deployment shop/web-1-0 spec.template.spec.containers[0].securityContext.runAsUser'],
    ],
    // Project rules.
    [
      'VM0002 weights not summing to 100',
      (o) => {
        get(o, 'VirtualService', 'web-ingress').spec.http[1].route[1].weight = 20;
      },
      ['VM0002 Warning VirtualService shop/web-ingress spec.http[1].route'],
      /weights sum to 110, not 100: Istio takes them as relative shares \(81\.8 %, 18\.2 %\)/,
    ],
    [
      'VM0001 sourceLabels in a gateway-only VirtualService',
      (o) => {
        get(o, 'VirtualService', 'web-ingress').spec.http[0].match = [{ sourceLabels: { app: 'client' } }];
      },
      ['VM0001 Error VirtualService shop/web-ingress spec.http[0].match[0].sourceLabels'],
      /sourceLabels only match sidecar \(mesh\) callers/,
    ],
    [
      'VM0004 server-first port not TCP under STRICT',
      (o) => {
        get(o, 'Service', 'db').spec.ports[0] = { name: 'mysql', port: 3306, appProtocol: 'mysql' };
      },
      ['VM0004 Error Service shop/db spec.ports[0]'],
      /port 3306 carries MySQL, a server-first protocol/,
    ],
    [
      'VM0007 calls of a workload that cannot be inferred',
      (o) => {
        o.push(AP('allow-all', { rules: [{}] }));
        get(o, 'Service', 'web').spec.ports.push({ name: 'grpc', port: 9090, appProtocol: 'grpc' });
        get(o, 'Deployment', 'db-1-0').spec.template.spec.containers[0].env = [{ name: 'BACKEND_HOST', value: 'web' }];
      },
      ['VM0007 Warning Deployment shop/db-1-0 spec.template.spec.containers'],
      /names Service 'web', which has ports 8080, 9090/,
    ],
    [
      'VM0003 DestinationRule TLS contradicting STRICT',
      (o) => {
        get(o, 'DestinationRule', 'web').spec.trafficPolicy.tls.mode = 'DISABLE';
      },
      ['VM0003 Error DestinationRule shop/web spec.trafficPolicy.tls.mode'],
    ],
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

  test('GIVEN an object too malformed for a rule THEN VM0009 says so instead of crashing', () => {
    const objs = good();
    get(objs, 'VirtualService', 'web').spec.http = 'not a list';
    expect(codes(analyzeMesh(objs)).filter((c) => c.startsWith('VM0009'))).toEqual(
      expect.arrayContaining(['VM0009 Error Analyzer virtualservice.DestinationHostAnalyzer ']),
    );
  });

  test('GIVEN objects in kube-system THEN Istio ignores them (local/istiod_analyze.go IgnoredNamespaces)', () => {
    const objs = good();
    objs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'dns', namespace: 'kube-system' },
      spec: { ports: [{ name: 'x', port: 1 }] },
    });
    expect(codes(analyzeMesh(objs))).toEqual([]);
  });

  test('GIVEN the ingress controller turned off THEN no default ingress gateway is assumed (AddDefaultResources)', () => {
    expect(codes(analyzeMesh(good(), { meshConfig: { ingressControllerOff: true } }))).toEqual([
      'IST0101 Error Gateway shop/gw spec.selector',
    ]);
  });

  test('GIVEN the voting stages THEN no Istio code is accepted or failing', () => {
    for (const manifests of votingManifests().values())
      expect(analyzeMesh(manifests).filter((f) => f.level !== 'Info')).toEqual([]);
  });
});
