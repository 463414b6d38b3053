import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Rollout } from '../../imports/argoproj.io';
import { DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT, resolveMeshContext, workloadReplicas } from '../model/defaults';
import type { InstallationProfile } from '../model/installation-profile';
import { resolveIngress } from '../resolve/ingress';
import { ReleaseConfigError, show } from '../model/errors';
import { IngressGateway } from './ingress-gateway';
import type { IstioApiVersion } from './istio-api';
import { istioKinds } from './istio-api';
import { assertDnsLabel, serviceHost } from '../model/names';
import type { GatewaySpec, WorkloadSpec } from '../model/spec';
import { validateApplication } from '../resolve/validate-application';
import { disruptionBudget, VersionedDeployment } from './versioned-deployment';
import { servicePorts } from './mesh-service';
import { rolloutServiceNames } from '../model/names';

/** One step of an Argo Rollouts canary: shift weight to the canary, or wait. */
export type RolloutStep =
  | { readonly setWeight: number }
  /** Wait `duration` (`30s`, `10m`, `1h`), or until promoted (`kubectl argo rollouts promote`) without one. */
  | { readonly pause: { readonly duration?: string } };

/** A VirtualService whose routes the Rollout controller drives between stable and canary. */
export interface RolloutVirtualServiceSpec {
  /** VirtualService name. */
  readonly name: string;
  /** Hosts it routes. */
  readonly hosts: readonly string[];
  /** Bind it to the application's Gateway (else to `mesh`). @default true */
  readonly viaGateway?: boolean;
  /** Named HTTP routes (to the workload's HTTP port) the controller updates. @default - none */
  readonly httpRoutes?: readonly string[];
  /** TLS routes by port and SNI hosts (to the workload's port of that number). @default - none */
  readonly tlsRoutes?: readonly { readonly port: number; readonly sniHosts: readonly string[] }[];
  /** TCP routes by port. @default - none */
  readonly tcpRoutes?: readonly { readonly port: number }[];
}

/** Properties of a {@link CanaryRollout}. */
export interface CanaryRolloutProps {
  /** Rollout name, `app` label, and prefix of the `<name>-stable` / `<name>-canary` Services. */
  readonly name: string;
  /** Namespace of every object. */
  readonly namespace: string;
  /** What the pods run; changing it (a new image) starts a canary. */
  readonly workload: WorkloadSpec;
  /** The Gateway the VirtualServices are bound to. */
  readonly gateway: GatewaySpec;
  /** VirtualServices with the routes the controller shifts. */
  readonly virtualServices: readonly RolloutVirtualServiceSpec[];
  /** Canary steps, in order. */
  readonly steps: readonly RolloutStep[];
  /** Istio API version. @default 'v1' */
  readonly istioApiVersion?: IstioApiVersion;
  /** Kubernetes cluster domain of the Service hosts. @default 'cluster.local' */
  readonly clusterDomain?: string;
  /** Where Istio is installed: the Gateway selects its ingress gateway pods. @default ISTIOCTL_DEFAULT_PROFILE */
  readonly installation?: InstallationProfile;
  /** Old ReplicaSets kept for rollback. @default 3 (DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT) */
  readonly revisionHistoryLimit?: number;
}

const DURATION = /^[0-9]+(s|m|h)$/;

/**
 * Argo Rollouts as the traffic engine: a Rollout with a canary strategy (stable and canary
 * Services, Istio traffic routing over named HTTP routes, TLS routes by port and SNI, TCP routes
 * by port, and `setWeight`/`pause` steps), the two Services, the VirtualServices starting at
 * stable 100 / canary 0 and the Gateway. The controller then drives the weights; these objects
 * are the desired state it starts from.
 */
export class CanaryRollout extends Construct {
  public readonly rollout: ApiObject;
  public readonly stableService: k8s.KubeService;
  public readonly canaryService: k8s.KubeService;
  public readonly virtualServices: readonly ApiObject[];
  public readonly ingress: IngressGateway;
  /** Pods kept during voluntary disruptions, as for a Deployment. @default - none for a single replica */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Number of pods (`workload.replicas`, else 1). */
  public readonly replicas: number;
  /** Old ReplicaSets kept for rollback. */
  public readonly revisionHistoryLimit: number;
  /** Kubernetes cluster domain of the Service hosts. */
  public readonly clusterDomain: string;
  private readonly stableHost: string;
  private readonly canaryHost: string;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    const { name, namespace, workload } = props;
    // The workload and names get the same checks as any application's.
    validateApplication({
      name,
      namespace,
      entryComponent: name,
      gateway: props.gateway,
      components: [{ name, versions: { '1.0': workload } }],
    });
    validateSteps(props.steps, (field) => ({ component: name, field }));
    props.virtualServices.forEach((vs, i) => validateVirtualService(props, vs, i));
    this.replicas = workloadReplicas(workload);
    this.revisionHistoryLimit = props.revisionHistoryLimit ?? DEFAULT_ROLLOUT_REVISION_HISTORY_LIMIT;
    this.clusterDomain = resolveMeshContext({ clusterDomain: props.clusterDomain }).clusterDomain;

    const serviceSpec = { type: 'ClusterIP', selector: { app: name }, ports: servicePorts(workload.ports) };
    // The controller adds the rollouts-pod-template-hash of the stable and canary ReplicaSets to these selectors.
    const serviceNames = rolloutServiceNames(name);
    this.stableService = new k8s.KubeService(this, 'Stable', {
      metadata: { name: serviceNames.stable, namespace, labels: { app: name } },
      spec: serviceSpec,
    });
    this.canaryService = new k8s.KubeService(this, 'Canary', {
      metadata: { name: serviceNames.canary, namespace, labels: { app: name } },
      spec: serviceSpec,
    });
    this.stableHost = serviceHost(serviceNames.stable, namespace, this.clusterDomain);
    this.canaryHost = serviceHost(serviceNames.canary, namespace, this.clusterDomain);

    this.ingress = new IngressGateway(this, 'Ingress', {
      gateway: props.gateway,
      namespace,
      virtualServiceName: `${name}-ingress`,
      destinationHost: this.stableHost,
      routes: [],
      istioApiVersion: props.istioApiVersion,
      selector: resolveIngress({ namespace, gateway: props.gateway, installation: props.installation }).podLabels,
      withoutVirtualService: true,
    });
    this.virtualServices = props.virtualServices.map((vs) => this.addVirtualService(props, vs));
    this.rollout = this.addRollout(props);
    // The Rollout's pods get the same budget a Deployment's would (before, a 5-replica rollout had none).
    this.disruptionBudget = disruptionBudget(this, { name, namespace, labels: { app: name }, workload });
  }

  /** Stable 100 / canary 0 on `port`: where the controller starts. */
  private split(port: number) {
    return [
      { destination: { host: this.stableHost, port: { number: port } }, weight: 100 },
      { destination: { host: this.canaryHost, port: { number: port } }, weight: 0 },
    ];
  }

  private addVirtualService(props: CanaryRolloutProps, vs: RolloutVirtualServiceSpec): ApiObject {
    const { VirtualService } = istioKinds(props.istioApiVersion);
    const http = httpPort(props.workload);
    return new VirtualService(this, `VirtualService-${vs.name}`, {
      metadata: { name: vs.name, namespace: props.namespace },
      spec: {
        hosts: [...vs.hosts],
        gateways: [(vs.viaGateway ?? true) ? props.gateway.name : 'mesh'],
        ...((vs.httpRoutes ?? []).length > 0
          ? { http: vs.httpRoutes!.map((r) => ({ name: r, route: this.split(http!.port) })) }
          : {}),
        ...((vs.tlsRoutes ?? []).length > 0
          ? {
              tls: vs.tlsRoutes!.map((r) => ({
                match: [{ port: r.port, sniHosts: [...r.sniHosts] }],
                route: this.split(r.port),
              })),
            }
          : {}),
        ...((vs.tcpRoutes ?? []).length > 0
          ? { tcp: vs.tcpRoutes!.map((r) => ({ match: [{ port: r.port }], route: this.split(r.port) })) }
          : {}),
      },
    });
  }

  private addRollout(props: CanaryRolloutProps): ApiObject {
    const { name, namespace } = props;
    return new ApiObject(this, 'Rollout', {
      ...Rollout.GVK,
      metadata: { name, namespace, labels: { app: name } },
      spec: {
        replicas: this.replicas,
        revisionHistoryLimit: this.revisionHistoryLimit,
        selector: { matchLabels: { app: name } },
        template: podTemplate(this, name, namespace, props.workload),
        strategy: {
          canary: {
            canaryService: this.canaryService.name,
            stableService: this.stableService.name,
            trafficRouting: {
              istio: {
                virtualServices: props.virtualServices.map((vs) => ({
                  name: vs.name,
                  ...((vs.httpRoutes ?? []).length > 0 ? { routes: [...vs.httpRoutes!] } : {}),
                  ...((vs.tlsRoutes ?? []).length > 0
                    ? { tlsRoutes: vs.tlsRoutes!.map((r) => ({ port: r.port, sniHosts: [...r.sniHosts] })) }
                    : {}),
                  ...((vs.tcpRoutes ?? []).length > 0
                    ? { tcpRoutes: vs.tcpRoutes!.map((r) => ({ port: r.port })) }
                    : {}),
                })),
              },
            },
            steps: props.steps.map((s) =>
              'setWeight' in s
                ? { setWeight: s.setWeight }
                : { pause: s.pause.duration ? { duration: s.pause.duration } : {} },
            ),
          },
        },
      },
    });
  }
}

/** The workload's first HTTP-family port. */
function httpPort(workload: WorkloadSpec) {
  return workload.ports.find((p) => p.protocol === 'http' || p.protocol === 'http2' || p.protocol === 'grpc');
}

/** Throws when a VirtualService's name or routes do not fit the workload. */
function validateVirtualService(props: CanaryRolloutProps, vs: RolloutVirtualServiceSpec, i: number): void {
  const at = (field: string) => ({ component: props.name, field });
  const portOf = (port: number, field: string) => {
    if (!props.workload.ports.some((x) => x.port === port)) {
      throw new ReleaseConfigError(
        at(field),
        `port ${port} is not a port of the workload`,
        `Use one of ${props.workload.ports.map((x) => x.port).join(', ')}.`,
      );
    }
  };
  assertDnsLabel(vs.name, at(`virtualServices[${i}].name`));
  if ((vs.httpRoutes ?? []).length > 0 && !httpPort(props.workload)) {
    throw new ReleaseConfigError(
      at(`virtualServices[${i}].httpRoutes`),
      'the workload has no HTTP port',
      'Declare an http port or drop the HTTP routes.',
    );
  }
  (vs.httpRoutes ?? []).forEach((r, j) => assertDnsLabel(r, at(`virtualServices[${i}].httpRoutes[${j}]`)));
  (vs.tlsRoutes ?? []).forEach((r, j) => portOf(r.port, `virtualServices[${i}].tlsRoutes[${j}].port`));
  (vs.tcpRoutes ?? []).forEach((r, j) => portOf(r.port, `virtualServices[${i}].tcpRoutes[${j}].port`));
}

function validateSteps(
  steps: readonly RolloutStep[],
  at: (field: string) => { component: string; field: string },
): void {
  if (steps.length === 0)
    throw new ReleaseConfigError(at('steps'), 'the canary has no steps', 'Add setWeight and pause steps.');
  steps.forEach((s, i) => {
    if ('setWeight' in s) {
      if (!Number.isInteger(s.setWeight) || s.setWeight < 0 || s.setWeight > 100) {
        throw new ReleaseConfigError(
          at(`steps[${i}].setWeight`),
          `weight ${show(s.setWeight)} is not a whole percentage`,
          'Use a whole number from 0 to 100.',
        );
      }
    } else if (s.pause.duration !== undefined && !DURATION.test(s.pause.duration)) {
      throw new ReleaseConfigError(
        at(`steps[${i}].pause.duration`),
        `duration ${show(s.pause.duration)} is not a duration`,
        "Write it as '30s', '10m' or '1h', or leave it out to wait for promotion.",
      );
    }
  });
}

/**
 * The pod template of a workload, built by the same construct as every Deployment's
 * ({@link VersionedDeployment}: identity, probes, resources, securityContext), so a Rollout's pods
 * are set up like every other pod. The Deployment is rendered in `scope` and removed again before
 * synthesis: only its template is kept (its PodDisruptionBudget is the Rollout's own).
 */
function podTemplate(scope: Construct, name: string, namespace: string, workload: WorkloadSpec): unknown {
  const id = 'PodTemplate';
  const d = new VersionedDeployment(scope, id, { component: name, version: 'rollout', name, namespace, workload });
  const template = ApiObject.of(d.deployment).toJson().spec.template;
  scope.node.tryRemoveChild(id);
  // A Rollout's pods carry the app label only: the controller adds the template hash.
  const spread = template.spec.topologySpreadConstraints?.map((c: { readonly labelSelector?: unknown }) => ({
    ...c,
    labelSelector: { matchLabels: { app: name } },
  }));
  return {
    metadata: { labels: { app: name } },
    spec: { ...template.spec, ...(spread ? { topologySpreadConstraints: spread } : {}) },
  };
}
