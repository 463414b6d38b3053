import { App } from 'cdk8s';
import type { Finding } from 'voting-mesh';
import { acceptFindings, analyzeMesh, checkRelease, ReleaseStage, RolloutStage } from 'voting-mesh';
import { buildRolloutsDemo, rolloutsDemoAcceptedFindings, rolloutsDemoStages } from '../examples/rollouts-demo/app';
import { createVotingApplication, votingStages } from '../voting';
import { testApp } from './support';

const finding = (code: Finding['code'], level: Finding['level'], object: string): Finding => ({
  code,
  level,
  object,
  field: 'spec',
  message: 'm',
});

describe('allow-list of analyzer findings (ApplicationSpec.acceptedFindings)', () => {
  test('GIVEN an Error THEN it fails even when an entry names it', () => {
    const r = acceptFindings(
      [finding('IST0101', 'Error', 'VirtualService a/b')],
      [{ code: 'IST0101', object: 'VirtualService a/b', reason: 'why' }],
    );
    expect(r.failing.map((f) => f.code)).toEqual(['IST0101']);
  });

  test('GIVEN a Warning THEN it fails unless an entry with its code matches its object, exactly or by * glob', () => {
    const warnings = [
      finding('IST0162', 'Warning', 'Gateway ns/gw'),
      finding('IST0162', 'Warning', 'Gateway other/gw'),
      finding('IST0132', 'Warning', 'VirtualService ns/vs'),
    ];
    const r = acceptFindings(warnings, [
      { code: 'IST0162', object: 'Gateway ns/*', reason: 'port added at install' },
      { code: 'IST0132', object: 'VirtualService ns/vs', reason: 'bound later' },
    ]);
    expect(r.failing.map((f) => f.object)).toEqual(['Gateway other/gw']);
    expect(r.accepted.map((a) => a.finding.object)).toEqual(['Gateway ns/gw', 'VirtualService ns/vs']);
  });

  test('GIVEN Info findings THEN they never fail', () => {
    const r = acceptFindings([finding('IST0118', 'Info', 'Service ns/s')]);
    expect([r.failing.length, r.info.length]).toEqual([0, 1]);
  });

  test('GIVEN an entry without reason or accepting nothing THEN it is reported', () => {
    const r = acceptFindings(
      [finding('IST0162', 'Warning', 'Gateway ns/gw')],
      [
        { code: 'IST0162', object: 'Gateway ns/gw', reason: ' ' },
        { code: 'IST0132', object: 'VirtualService *', reason: 'stale' },
      ],
    );
    expect(r.failing.map((f) => f.code)).toEqual(['IST0162']);
    expect(r.invalidEntries.map((e) => e.problem)).toEqual([
      'acceptedFindings entry IST0162 Gateway ns/gw has no reason: say why the warning is accepted',
      'acceptedFindings entry IST0132 VirtualService * accepts no warning of this stage set: remove it or fix its code/object',
    ]);
  });

  test('GIVEN the rollouts-demo stages without their accepted IST0162 THEN synth fails on the Warning', () => {
    const app = new App({ outdir: '/tmp/voting-mesh-acceptance' });
    const stage = new RolloutStage(app, rolloutsDemoStages[0]);
    expect(() => stage.toJson()).toThrow(
      /IST0162 \[Warning\] Gateway rollouts-demo\/rollouts-demo-gateway spec\.servers\[2\]\.port\.number/,
    );
  });

  test('GIVEN the rollouts-demo stages with their allow-list THEN they synth, and checkRelease prints the accepted Warning with its reason', () => {
    const stages = buildRolloutsDemo(new App({ outdir: '/tmp/voting-mesh-acceptance' }));
    stages.forEach((s) => expect(() => s.toJson()).not.toThrow());
    const result = checkRelease(stages, { schemaValidation: false });
    expect(result.errors).toEqual([]);
    expect(result.accepted[0]).toContain(`(accepted: ${rolloutsDemoAcceptedFindings[0].reason})`);
  });

  test('GIVEN an allow-list entry no stage uses THEN checkRelease fails', () => {
    const stages = buildRolloutsDemo(new App({ outdir: '/tmp/voting-mesh-acceptance' }));
    stages[0].accept({ code: 'IST0132', object: 'VirtualService rollouts-demo/*', reason: 'stale' });
    expect(checkRelease(stages, { schemaValidation: false }).errors).toEqual([
      'acceptedFindings entry IST0132 VirtualService rollouts-demo/* accepts no Warning of any stage: remove it or fix its code or object',
    ]);
  });

  test('GIVEN an application allow-list THEN a ReleaseStage reads it, and an entry no stage uses fails the release check', () => {
    const entry = { code: 'IST0162', object: 'Gateway voting/*', reason: 'port added at install' };
    const chart = new ReleaseStage(testApp(), {
      application: { ...createVotingApplication(), acceptedFindings: [entry] },
      stage: votingStages[0],
    });
    expect(chart.acceptedFindings).toEqual([entry]);
    expect(checkRelease([chart], { schemaValidation: false }).errors).toEqual([
      'acceptedFindings entry IST0162 Gateway voting/* accepts no Warning of any stage: remove it or fix its code or object',
    ]);
  });

  test("GIVEN an application whose ingress gateway has its own labels and namespace THEN the analysis assumes that gateway, not Istio's default", () => {
    const base = createVotingApplication();
    const application = {
      ...base,
      gateway: { ...base.gateway, selector: { app: 'edge-gw' } },
      security: { ...base.security, ingressGateway: { namespace: 'edge', podLabels: { app: 'edge-gw' } } },
    };
    const chart = new ReleaseStage(testApp(), { application, stage: votingStages[0] });
    expect(chart.findings.filter((f) => f.level !== 'Info')).toEqual([]);
    expect(() => chart.toJson()).not.toThrow();
    // Istio's default resources alone would not have the gateway's pods.
    expect(analyzeMesh(chart.manifests, chart.meshContext).map((f) => `${f.code} ${f.object}`)).toEqual([
      'IST0101 Gateway voting/voting-app-gateway',
    ]);
  });
});
