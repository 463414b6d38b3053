import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Gateway as ApiGateway } from '../../imports/gateway.networking.k8s.io';
import { DATAPLANE_MODE_LABEL, USE_WAYPOINT_LABEL } from '../analysis/ambient-mode';
import { ReleaseConfigError } from '../model/errors';
import { ingressRouteName, serviceHost } from '../model/names';
import { GATEWAY_NAME_LABEL } from '../resolve/ingress';
import { LanePlan, LaneService, versionServiceName } from '../resolve/lane-services';
import { ResolvedComponent, ResolvedStage } from '../resolve/resolved-stage';
import { HTTP_FAMILY } from '../resolve/stage-checks';
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

/** Properties of {@link AmbientMesh}. */
export interface AmbientMeshProps {
  readonly stage: ResolvedStage;
  /** The lane Services and who dials which. */
  readonly lanes: LanePlan;
}

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
  /** What the stage data asks for that this flavour cannot express, one sentence each. */
  public readonly limitations: readonly string[];
  /** The Services whose traffic goes through the waypoint (lane Services and service-routed components). */
  public readonly waypointServices: readonly string[];

  constructor(scope: Construct, id: string, props: AmbientMeshProps) {
    super(scope, id);
    const { stage, lanes } = props;
    const app = stage.app;
    const ns = app.namespace;
    const g = app.gateway;
    const at = (field: string) => ({ stage: stage.spec.name, field });
    if ((g.tcpPorts ?? []).length > 0 || (g.tlsPassthroughPorts ?? []).length > 0) {
      throw new ReleaseConfigError(at(g.tcpPorts?.length ? 'gateway.tcpPorts' : 'gateway.tlsPassthroughPorts'),
        'the gateway-api-ambient flavour serves HTTP only (TCPRoute is not in Gateway API v1.5.1\'s standard channel)', 'Remove the TCP and TLS passthrough ports, or use the istio-sidecar flavour');
    }
    const limitations: string[] = [];
    if (g.bindMesh) limitations.push('gateway.bindMesh has no equivalent: in-mesh callers of the entry component dial its Service, which no route pins');
    const http = (c: ResolvedComponent) => c.ports.some((p) => HTTP_FAMILY.has(p.protocol));
    const routing = stage.versionRouting;
    const serviceRouted = (c: ResolvedComponent) => routing && stage.spec.serviceRoutes?.[c.name] !== undefined && http(c);

    const hosts = stage.ingress.hosts.filter((h) => h !== '*');
    this.gateway = new ApiGateway(this, 'Gateway', {
      metadata: { name: g.name, namespace: ns },
      spec: {
        gatewayClassName: 'istio',
        // Istio labels the gateway's pods `istio.io/dataplane-mode: none` itself while ambient
        // waypoints are enabled (gatewaycommon/deploymentcontroller.go setLabelOverrides); said
        // explicitly, so ztunnel never captures the gateway whatever istiod's settings.
        infrastructure: { labels: { [DATAPLANE_MODE_LABEL]: 'none' } },
        listeners: [{ name: 'http', port: stage.ingress.port, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' as any } } }],
      },
    });

    this.versionServices = routing ? stage.components.filter(http).flatMap((c) => c.versions.map((d) => {
      const labels = { app: c.name, version: d.version };
      return new k8s.KubeService(this, `Service-${d.deploymentName}`, {
        metadata: { name: versionServiceName(c.name, d.version), namespace: ns, labels },
        spec: { type: 'ClusterIP', selector: labels, ports: servicePorts(c.ports.filter((p) => d.workload.ports.some((q) => q.port === p.port))) },
      });
    })) : [];

    const viaWaypoint = (s: LaneService) => s.viaWaypoint;
    this.waypointServices = [...lanes.services.filter(viaWaypoint).map((s) => s.name), ...stage.components.filter(serviceRouted).map((c) => c.name)];
    this.laneServices = lanes.services.map((s) => new k8s.KubeService(this, `Service-${s.name}`, {
      metadata: { name: s.name, namespace: ns, labels: { app: s.component, ...(s.viaWaypoint ? { [USE_WAYPOINT_LABEL]: WAYPOINT_NAME } : {}) } },
      spec: {
        type: 'ClusterIP',
        // Pinned to the lane's version as well, so that the Service and its route agree on where a call lands.
        selector: { app: s.component, ...(s.version !== undefined ? { version: s.version } : {}) },
        ports: servicePorts(s.ports),
      },
    }));

    const routes: GatewayApiRoute[] = [];
    const entry = stage.entry;
    routes.push(new GatewayApiRoute(this, 'EntryRoute', {
      name: ingressRouteName(entry.name),
      namespace: ns,
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name, sectionName: 'http' }],
      hostnames: hosts,
      routes: stage.gatewayRoutes,
      backend: (v) => (routing ? versionServiceName(entry.name, v) : entry.name),
      at: { stage: stage.spec.name, component: entry.name, field: 'entry' },
    }));
    const policyOf = (component: string) => stage.spec.trafficPolicies?.[component];
    for (const s of lanes.services.filter(viaWaypoint)) {
      const c = stage.components.find((x) => x.name === s.component)!;
      for (const port of s.ports.filter((p) => HTTP_FAMILY.has(p.protocol))) {
        const policy = policyOf(c.name);
        routes.push(new GatewayApiRoute(this, `LaneRoute-${s.name}-${port.port}`, {
          name: s.ports.filter((p) => HTTP_FAMILY.has(p.protocol)).length > 1 ? `${s.name}-${port.port}` : s.name,
          namespace: ns,
          parentRefs: [{ group: '', kind: 'Service', name: s.name, ...(s.ports.length > 1 ? { port: port.port } : {}) }],
          routes: [{ name: `lane-${s.lane}`, matches: [], destinations: [{ version: s.version!, port: port.port }], ...(policy?.timeout !== undefined ? { timeout: policy.timeout } : {}) }],
          backend: (v) => versionServiceName(c.name, v),
          at: { stage: stage.spec.name, component: c.name, field: 'lanes' },
        }));
      }
    }
    for (const c of stage.components.filter(serviceRouted)) {
      // An HTTPRoute rule cannot match the port: with several HTTP ports, one route per port, its parentRef naming the port.
      const ports = c.ports.filter((p) => HTTP_FAMILY.has(p.protocol)).map((p) => p.port);
      for (const port of ports.length > 1 ? ports : [undefined]) {
        routes.push(new GatewayApiRoute(this, port === undefined ? `ServiceRoute-${c.name}` : `ServiceRoute-${c.name}-${port}`, {
          name: port === undefined ? c.name : `${c.name}-${port}`,
          namespace: ns,
          parentRefs: [{ group: '', kind: 'Service', name: c.name, ...(port === undefined ? {} : { port }) }],
          routes: c.httpRoutes.filter((r) => port === undefined || r.destinations.every((d) => d.port === port))
            .map((r) => ({ ...r, matches: r.matches.map(({ port: _port, sourceLabels: _labels, ...m }) => m).filter((m) => Object.keys(m).length > 0) })),
          backend: (v) => versionServiceName(c.name, v),
          at: { stage: stage.spec.name, component: c.name, field: `serviceRoutes.${c.name}` },
        }));
      }
    }
    this.routes = routes;
    for (const [component, p] of Object.entries(stage.spec.trafficPolicies ?? {})) {
      if (p.retries) limitations.push(`trafficPolicies.${component}.retries: HTTPRoute retry is not in Gateway API v1.5.1's standard channel; Istio's default retry policy applies`);
    }

    this.waypoint = this.waypointServices.length === 0 ? undefined : new ApiGateway(this, 'Waypoint', {
      metadata: { name: WAYPOINT_NAME, namespace: ns, labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });

    // Connection pools and outlier detection: on the Service a caller's traffic is routed to (a
    // version Service for HTTP, the lane Service for TCP), the version's settings over the component's.
    const { DestinationRule } = istioKinds(app.istioApiVersion);
    const drs: ApiObject[] = [];
    const policyFor = (c: ResolvedComponent, version: string) => {
      const merged = { ...(c.trafficPolicy ?? {}), ...(c.versionTrafficPolicies?.[version] ?? {}) };
      return merged.connectionPool || merged.outlierDetection ? trafficPolicy(merged) : undefined;
    };
    const addRule = (name: string, component: string, tp: ReturnType<typeof policyFor>) => {
      if (tp) drs.push(new DestinationRule(this, `DestinationRule-${name}`, { metadata: { name, namespace: ns, labels: { app: component } }, spec: { host: serviceHost(name, ns, stage.context.clusterDomain), trafficPolicy: tp } }));
    };
    if (routing) {
      for (const c of stage.components.filter(http)) for (const d of c.versions) addRule(versionServiceName(c.name, d.version), c.name, policyFor(c, d.version));
      for (const s of lanes.services.filter((x) => !x.viaWaypoint && x.version !== undefined)) addRule(s.name, s.component, policyFor(stage.components.find((c) => c.name === s.component)!, s.version!));
    }
    this.destinationRules = drs;
    this.limitations = limitations;
  }
}
