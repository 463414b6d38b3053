import fc from 'fast-check';
import { releaseArb } from './arbitraries';
import { holds } from './properties';
test('ce', async () => {
  try {
    await fc.assert(fc.asyncProperty(releaseArb, async (r) => { await holds('least privilege: policies allow exactly the edges routing uses', r); }), { seed: 20261202, numRuns: 12, path: "3:156:1:1:1:1:4:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:2:2:2:2:2:2:2:2:2:2:2:2:2:2:4:2:2:2:2:3:2:8:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:3:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:3:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2:2", endOnFailure: true });
  } catch (e: any) {
    const m = /Counterexample: \[(.*)\]\n/.exec(e.message);
    const r = JSON.parse(m![1]);
    console.log(JSON.stringify({ comps: r.app.components.map((c: any) => [c.name, Object.keys(c.versions), c.calls, Object.values<any>(c.versions)[0].ports.map((p: any) => p.port)]), stages: r.stages.map((s: any) => ({ ...s, description: undefined })) }, null, 0));
  }
});
