import type { Manifest } from 'voting-mesh';
import { analyzeMesh, authorize, authorizeAtWaypoint } from 'voting-mesh';
import { buildVotingFlavour } from '../voting';
import { testApp } from './support';

// Ambient authorization is enforced twice for a call through a waypoint: at the waypoint
// (targetRefs policies, the caller's identity) and at the destination's ztunnel (selector
// policies, the waypoint's identity). These tests evaluate the synthesized voting stages.
const stages = new Map(
  buildVotingFlavour(testApp(), 'gateway-api-ambient').map((s) => [s.stageName, s.toJson() as Manifest[]]),
);
const canary = stages.get('03-cookie-canary')!;
const sa = (name: string) => `cluster.local/ns/voting/sa/${name}`;
const analytics = (version: string) => ({ app: 'voting-analytics', version });

describe('ambient authorization', () => {
  test('GIVEN the canary stage WHEN a lane caller goes through the waypoint THEN the waypoint admits its own lane only', () => {
    expect(
      authorizeAtWaypoint(canary, 'voting', 'waypoint', 'voting-analytics-lane-v2', sa('voting-app-2-0'), 8080).allowed,
    ).toBe(true);
    expect(
      authorizeAtWaypoint(canary, 'voting', 'waypoint', 'voting-analytics-lane-v2', sa('voting-app-1-0'), 8080),
    ).toMatchObject({ allowed: false });
    expect(
      authorizeAtWaypoint(canary, 'voting', 'waypoint', 'voting-analytics-lane-v1', sa('voting-app-1-0'), 8080).allowed,
    ).toBe(true);
    expect(
      authorizeAtWaypoint(canary, 'voting', 'waypoint', 'voting-analytics-lane-v1', sa('voting-app-2-0'), 8080).allowed,
    ).toBe(false);
  });

  test('GIVEN the canary stage WHEN analytics pods are called THEN ztunnel admits the waypoint and no caller directly', () => {
    expect(authorize(canary, 'voting', analytics('2.0'), sa('waypoint'), 8080).allowed).toBe(true);
    // Dialling the version Service (no waypoint) arrives with the caller's own identity: denied.
    expect(authorize(canary, 'voting', analytics('2.0'), sa('voting-app-2-0'), 8080).allowed).toBe(false);
    expect(authorize(canary, 'voting', analytics('1.1'), sa('voting-app-1-0'), 8080).allowed).toBe(false);
  });

  test("GIVEN the canary stage WHEN storage is called THEN ztunnel admits each lane's callers directly, and no other lane", () => {
    const redis = { app: 'voting-storage', version: '1.0' };
    const mysql = { app: 'voting-storage', version: '2.0' };
    expect(authorize(canary, 'voting', redis, sa('voting-app-1-0'), 6379).allowed).toBe(true);
    expect(authorize(canary, 'voting', redis, sa('voting-analytics-1-1'), 6379).allowed).toBe(true);
    expect(authorize(canary, 'voting', mysql, sa('voting-app-2-0'), 3306).allowed).toBe(true);
    expect(authorize(canary, 'voting', mysql, sa('voting-app-1-0'), 3306).allowed).toBe(false);
    expect(authorize(canary, 'voting', redis, sa('voting-app-2-0'), 6379).allowed).toBe(false);
    // The waypoint carries HTTP lanes only: it is no storage client.
    expect(authorize(canary, 'voting', redis, sa('waypoint'), 6379).allowed).toBe(false);
  });

  test('GIVEN a waypoint policy that forgets a lane caller WHEN analyzed THEN VM0005 names the waypoint and the Service', () => {
    const broken = canary.map((m) =>
      m.kind === 'AuthorizationPolicy' && m.metadata.name === 'voting-analytics-lane-v2-waypoint'
        ? {
            ...m,
            spec: {
              ...m.spec,
              rules: [
                { from: [{ source: { principals: [sa('someone-else')] } }], to: [{ operation: { ports: ['8080'] } }] },
              ],
            },
          }
        : m,
    );
    const findings = analyzeMesh(broken).filter((f) => f.code === 'VM0005');
    expect(findings.map((f) => `${f.object}: ${f.message.split(':')[0]}`)).toEqual([
      "Deployment voting/voting-app-2-0: routing sends it (cluster.local/ns/voting/sa/voting-app-2-0) through waypoint waypoint to Service voting-analytics-lane-v2 on port 8080, but the waypoint's authorization denies it",
    ]);
  });

  test('GIVEN every ambient stage WHEN analyzed THEN no routed call is denied and no waypoint allowance is unused', () => {
    for (const [name, m] of stages) {
      const findings = analyzeMesh(m).filter(
        (f) => f.code === 'VM0005' || (f.code === 'VM0006' && /waypoint/.test(f.message)),
      );
      expect([name, findings]).toEqual([name, []]);
    }
  });
});
