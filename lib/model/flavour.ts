/**
 * The traffic API and data plane a stage is written for.
 * - `istio-sidecar`: Istio's APIs (Gateway, VirtualService, DestinationRule subsets) and sidecars;
 * - `gateway-api-ambient`: Gateway API (Gateway of class `istio`, HTTPRoutes, GAMMA routes on
 *   Services, per-version and lane Services) in ambient mode (ztunnel, a waypoint where L7 is needed).
 * An input to resolution (the ingress gateway's pods and identity differ), not a switch inside constructs.
 */
export type ReleaseFlavour = 'istio-sidecar' | 'gateway-api-ambient';

/** The flavour of a stage that names none. */
export const DEFAULT_FLAVOUR: ReleaseFlavour = 'istio-sidecar';
