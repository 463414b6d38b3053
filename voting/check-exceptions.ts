import type { CheckException } from 'voting-mesh';

/**
 * Findings of the kube-score / Polaris / kube-linter style checks that the voting app keeps on
 * purpose. Every entry says why; `__tests__/security.test.ts` fails on any finding not listed
 * here and on any entry that no longer matches a finding.
 */
export const votingCheckExceptions: readonly CheckException[] = [
  {
    check: 'container-security-context-user-group-id',
    object: /^Deployment voting\/voting-(app|analytics)-/,
    reason:
      'kube-score wants UID/GID > 10000. The Node.js images run as their own `node` user (1000:1000); ' +
      "an unknown UID has no home directory and `npm start` writes to $HOME. 1000 is neither root nor Istio's 1337.",
  },
  {
    check: 'container-security-context-user-group-id',
    object: /^Deployment voting\/voting-storage-/,
    reason:
      'The official Redis and MySQL images own their data and socket directories as their `redis`/`mysql` user, 999:999; ' +
      'fsGroup 999 gives it the MySQL volume.',
  },
  {
    check: 'container-image-pull-policy',
    object: /^Deployment voting\//,
    reason:
      'Every image is pinned by tag (the checks reject `latest` and untagged images), so IfNotPresent pulls the same bytes ' +
      "without a registry round-trip per pod start; `createVotingApplication({ imagePullPolicy: 'Always' })` switches it.",
  },
  {
    check: 'pod-probes-identical',
    object: /^Deployment voting\/voting-(app|analytics)-/,
    reason:
      'Every HTTP page of the sample images queries storage, so an HTTP probe would restart or unroute the front end when ' +
      'storage is down; a TCP check of port 8080 is the only dependency-free signal (liveness waits longer and checks less often).',
  },
];
