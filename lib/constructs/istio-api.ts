import type { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import type { DestinationRuleProps, GatewayProps, VirtualServiceProps } from '../../imports/networking.istio.io';
import {
  DestinationRule,
  DestinationRuleV1Beta1,
  Gateway,
  GatewayV1Beta1,
  VirtualService,
  VirtualServiceV1Beta1,
} from '../../imports/networking.istio.io';
import type { AuthorizationPolicyProps, PeerAuthenticationProps } from '../../imports/security.istio.io';
import {
  AuthorizationPolicy,
  AuthorizationPolicyV1Beta1,
  PeerAuthentication,
  PeerAuthenticationV1Beta1,
} from '../../imports/security.istio.io';

/**
 * Istio API version of the emitted objects: `v1` (GA, Istio 1.22 and later) or `v1beta1` for
 * older meshes. Both carry the same fields for everything emitted here, so the choice changes
 * `apiVersion` and nothing else.
 */
export type IstioApiVersion = 'v1' | 'v1beta1';

type Factory<P> = new (scope: Construct, id: string, props: P) => ApiObject;

/** The generated Istio classes of one API version (spec shapes are identical for what we emit). */
export interface IstioKinds {
  readonly VirtualService: Factory<VirtualServiceProps>;
  readonly DestinationRule: Factory<DestinationRuleProps>;
  readonly Gateway: Factory<GatewayProps>;
  readonly PeerAuthentication: Factory<PeerAuthenticationProps>;
  readonly AuthorizationPolicy: Factory<AuthorizationPolicyProps>;
}

const V1: IstioKinds = { VirtualService, DestinationRule, Gateway, PeerAuthentication, AuthorizationPolicy };
const V1BETA1: IstioKinds = {
  VirtualService: VirtualServiceV1Beta1 as unknown as Factory<VirtualServiceProps>,
  DestinationRule: DestinationRuleV1Beta1 as unknown as Factory<DestinationRuleProps>,
  Gateway: GatewayV1Beta1 as unknown as Factory<GatewayProps>,
  PeerAuthentication: PeerAuthenticationV1Beta1 as unknown as Factory<PeerAuthenticationProps>,
  AuthorizationPolicy: AuthorizationPolicyV1Beta1 as unknown as Factory<AuthorizationPolicyProps>,
};

/** The classes for `version` (`v1` when undefined). */
export function istioKinds(version: IstioApiVersion = 'v1'): IstioKinds {
  if (version !== 'v1' && version !== 'v1beta1')
    throw new Error(`Istio API version '${version}' is not supported: use 'v1' (Istio >= 1.22) or 'v1beta1'`);
  return version === 'v1' ? V1 : V1BETA1;
}
