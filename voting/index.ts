import { Construct } from 'constructs';
import { ReleaseStage } from 'voting-mesh';
import { votingApplication } from './application';
import { votingStages } from './stages';

export * from './application';
export * from './stages';

/** Adds one chart per voting release stage to `scope` (usually the App), in release order. */
export function buildVotingRelease(scope: Construct): ReleaseStage[] {
  return votingStages.map((stage) => new ReleaseStage(scope, { application: votingApplication, stage }));
}
export * from './check-exceptions';
