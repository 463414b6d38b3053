import type { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  Gateway as ApiGateway,
  GatewaySpecListenersAllowedRoutesNamespacesFrom,
} from '../../imports/gateway.networking.k8s.io';
import { DATAPLANE_MODE_LABEL, USE_WAYPOINT_LABEL } from '../analysis/ambient-mode';
import { gatewayHosts, gatewayPort, resolveMeshContext } from '../model/defaults';
import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError } from '../model/errors';
import { deploymentName, ingressRouteName, serviceHost } from '../model/names';
import type { GatewaySpec, PortSpec } from '../model/spec';
import { GATEWAY_NAME_LABEL } from '../resolve/ingress';
import type { LanePlan, LaneService } from '../resolve/lane-services';
import { versionServiceName } from '../resolve/lane-services';
import type { ResolvedStage } from '../resolve/resolved-stage';
import { HTTP_FAMILY } from '../resolve/stage-checks';
import type { AmbientComponent, AmbientMeshProps } from './ambient-mesh-props';
import { GatewayApiRoute } from './gateway-api-routes';
import { istioKinds } from './istio-api';
import { servicePorts } from './mesh-service';
import { trafficPolicy } from './istio-routes';

/** Name of the namespace's waypoint (Gateway of class `istio-waypoint`) and of its ServiceAccount. */
export const WAYPOINT_NAME = 'waypoint';
/** The label Istio puts on the pods it deploys for a Gateway API Gateway (gateway and waypoint). */
export { GATEWAY_NAME_LABEL };
/** The label that sends a Service's traffic through a waypoint. */
export { USE_WAYPOINT_LABEL };

/** What a stage asks for that the ambient flavour's objects cannot express, beyond {@link AmbientMesh.limitations}. */
export function ambientStageLimitations(stage: ResolvedStage): string[] {
  return Object.entries(stage.spec.trafficPolicies ?? {})
    .filter(([, p]) => p.retries)
    .map(
      ([component]) =>
        `trafficPolicies.${component}.retries: HTTPRoute retry is not in Gateway API v1.5.1's standard channel; Istio's default retry policy applies`,
    );
}

const isHttp = (p: PortSpec) => HTTP_FAMILY.has(p.protocol);
const http = (c: AmbientComponent) => c.ports.some(isHttp);

/**
 * The traffic half of a stage in the gateway-api-ambient flavour: the entry Gateway (class
 * `istio`, deployed by Istio in the application namespace) with its HTTPRoute to the entry
 * component's version Services, one Service per version of every HTTP component, the lane
 * Services callers dial, GAMMA HTTPRoutes that pin the HTTP lane Services (and route
 * service-routed components per request), the waypoint that serves those routes, and
 * DestinationRules for connection pools and outlier detection (no TLS settings: ztunnel's HBONE
 * carries mTLS).
 */
export class AmbientMesh extends Construct {
  public readonly gateway: ApiGateway;
  /** @default - none when no Service needs L7 routing */
  public readonly waypoint?: ApiGateway;
  public readonly versionServices: readonly k8s.KubeService[];
  public readonly laneServices: readonly k8s.KubeService[];
  public readonly routes: readonly GatewayApiRoute[];
  public readonly destinationRules: readonly ApiObject[];
  /** What the props ask for that this flavour cannot express, one sentence each. */
  public readonly limitations: readonly string[];
  /** The Services whose traffic goes through the waypoint (lane Services and service-routed components). */
  public readonly waypointServices: readonly string[];
  /** Namespace of every object. */
  public readonly namespace: string;
  /** Whether routes go to version Services. */
  public readonly versionRouting: boolean;
  /** HTTP port of the Gateway's listener. */
  public readonly port: number;
  /** Hosts the Gateway serves. */
  public readonly hosts: readonly string[];
  /** Cluster domain of the DestinationRule hosts. */
  public readonly clusterDomain: string;
  private readonly lanes: LanePlan;

  constructor(scope: Construct, id: string, props: AmbientMeshProps) {
    super(scope, id);
    const g = props.gateway;
    this.namespace = props.namespace;
    this.versionRouting = props.versionRouting ?? true;
    this.port = gatewayPort(g);
    this.hosts = gatewayHosts(g);
    this.clusterDomain = resolveMeshContext({ clusterDomain: props.clusterDomain }).clusterDomain;
    this.lanes = props.lanes ?? { services: [], dials: new Map() };
    checkGateway(g, { stage: props.stageName });
    this.limitations = g.bindMesh
      ? [
          'gateway.bindMesh has no equivalent: in-mesh callers of the entry component dial its Service, which no route pins',
        ]
      : [];
    this.gateway = this.addGateway(g.name);
    this.versionServices = this.versionRouting
      ? props.components.filter(http).flatMap((c) => this.addVersionServices(c))
      : [];
    const serviceRouted = props.components.filter((c) => this.serviceRouted(c));
    this.waypointServices = [
      ...this.lanes.services.filter((s) => s.viaWaypoint).map((s) => s.name),
      ...serviceRouted.map((c) => c.name),
    ];
    this.laneServices = this.lanes.services.map((s) => this.addLaneService(s));
    this.routes = [
      this.addEntryRoute(props),
      ...this.lanes.services.filter((s) => s.viaWaypoint).flatMap((s) => this.addLaneRoutes(s, props)),
      ...serviceRouted.flatMap((c) => this.addServiceRoutes(c, props.stageName)),
    ];
    this.waypoint =
      this.waypointServices.length === 0
        ? undefined
        : new ApiGateway(this, 'Waypoint', {
            metadata: {
              name: WAYPOINT_NAME,
              namespace: this.namespace,
              labels: { 'istio.io/waypoint-for': 'service' },
            },
            spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
          });
    this.destinationRules = this.versionRouting ? this.addDestinationRules(props) : [];
  }

  private serviceRouted(c: AmbientComponent): boolean {
    return this.versionRouting && c.serviceRoutes !== undefined && http(c);
  }

  private addGateway(name: string): ApiGateway {
    return new ApiGateway(this, 'Gateway', {
      metadata: { name, namespace: this.namespace },
      spec: {
        gatewayClassName: 'istio',
        // Istio labels the gateway's pods `istio.io/dataplane-mode: none` itself while ambient
        // waypoints are enabled (gatewaycommon/deploymentcontroller.go setLabelOverrides); said
        // explicitly, so ztunnel never captures the gateway whatever istiod's settings.
        infrastructure: { labels: { [DATAPLANE_MODE_LABEL]: 'none' } },
        listeners: [
          {
            name: 'http',
            port: this.port,
            protocol: 'HTTP',
            allowedRoutes: { namespaces: { from: GatewaySpecListenersAllowedRoutesNamespacesFrom.SAME } },
          },
        ],
      },
    });
  }

  /** One Service per version of an HTTP component, selecting that version's pods on the ports it declares. */
  private addVersionServices(c: AmbientComponent): k8s.KubeService[] {
    return c.versions.map((d) => {
      const labels = { app: c.name, version: d.version };
      return new k8s.KubeService(this, `Service-${d.deploymentName ?? deploymentName(c.name, d.version)}`, {
        metadata: { name: versionServiceName(c.name, d.version), namespace: this.namespace, labels },
        spec: {
          type: 'ClusterIP',
          selector: labels,
          ports: servicePorts(c.ports.filter((p) => d.workload.ports.some((q) => q.port === p.port))),
        },
      });
    });
  }

  private addLaneService(s: LaneService): k8s.KubeService {
    return new k8s.KubeService(this, `Service-${s.name}`, {
      metadata: {
        name: s.name,
        namespace: this.namespace,
        labels: { app: s.component, ...(s.viaWaypoint ? { [USE_WAYPOINT_LABEL]: WAYPOINT_NAME } : {}) },
      },
      spec: {
        type: 'ClusterIP',
        // Pinned to the lane's version as well, so that the Service and its route agree on where a call lands.
        selector: { app: s.component, ...(s.version !== undefined ? { version: s.version } : {}) },
        ports: servicePorts(s.ports),
      },
    });
  }

  private addEntryRoute(props: AmbientMeshProps): GatewayApiRoute {
    const entry = props.entryComponent;
    return new GatewayApiRoute(this, 'EntryRoute', {
      name: ingressRouteName(entry),
      namespace: this.namespace,
      parentRefs: [
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: props.gateway.name, sectionName: 'http' },
      ],
      hostnames: this.hosts.filter((h) => h !== '*'),
      routes: props.entryRoutes,
      backend: (v) => (this.versionRouting ? versionServiceName(entry, v) : entry),
      at: { stage: props.stageName, component: entry, field: 'entry' },
    });
  }

  /** The HTTPRoutes that pin a lane Service to its version, one per HTTP port. */
  private addLaneRoutes(s: LaneService, props: AmbientMeshProps): GatewayApiRoute[] {
    const c = props.components.find((x) => x.name === s.component)!;
    const ports = s.ports.filter(isHttp);
    return ports.map(
      (port) =>
        new GatewayApiRoute(this, `LaneRoute-${s.name}-${port.port}`, {
          name: ports.length > 1 ? `${s.name}-${port.port}` : s.name,
          namespace: this.namespace,
          parentRefs: [
            { group: '', kind: 'Service', name: s.name, ...(s.ports.length > 1 ? { port: port.port } : {}) },
          ],
          routes: [
            {
              name: `lane-${s.lane}`,
              matches: [],
              destinations: [{ version: s.version!, port: port.port }],
              ...(c.timeout !== undefined ? { timeout: c.timeout } : {}),
            },
          ],
          backend: (v) => versionServiceName(c.name, v),
          at: { stage: props.stageName, component: c.name, field: 'lanes' },
        }),
    );
  }

  /** A service-routed component's routes on its own Service. An HTTPRoute rule cannot match the port: with several HTTP ports, one route per port, its parentRef naming the port. */
  private addServiceRoutes(c: AmbientComponent, stageName: string | undefined): GatewayApiRoute[] {
    const ports = c.ports.filter(isHttp).map((p) => p.port);
    return (ports.length > 1 ? ports : [undefined]).map(
      (port) =>
        new GatewayApiRoute(this, port === undefined ? `ServiceRoute-${c.name}` : `ServiceRoute-${c.name}-${port}`, {
          name: port === undefined ? c.name : `${c.name}-${port}`,
          namespace: this.namespace,
          parentRefs: [{ group: '', kind: 'Service', name: c.name, ...(port === undefined ? {} : { port }) }],
          routes: (c.serviceRoutes ?? [])
            .filter((r) => port === undefined || r.destinations.every((d) => d.port === port))
            .map((r) => ({
              ...r,
              matches: r.matches
                .map(({ port: _port, sourceLabels: _labels, ...m }) => m)
                .filter((m) => Object.keys(m).length > 0),
            })),
          backend: (v) => versionServiceName(c.name, v),
          at: { stage: stageName, component: c.name, field: `serviceRoutes.${c.name}` },
        }),
    );
  }

  /**
   * Connection pools and outlier detection: on the Service a caller's traffic is routed to (a
   * version Service for HTTP, the lane Service for TCP), the version's settings over the component's.
   */
  private addDestinationRules(props: AmbientMeshProps): ApiObject[] {
    const { DestinationRule } = istioKinds(props.istioApiVersion);
    const policyFor = (c: AmbientComponent, version: string) => {
      const merged = { ...(c.trafficPolicy ?? {}), ...(c.versionTrafficPolicies?.[version] ?? {}) };
      return merged.connectionPool || merged.outlierDetection ? trafficPolicy(merged) : undefined;
    };
    const rules: ApiObject[] = [];
    const addRule = (name: string, c: AmbientComponent, version: string) => {
      const tp = policyFor(c, version);
      if (!tp) return;
      rules.push(
        new DestinationRule(this, `DestinationRule-${name}`, {
          metadata: { name, namespace: this.namespace, labels: { app: c.name } },
          spec: { host: serviceHost(name, this.namespace, this.clusterDomain), trafficPolicy: tp },
        }),
      );
    };
    for (const c of props.components.filter(http))
      for (const d of c.versions) addRule(versionServiceName(c.name, d.version), c, d.version);
    for (const s of this.lanes.services.filter((x) => !x.viaWaypoint && x.version !== undefined))
      addRule(
        s.name,
        props.components.find((c) => c.name === s.component)!,
        s.version!,
      );
    return rules;
  }
}

/** The flavour serves HTTP only: TCP and TLS passthrough ports are refused. */
function checkGateway(g: GatewaySpec, at: Omit<ErrorLocation, 'field'>): void {
  if ((g.tcpPorts ?? []).length > 0 || (g.tlsPassthroughPorts ?? []).length > 0) {
    throw new ReleaseConfigError(
      { ...at, field: g.tcpPorts?.length ? 'gateway.tcpPorts' : 'gateway.tlsPassthroughPorts' },
      "the gateway-api-ambient flavour serves HTTP only (TCPRoute is not in Gateway API v1.5.1's standard channel)",
      'Remove the TCP and TLS passthrough ports, or use the istio-sidecar flavour',
    );
  }
}
