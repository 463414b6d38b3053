// Argo Rollouts' Istio traffic shaping: one Rollout, two VirtualServices (HTTP route
// `http-primary` on one, `http-secondary` on the other, TLS routes on 443 by SNI host, TCP on
// 8020), stable and canary Services and the Gateway. Stage 2 changes the image; the controller
// then shifts 20% → 50% → 80% → 100% to the canary, pausing in between.
import type { Construct } from 'constructs';
import type { AcceptedFinding, RolloutStageProps, RolloutStep } from 'voting-mesh';
import { RolloutStage } from 'voting-mesh';
import { httpWorkload } from '../common';

const NAME = 'rollouts-demo';
const VSVC1 = 'rollouts-demo-vsvc1.local';
const VSVC2 = 'rollouts-demo-vsvc2.local';

export const rolloutSteps: readonly RolloutStep[] = [
  { setWeight: 20 },
  { pause: {} }, // wait for `kubectl argo rollouts promote rollouts-demo`
  { setWeight: 50 },
  { pause: { duration: '30s' } },
  { setWeight: 80 },
  { pause: { duration: '30s' } },
];

const stage = (stageName: string, description: string, color: string): RolloutStageProps => ({
  stageName,
  description,
  name: NAME,
  namespace: 'rollouts-demo',
  workload: httpWorkload(
    `docker.io/argoproj/rollouts-demo:${color}`,
    { name: 'http', port: 8080, protocol: 'http' },
    {
      replicas: 5,
      ports: [
        { name: 'http', port: 8080, protocol: 'http' },
        { name: 'tls', port: 443, protocol: 'tls' },
        { name: 'tcp', port: 8020, protocol: 'tcp' },
      ],
    },
  ),
  gateway: { name: 'rollouts-demo-gateway', hosts: [VSVC1, VSVC2], tlsPassthroughPorts: [443], tcpPorts: [8020] },
  virtualServices: [
    {
      name: 'rollouts-demo-vsvc1',
      hosts: [VSVC1],
      httpRoutes: ['http-primary'],
      tlsRoutes: [{ port: 443, sniHosts: [VSVC1] }],
    },
    {
      name: 'rollouts-demo-vsvc2',
      hosts: [VSVC2],
      httpRoutes: ['http-secondary'],
      tlsRoutes: [{ port: 443, sniHosts: [VSVC2] }],
      tcpRoutes: [{ port: 8020 }],
    },
  ],
  steps: rolloutSteps,
});

export const rolloutsDemoStages: readonly RolloutStageProps[] = [
  stage('01-blue', 'The blue image, all traffic on the stable ReplicaSet.', 'blue'),
  stage('02-yellow-canary', 'The yellow image: the controller shifts traffic to it step by step.', 'yellow'),
];

/** Analyzer Warnings this example accepts, with why. */
export const rolloutsDemoAcceptedFindings: readonly AcceptedFinding[] = [
  {
    code: 'IST0162',
    object: 'Gateway rollouts-demo/rollouts-demo-gateway',
    reason:
      "the TCP server on 8020 needs port 8020 on the ingress gateway Service, which the default istio-ingressgateway Service lacks: add it to that Service when installing (as Argo Rollouts' Istio example does)",
  },
];

export function buildRolloutsDemo(scope: Construct): RolloutStage[] {
  return rolloutsDemoStages.map((s) => new RolloutStage(scope, s).accept(...rolloutsDemoAcceptedFindings));
}
