import { defineCode, message } from './define-code';

// Kept in one file: catalogue data, one defineCode entry per code in code order (see codes-istio-a.ts).
// Istio's codes IST0144..IST0177 (see codes-istio-a.ts).

export const IST0144 = defineCode({
  code: 'IST0144',
  name: 'InvalidApplicationUID',
  level: 'Warning',
  analyzer: 'deployment.ApplicationUIDAnalyzer',
  reads: ['Pod', 'Deployment'],
  description: "An application container runs as UID 1337, the sidecar's UID: its traffic bypasses the proxy.",
  messages: {
    proxyUid: message(
      'User ID (UID) {uid} is reserved for the sidecar proxy: its traffic bypasses the proxy; run as another UID',
      { uid: 1337 },
    ),
  },
});

export const IST0145 = defineCode({
  code: 'IST0145',
  name: 'ConflictingGateways',
  level: 'Error',
  analyzer: 'gateway.ConflictingGatewayAnalyzer',
  reads: ['Gateway', 'Pod', 'workloads'],
  description: 'Gateways with the same selector and port serve the same host.',
  messages: {
    conflict: message(
      'Conflict with gateways {gateways} (workload selector {selector}, port {port}, hosts {hosts}): serve each host on a port once per gateway workload',
      { gateways: 'shop/admin-gateway', selector: 'istio=ingressgateway', port: '80', hosts: 'shop.example.com' },
    ),
  },
});

export const IST0146 = defineCode({
  code: 'IST0146',
  name: 'ImageAutoWithoutInjectionWarning',
  level: 'Warning',
  analyzer: 'injection.ImageAutoAnalyzer',
  reads: ['Deployment', 'Namespace', 'MutatingWebhookConfiguration'],
  description: 'A Deployment with an `image: auto` istio-proxy that no Istio injection webhook selects.',
  messages: {
    notInjected: message(
      'Deployment {deployment} contains `image: auto` but does not match any Istio injection webhook selectors: label its namespace or pods for injection',
      { deployment: 'ingress' },
    ),
  },
});

export const IST0147 = defineCode({
  code: 'IST0147',
  name: 'ImageAutoWithoutInjectionError',
  level: 'Error',
  analyzer: 'injection.ImageAutoAnalyzer',
  reads: ['Pod'],
  description: 'A Pod with an `image: auto` istio-proxy: it was not injected.',
  messages: {
    notInjected: message('Pod {pod} contains `image: auto` but does not match any Istio injection webhook selectors.', {
      pod: 'ingress-7d9c',
    }),
  },
});

export const IST0148 = defineCode({
  code: 'IST0148',
  name: 'NamespaceInjectionEnabledByDefault',
  level: 'Info',
  analyzer: 'injection.Analyzer',
  reads: ['Namespace', 'ConfigMap'],
  description: 'An unlabelled namespace is injected because the injector enables namespaces by default.',
  messages: {
    enabledByDefault: message(
      'namespace {namespace} is enabled for Istio injection, as Istio is installed with enableNamespacesByDefault as true.',
      { namespace: 'shop' },
    ),
  },
});

export const IST0149 = defineCode({
  code: 'IST0149',
  name: 'JwtClaimBasedRoutingWithoutRequestAuthN',
  level: 'Error',
  analyzer: 'virtualservice.JWTClaimRouteAnalyzer',
  reads: ['VirtualService', 'Gateway', 'Pod', 'workloads', 'RequestAuthentication'],
  description: 'A gateway route matches JWT claims but no RequestAuthentication applies to the gateway pods.',
  messages: {
    noRequestAuthentication: message(
      'The virtual service uses the JWT claim based routing (key: {key}) but found no request authentication for the gateway ({gateway}) pod ({pod}): apply a RequestAuthentication to the gateway pods',
      {
        key: '@request.auth.claims.group',
        gateway: 'istio-system/ingressgateway',
        pod: 'istio-ingressgateway-dummypod',
      },
    ),
  },
});

export const IST0150 = defineCode({
  code: 'IST0150',
  name: 'ExternalNameServiceTypeInvalidPortName',
  level: 'Warning',
  analyzer: 'service.PortNameAnalyzer',
  reads: ['Service'],
  description: 'An ExternalName Service port is named tcp or declares no known protocol.',
  messages: {
    portName: message(
      'Port name for ExternalName service is invalid: name it <protocol>[-suffix] with a protocol other than tcp (http, https, tls, ...)',
      {},
    ),
  },
});

const ENVOY_FILTER = { analyzer: 'envoyfilter.EnvoyPatchAnalyzer', reads: ['EnvoyFilter'] as ['EnvoyFilter'] };

export const IST0151 = defineCode({
  code: 'IST0151',
  name: 'EnvoyFilterUsesRelativeOperation',
  level: 'Warning',
  ...ENVOY_FILTER,
  description: 'An EnvoyFilter without priority uses a relative patch operation.',
  messages: {
    relative: message(
      'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied: set a priority, or use INSERT_FIRST or ADD',
      {},
    ),
  },
});

export const IST0152 = defineCode({
  code: 'IST0152',
  name: 'EnvoyFilterUsesReplaceOperationIncorrectly',
  level: 'Error',
  ...ENVOY_FILTER,
  description: 'REPLACE on something other than an HTTP or network filter (or virtual host).',
  messages: {
    replace: message('The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER (and VIRTUAL_HOST).', {}),
  },
});

export const IST0153 = defineCode({
  code: 'IST0153',
  name: 'EnvoyFilterUsesAddOperationIncorrectly',
  level: 'Error',
  ...ENVOY_FILTER,
  description: 'ADD on ROUTE_CONFIGURATION or HTTP_ROUTE, where it is ignored.',
  messages: {
    add: message('The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.', {}),
  },
});

export const IST0154 = defineCode({
  code: 'IST0154',
  name: 'EnvoyFilterUsesRemoveOperationIncorrectly',
  level: 'Error',
  ...ENVOY_FILTER,
  description: 'REMOVE on ROUTE_CONFIGURATION or HTTP_ROUTE, where it is ignored.',
  messages: {
    remove: message(
      'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.',
      {},
    ),
  },
});

export const IST0155 = defineCode({
  code: 'IST0155',
  name: 'EnvoyFilterUsesRelativeOperationWithProxyVersion',
  level: 'Warning',
  ...ENVOY_FILTER,
  description: 'A relative patch without priority on a filter another patch pins to a proxyVersion.',
  messages: {
    relative: message(
      'This EnvoyFilter does not have a priority and has a relative patch operation (INSERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade: set a priority, or use INSERT_FIRST or ADD',
      {},
    ),
  },
});

export const IST0157 = defineCode({
  code: 'IST0157',
  name: 'InvalidTelemetryProvider',
  level: 'Warning',
  analyzer: 'telemetry.ProviderAnalyzer',
  reads: ['Telemetry', 'MeshConfig'],
  description:
    'A Telemetry access-log entry names no provider and the mesh has no default (MeshConfig defaultProviders): it is ignored.',
  messages: {
    emptyProviders: message(
      'The Telemetry {telemetry} in namespace "{namespace}" with empty providers will be ignored: name a provider, or set meshConfig.defaultProviders.accessLogging',
      { telemetry: 'access-logs', namespace: 'shop' },
    ),
  },
});

export const IST0158 = defineCode({
  code: 'IST0158',
  name: 'PodsIstioProxyImageMismatchInNamespace',
  level: 'Warning',
  analyzer: 'injection.ImageAnalyzer',
  reads: ['Pod', 'Namespace', 'ConfigMap', 'ProxyConfig', 'MeshConfig'],
  description:
    'Pods of an injected namespace run another proxy image than the injector (ConfigMap istio-sidecar-injector*, ProxyConfig, MeshConfig defaultConfig.image) would inject: redeploy after an upgrade.',
  messages: {
    mismatch: message(
      'The Istio proxy images of the pods running in the namespace do not match the image defined in the injection configuration (pod names: [{pods}]): redeploy them',
      { pods: 'reviews-v1-5d8f ratings-v1-7c4b' },
    ),
  },
});

export const IST0159 = defineCode({
  code: 'IST0159',
  name: 'ConflictingTelemetryWorkloadSelectors',
  level: 'Error',
  analyzer: 'telemetry.SelectorAnalyzer',
  reads: ['Telemetry', 'Pod', 'workloads'],
  description: 'Two Telemetries select the same workload pod.',
  messages: {
    samePod: message(
      'The Telemetries {telemetries} in namespace "{namespace}" select the same workload pod "{pod}", which can lead to undefined behavior: make their selectors disjoint',
      { telemetries: '[logs tracing]', namespace: 'shop', pod: 'reviews-v1' },
    ),
  },
});

export const IST0160 = defineCode({
  code: 'IST0160',
  name: 'MultipleTelemetriesWithoutWorkloadSelectors',
  level: 'Error',
  analyzer: 'telemetry.DefaultSelectorAnalyzer',
  reads: ['Telemetry'],
  description: 'More than one Telemetry of a namespace has no workload selector.',
  messages: {
    noSelector: message(
      'The Telemetries {telemetries} in namespace "{namespace}" have no workload selector, which can lead to undefined behavior: keep one',
      { telemetries: '[logs tracing]', namespace: 'shop' },
    ),
  },
});

export const IST0161 = defineCode({
  code: 'IST0161',
  name: 'InvalidGatewayCredential',
  level: 'Error',
  analyzer: 'gateway.SecretAnalyzer',
  reads: ['Gateway', 'Secret', 'Pod', 'workloads'],
  description:
    'The Secret a Gateway TLS server names lacks the certificate keys, or its certificate does not parse or is not currently valid.',
  messages: {
    invalid: message(
      'The credential referenced by the Gateway {gateway} in namespace {namespace} is invalid, which can cause the traffic not to work as expected: it needs tls.crt and tls.key (or cert and key) with a current certificate',
      { gateway: 'shop-gateway', namespace: 'istio-system' },
    ),
  },
});

export const IST0162 = defineCode({
  code: 'IST0162',
  name: 'GatewayPortNotDefinedOnService',
  level: 'Warning',
  analyzer: 'gateway.IngressGatewayPortAnalyzer',
  reads: ['Gateway', 'Pod', 'workloads', 'Service'],
  description: 'A Gateway server port is not a (target) port of any Service selecting the gateway pods.',
  messages: {
    portNotOnService: message(
      'The gateway is listening on a target port (port {port}) that is not defined in the Service associated with its workload instances (Pod selector {selector}): add it to that Service',
      { port: 8443, selector: 'istio=ingressgateway' },
    ),
  },
});

const EXTERNAL_CONTROL_PLANE = {
  analyzer: 'externalcontrolplane.ExternalControlPlaneAnalyzer',
  reads: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'] as [
    'ValidatingWebhookConfiguration',
    'MutatingWebhookConfiguration',
  ],
};

export const IST0163 = defineCode({
  code: 'IST0163',
  name: 'InvalidExternalControlPlaneConfig',
  level: 'Warning',
  ...EXTERNAL_CONTROL_PLANE,
  description: 'An external control plane webhook URL is blank or does not parse.',
  messages: {
    invalidUrl: message(
      'The hostname ({url}) that was provided for the webhook ({webhook}) to reach the ingress gateway on the external control plane cluster was provided in an invalid format. Traffic may not flow properly.',
      { url: 'https://istiod.example.com:badport/inject', webhook: 'rev.namespace.sidecar-injector.istio.io' },
    ),
    blankUrl: message(
      'The hostname () that was provided for the webhook ({webhook}) to reach the ingress gateway on the external control plane cluster is blank. Traffic may not flow properly.',
      { webhook: 'rev.namespace.sidecar-injector.istio.io' },
    ),
  },
});

export const IST0164 = defineCode({
  code: 'IST0164',
  name: 'ExternalControlPlaneAddressIsNotAHostname',
  level: 'Info',
  ...EXTERNAL_CONTROL_PLANE,
  description: 'An external control plane webhook URL is an IP address, not a host name.',
  messages: {
    ipAddress: message(
      'The address ({url}) that was provided for the webhook ({webhook}) to reach the ingress gateway on the external control plane cluster is an IP address. This is not recommended for a production environment.',
      { url: 'https://10.0.0.1:15017/inject', webhook: 'rev.namespace.sidecar-injector.istio.io' },
    ),
  },
});

export const IST0165 = defineCode({
  code: 'IST0165',
  name: 'ReferencedInternalGateway',
  level: 'Warning',
  analyzer: 'virtualservice.GatewayAnalyzer',
  reads: ['VirtualService'],
  description: 'A VirtualService binds to a Gateway Istio generates from a Kubernetes Gateway.',
  messages: {
    internalGateway: message(
      'Gateway reference in VirtualService {virtualService} is to an implementation-generated internal Gateway: {gateway}; bind to the Kubernetes Gateway (an HTTPRoute parentRef) instead',
      { virtualService: 'shop/frontend', gateway: 'shop/shop-gateway-istio-autogenerated-k8s-gateway-http' },
    ),
  },
});

export const IST0166 = defineCode({
  code: 'IST0166',
  name: 'IneffectiveSelector',
  level: 'Warning',
  analyzer: 'k8sgateway.SelectorAnalyzer',
  reads: ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin', 'Pod'],
  description: 'A policy selector matches Kubernetes Gateway pods, where only targetRef takes effect.',
  messages: {
    selector: message('Ineffective selector on Kubernetes Gateway {gateway}. Use the TargetRef field instead.', {
      gateway: 'shop-gateway',
    }),
  },
});

export const IST0167 = defineCode({
  code: 'IST0167',
  name: 'IneffectivePolicy',
  level: 'Warning',
  analyzer: 'sidecar.SelectorAnalyzer',
  reads: ['Sidecar', 'Namespace', 'Pod'],
  description: 'A Sidecar for an ambient workload or namespace has no effect.',
  messages: {
    ambientWorkload: message(
      'The policy has no impact: selected workload is in ambient mode, the policy has no impact.',
      {},
    ),
    ambientNamespace: message('The policy has no impact: namespace is in ambient mode, the policy has no impact.', {}),
  },
});

export const IST0171 = defineCode({
  code: 'IST0171',
  name: 'NegativeConditionStatus',
  level: 'Warning',
  analyzer: 'conditions.ConditionAnalyzer',
  reads: [
    'Service',
    'ServiceEntry',
    'WorkloadEntry',
    'AuthorizationPolicy',
    'gateway.networking.k8s.io/Gateway',
    'HTTPRoute',
    'GRPCRoute',
  ],
  description: 'A status condition Istio writes is negative (waypoint binding, acceptance).',
  messages: {
    negative: message(
      'A condition with a negative status is present: type={type}, reason={reason}, message={message}.',
      { type: 'WaypointBound', reason: 'WaypointNotFound', message: 'waypoint shop/waypoint not found' },
    ),
  },
});

export const IST0173 = defineCode({
  code: 'IST0173',
  name: 'DestinationRuleSubsetNotSelectPods',
  level: 'Error',
  analyzer: 'destinationrule.PodNotSelectedAnalyzer',
  reads: ['DestinationRule', 'Service', 'ServiceEntry', 'Pod', 'workloads', 'Node'],
  description: 'A DestinationRule subset selects no pod.',
  messages: {
    noPods: message(
      'The Subset {subset} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).',
      { subset: 'v3' },
    ),
  },
});

export const IST0174 = defineCode({
  code: 'IST0174',
  name: 'UnknownDestinationRuleHost',
  level: 'Warning',
  analyzer: 'destinationrule.PodNotSelectedAnalyzer',
  reads: ['DestinationRule', 'Service', 'ServiceEntry'],
  description: 'A DestinationRule host matches no Service or ServiceEntry visible to it.',
  messages: {
    unknownHost: message(
      'The host {host} defined in the DestinationRule does not match any services in the mesh (no Service or ServiceEntry visible to namespace {namespace})',
      { host: 'reviwes', namespace: 'shop' },
    ),
  },
});

export const IST0175 = defineCode({
  code: 'IST0175',
  name: 'JwksUriFetchUnrestricted',
  level: 'Warning',
  analyzer: 'authn.BlockedCIDRsAnalyzer',
  reads: ['RequestAuthentication', 'Deployment'],
  description:
    'RequestAuthentications exist but the istiod Deployment does not restrict the networks JWKS URIs may reach (BLOCKED_CIDRS_IN_JWKS_URIS).',
  messages: {
    unrestricted: message(
      'BLOCKED_CIDRS_IN_JWKS_URIS is not configured but {count} RequestAuthentication resource(s) exist ({requestAuthentications}). Consider configuring it to restrict JWKS URI fetches to trusted networks.',
      { count: 1, requestAuthentications: 'istio-system/jwt' },
    ),
  },
});

export const IST0176 = defineCode({
  code: 'IST0176',
  name: 'GatewayAPICRDVersionBelowMinimum',
  level: 'Warning',
  analyzer: 'k8sgateway.CRDVersionAnalyzer',
  reads: ['CustomResourceDefinition'],
  description: 'A Gateway API CRD is older than Istio requires; its resources are not processed.',
  messages: {
    belowMinimum: message(
      'Gateway API CRD "{crd}" is at version "{installed}" but Istio requires at least "{minimum}": upgrade the Gateway API CRDs',
      { crd: 'grpcroutes.gateway.networking.k8s.io', installed: '1.0.0', minimum: '1.1.0' },
    ),
  },
});

export const IST0177 = defineCode({
  code: 'IST0177',
  name: 'ConflictingServiceEntryProtocol',
  level: 'Warning',
  analyzer: 'serviceentry.ConflictingServiceEntryProtocolAnalyzer',
  reads: ['ServiceEntry'],
  istio: {
    code: 'IST0177',
    name: 'ConflictingServiceEntryProtocol',
    version: 'master',
    note: 'Istio master; not in 1.30.3',
  },
  description:
    'ServiceEntries visible in one namespace give the same host and port different protocols (Istio master; not in 1.30.3).',
  messages: {
    conflict: message(
      'Multiple ServiceEntries ({serviceEntries}) define the same host "{host}" and port {port} with conflicting protocols ({protocols}).',
      { serviceEntries: 'shop/api, shop/api-grpc', host: 'api.example.com', port: 443, protocols: 'GRPC, HTTPS' },
    ),
  },
});
