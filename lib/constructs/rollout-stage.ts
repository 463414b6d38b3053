import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { MeshContextOptions } from '../model/defaults';
import { resolveInstallation } from '../model/installation-profile';
import { resolveIngress } from '../resolve/ingress';
import { assertDnsLabel } from '../model/names';
import type { CanaryRolloutProps } from './canary-rollout';
import { CanaryRollout } from './canary-rollout';
import type { IngressGatewayPods } from './stage-chart';
import { PART_OF_LABEL, StageChart } from './stage-chart';

/** Properties of a {@link RolloutStage}. */
export interface RolloutStageProps extends CanaryRolloutProps {
  /** Stage name (file `<name>.k8s.yaml`). */
  readonly stageName: string;
  /** One sentence for reviewers. */
  readonly description: string;
}

/**
 * One stage of a release driven by Argo Rollouts: the namespace (with sidecar injection) and a
 * {@link CanaryRollout}. A new stage usually changes the image; the controller then walks the steps.
 */
export class RolloutStage extends StageChart {
  public readonly description: string;
  public readonly meshContext: MeshContextOptions;
  private readonly gatewayPods: IngressGatewayPods;
  public readonly canary: CanaryRollout;

  /**
   * @param id the chart's id (`new RolloutStage(app, props)`, without one, takes the stage name)
   */
  constructor(scope: Construct, id: string, props: RolloutStageProps);
  /** @deprecated pass an id: `new RolloutStage(scope, id, props)` */
  constructor(scope: Construct, props: RolloutStageProps);
  constructor(scope: Construct, idOrProps: string | RolloutStageProps, maybeProps?: RolloutStageProps) {
    const [id, props] = typeof idOrProps === 'string' ? [idOrProps, maybeProps!] : [idOrProps.stageName, idOrProps];
    assertDnsLabel(props.stageName, { stage: props.stageName, field: 'stageName' });
    super(scope, id, { stageName: props.stageName, labels: { [PART_OF_LABEL]: props.name } });
    this.description = props.description;
    const installation = resolveInstallation(props.installation);
    const ingress = resolveIngress({
      namespace: props.namespace,
      gateway: props.gateway,
      installation,
      stage: props.stageName,
    });
    this.meshContext = {
      clusterDomain: props.clusterDomain,
      trustDomain: installation.trustDomain,
      ingressPrincipal: ingress.principal,
    };
    this.gatewayPods = { namespace: ingress.namespace, podLabels: ingress.podLabels };
    const injection = installation.injectionLabel;
    new ApiObject(this, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: props.namespace, labels: { [injection.key]: injection.value } },
    });
    this.canary = new CanaryRollout(this, 'Canary', props);
  }

  /** The installation's ingress gateway pods, which the stage's Gateway selects. */
  public override get ingressGateway(): IngressGatewayPods {
    return this.gatewayPods;
  }
}
