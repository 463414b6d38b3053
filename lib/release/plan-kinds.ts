// The kinds a transition plan treats specially, shared by the plan's parts, steps and printed commands.
import type { Manifest } from '../analysis/manifest';
import { isGatewayApi } from '../analysis/routing/gateway-api-match';

/** Gateway API route kinds: like VirtualServices, they move traffic (switch) and are removed before what they route to. */
const API_ROUTES = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
export const isApiRoute = (m: Manifest) => API_ROUTES.some((kind) => isGatewayApi(m, kind));
export const isApiGateway = (m: Manifest) => isGatewayApi(m, 'Gateway');
export const isKind = (m: Manifest, kind: string) => m.kind === kind;
