import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshContextOptions } from '../model/defaults';
import { ISTIOCTL_DEFAULT_PROFILE } from '../model/installation-profile';
import { assertDnsLabel } from '../model/names';
import { CanaryRollout, CanaryRolloutProps } from './canary-rollout';
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
  public readonly canary: CanaryRollout;

  constructor(scope: Construct, props: RolloutStageProps) {
    assertDnsLabel(props.stageName, { stage: props.stageName, field: 'stageName' });
    super(scope, props.stageName, { [PART_OF_LABEL]: props.name });
    this.description = props.description;
    this.meshContext = { clusterDomain: props.clusterDomain };
    const injection = (props.installation ?? ISTIOCTL_DEFAULT_PROFILE).injectionLabel;
    new ApiObject(this, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: props.namespace, labels: { [injection.key]: injection.value } } });
    this.canary = new CanaryRollout(this, 'Canary', props);
  }
}
