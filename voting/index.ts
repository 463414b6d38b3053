import { Construct } from 'constructs';
import type { ReleaseFlavour } from 'voting-mesh';
import { ReleaseStage } from 'voting-mesh';
import { votingApplication } from './application';
import { votingStages } from './stages';

export * from './application';
export * from './stages';

/** Where each flavour of the voting release is written, relative to dist/: Istio APIs with sidecars at the top. */
export const VOTING_FLAVOUR_DIRECTORIES: Readonly<Record<ReleaseFlavour, string>> = {
  'istio-sidecar': '',
  'gateway-api-ambient': 'gateway-api-ambient',
};

/**
 * Adds one chart per voting release stage to `scope` (usually the App), in release order, for
 * one flavour (@default 'istio-sidecar'); the charts of another flavour live under a scope of
 * their own, since stage names repeat.
 */
export function buildVotingFlavour(scope: Construct, flavour: ReleaseFlavour = 'istio-sidecar'): ReleaseStage[] {
  const parent = flavour === 'istio-sidecar' ? scope : new Construct(scope, flavour);
  return votingStages.map(
    (stage) =>
      new ReleaseStage(parent, {
        application: votingApplication,
        stage,
        flavour,
        outputDirectory: VOTING_FLAVOUR_DIRECTORIES[flavour],
      }),
  );
}

/** Both flavours of the voting release: the sidecar stages (dist/), then the Gateway API + ambient stages (dist/gateway-api-ambient/). */
export function buildVotingRelease(scope: Construct): ReleaseStage[] {
  return [...buildVotingFlavour(scope, 'istio-sidecar'), ...buildVotingFlavour(scope, 'gateway-api-ambient')];
}
export * from './check-exceptions';
