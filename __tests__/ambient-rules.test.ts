import type { PassingCase, ReportedCase } from './rule-table-support';
import { get, ruleTable } from './rule-table-support';

const NS = 'amb';
const meta = (name: string, extra: any = {}) => ({ name, namespace: NS, ...extra });

/**
 * A correct ambient stage: namespace `amb` in ambient mode, Service web using waypoint `wp`, an
 * HTTPRoute on web, an L7 policy bound to the waypoint with targetRefs and an L4 policy with a
 * selector (enforced by ztunnel). Each case below breaks one thing.
 */
function good(): any[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio.io/dataplane-mode': 'ambient' } } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('web', { labels: { 'istio.io/use-waypoint': 'wp' } }),
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('db'),
      spec: { selector: { app: 'db' }, ports: [{ name: 'tcp', port: 5432 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta('db'),
      spec: { template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db' }] } } },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: meta('wp'),
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: meta('web'),
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }],
        rules: [{ backendRefs: [{ name: 'web', port: 80 }] }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta('web-get'),
      spec: {
        targetRefs: [{ kind: 'Service', group: '', name: 'web' }],
        rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
      },
    },
    {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: meta('db-l4'),
      spec: {
        selector: { matchLabels: { app: 'db' } },
        rules: [
          {
            from: [{ source: { principals: ['cluster.local/ns/amb/sa/web'] } }],
            to: [{ operation: { ports: ['5432'] } }],
          },
        ],
      },
    },
  ];
}

const vs = (spec: any) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: meta('web-vs'),
  spec: { hosts: ['web'], ...spec },
});

describe('ambient-mode rules', () => {
  const cases: ReportedCase[] = [
    [
      'VM0018 and VM0017 a mesh VirtualService with sourceLabels for a Service with a waypoint',
      (o) => {
        o.push(
          vs({
            http: [
              { match: [{ sourceLabels: { app: 'client' } }], route: [{ destination: { host: 'web' } }] },
              { route: [{ destination: { host: 'web' } }] },
            ],
          }),
        );
      },
      [
        'VM0018 Warning VirtualService amb/web-vs spec.hosts',
        'VM0017 Error VirtualService amb/web-vs spec.http[0].match[0].sourceLabels',
      ],
      /sourceLabels are not supported in ambient mode \(istio\/istio#51565\)/,
    ],
    [
      'VM0018 the waypoint named by the namespace label',
      (o) => {
        delete get(o, 'Service', 'web').metadata.labels;
        get(o, 'Namespace', NS).metadata.labels['istio.io/use-waypoint'] = 'wp';
        o.push(vs({ http: [{ route: [{ destination: { host: 'web' } }] }] }));
      },
      ['VM0018 Warning VirtualService amb/web-vs spec.hosts'],
      /waypoint amb\/wp/,
    ],
    [
      'VM0019 an ALLOW policy with HTTP attributes and a selector on ambient pods',
      (o) => {
        get(o, 'AuthorizationPolicy', 'db-l4').spec.rules[0].to[0].operation.paths = ['/admin'];
      },
      ['VM0019 Warning AuthorizationPolicy amb/db-l4 spec.rules'],
      /ztunnel does not support HTTP attributes \(found: paths\).*rules matching HTTP attributes are omitted/,
    ],
    [
      'VM0019 a DENY policy with a request header condition',
      (o) => {
        Object.assign(get(o, 'AuthorizationPolicy', 'db-l4').spec, {
          action: 'DENY',
          rules: [{ when: [{ key: 'request.headers[x-debug]', values: ['1'] }] }],
        });
      },
      ['VM0019 Warning AuthorizationPolicy amb/db-l4 spec.rules'],
      /DENY policy with HTTP attributes is enforced without the HTTP rules/,
    ],
    [
      'VM0020 an HTTPRoute on a Service without a waypoint in an ambient namespace',
      (o) => {
        get(o, 'HTTPRoute', 'web').spec.parentRefs[0].name = 'db';
      },
      ['VM0020 Warning HTTPRoute amb/web spec.parentRefs[0]'],
      /route will not be respected/,
    ],
    [
      'VM0020 an HTTPRoute on a Service whose pods are ambient, in a namespace that is not',
      (o) => {
        get(o, 'Namespace', NS).metadata.labels = {};
        get(o, 'Deployment', 'db').spec.template.metadata.labels['istio.io/dataplane-mode'] = 'ambient';
        get(o, 'HTTPRoute', 'web').spec.parentRefs[0].name = 'db';
        o.splice(o.indexOf(get(o, 'AuthorizationPolicy', 'web-get')), 1);
      },
      ['VM0020 Warning HTTPRoute amb/web spec.parentRefs[0]'],
    ],
    [
      'VM0020 an L7 policy bound to a Service without a waypoint',
      (o) => {
        get(o, 'AuthorizationPolicy', 'web-get').spec.targetRefs[0].name = 'db';
      },
      ['VM0020 Warning AuthorizationPolicy amb/web-get spec.targetRefs[0]'],
      /not bound to a waypoint/,
    ],
  ];

  const passing: PassingCase[] = [
    [
      'sourceLabels in a sidecar namespace (no waypoint)',
      (o) => {
        get(o, 'Namespace', NS).metadata.labels = { 'istio-injection': 'enabled' };
        delete get(o, 'Service', 'web').metadata.labels;
        o.push(
          vs({ http: [{ match: [{ sourceLabels: { app: 'client' } }], route: [{ destination: { host: 'web' } }] }] }),
        );
        o.splice(o.indexOf(get(o, 'AuthorizationPolicy', 'web-get')), 1);
      },
    ],
    [
      'a VirtualService of a third namespace is not taken by the waypoint',
      (o) => {
        o.push({
          ...vs({
            hosts: ['web.amb.svc.cluster.local'],
            http: [
              {
                match: [{ sourceLabels: { app: 'client' } }],
                route: [{ destination: { host: 'web.amb.svc.cluster.local' } }],
              },
            ],
          }),
          metadata: { name: 'web-vs', namespace: 'other' },
        });
      },
    ],
    [
      'a gateway-only VirtualService is not on the waypoint',
      (o) => {
        o.push(
          vs({
            gateways: ['edge'],
            http: [{ match: [{ sourceLabels: { app: 'client' } }], route: [{ destination: { host: 'web' } }] }],
          }),
        );
      },
    ],
    [
      "a Service opting out of its namespace's waypoint with use-waypoint none",
      (o) => {
        get(o, 'Namespace', NS).metadata.labels['istio.io/use-waypoint'] = 'wp';
        get(o, 'Service', 'web').metadata.labels = { 'istio.io/use-waypoint': 'none' };
        o.push(
          vs({ http: [{ match: [{ sourceLabels: { app: 'client' } }], route: [{ destination: { host: 'web' } }] }] }),
        );
        o.splice(o.indexOf(get(o, 'AuthorizationPolicy', 'web-get')), 1);
        o.splice(o.indexOf(get(o, 'HTTPRoute', 'web')), 1);
      },
    ],
    [
      'an HTTPRoute on a Service of a sidecar namespace needs no waypoint',
      (o) => {
        get(o, 'Namespace', NS).metadata.labels = { 'istio-injection': 'enabled' };
        get(o, 'HTTPRoute', 'web').spec.parentRefs[0].name = 'db';
        o.splice(o.indexOf(get(o, 'AuthorizationPolicy', 'web-get')), 1);
      },
    ],
    [
      'HTTP attributes in a selector policy for sidecar pods',
      (o) => {
        get(o, 'Namespace', NS).metadata.labels = { 'istio-injection': 'enabled' };
        get(o, 'AuthorizationPolicy', 'db-l4').spec.rules[0].to[0].operation.paths = ['/admin'];
      },
    ],
  ];

  ruleTable('project.ambient', good, cases, passing);
});
