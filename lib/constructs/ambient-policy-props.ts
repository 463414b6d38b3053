import type { ProbeSpec, WorkloadSpec } from '../model/application-spec';
import type { LanePlan } from '../resolve/lane-services';
import type { ResolvedStage, VersionRef } from '../resolve/resolved-stage';
import { HTTP_FAMILY } from '../resolve/stage-checks';
import { stagePoliciesProps } from './policy-props';
import type { PolicyVersion, StagePoliciesProps } from './policy-props';

// The props of AmbientPolicies (./ambient-policies.ts) and how a ReleaseStage fills them from its resolved stage.

/** A workload version in ambient mode: {@link PolicyVersion} and the ports its kubelet probes reach. */
export interface AmbientPolicyVersion extends PolicyVersion {
  /** Container ports of its TCP and HTTP probes (exec probes need none). @default - none */
  readonly probePorts?: readonly number[];
}

/** A Service whose traffic goes through the namespace's waypoint. */
export interface WaypointServiceSpec {
  /** Service name. */
  readonly name: string;
  /** Component behind it (the `app` label of its policy). */
  readonly component: string;
  /** Ports the waypoint admits its callers on. */
  readonly ports: readonly number[];
}

/** Properties of {@link AmbientPolicies}. */
export interface AmbientPoliciesProps extends Omit<StagePoliciesProps, 'versions'> {
  /** The workload versions, each getting its own policies. */
  readonly versions: readonly AmbientPolicyVersion[];
  /** The entry Gateway's name (Istio deploys its pods as `<name>-istio`, labelled with the Gateway's name). */
  readonly gatewayName: string;
  /** The entry Gateway's listener port. @default 80 */
  readonly gatewayPort?: number;
  /** Principal of the entry Gateway's pods. @default - `<trustDomain>/ns/<namespace>/sa/<gatewayName>-istio` */
  readonly gatewayPrincipal?: string;
  /** The Services whose traffic goes through the waypoint. @default - none (no waypoint) */
  readonly waypointServices?: readonly WaypointServiceSpec[];
  /** The Service a caller version dials to reach a callee component. @default - the callee's own Service */
  readonly dials?: (caller: VersionRef, callee: string) => string;
}

/** The container ports a workload's TCP and HTTP probes reach, ascending. */
export function probePorts(w: WorkloadSpec): number[] {
  const probes: (ProbeSpec | undefined)[] = [w.readiness, w.liveness, w.startup];
  return [
    ...new Set(
      probes.flatMap((p) =>
        p === undefined
          ? []
          : 'tcpPort' in p.check
            ? [p.check.tcpPort]
            : 'httpGet' in p.check
              ? [p.check.httpGet.port]
              : [],
      ),
    ),
  ].sort((a, b) => a - b);
}

/** The {@link AmbientPoliciesProps} of a resolved stage: what a ReleaseStage passes. */
export function ambientPoliciesProps(
  stage: ResolvedStage,
  lanes: LanePlan,
  waypointServices: readonly string[],
): AmbientPoliciesProps {
  return {
    ...stagePoliciesProps(stage),
    versions: stage.components.flatMap((c) =>
      c.versions.map((d) => ({
        component: c.name,
        version: d.version,
        name: d.deploymentName,
        probePorts: probePorts(d.workload),
      })),
    ),
    gatewayName: stage.app.gateway.name,
    gatewayPort: stage.ingress.port,
    gatewayPrincipal: stage.ingress.principal,
    waypointServices: waypointServices.map((svc) => {
      const lane = lanes.services.find((s) => s.name === svc);
      const ports = lane
        ? lane.ports
        : stage.components.find((c) => c.name === svc)!.ports.filter((p) => HTTP_FAMILY.has(p.protocol));
      return { name: svc, component: lane?.component ?? svc, ports: ports.map((p) => p.port) };
    }),
    dials: (from, callee) => lanes.dials.get(`${from.component}@${from.version}`)?.get(callee)?.name ?? callee,
  };
}
