import type { ApplicationSpec, StageSpec } from 'voting-mesh';
import { ReleaseConfigError, ReleaseStage } from 'voting-mesh';
import { votingApplication, votingStages } from '../voting';
import { testApp } from './support';

const canary = votingStages.find((s) => s.name === '03-cookie-canary')!;

/** Builds one stage chart; returns the error it throws. */
function errorOf(stage: StageSpec, application: ApplicationSpec = votingApplication): ReleaseConfigError {
  try {
    new ReleaseStage(testApp(), { application, stage });
  } catch (err) {
    if (err instanceof ReleaseConfigError) return err;
    throw err;
  }
  throw new Error('expected the stage to be rejected');
}

function withComponent(name: string, change: (c: any) => any): ApplicationSpec {
  return {
    ...votingApplication,
    components: votingApplication.components.map((c) => (c.name === name ? change(c) : c)),
  };
}

function withWorkload(component: string, version: string, change: Record<string, unknown>): ApplicationSpec {
  return withComponent(component, (c) => ({
    ...c,
    versions: { ...c.versions, [version]: { ...c.versions[version], ...change } },
  }));
}

describe('inconsistent stage data is rejected at construction, naming stage, component, field and value', () => {
  test('GIVEN a lane routing to a version that is not deployed THEN it names the version and what is deployed', () => {
    const stage = { ...canary, deployments: { ...canary.deployments, 'voting-analytics': ['1.0', '1.1'] } };
    const err = errorOf(stage);
    expect(err.message).toBe(
      "stage '03-cookie-canary', component 'voting-analytics', field 'lanes[1].versions['voting-analytics']': " +
        "lane 'v2' routes to version '2.0', which is not deployed in this stage. Add it to deployments['voting-analytics'] (deployed: 1.0, 1.1) or route to a deployed version.",
    );
    expect(err).toMatchObject({ stage: '03-cookie-canary', component: 'voting-analytics' });
  });

  test('GIVEN an entry route to an unknown lane (subset) THEN it lists the defined lanes', () => {
    const stage = { ...canary, entry: [canary.entry[0], { to: 'v9' }] };
    expect(errorOf(stage).message).toMatch(
      /stage '03-cookie-canary', component 'voting-app', field 'entry\[1\]\.to': lane 'v9' is not defined in this stage\. Use one of v1, v2\./,
    );
  });

  test.each([
    [
      [
        { lane: 'v1', weight: 80 },
        { lane: 'v2', weight: 30 },
      ],
      /weights sum to 110, not 100/,
    ],
    [
      [
        { lane: 'v1', weight: 90 },
        { lane: 'v2', weight: 5 },
      ],
      /weights sum to 95, not 100/,
    ],
    [
      [
        { lane: 'v1', weight: 50.5 },
        { lane: 'v2', weight: 49.5 },
      ],
      /weight 50\.5 of lane 'v1' is not a whole percentage/,
    ],
    [
      [
        { lane: 'v1', weight: -10 },
        { lane: 'v2', weight: 110 },
      ],
      /weight -10 of lane 'v1' is not a whole percentage/,
    ],
    [
      [
        { lane: 'v1', weight: 50 },
        { lane: 'v1', weight: 50 },
      ],
      /lane 'v1' appears twice in one split/,
    ],
  ])('GIVEN weights %j THEN it is rejected', (to, message) => {
    const stage = { ...canary, entry: [canary.entry[0], { to }] };
    expect(errorOf(stage).message).toMatch(
      new RegExp(`stage '03-cookie-canary', component 'voting-app', field 'entry\\[1\\]\\.to': ${message.source}`),
    );
  });

  test('GIVEN a version deployed twice THEN it is rejected', () => {
    const stage = { ...canary, deployments: { ...canary.deployments, 'voting-app': ['1.0', '2.0', '1.0'] } };
    expect(errorOf(stage).message).toMatch(
      /component 'voting-app', field 'deployments\['voting-app'\]': version '1.0' is listed twice/,
    );
  });

  test('GIVEN a version the component never shipped THEN it lists the defined versions', () => {
    const stage = { ...canary, deployments: { ...canary.deployments, 'voting-app': ['1.0', '3.0'] } };
    expect(errorOf(stage).message).toMatch(/version '3.0' is not defined\. Defined versions: 1\.0, 2\.0\./);
  });

  test.each([
    ['stage name', { ...canary, name: 'Cookie_Canary' }, /field 'name': 'Cookie_Canary' is not a DNS-1123 label/],
    [
      'lane name',
      {
        ...canary,
        lanes: [canary.lanes[0], { ...canary.lanes[1], name: 'V2' }],
        entry: [{ ...canary.entry[0], to: 'V2' }, canary.entry[1]],
      },
      /field 'lanes\[1\]\.name': 'V2' is not a DNS-1123 label/,
    ],
    [
      'route name',
      { ...canary, entry: [{ ...canary.entry[0], name: 'cookie route' }, canary.entry[1]] },
      /field 'entry\[0\]\.name': 'cookie route' is not a DNS-1123 label/,
    ],
  ])('GIVEN a %s that is not DNS-1123 THEN it is rejected', (_, stage, message) => {
    expect(errorOf(stage as StageSpec).message).toMatch(message);
  });

  test('GIVEN a component name that is not DNS-1123 THEN it is rejected', () => {
    expect(
      errorOf(
        canary,
        withComponent('voting-storage', (c) => ({ ...c, name: 'voting_storage' })),
      ).message,
    ).toMatch(/component 'voting_storage', field 'name': 'voting_storage' is not a DNS-1123 label/);
  });

  test('GIVEN two lanes pinning one caller version to different callee versions THEN sourceLabels cannot express it', () => {
    const stage: StageSpec = {
      ...canary,
      lanes: [canary.lanes[0], { name: 'v2', versions: { ...canary.lanes[0].versions, 'voting-analytics': '2.0' } }],
    };
    expect(errorOf(stage).message).toMatch(
      /component 'voting-analytics', field 'lanes\['v2'\]\.versions\['voting-analytics'\]': lanes 'v1' and 'v2' both run voting-app 1\.0 but send it to voting-analytics 1\.1 and 2\.0/,
    );
  });

  test('GIVEN a lane missing a component its callers use THEN it names the component', () => {
    const stage = {
      ...canary,
      lanes: [canary.lanes[0], { name: 'v2', versions: { 'voting-app': '2.0', 'voting-analytics': '2.0' } }],
    };
    expect(errorOf(stage).message).toMatch(
      /component 'voting-storage', field 'lanes\[1\]\.versions': lane 'v2' does not say which version of 'voting-storage' its callers use/,
    );
  });

  test('GIVEN a catch-all route before other routes THEN it reports the shadowed routes', () => {
    const stage = { ...canary, entry: [{ to: 'v1' }, canary.entry[0], { to: 'v1' }] };
    expect(errorOf(stage).message).toMatch(
      /field 'entry\[0\]\.match': route 0 has no match, so it takes every request and the 2 route\(s\) after it never match/,
    );
  });

  test('GIVEN entry routes without a default THEN it asks for one', () => {
    expect(errorOf({ ...canary, entry: [canary.entry[0]] }).message).toMatch(
      /the last route has a match, so unmatched requests have no route/,
    );
  });

  test('GIVEN a lane no route sends traffic to THEN it is rejected', () => {
    expect(errorOf({ ...canary, entry: [{ to: 'v1' }] }).message).toMatch(
      /field 'lanes\['v2'\]': no entry route sends \(or mirrors\) traffic to lane 'v2'/,
    );
  });

  test('GIVEN two versions of a component without version routing THEN the unpinned spread is rejected', () => {
    const stage = { ...votingStages[1], versionRouting: false };
    expect(errorOf(stage).message).toMatch(
      /component 'voting-analytics', field 'versionRouting': voting-analytics runs 1\.0 and 1\.1 without version routing/,
    );
  });

  test.each([
    [
      { cookie: { name: 'feature flag', value: 'on' } },
      /field 'entry\[0\]\.match\[0\]\.cookie\.name': cookie name 'feature flag' is not an RFC 7230 token/,
    ],
    [
      { cookie: { name: 'featureflag', value: 'on;x' } },
      /field 'entry\[0\]\.match\[0\]\.cookie\.value': cookie value 'on;x' is not a valid unquoted cookie value/,
    ],
    [
      { header: { name: 'User-Agent', exact: 'canary' } },
      /header name 'User-Agent' is not a lower-case RFC 7230 token/,
    ],
    [
      { header: { name: 'qa', exact: 'a', prefix: 'b' } },
      /exactly one of exact, prefix, regex must be set, got exact and prefix/,
    ],
    [{ uri: { prefix: 'api' } }, /path 'api' does not start with '\/'/],
    [{}, /a match must set at least one of cookie, header or uri/],
  ])('GIVEN entry match %j THEN it is rejected', (match, message) => {
    const stage = { ...canary, entry: [{ ...canary.entry[0], match: [match] }, canary.entry[1]] };
    expect(errorOf(stage as StageSpec).message).toMatch(message);
  });

  test('GIVEN an unknown component in deployments THEN it lists the components', () => {
    const stage = { ...canary, deployments: { ...canary.deployments, 'voting-cache': ['1.0'] } };
    expect(errorOf(stage).message).toMatch(
      /component 'voting-cache', field 'deployments\['voting-cache'\]': 'voting-cache' is not a component of application 'voting'\. Use one of voting-app, voting-analytics, voting-storage\./,
    );
  });
});

describe('workload data is checked before a stage uses it', () => {
  test.each([
    ['an unpinned image', { image: 'redis' }, /versions\['1.0'\]\.image': image 'redis' is not pinned/],
    ['the latest tag', { image: 'redis:latest' }, /image 'redis:latest' is not pinned/],
    [
      "Istio's proxy UID",
      { runAs: { user: 1337, group: 1337 } },
      /versions\['1.0'\]\.runAs\.user': 1337 is not an allowed id/,
    ],
    ['root', { runAs: { user: 0, group: 0 } }, /runAs\.user': 0 is not an allowed id/],
    [
      'a port name without protocol prefix',
      { ports: [{ name: 'redis', port: 6379, protocol: 'tcp' }] },
      /port name 'redis' does not follow Istio's '<protocol>\[-<suffix>\]' convention for protocol 'tcp'/,
    ],
    [
      'an unknown protocol',
      { ports: [{ name: 'redis', port: 6379, protocol: 'redis' }] },
      /protocol 'redis' is not one of http, http2, grpc, tcp, tls/,
    ],
    [
      'a probe on an undeclared port',
      { liveness: { check: { tcpPort: 1234 } } },
      /versions\['1.0'\]\.liveness': probe port 1234 is not a declared port/,
    ],
    [
      'a request above its limit',
      { resources: { cpuMillis: { request: 600, limit: 500 }, memoryMiB: { request: 1, limit: 2 } } },
      /resources\.cpuMillis': request 600 \/ limit 500 are not whole numbers with 0 < request <= limit/,
    ],
  ])(
    'GIVEN storage 1.0 with %s THEN the stage is rejected, naming the component and field but no stage (it is application data)',
    (_, change, message) => {
      const err = errorOf(votingStages[0], withWorkload('voting-storage', '1.0', change));
      expect(err.message).toMatch(new RegExp(`^component 'voting-storage', field '.*${message.source}`));
    },
  );

  test('GIVEN two deployed versions that disagree on a port THEN the shared Service cannot serve both', () => {
    const app = withWorkload('voting-storage', '2.0', {
      ports: [{ name: 'tcp-mysql', port: 6379, protocol: 'tcp' }],
      startup: undefined,
      readiness: { check: { tcpPort: 6379 } },
      liveness: { check: { tcpPort: 6379 } },
    });
    expect(errorOf(canary, app).message).toMatch(
      /component 'voting-storage', field 'versions\['2.0'\]\.ports': port 6379 is 'tcp-mysql' \(tcp\) here but 'tcp-redis' \(tcp\) in another deployed version/,
    );
  });
});
