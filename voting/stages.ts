import type { ComponentTrafficPolicy, LaneSpec, StageSpec } from 'voting-mesh';

/** 1.0 everywhere: app 1.0 -> analytics 1.0 -> Redis 1.0. */
const LANE_V1_0: LaneSpec = {
  name: 'v1',
  versions: { 'voting-app': '1.0', 'voting-analytics': '1.0', 'voting-storage': '1.0' },
};
/** app 1.0 pinned to analytics 1.1, both on Redis 1.0. */
const LANE_V1_1: LaneSpec = {
  name: 'v1',
  versions: { 'voting-app': '1.0', 'voting-analytics': '1.1', 'voting-storage': '1.0' },
};
/** The 2.0 lane: app 2.0 -> analytics 2.0 -> MySQL 2.0. */
const LANE_V2: LaneSpec = {
  name: 'v2',
  versions: { 'voting-app': '2.0', 'voting-analytics': '2.0', 'voting-storage': '2.0' },
};

/**
 * Calls to analytics: the page is rendered only once analytics answers, so a stuck analytics pod
 * must not hold a visitor's page (3 s in all), and analytics' requests are idempotent reads, so a
 * refused or reset connection or a 503 from a pod that is restarting is retried on another pod,
 * each try bounded by 1 s (three tries fit in the timeout).
 */
const ANALYTICS_CALLS: ComponentTrafficPolicy = {
  timeout: '3s',
  retries: { attempts: 2, perTryTimeout: '1s', retryOn: ['connect-failure', 'refused-stream', 'reset', '503'] },
};

/**
 * The canary lane's front end (app 2.0, 3 pods): a pod that answers 5 errors in a row is taken out
 * of the gateway's rotation for 30 s and longer each time, at most one of the three at once, so a
 * bad pod of the new version does not spoil the canary for the users routed to it.
 */
const CANARY_APP: ComponentTrafficPolicy = {
  versions: {
    '2.0': {
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 34 },
    },
  },
};

/** The voting app's release, stage by stage; each stage is the complete desired state. */
export const votingStages: readonly StageSpec[] = [
  {
    name: '01-v1',
    description: 'Version 1.0 of every component behind the ingress gateway.',
    deployments: { 'voting-app': ['1.0'], 'voting-analytics': ['1.0'], 'voting-storage': ['1.0'] },
    lanes: [LANE_V1_0],
    entry: [{ to: 'v1' }],
    versionRouting: false,
  },
  {
    name: '02-analytics-1-1-lock',
    description: 'Analytics 1.1 added and every app 1.0 call pinned to it (1.0 kept idle for rollback); strict mTLS.',
    deployments: { 'voting-app': ['1.0'], 'voting-analytics': ['1.0', '1.1'], 'voting-storage': ['1.0'] },
    lanes: [LANE_V1_1],
    entry: [{ to: 'v1' }],
    mtls: 'STRICT',
    trafficPolicies: { 'voting-analytics': ANALYTICS_CALLS },
  },
  {
    name: '03-cookie-canary',
    description:
      'The 2.0 lane (app, analytics, MySQL) added for users with the featureflag=on cookie; everyone else stays on 1.x.',
    deployments: {
      'voting-app': ['1.0', '2.0'],
      'voting-analytics': ['1.0', '1.1', '2.0'],
      'voting-storage': ['1.0', '2.0'],
    },
    lanes: [LANE_V1_1, LANE_V2],
    entry: [
      { name: 'featureflag-cookie', match: [{ cookie: { name: 'featureflag', value: 'on' } }], to: 'v2' },
      { to: 'v1' },
    ],
    mtls: 'STRICT',
    trafficPolicies: { 'voting-analytics': ANALYTICS_CALLS, 'voting-app': CANARY_APP },
    // Promote to 04 only if the 2.0 lane's front end and API answer (almost) always, and fast.
    gates: [{ lane: 'v2', minSuccessRatePercent: 99, maxP99LatencyMs: 1000, window: '5m', minRequests: 100 }],
  },
  {
    name: '04-full-rollout',
    description: 'Everyone on the 2.0 lane; the 1.x Deployments are retired.',
    deployments: { 'voting-app': ['2.0'], 'voting-analytics': ['2.0'], 'voting-storage': ['2.0'] },
    lanes: [LANE_V2],
    entry: [{ to: 'v2' }],
    mtls: 'STRICT',
    // App 2.0 keeps ejecting failing pods once everyone is on it.
    trafficPolicies: { 'voting-analytics': ANALYTICS_CALLS, 'voting-app': CANARY_APP },
  },
];
