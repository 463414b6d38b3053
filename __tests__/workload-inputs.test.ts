import type { ApplicationSpec } from 'voting-mesh';
import { ReleaseConfigError, ReleaseStage } from 'voting-mesh';
import { votingApplication, votingStages } from '../voting';
import { testApp } from './support';

// Inputs the API server, Istio or a node drain would reject or suffer from, refused at construction
// with one line naming the field, the value and the fix.
const stage = votingStages.find((s) => s.name === '03-cookie-canary')!;

function errorOf(application: ApplicationSpec): string {
  try {
    new ReleaseStage(testApp(), { application, stage });
  } catch (err) {
    if (err instanceof ReleaseConfigError) return err.message;
    throw err;
  }
  throw new Error('expected the application to be rejected');
}

const withApp = (change: Record<string, unknown>, component = 'voting-app', version = '2.0'): ApplicationSpec => ({
  ...votingApplication,
  components: votingApplication.components.map((c) =>
    c.name !== component ? c : { ...c, versions: { ...c.versions, [version]: { ...c.versions[version], ...change } } },
  ),
});

describe('workload data Kubernetes or Istio would reject', () => {
  test.each([
    [
      'replicas beyond an int32',
      { replicas: 1e21 },
      "component 'voting-app', field 'versions['2.0'].replicas': replicas 1e+21 is not a whole number from 0 to 2147483647 (an int32). Set a whole number of pods.",
    ],
    [
      'a PodDisruptionBudget that blocks every eviction',
      { replicas: 3, minAvailable: 3 },
      "component 'voting-app', field 'versions['2.0'].minAvailable': minAvailable 3 of 3 pod(s) blocks every eviction, so no node running one can be drained. Use at most 2 (replicas - 1), or add replicas.",
    ],
    [
      'an environment variable name Kubernetes rejects',
      { env: { '1BAD NAME': 'x' } },
      "component 'voting-app', field 'versions['2.0'].env['1BAD NAME']': environment variable name '1BAD NAME' is not accepted by Kubernetes. Use letters, digits, '_', '-' and '.', not starting with a digit (e.g. 'API_HOST').",
    ],
    [
      "an application port in Istio's reserved range",
      { ports: [{ name: 'http', port: 15001, protocol: 'http' }] },
      "component 'voting-app', field 'versions['2.0'].ports[0]': port 15001 is in Istio's reserved range 15000–15090, which the sidecar owns in every pod. Listen on another port (8080, for instance).",
    ],
  ])('GIVEN %s THEN it is rejected with the fix', (_, change, message) => {
    expect(errorOf(withApp(change))).toBe(message);
  });

  test('GIVEN two spellings of one version (1.0 and v1.0) THEN they are rejected: both would be subset v1-0', () => {
    const app = {
      ...votingApplication,
      components: votingApplication.components.map((c) =>
        c.name !== 'voting-analytics' ? c : { ...c, versions: { ...c.versions, 'v1.0': c.versions['1.0'] } },
      ),
    };
    expect(errorOf(app)).toBe(
      "component 'voting-analytics', field 'versions['v1.0']': versions '1.0' and 'v1.0' both become subset v1-0. " +
        'Spell every version of a component one way (e.g. 1.0 and 2.0, or v1 and v2).',
    );
  });

  test('GIVEN the limits themselves (int32 max replicas, minAvailable replicas - 1) THEN they are accepted', () => {
    expect(
      () =>
        new ReleaseStage(testApp(), {
          application: withApp({ replicas: 2147483647, minAvailable: 2147483646 }),
          stage,
        }),
    ).not.toThrow();
    expect(
      () => new ReleaseStage(testApp(), { application: withApp({ replicas: 3, minAvailable: 2 }), stage }),
    ).not.toThrow();
  });
});
