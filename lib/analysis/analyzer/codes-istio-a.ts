import { defineCode, message } from './define-code';

// Kept in one file: the catalogue is data, one defineCode entry per Istio code in code order, read
// top to bottom against messages.yaml; it is split only at IST0140 (codes-istio-b.ts) to stay readable.
// Istio's codes IST0002..IST0140: code, name and level as in Istio 1.30.3
// pkg/config/analysis/msg/messages.yaml (a test compares them), each emitted by the Go analyzer
// named. A message starts with Istio's template where the project's message follows it, and
// adds what to do after a colon.

export const IST0002 = defineCode({
  code: 'IST0002',
  name: 'Deprecated',
  level: 'Warning',
  analyzer: 'deprecation.FieldAnalyzer, telemetry.LightstepAnalyzer',
  reads: ['VirtualService', 'Sidecar', 'CustomResourceDefinition', 'Telemetry', 'MeshConfig'],
  description:
    'A feature the configuration depends on is deprecated (fault.delay.percent, Sidecar egressProxy, removed CRDs, Lightstep tracing).',
  messages: {
    faultDelayPercent: message(
      'Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage',
      {},
    ),
    egressProxy: message('Deprecated: OutboundTrafficPolicy.EgressProxy ignored', {}),
    removedKind: message('Deprecated: Custom resource type {group} {kind} is removed', {
      group: 'rbac.istio.io',
      kind: 'RbacConfig',
    }),
    lightstep: message(
      'Deprecated: The Lightstep provider {provider} is deprecated, please migrate to OpenTelemetry provider.',
      { provider: 'lightstep' },
    ),
  },
});

export const IST0101 = defineCode({
  code: 'IST0101',
  name: 'ReferencedResourceNotFound',
  level: 'Error',
  analyzer:
    'virtualservice.DestinationHostAnalyzer, virtualservice.DestinationRuleAnalyzer, virtualservice.GatewayAnalyzer, gateway.IngressGatewayPortAnalyzer, gateway.ConflictingGatewayAnalyzer, gateway.SecretAnalyzer, sidecar.SelectorAnalyzer, telemetry.SelectorAnalyzer, authz.AuthorizationPoliciesAnalyzer',
  reads: [
    'VirtualService',
    'DestinationRule',
    'Gateway',
    'Secret',
    'Sidecar',
    'Telemetry',
    'Service',
    'ServiceEntry',
    'Pod',
    'workloads',
    'Namespace',
    'AuthorizationPolicy',
  ],
  description:
    'A resource being referenced does not exist: destination host, host:port, host+subset, gateway, gateway selector, namespace.',
  messages: {
    host: message(
      'Referenced {reftype} not found: "{host}" (no Service or ServiceEntry visible to namespace {namespace} declares it)',
      { reftype: 'host' as 'host' | 'mirror host', host: 'reviews.shop.svc.cluster.local', namespace: 'shop' },
    ),
    hostPort: message('Referenced host:port not found: "{host}:{port}" (ports: {ports})', {
      host: 'reviews.shop.svc.cluster.local',
      port: 9090,
      ports: '9080',
    }),
    subset: message(
      'Referenced {reftype} in destinationrule not found: "{host}+{subset}" (define subset {subset} in a DestinationRule for {host})',
      { reftype: 'host+subset' as 'host+subset' | 'mirror+subset', host: 'reviews', subset: 'v3' },
    ),
    gateway: message('Referenced gateway not found: "{gateway}" (no Gateway {namespace}/{name})', {
      gateway: 'shop-gateway',
      namespace: 'shop',
      name: 'shop-gateway',
    }),
    gatewaySelector: message(
      'Referenced selector not found: "{selector}" (no pod carries these labels; Istio\'s default ingress gateway pods carry istio=ingressgateway)',
      { selector: 'istio=ingress' },
    ),
    workloadSelector: message('Referenced selector not found: "{selector}"', { selector: 'app=reviews' }),
    credentialName: message(
      'Referenced credentialName not found: "{credentialName}" (no Secret {namespace}/{secret})',
      { credentialName: 'shop-cert', namespace: 'istio-system', secret: 'shop-cert' },
    ),
    namespace: message('Referenced namespace not found: "{namespace}"', { namespace: 'shop-old' }),
  },
});

export const IST0102 = defineCode({
  code: 'IST0102',
  name: 'NamespaceNotInjected',
  level: 'Info',
  analyzer: 'injection.Analyzer',
  reads: ['Namespace', 'ConfigMap'],
  description:
    'A namespace is not enabled for Istio injection (no istio-injection or istio.io/rev label, not ambient).',
  messages: {
    notInjected: message(
      "The namespace is not enabled for Istio injection. Run 'kubectl label namespace {namespace} istio-injection=enabled' to enable it, or 'kubectl label namespace {namespace} istio-injection=disabled' to explicitly mark it as not needing injection.",
      { namespace: 'shop' },
    ),
  },
});

export const IST0103 = defineCode({
  code: 'IST0103',
  name: 'PodMissingProxy',
  level: 'Warning',
  analyzer: 'injection.Analyzer',
  reads: ['Pod', 'Namespace'],
  description: 'A Pod in an injected namespace has no istio-proxy container.',
  messages: {
    missingProxy: message(
      'The pod {pod} is missing the Istio proxy. This can often be resolved by restarting or redeploying the workload.',
      { pod: 'shop/reviews-v1-5d8f' },
    ),
  },
});

const ANNOTATED: ['Namespace', 'Service', 'Pod', 'Deployment'] = ['Namespace', 'Service', 'Pod', 'Deployment'];

export const IST0107 = defineCode({
  code: 'IST0107',
  name: 'MisplacedAnnotation',
  level: 'Warning',
  analyzer: 'annotations.K8sAnalyzer',
  reads: ANNOTATED,
  description: "An Istio annotation on a kind it does not apply to (a Pod annotation on a Deployment's own metadata).",
  messages: {
    misplaced: message('Misplaced annotation: {annotation} can only be applied to {kinds}', {
      annotation: 'sidecar.istio.io/proxyCPU',
      kinds: 'Pod',
    }),
  },
});

export const IST0108 = defineCode({
  code: 'IST0108',
  name: 'UnknownAnnotation',
  level: 'Warning',
  analyzer: 'annotations.K8sAnalyzer',
  reads: ANNOTATED,
  description: 'An annotation with an istio.io prefix that Istio does not know.',
  messages: {
    unknown: message('Unknown annotation: {annotation}: Istio does not read it; check the spelling', {
      annotation: 'sidecar.istio.io/proxyCpu',
    }),
  },
});

export const IST0109 = defineCode({
  code: 'IST0109',
  name: 'ConflictingMeshGatewayVirtualServiceHosts',
  level: 'Error',
  analyzer: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  reads: ['VirtualService'],
  description: 'Several mesh VirtualServices route the same host in the same scope (hosts, gateways, exportTo).',
  messages: {
    conflict: message(
      'The VirtualServices {virtualServices} associated with mesh gateway define the same host {host} which can lead to undefined behavior: merge them into one VirtualService',
      { virtualServices: 'shop/reviews,shop/reviews-lanes', host: 'reviews.shop.svc.cluster.local' },
    ),
  },
});

export const IST0110 = defineCode({
  code: 'IST0110',
  name: 'ConflictingSidecarWorkloadSelectors',
  level: 'Error',
  analyzer: 'sidecar.SelectorAnalyzer',
  reads: ['Sidecar', 'Pod', 'workloads'],
  description: 'Two Sidecars select the same workload pod.',
  messages: {
    samePod: message(
      'The Sidecars {sidecars} in namespace "{namespace}" select the same workload pod "{pod}", which can lead to undefined behavior: make their selectors disjoint',
      { sidecars: '[reviews reviews-v1]', namespace: 'shop', pod: 'reviews-v1' },
    ),
  },
});

export const IST0111 = defineCode({
  code: 'IST0111',
  name: 'MultipleSidecarsWithoutWorkloadSelectors',
  level: 'Error',
  analyzer: 'sidecar.SelectorAnalyzer',
  reads: ['Sidecar'],
  description: 'More than one Sidecar of a namespace has no workload selector.',
  messages: {
    noSelector: message(
      'The Sidecars {sidecars} in namespace "{namespace}" have no workload selector, which can lead to undefined behavior: keep one',
      { sidecars: '[default egress]', namespace: 'shop' },
    ),
  },
});

export const IST0112 = defineCode({
  code: 'IST0112',
  name: 'VirtualServiceDestinationPortSelectorRequired',
  level: 'Error',
  analyzer: 'virtualservice.DestinationHostAnalyzer',
  reads: ['VirtualService', 'Service', 'ServiceEntry'],
  description: 'A route to a host with more than one port names no port.',
  messages: {
    portRequired: message('routes to "{host}", which exposes ports [{ports}]: name one in destination.port.number', {
      host: 'reviews.shop.svc.cluster.local',
      ports: '9080 9090',
    }),
  },
});

export const IST0116 = defineCode({
  code: 'IST0116',
  name: 'DeploymentAssociatedToMultipleServices',
  level: 'Warning',
  analyzer: 'deployment.ServiceAssociationAnalyzer',
  reads: ['Deployment', 'Service', 'Namespace'],
  description: 'Services selecting the pods of a mesh Deployment use one port number with different protocols.',
  messages: {
    protocols: message(
      'This deployment {deployment} is associated with multiple services using port {port} but different protocols: [{services}]',
      { deployment: 'reviews-v1', port: '9080', services: 'reviews reviews-grpc' },
    ),
  },
});

export const IST0118 = defineCode({
  code: 'IST0118',
  name: 'PortNameIsNotUnderNamingConvention',
  level: 'Info',
  analyzer: 'service.PortNameAnalyzer',
  reads: ['Service'],
  description: 'A Service port declares no protocol Istio knows (name prefix or appProtocol); Istio sniffs it.',
  messages: {
    portName: message(
      "Port name {portName} (port: {port}, targetPort: {targetPort}) doesn't follow the naming convention of Istio port: name it <protocol>[-suffix] or set appProtocol",
      { portName: 'web', port: '80', targetPort: '8080' },
    ),
  },
});

export const IST0123 = defineCode({
  code: 'IST0123',
  name: 'NamespaceMultipleInjectionLabels',
  level: 'Warning',
  analyzer: 'injection.Analyzer',
  reads: ['Namespace'],
  description: 'A namespace has more than one kind of injection label.',
  messages: {
    labels: message(
      'The namespace has more than one type of injection labels [{labels}], which may lead to undefined behavior: keep only one',
      { labels: 'istio-injection istio.io/rev' },
    ),
  },
});

export const IST0125 = defineCode({
  code: 'IST0125',
  name: 'InvalidAnnotation',
  level: 'Warning',
  analyzer: 'annotations.K8sAnalyzer',
  reads: ['Pod', 'workloads'],
  description:
    'An Istio annotation of a pod with an invalid value (ports, CIDRs, integers, quantities, interception mode).',
  messages: {
    invalid: message('Invalid annotation {annotation}: {problem}', {
      annotation: 'traffic.sidecar.istio.io/excludeOutboundPorts',
      problem: '"80a" is not a port number',
    }),
  },
});

export const IST0127 = defineCode({
  code: 'IST0127',
  name: 'NoMatchingWorkloadsFound',
  level: 'Warning',
  analyzer: 'authz.AuthorizationPoliciesAnalyzer',
  reads: ['AuthorizationPolicy', 'Pod', 'workloads', 'Namespace'],
  description: 'An AuthorizationPolicy selects no workload in the mesh.',
  messages: {
    selector: message('No matching workloads for this resource with the following labels: {selector}', {
      selector: 'app=reviews,version=v3',
    }),
    emptyNamespace: message(
      'No matching workloads for this resource with the following labels: (namespace {namespace} has no mesh workload)',
      { namespace: 'shop' },
    ),
  },
});

export const IST0128 = defineCode({
  code: 'IST0128',
  name: 'NoServerCertificateVerificationDestinationLevel',
  level: 'Warning',
  analyzer: 'destinationrule.CaCertificateAnalyzer',
  reads: ['DestinationRule'],
  description:
    'A DestinationRule uses SIMPLE or MUTUAL TLS without caCertificates: the server certificate is not verified.',
  messages: {
    noCaCertificates: message(
      'DestinationRule {destinationRule} in namespace {namespace} has TLS mode set to {mode} but no caCertificates are set to validate server identity for host: {host}',
      { destinationRule: 'payments', namespace: 'shop', mode: 'SIMPLE', host: 'payments.example.com' },
    ),
  },
});

export const IST0129 = defineCode({
  code: 'IST0129',
  name: 'NoServerCertificateVerificationPortLevel',
  level: 'Warning',
  analyzer: 'destinationrule.CaCertificateAnalyzer',
  reads: ['DestinationRule'],
  description: 'The same, in a portLevelSettings entry.',
  messages: {
    noCaCertificates: message(
      'DestinationRule {destinationRule} in namespace {namespace} has TLS mode set to {mode} but no caCertificates are set to validate server identity for host: {host} at port {port}',
      {
        destinationRule: 'payments',
        namespace: 'shop',
        mode: 'SIMPLE',
        host: 'payments.example.com',
        port: 'number:443',
      },
    ),
  },
});

export const IST0130 = defineCode({
  code: 'IST0130',
  name: 'VirtualServiceUnreachableRule',
  level: 'Warning',
  analyzer: 'schema.ValidationAnalyzer (VirtualService)',
  reads: ['VirtualService'],
  description: 'A route can never be used: a rule without matches before it, or every match repeats an earlier one.',
  messages: {
    unused: message('VirtualService rule {rule} not used ({reason}).', {
      rule: '#1',
      reason: 'only the last rule can have no matches',
    }),
  },
});

export const IST0131 = defineCode({
  code: 'IST0131',
  name: 'VirtualServiceIneffectiveMatch',
  level: 'Info',
  analyzer: 'schema.ValidationAnalyzer (VirtualService)',
  reads: ['VirtualService'],
  description: 'A match repeats (or is covered by the prefix of) a match of an earlier route.',
  messages: {
    duplicate: message(
      'VirtualService rule {rule} match {match} is not used (duplicate/overlapping match in rule {earlierRule}).',
      { rule: '#1', match: '#0', earlierRule: '#0' },
    ),
    prefixCovered: message(
      'VirtualService rule {rule} match {match} of prefix {prefix} is not used (duplicate/overlapping match in rule {earlierMatch} of prefix {earlierPrefix} on {earlierRule}).',
      { rule: '#1', match: '#0', prefix: '/api/v1', earlierMatch: '#0', earlierPrefix: '/api', earlierRule: '#0' },
    ),
  },
});

export const IST0132 = defineCode({
  code: 'IST0132',
  name: 'VirtualServiceHostNotFoundInGateway',
  level: 'Warning',
  analyzer: 'virtualservice.GatewayAnalyzer',
  reads: ['VirtualService', 'Gateway'],
  description: 'No host of the VirtualService is served by a Gateway it binds to.',
  messages: {
    notInGateway: message(
      'one or more host [{hosts}] defined in VirtualService {virtualService} not found in Gateway {gateway}.',
      { hosts: 'shop.example.com', virtualService: 'shop/frontend', gateway: 'shop/shop-gateway' },
    ),
  },
});

export const IST0134 = defineCode({
  code: 'IST0134',
  name: 'ServiceEntryAddressesRequired',
  level: 'Warning',
  analyzer: 'serviceentry.ProtocolAddressesAnalyzer',
  reads: ['ServiceEntry', 'MeshConfig'],
  description:
    'A ServiceEntry with a TCP (or protocol-less) port has no addresses and none are allocated (MeshConfig proxyMetadata).',
  messages: {
    addressesRequired: message(
      'ServiceEntry addresses are required for this protocol: set spec.addresses, or enable DNS capture with auto allocation',
      {},
    ),
  },
});

export const IST0135 = defineCode({
  code: 'IST0135',
  name: 'DeprecatedAnnotation',
  level: 'Info',
  analyzer: 'annotations.K8sAnalyzer',
  reads: ANNOTATED,
  description: 'A deprecated Istio annotation.',
  messages: {
    deprecated: message('Annotation "{annotation}" has been deprecated and may not work in future Istio versions.', {
      annotation: 'sidecar.istio.io/interceptionMode',
    }),
    injectAnnotation: message(
      'Annotation "{annotation}" has been deprecated in favor of the "sidecar.istio.io/inject" label and may not work in future Istio versions.',
      { annotation: 'sidecar.istio.io/inject' },
    ),
  },
});

export const IST0136 = defineCode({
  code: 'IST0136',
  name: 'AlphaAnnotation',
  level: 'Info',
  analyzer: 'maturity.AlphaAnalyzer',
  reads: ANNOTATED,
  description: 'An annotation of an alpha-phase Istio feature.',
  messages: {
    alpha: message('Annotation "{annotation}" is part of an alpha-phase feature and may be incompletely supported.', {
      annotation: 'sidecar.istio.io/bootstrapOverride',
    }),
  },
});

export const IST0137 = defineCode({
  code: 'IST0137',
  name: 'DeploymentConflictingPorts',
  level: 'Warning',
  analyzer: 'deployment.ServiceAssociationAnalyzer',
  reads: ['Deployment', 'Service', 'Namespace'],
  description: 'Services selecting the same mesh Deployment send one targetPort from different ports.',
  messages: {
    ports: message(
      'This deployment {deployment} is associated with multiple services [{services}] using targetPort "{targetPort}" but different ports: [{ports}].',
      { deployment: 'reviews-v1', services: 'reviews reviews-admin', targetPort: '9080', ports: '80 9080' },
    ),
  },
});

export const IST0138 = defineCode({
  code: 'IST0138',
  name: 'GatewayDuplicateCertificate',
  level: 'Warning',
  analyzer: 'gateway.CertificateAnalyzer',
  reads: ['Gateway'],
  description:
    'Gateways for the same workloads use the same certificate (404s when clients re-use HTTP/2 connections).',
  messages: {
    duplicate: message(
      'Duplicate certificate in multiple gateways [{gateways}] may cause 404s if clients re-use HTTP2 connections: give each gateway its own certificate',
      { gateways: 'shop/shop-gateway shop/admin-gateway' },
    ),
  },
});

export const IST0139 = defineCode({
  code: 'IST0139',
  name: 'InvalidWebhook',
  level: 'Error',
  analyzer: 'webhook.Analyzer',
  reads: ['MutatingWebhookConfiguration', 'Service'],
  description: 'Istio injection webhooks overlap (double injection), or one names a Service that does not exist.',
  messages: {
    overlap: message('Webhook overlaps with others: [{webhooks}]. This may cause injection to occur twice.', {
      webhooks: 'istio-revision-tag-default/namespace.sidecar-injector.istio.io',
    }),
    missingService: message('Injector refers to a control plane service that does not exist: {service}.', {
      service: 'istio-system/istiod-canary',
    }),
  },
});

export const IST0140 = defineCode({
  code: 'IST0140',
  name: 'IngressRouteRulesNotAffected',
  level: 'Warning',
  analyzer: 'virtualservice.DestinationHostAnalyzer',
  reads: ['VirtualService'],
  description:
    'A gateway route without subset sends to a host whose subset routing (another VirtualService) it bypasses.',
  messages: {
    bypassed: message(
      'Subset in virtual service {virtualService} has no effect on ingress gateway {gatewayVirtualService} requests: name a subset here too',
      { virtualService: 'shop/reviews', gatewayVirtualService: 'shop/frontend' },
    ),
  },
});
