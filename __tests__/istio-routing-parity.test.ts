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

// The tests whose every subtest was read (docs/routing-parity.md, "Istio cases looked at and not
// transcribed"): the share is counted over subtests, transcribed or refused, not over requests.
const SUBTESTS_READ = [
  'TestSidecarRoutes',
  'TestBuildHTTPRoutes',
  'TestSidecarOutboundHTTPRouteConfig',
  'TestSidecarOutboundHTTPRouteConfigWithDuplicateHosts',
  'TestSelectVirtualService',
];

describe("Istio's routing tests, counted per subtest", () => {
  test('THEN the subtests transcribed are those the page counts, and with the refused ones at least 95 % agree', () => {
    // GIVEN every fixture's cases WHEN counted per distinct subtest (the httproute variant apart)
    const transcribed = new Set(
      files.flatMap((f) =>
        loadParity(f)
          .cases.filter((c) => SUBTESTS_READ.includes(c.test))
          .map((c) => `${c.test}${f.includes('httproute') ? ' (httproute)' : ''}: ${c.subtest}`),
      ),
    );
    const page = /read, (\d+) are transcribed and agree[\s\S]*? (\d+) (?:are|is) refused/.exec(
      doc('docs/routing-parity.md'),
    );
    // THEN the page's figures are the fixtures' and the share holds (every transcribed case agrees, above)
    expect(page).not.toBeNull();
    expect(Number(page![1])).toBe(transcribed.size);
    const refused = Number(page![2]);
    expect(transcribed.size / (transcribed.size + refused)).toBeGreaterThanOrEqual(0.95);
    expect(doc('README.md')).toContain(`${transcribed.size} of the ${transcribed.size + refused} subtests read`);
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
