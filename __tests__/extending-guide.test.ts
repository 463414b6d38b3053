import { readFileSync } from 'fs';
import { join } from 'path';
import { ReleaseConfigError, ReleaseStage, TrafficSimulator } from 'voting-mesh';
import { buildPayments, payments, paymentsStages } from '../docs/extending-example';
import { testApp } from './support';

describe('docs/extending.md', () => {
  test('GIVEN the guide THEN its worked example is exactly docs/extending-example.ts (which npm run typecheck compiles)', () => {
    const guide = readFileSync(join(__dirname, '..', 'docs', 'extending.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(guide)![1];
    expect(code).toBe(readFileSync(join(__dirname, '..', 'docs', 'extending-example.ts'), 'utf8'));
  });

  test('GIVEN the worked example THEN testers and /v2/ reach 1.1, everyone else splits 90/10, and 1.1 keeps using the ledger', () => {
    const canary = buildPayments(testApp())[1].toJson();
    const sim = new TrafficSimulator(canary);
    expect(
      sim.ingress('payments-gateway', { headers: { 'x-payments-tester': 'true' } }).map((h) => h.deployments),
    ).toEqual([['payments-api-1-1']]);
    expect(sim.ingress('payments-gateway', { path: '/v2/charges' }).map((h) => h.deployments)).toEqual([
      ['payments-api-1-1'],
    ]);
    expect(sim.ingress('payments-gateway', { path: '/v1/charges' }).map((h) => [h.deployments, h.weight])).toEqual([
      [['payments-api-1-0'], 90],
      [['payments-api-1-1'], 10],
    ]);
    expect(
      sim.call({ sourceLabels: { app: 'payments-api', version: '1.1' }, service: 'ledger', port: 5432 })[0].deployments,
    ).toEqual(['ledger-15-4']);
  });

  test('GIVEN a mistake in the example THEN the library says where', () => {
    const stage = { ...paymentsStages[1], lanes: [paymentsStages[1].lanes[0]] };
    expect(() => new ReleaseStage(testApp(), { application: payments, stage })).toThrow(ReleaseConfigError);
    expect(() => new ReleaseStage(testApp(), { application: payments, stage })).toThrow(
      /stage '02-canary', component 'payments-api', field 'entry\[0\]\.to': lane 'next' is not defined in this stage/,
    );
  });
});
