import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshContextOptions, principal } from '../model/defaults';
import { ISTIOCTL_DEFAULT_PROFILE } from '../model/installation-profile';
import { assertDnsLabel } from '../model/names';
import { CanaryRollout, CanaryRolloutProps } from './canary-rollout';
import { IngressGatewayPods, PART_OF_LABEL, StageChart } from './stage-chart';

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

  constructor(scope: Construct, props: RolloutStageProps) {
    assertDnsLabel(props.stageName, { stage: props.stageName, field: 'stageName' });
    super(scope, props.stageName, { [PART_OF_LABEL]: props.name });
    this.description = props.description;
    const installation = props.installation ?? ISTIOCTL_DEFAULT_PROFILE;
    this.meshContext = {
      clusterDomain: props.clusterDomain,
      trustDomain: installation.trustDomain,
      ingressPrincipal: principal(installation.trustDomain, installation.ingressGateway.namespace, installation.ingressGateway.serviceAccount),
    };
    this.gatewayPods = { namespace: installation.ingressGateway.namespace, podLabels: props.gateway.selector ?? installation.ingressGateway.podLabels };
    const injection = (props.installation ?? ISTIOCTL_DEFAULT_PROFILE).injectionLabel;
    new ApiObject(this, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: props.namespace, labels: { [injection.key]: injection.value } } });
    this.canary = new CanaryRollout(this, 'Canary', props);
  }

  /** The installation's ingress gateway pods, which the stage's Gateway selects. */
  public override get ingressGateway(): IngressGatewayPods {
    return this.gatewayPods;
  }
}
