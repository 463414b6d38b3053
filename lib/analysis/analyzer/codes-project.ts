import { defineCode, message } from './define-code';

// Kept in one file: catalogue data, one defineCode entry per project code in code order.
// The project's own codes: VM0001..VM0020 from the analyzer's project rule groups, VM0100 and
// VM0200 from `validate`. Istio has no code for these, except the webhook part of VM0100.

export const VM0001 = defineCode({
  code: 'VM0001',
  name: 'SourceLabelsOnGatewayRoute',
  level: 'Error',
  analyzer: 'project',
  reads: ['VirtualService'],
  description: 'sourceLabels in a VirtualService bound to gateways only: they only match sidecar callers.',
  messages: {
    gatewayOnly: message(
      'sourceLabels only match sidecar (mesh) callers, but this VirtualService is bound to {gateways} only: move lane pinning to a mesh VirtualService',
      { gateways: 'shop-gateway' },
    ),
  },
});

export const VM0002 = defineCode({
  code: 'VM0002',
  name: 'RouteWeightsNotHundred',
  level: 'Warning',
  analyzer: 'project',
  reads: ['VirtualService'],
  description:
    'The weights of a route do not sum to 100 (or a single destination has a weight other than 100); Istio accepts them as relative shares.',
  messages: {
    sum: message(
      'weights sum to {total}, not 100: Istio takes them as relative shares ({shares}); write them out of 100 so they read as the shares they give',
      { total: 4, shares: '25 %, 75 %' },
    ),
    single: message(
      'a single destination has weight {weight}, not 100: it gets all the traffic anyway; drop the weight or set 100',
      { weight: 50 },
    ),
  },
});

export const VM0003 = defineCode({
  code: 'VM0003',
  name: 'TlsModeContradictsStrictMtls',
  level: 'Error',
  analyzer: 'project',
  reads: ['DestinationRule', 'PeerAuthentication'],
  description: 'A DestinationRule TLS mode other than ISTIO_MUTUAL under a namespace-wide STRICT PeerAuthentication.',
  messages: {
    contradicts: message(
      "'{mode}' contradicts the namespace's STRICT PeerAuthentication: servers only accept Istio mTLS; use ISTIO_MUTUAL or leave it unset",
      { mode: 'DISABLE' },
    ),
  },
});

export const VM0004 = defineCode({
  code: 'VM0004',
  name: 'ServerFirstPortNotTcp',
  level: 'Error',
  analyzer: 'project',
  reads: ['Service', 'PeerAuthentication'],
  description: 'A server-first protocol port (MySQL, Redis, SMTP, MongoDB) not declared TCP under STRICT mTLS.',
  messages: {
    notTcp: message(
      "port {port} carries {protocol}, a server-first protocol; under STRICT mTLS declare it as TCP (appProtocol: tcp, name 'tcp-...')",
      { port: 3306, protocol: 'MySQL' },
    ),
  },
});

const AUTHORIZATION: ['VirtualService', 'Gateway', 'workloads', 'AuthorizationPolicy'] = [
  'VirtualService',
  'Gateway',
  'workloads',
  'AuthorizationPolicy',
];

export const VM0005 = defineCode({
  code: 'VM0005',
  name: 'RoutedCallDenied',
  level: 'Error',
  analyzer: 'project',
  reads: AUTHORIZATION,
  description: 'A call some route sends is denied by the AuthorizationPolicies.',
  messages: {
    denied: message(
      'routing sends {caller} ({principal}) to it on port {port} via {rule}, but authorization denies it: {reason}',
      {
        caller: 'Gateway shop-gateway',
        principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
        port: 9080,
        rule: 'shop/frontend http[0]',
        reason: 'no ALLOW policy matches',
      },
    ),
    deniedAtWaypoint: message(
      "routing sends it ({principal}) through waypoint {waypoint} to Service {service} on port {port}, but the waypoint's authorization denies it: {reason}",
      {
        principal: 'cluster.local/ns/shop/sa/frontend',
        waypoint: 'waypoint',
        service: 'reviews',
        port: 9080,
        reason: 'no ALLOW policy matches',
      },
    ),
  },
});

export const VM0006 = defineCode({
  code: 'VM0006',
  name: 'UnusedAllowance',
  level: 'Info',
  analyzer: 'project',
  reads: ['AuthorizationPolicy', 'VirtualService', 'workloads'],
  description: 'An ALLOW rule that no route uses (calls are inferred from environment variables, so this is advice).',
  messages: {
    unused: message('allows {principal} on port {port}, but no route sends it there', {
      principal: 'cluster.local/ns/shop/sa/frontend',
      port: '9080',
    }),
  },
});

export const VM0007 = defineCode({
  code: 'VM0007',
  name: 'CallsNotInferred',
  level: 'Warning',
  analyzer: 'project',
  reads: ['workloads'],
  description:
    'The calls a workload makes could not be inferred from its environment: the message is the reason the inference gives.',
  messages: {
    notInferred: message('{reason}', {
      reason: 'env REVIEWS_URL of deployment frontend: "http://reviews:port" is not a URL',
    }),
  },
});

export const VM0008 = defineCode({
  code: 'VM0008',
  name: 'DestinationWithoutPods',
  level: 'Error',
  analyzer: 'project',
  reads: ['VirtualService', 'DestinationRule', 'Service', 'workloads'],
  description:
    'A route destination (Service selector narrowed by the subset) selects no workload: the route returns 503.',
  messages: {
    subset: message(
      "subset '{subset}' of Service '{service}' selects no workload's pods, so the route returns 503: deploy that version or route elsewhere",
      { subset: 'v3', service: 'reviews' },
    ),
    service: message(
      "Service '{service}' selects no workload's pods, so the route returns 503: deploy it or fix its selector",
      { service: 'reviews' },
    ),
  },
});

export const VM0009 = defineCode({
  code: 'VM0009',
  name: 'AnalysisFailed',
  level: 'Error',
  analyzer: 'project',
  reads: ['every object'],
  description: 'A rule group could not read the objects (malformed beyond its schema); fix the schema errors first.',
  messages: {
    failed: message('could not analyze these objects ({error}): fix their schema errors first', {
      error: 'route.forEach is not a function',
    }),
  },
});

export const VM0010 = defineCode({
  code: 'VM0010',
  name: 'IdleCallDenied',
  level: 'Info',
  analyzer: 'project',
  reads: AUTHORIZATION,
  description:
    'A call a route would carry from a workload that receives no traffic (an idle version) is denied: per-version least privilege working as meant.',
  messages: {
    denied: message(
      'call from idle {caller} on port {port} (route {rule}) is denied, as meant while it receives no traffic (kept for rollback): {reason}',
      {
        caller: 'Deployment shop/frontend-v1',
        port: 9080,
        rule: 'shop/reviews http[0]',
        reason: 'no ALLOW policy matches',
      },
    ),
    deniedAtWaypoint: message(
      'call from this idle workload through waypoint {waypoint} to Service {service} on port {port} is denied, as meant while it receives no traffic (kept for rollback): {reason}',
      { waypoint: 'waypoint', service: 'reviews', port: 9080, reason: 'no ALLOW policy matches' },
    ),
  },
});

/** Why an InvalidDestination or InvalidFilter matters: Istio then programs none of the route (computeRoute). */
const DROPPED = "until then Istio programs none of this route's rules";

export const VM0011 = defineCode({
  code: 'VM0011',
  name: 'HTTPRouteBackendNotResolved',
  level: 'Error',
  analyzer: 'project',
  reads: ['HTTPRoute', 'Service', 'ReferenceGrant', 'gateway.networking.k8s.io/Gateway'],
  description:
    'A backendRef or filter Istio cannot resolve (status ResolvedRefs=False: BackendNotFound, InvalidKind, RefNotPermitted, InvalidDestination, InvalidFilter); its requests get 500, and an InvalidDestination or InvalidFilter drops the whole route.',
  messages: {
    refNotPermitted: message(
      'ResolvedRefs=False, reason RefNotPermitted: backendRef {name}/{namespace} not accessible to a HTTPRoute in namespace "{routeNamespace}" (missing a ReferenceGrant?); add a ReferenceGrant in namespace {namespace} from HTTPRoute in {routeNamespace} to {kind} {name}',
      { name: 'reviews', namespace: 'shop', routeNamespace: 'web', kind: 'Service' },
    ),
    hostnameNamespace: message(
      `ResolvedRefs=False, reason InvalidDestination: namespace may not be set with Hostname type; drop the namespace; ${DROPPED}`,
      {},
    ),
    inferencePool: message(
      'ResolvedRefs=False, reason InvalidKind: InferencePool is not enabled. To enable, set ENABLE_GATEWAY_API_INFERENCE_EXTENSION to true in istiod; reference a Service (group "", kind Service)',
      {},
    ),
    unsupportedKind: message(
      'ResolvedRefs=False, reason InvalidKind: referencing unsupported backendRef: group "{group}" kind "{kind}"; reference a Service (group "", kind Service)',
      { group: 'apps', kind: 'Deployment' },
    ),
    hostnameAsName: message(
      `ResolvedRefs=False, reason InvalidDestination: service name invalid; the name of the Service must be used, not the hostname.; use the Service's name, not '{name}'; ${DROPPED}`,
      { name: 'reviews.shop.svc.cluster.local' },
    ),
    backendNotFound: message(
      'ResolvedRefs=False, reason BackendNotFound: backend({host}) not found; create the Service or fix the name; requests for this backend get 500',
      { host: 'reviews.shop.svc.cluster.local' },
    ),
    invalidFilter: message(
      `ResolvedRefs=False, reason InvalidFilter: unsupported filter type "{type}"; use one of {supported} here; ${DROPPED}`,
      { type: 'ExtensionRef', supported: 'RequestHeaderModifier, ResponseHeaderModifier' },
    ),
  },
});

export const VM0012 = defineCode({
  code: 'VM0012',
  name: 'HTTPRouteBackendPortNotFound',
  level: 'Error',
  analyzer: 'project',
  reads: ['HTTPRoute', 'Service'],
  description: 'A backendRef port the Service does not define: Istio accepts it but routes to no cluster (500).',
  messages: {
    noPort: message(
      "Service {service} has no port {port} (it has {ports}): Istio accepts the route (ResolvedRefs stays True) but routes to a cluster that does not exist, so requests for it get 500; use one of the Service's ports",
      { service: 'shop/reviews', port: '9090', ports: '9080' },
    ),
  },
});

export const VM0013 = defineCode({
  code: 'VM0013',
  name: 'HTTPRouteNotAccepted',
  level: 'Error',
  analyzer: 'project',
  reads: ['HTTPRoute', 'gateway.networking.k8s.io/Gateway', 'Namespace', 'Service'],
  description:
    'A parent does not accept the route (status Accepted=False: NoMatchingParent, NotAllowedByListeners, NoMatchingListenerHostname).',
  messages: {
    serviceNotFound: message(
      'Accepted=False, reason NoMatchingParent: parent service: "{name}" not found in namespace {namespace}; create the Service or fix the parentRef',
      { name: 'reviews', namespace: 'shop' },
    ),
    NoMatchingParent: message(
      'Accepted=False, reason NoMatchingParent: {detail} (Gateway {gateway}); name an existing listener (sectionName) or port',
      { detail: 'sectionName "https" not found', gateway: 'shop/shop-gateway' },
    ),
    NotAllowedByListeners: message(
      "Accepted=False, reason NotAllowedByListeners: {detail} (Gateway {gateway}); allow the route's namespace or kind in the listener's allowedRoutes",
      {
        detail:
          'hostnames matched parent hostname "shop.example.com", but namespace "web" is not allowed by the parent',
        gateway: 'shop/shop-gateway',
      },
    ),
    NoMatchingListenerHostname: message(
      'Accepted=False, reason NoMatchingListenerHostname: {detail} (Gateway {gateway}); use a hostname the listener serves, or widen the listener hostname',
      { detail: 'no hostnames matched parent hostname "shop.example.com"', gateway: 'shop/shop-gateway' },
    ),
  },
});

export const VM0014 = defineCode({
  code: 'VM0014',
  name: 'HTTPRouteParentGatewayNotFound',
  level: 'Error',
  analyzer: 'project',
  reads: ['HTTPRoute', 'gateway.networking.k8s.io/Gateway'],
  description: 'An HTTPRoute names a Gateway that does not exist: nothing accepts it.',
  messages: {
    notFound: message(
      'parent Gateway {gateway} does not exist, so no controller accepts the route and it carries no traffic: create the Gateway or fix the parentRef',
      { gateway: 'shop/shop-gateway' },
    ),
  },
});

const NOT_PROGRAMMED = 'Istio ignores this parentRef to Gateway {gateway} and writes no status for it: ';
const USE_ISTIO_CLASS = '; use gatewayClassName: istio for an Istio ingress';

export const VM0015 = defineCode({
  code: 'VM0015',
  name: 'HTTPRouteParentNotIstio',
  level: 'Warning',
  analyzer: 'project',
  reads: ['HTTPRoute', 'gateway.networking.k8s.io/Gateway', 'GatewayClass'],
  description:
    "An HTTPRoute parent Gateway Istio does not program (a waypoint, istio-remote or another controller's class): Istio ignores it.",
  messages: {
    waypoint: message(
      `${NOT_PROGRAMMED}it is a waypoint: Istio does not bind routes to waypoint Gateways; for mesh traffic use a parentRef to the Service (kind: Service, group: "")${USE_ISTIO_CLASS}`,
      { gateway: 'shop/waypoint' },
    ),
    remote: message(
      `${NOT_PROGRAMMED}its class is istio-remote, which this control plane does not program${USE_ISTIO_CLASS}`,
      { gateway: 'shop/remote' },
    ),
    otherClass: message(
      `${NOT_PROGRAMMED}its class '{className}' is not an Istio class (istio), so another controller (or none) handles it${USE_ISTIO_CLASS}`,
      { gateway: 'shop/shop-gateway', className: 'nginx' },
    ),
  },
});

export const VM0016 = defineCode({
  code: 'VM0016',
  name: 'HostRoutedByVirtualServiceAndHTTPRoute',
  level: 'Error',
  analyzer: 'project',
  reads: ['HTTPRoute', 'VirtualService', 'Service'],
  description:
    'A mesh VirtualService and an HTTPRoute (parentRef Service) route one host: Istio keeps one per sidecar and drops the other.',
  messages: {
    bothRoute: message(
      "{hostAndPort} is routed both by this HTTPRoute and by the mesh VirtualService {virtualService}: Istio does not merge them; each sidecar keeps one and drops the other (sidecars in namespace {namespace} take the HTTPRoute unless the VirtualService's exportTo names that namespace or '.', others the one created first), and a waypoint chains both so the first catch-all wins: route this host with one API",
      { hostAndPort: 'reviews.shop.svc.cluster.local port 9080', virtualService: 'shop/reviews', namespace: 'shop' },
    ),
  },
});
