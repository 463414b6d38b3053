import { defineCode, message } from './define-code';

// The project's ambient-mode codes (VM0017..VM0020, rule group project.ambient) and the codes
// `validate` adds to the analyzer's (VM0100, VM0200).

export const VM0017 = defineCode({
  code: 'VM0017',
  name: 'SourceLabelsOnWaypoint',
  level: 'Error',
  analyzer: 'project',
  reads: ['VirtualService', 'Service', 'Namespace'],
  description:
    'sourceLabels in a mesh VirtualService for a Service that uses a waypoint: the waypoint drops that match (istio/istio#51565).',
  messages: {
    dropped: message(
      'the waypoint of {services} drops this match: sourceLabels are not supported in ambient mode (istio/istio#51565), so its requests fall through to the next rule: match on a request header instead',
      { services: 'shop/reviews (waypoint shop/waypoint)' },
    ),
  },
});

export const VM0018 = defineCode({
  code: 'VM0018',
  name: 'VirtualServiceOnWaypoint',
  level: 'Warning',
  analyzer: 'project',
  reads: ['VirtualService', 'Service', 'Namespace'],
  description: 'A mesh VirtualService for a Service that uses a waypoint: VirtualService with ambient is Alpha.',
  messages: {
    alpha: message(
      'Service {services} uses a waypoint, where VirtualService support is Alpha and mixing it with Gateway API routes is undefined: prefer an HTTPRoute with parentRef the Service',
      { services: 'shop/reviews (waypoint shop/waypoint)' },
    ),
  },
});

const ZTUNNEL =
  'ztunnel does not support HTTP attributes (found: {attributes}). In ambient mode you must use a waypoint proxy to enforce HTTP rules. ';
const BIND = ' Bind the policy to the waypoint with targetRefs (kind Service or Gateway) instead of {instead}';
type Instead = 'selector' | 'a namespace-wide policy';

export const VM0019 = defineCode({
  code: 'VM0019',
  name: 'HttpAuthorizationOnZtunnel',
  level: 'Warning',
  analyzer: 'project',
  reads: ['AuthorizationPolicy', 'Pod', 'workloads', 'Namespace'],
  description:
    'An AuthorizationPolicy without targetRefs with HTTP attributes for ambient workloads: ztunnel enforces it without them, more restrictive than written.',
  messages: {
    allow: message(
      `${ZTUNNEL}Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.${BIND}`,
      { attributes: 'methods, paths', instead: 'selector' as Instead },
    ),
    deny: message(
      `${ZTUNNEL}DENY policy with HTTP attributes is enforced without the HTTP rules. This will be more restrictive than requested.${BIND}`,
      { attributes: 'paths', instead: 'a namespace-wide policy' as Instead },
    ),
  },
});

export const VM0020 = defineCode({
  code: 'VM0020',
  name: 'L7ConfigWithoutWaypoint',
  level: 'Warning',
  analyzer: 'project',
  reads: ['HTTPRoute', 'AuthorizationPolicy', 'Service', 'Namespace'],
  description:
    'An HTTPRoute (parentRef Service, ambient namespace) or a targetRefs AuthorizationPolicy for a Service without a waypoint: ambient traffic ignores it.',
  messages: {
    route: message(
      'Service {service} is in an ambient namespace without a waypoint: istio.io/use-waypoint label missing from parent and parent namespace; in ambient mode, route will not be respected (only sidecar clients apply it): label the Service or namespace with istio.io/use-waypoint and deploy that waypoint',
      { service: 'shop/reviews' },
    ),
    policy: message(
      'Service {service} is not bound to a waypoint (WaypointAccepted=False, reason AncestorNotBound), so no proxy enforces this policy: label the Service or its namespace with istio.io/use-waypoint, or use a selector for L4 rules',
      { service: 'shop/reviews' },
    ),
  },
});

export const VM0100 = defineCode({
  code: 'VM0100',
  name: 'SchemaViolation',
  level: 'Error',
  analyzer: 'validate',
  reads: ['every object'],
  istio: {
    code: 'IST0106',
    name: 'SchemaValidationError',
    version: '1.30.3',
    note: "istioctl analyze reports the webhook's rules as IST0106; VM0100 also covers the OpenAPI schemas and CEL rules of every kind",
  },
  description:
    "The object fails its schema, a CEL rule, a built-in validation or Istio's webhook; the message is the validator's.",
  messages: {
    violation: message('{violation}', { violation: 'must be integer (got "80")' }),
  },
});

export const VM0200 = defineCode({
  code: 'VM0200',
  name: 'UnsafeTransition',
  level: 'Error',
  analyzer: 'validate',
  reads: ['every object'],
  description:
    "A plan step between two stages could route to a missing subset, port or pod; the message is the transition check's.",
  messages: {
    problem: message('{problem}', {
      problem: 'VirtualService shop/reviews routes to subset v2 of reviews, which no DestinationRule defines yet',
    }),
  },
});
