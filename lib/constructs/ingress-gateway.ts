import { Construct } from 'constructs';
import type { ApiObject } from 'cdk8s';
import { GatewaySpecServersTlsMode } from '../../imports/networking.istio.io';
import { DEFAULT_INGRESS_POD_LABELS, gatewayHosts, gatewayPort } from '../model/defaults';
import { podLabelsOf } from '../resolve/ingress';
import type { IstioApiVersion } from './istio-api';
import { istioKinds } from './istio-api';
import { httpRoutes } from './istio-routes';
import type { Route } from '../resolve/resolved-stage';
import type { GatewaySpec } from '../model/spec';

/** Properties of an {@link IngressGateway}. */
export interface IngressGatewayProps {
  /** The Gateway: name, selector, hosts, port. */
  readonly gateway: GatewaySpec;
  /** Namespace of the Gateway and its VirtualService. */
  readonly namespace: string;
  /** Name of the gateway-bound VirtualService (the entry component's name). */
  readonly virtualServiceName: string;
  /** Fully qualified host of the entry component's Service. */
  readonly destinationHost: string;
  /** Entry routes, ending with the default route. */
  readonly routes: readonly Route[];
  /** Route to version subsets; false routes to the Service as a whole. @default true */
  readonly subsets?: boolean;
  /** Istio API version. @default 'v1' */
  readonly istioApiVersion?: IstioApiVersion;
  /** Also bind the VirtualService to `mesh`, serving the entry component's host too. @default false */
  readonly bindMesh?: boolean;
  /**
   * Labels selecting the gateway pods (a ReleaseStage passes its resolved `ingress.podLabels`).
   * @default - `gateway.selector`, else istioctl's default ingress gateway (`istio: ingressgateway`); both set to different labels is an error
   */
  readonly selector?: Readonly<Record<string, string>>;
  /** Emit the Gateway only (another construct, e.g. a Rollout's, owns the VirtualServices). @default false */
  readonly withoutVirtualService?: boolean;
}

/**
 * An Istio ingress Gateway (one plain HTTP server) and the VirtualService bound to it that
 * chooses the entry component's version for each request. `sourceLabels` never match here
 * (gateway traffic has no mesh source workload), so lanes are entered by header, cookie, path or weight.
 */
export class IngressGateway extends Construct {
  public readonly gateway: ApiObject;
  /** @default - none with `withoutVirtualService` */
  public readonly virtualService?: ApiObject;
  /** Gateway name, as VirtualServices reference it. */
  public readonly name: string;
  /** The labels of the ingress gateway pods the Gateway selects. */
  public readonly selector: Readonly<Record<string, string>>;
  /** HTTP port of the Gateway's server. */
  public readonly port: number;
  /** Hosts the Gateway serves. */
  public readonly hosts: readonly string[];

  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    const g = props.gateway;
    this.name = g.name;
    this.selector = podLabelsOf(
      { field: 'selector', labels: props.selector },
      { field: 'gateway.selector', labels: g.selector },
      DEFAULT_INGRESS_POD_LABELS,
    );
    this.port = gatewayPort(g);
    this.hosts = gatewayHosts(g);
    const hosts = [...this.hosts];
    const { Gateway, VirtualService } = istioKinds(props.istioApiVersion);
    this.gateway = new Gateway(this, 'Gateway', {
      metadata: { name: g.name, namespace: props.namespace },
      spec: {
        selector: { ...this.selector },
        servers: [
          { port: { number: this.port, name: 'http', protocol: 'HTTP' }, hosts },
          ...(g.tlsPassthroughPorts ?? []).map((n) => ({
            port: { number: n, name: `tls-${n}`, protocol: 'TLS' },
            hosts,
            tls: { mode: GatewaySpecServersTlsMode.PASSTHROUGH },
          })),
          ...(g.tcpPorts ?? []).map((n) => ({ port: { number: n, name: `tcp-${n}`, protocol: 'TCP' }, hosts })),
        ],
      },
    });
    if (props.withoutVirtualService) return;
    this.virtualService = new VirtualService(this, 'VirtualService', {
      metadata: { name: props.virtualServiceName, namespace: props.namespace },
      spec: {
        hosts: props.bindMesh ? [...hosts, props.destinationHost] : hosts,
        gateways: props.bindMesh ? [this.name, 'mesh'] : [this.name],
        http: httpRoutes(props.routes, props.destinationHost, props.subsets ?? true),
      },
    });
  }
}
