import { readFileSync } from 'fs';
import { join } from 'path';
import { loadParity, runParity, summary } from './parity-support';

const doc = (file: string) => readFileSync(join(__dirname, '..', file), 'utf8');

// Istio 1.30.3's own routing tests, transcribed as data (__tests__/parity/istio-*.yaml, each case
// citing its file, test and subtest), run through explain. docs/routing-parity.md has the counts.
const files = [
  'istio-gateway.yaml',
  'istio-sidecar.yaml',
  'istio-sidecar-routes.yaml',
  'istio-sidecar-scoping.yaml',
  'istio-sidecar-outbound.yaml',
  'istio-sidecar-routes-httproute.yaml',
  'istio-build-http-routes.yaml',
  'istio-build-http-routes-sidecar.yaml',
  'istio-ingress.yaml',
];
const results = files.flatMap((f) => runParity(loadParity(f)).map((r) => ({ ...r, file: f })));

describe("Istio's routing tests through explain", () => {
  test.each(results.map((r) => [r.outcome.id, r]))('%s', (_id, r) => {
    // GIVEN the upstream case WHEN explain answers THEN it agrees, or the case is listed with why not.
    expect({ status: r.outcome.status, got: r.outcome.got }).toEqual({
      status: r.call.known?.status ?? 'agree',
      got: r.outcome.got,
    });
  });
  test('THEN the counts are those docs/routing-parity.md states', () => {
    const { counts, table } = summary(results);
    if (table !== '') console.log(table);
    console.log(
      `Istio routing cases: ${counts.agree} of ${results.length} agree, ${counts.disagree} disagree, ${counts['not-modelled']} not modelled`,
    );
    expect(counts.agree / results.length).toBeGreaterThanOrEqual(0.95);
    // The page's table row and the README quote these very counts.
    expect(doc('docs/routing-parity.md')).toContain(
      `| ${results.length} | ${counts.agree} | ${counts.disagree} | ${counts['not-modelled']} |`,
    );
    expect(doc('README.md')).toContain(`| ${counts.agree} of ${results.length} requests;`);
  });
});

const ambient = runParity(loadParity('istio-ambient.yaml'));

describe("Istio's ambient tests (which waypoint a Service's traffic goes through) through explain", () => {
  test.each(ambient.map((r) => [r.outcome.id, r]))('%s', (_id, r) => {
    expect({ status: r.outcome.status, got: r.outcome.got }).toEqual({
      status: r.call.known?.status ?? 'agree',
      got: r.outcome.got,
    });
  });
  test('THEN the counts are those docs/routing-parity.md states', () => {
    const { counts, table } = summary(ambient);
    if (table !== '') console.log(table);
    console.log(`Istio ambient cases: ${counts.agree} of ${ambient.length} agree`);
    expect(counts.agree).toBe(ambient.length);
    expect(doc('docs/routing-parity.md')).toContain(`| ${ambient.length} | ${counts.agree} | 0 | 0 |`);
    expect(doc('README.md')).toContain(`| ${counts.agree} of ${ambient.length}, `);
  });
});
