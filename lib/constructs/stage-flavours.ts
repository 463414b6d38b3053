import type { Construct } from 'constructs';
import type { AcceptedFinding } from '../model/application-spec';
import type { ReleaseFlavour } from '../model/flavour';
import { ingressRouteName } from '../model/names';
import { laneEnvironment, planLanes } from '../resolve/lane-services';
import type { ResolvedStage } from '../resolve/resolved-stage';
import { DATAPLANE_MODE_LABEL } from '../analysis/ambient-mode';
import { AmbientMesh, GATEWAY_NAME_LABEL, USE_WAYPOINT_LABEL, WAYPOINT_NAME } from './ambient-mesh';
import { ambientStageLimitations } from './ambient-mesh';
import { ambientMeshProps } from './ambient-mesh-props';
import { AmbientPolicies, ambientPoliciesProps } from './ambient-policies';
import { IngressGateway } from './ingress-gateway';
import { MeshPolicies, meshPoliciesProps } from './mesh-policies';
import { MeshService, meshServiceProps } from './mesh-service';

/** The objects of a stage that differ between flavours, as a ReleaseStage exposes them. */
export interface FlavourObjects {
  readonly services: readonly MeshService[];
  readonly ingress?: IngressGateway;
  readonly policies?: MeshPolicies;
  readonly ambient?: AmbientMesh;
  readonly ambientPolicies?: AmbientPolicies;
  /** What the stage data asks for that this flavour cannot express. @default - none */
  readonly limitations?: readonly string[];
  /** Analyzer Warnings the flavour's objects raise by design, with the reason. @default - none */
  readonly accepted?: readonly AcceptedFinding[];
}

/** How one flavour writes a stage: the labels of its namespace and the constructs of its traffic and policies. */
export interface StageFlavour {
  /** Labels of the application namespace (sidecar injection, or ambient enrolment). */
  namespaceLabels(stage: ResolvedStage): Record<string, string>;
  /** Adds the flavour's constructs to `scope`. */
  build(scope: Construct, stage: ResolvedStage): FlavourObjects;
}

/** Istio's APIs with sidecars: MeshServices with subsets and mesh routes, MeshPolicies, an Istio Gateway. */
const SIDECAR: StageFlavour = {
  namespaceLabels: (stage) => ({ [stage.security.injectionLabel.key]: stage.security.injectionLabel.value }),
  build(scope, stage) {
    const app = stage.app;
    const services = stage.components.map(
      (component) =>
        new MeshService(scope, component.name, {
          ...meshServiceProps(component, app.namespace),
          versionRouting: stage.versionRouting,
          tlsMode: stage.spec.mtls ? 'ISTIO_MUTUAL' : undefined,
          istioApiVersion: app.istioApiVersion,
          skipVirtualService: app.gateway.bindMesh === true && component.name === app.entryComponent,
        }),
    );
    const policies = new MeshPolicies(scope, 'Policies', meshPoliciesProps(stage));
    const entry = services.find((s) => s.name === app.entryComponent)!;
    const ingress = new IngressGateway(scope, 'Ingress', {
      gateway: app.gateway,
      selector: stage.ingress.podLabels,
      namespace: app.namespace,
      virtualServiceName: ingressRouteName(entry.name),
      destinationHost: entry.host,
      routes: stage.gatewayRoutes,
      subsets: stage.versionRouting,
      istioApiVersion: app.istioApiVersion,
      bindMesh: app.gateway.bindMesh,
    });
    return { services, policies, ingress };
  },
};

/** Gateway API in ambient mode: MeshServices without subsets (lane environments), the AmbientMesh and AmbientPolicies. */
const AMBIENT: StageFlavour = {
  namespaceLabels: () => ({ [DATAPLANE_MODE_LABEL]: 'ambient' }),
  build(scope, stage) {
    const namespace = stage.app.namespace;
    const lanes = planLanes(stage);
    const services = stage.components.map(
      (c) =>
        new MeshService(scope, c.name, {
          ...meshServiceProps(c, namespace),
          versions: c.versions.map((d) => ({
            ...d,
            workload: { ...d.workload, env: laneEnvironment(stage, c, d, lanes) },
          })),
          versionRouting: false,
        }),
    );
    const ambient = new AmbientMesh(scope, 'Ambient', ambientMeshProps(stage, lanes));
    for (const s of services.filter((x) => ambient.waypointServices.includes(x.name)))
      s.service.metadata.addLabel(USE_WAYPOINT_LABEL, WAYPOINT_NAME);
    const ambientPolicies = new AmbientPolicies(
      scope,
      'Policies',
      ambientPoliciesProps(stage, lanes, ambient.waypointServices),
    );
    // Offline, the analyzer sees no pods for the waypoint: Istio deploys them for the waypoint Gateway.
    const accepted = ambientPolicies.waypointTermination
      ? [
          {
            code: 'IST0127',
            object: `AuthorizationPolicy ${namespace}/${WAYPOINT_NAME}`,
            reason: `selects the pods Istio deploys for the waypoint Gateway '${WAYPOINT_NAME}' (label ${GATEWAY_NAME_LABEL})`,
          },
        ]
      : [];
    return {
      services,
      ambient,
      ambientPolicies,
      limitations: [...ambient.limitations, ...ambientStageLimitations(stage)],
      accepted,
    };
  },
};

/** The flavours, by name: resolution picks one, no construct branches on it. */
export const STAGE_FLAVOURS: Readonly<Record<ReleaseFlavour, StageFlavour>> = {
  'istio-sidecar': SIDECAR,
  'gateway-api-ambient': AMBIENT,
};
