import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { renderReleaseNotes } from 'voting-mesh';
import { buildVotingFlavour, votingStages } from '../voting';
import { describeMatches } from '../lib/release/release-notes';
import { testApp, votingManifests } from './support';

const ROOT = join(__dirname, '..');
const stages = votingManifests();
// The stages' metric gates (the cookie canary's) are listed with their queries.
const gated = new Map(buildVotingFlavour(testApp()).map((c) => [c.stageName, c.gates]));
const notes = renderReleaseNotes(
  votingStages.map((s) => ({
    name: s.name,
    description: s.description,
    manifests: stages.get(s.name)!,
    ...(gated.get(s.name)!.length > 0 ? { gates: gated.get(s.name) } : {}),
  })),
);
const section = (name: string) => notes.split(/^## /m).find((s) => s.startsWith(name))!;

describe('dist/RELEASE.md', () => {
  test('GIVEN the canary stage THEN the diagram shows the cookie edge to 2.0, the default to 1.0 and each lane, with ports', () => {
    const s = section('03-cookie-canary');
    expect(s).toContain('gateway_voting_app_gateway -- "cookie featureflag=on · :8080" --> voting_app_2_0');
    expect(s).toContain('gateway_voting_app_gateway -- "any request · :8080" --> voting_app_1_0');
    expect(s).toContain('voting_app_1_0 -- "lane-v1 · :8080" --> voting_analytics_1_1');
    expect(s).toContain('voting_analytics_2_0 -- "tcp · :3306" --> voting_storage_2_0');
    expect(s).toContain('class voting_analytics_1_0 idle');
    expect(s).not.toMatch(/voting_analytics_1_0 --/); // an idle version makes no calls
  });

  test('GIVEN the full rollout THEN the 1.x versions are drawn as retired and listed with 0 replicas', () => {
    const s = section('04-full-rollout');
    expect(s).toContain('class voting_app_1_0,voting_analytics_1_0,voting_analytics_1_1,voting_storage_1_0 retired');
    expect(s).toContain('| ~~voting-app-1-0~~ | 1.0 | 0 | | retired |');
    expect(s).toContain('| voting-app-2-0 | 2.0 | 3 | `mcr.microsoft.com/aks/samples/voting/app:2.0` | serving |');
  });

  test('GIVEN the routes THEN the table says what matches in words', () => {
    expect(section('03-cookie-canary')).toContain(
      '| voting-app-ingress | featureflag-cookie | cookie featureflag=on | voting-app/v2-0:8080 |',
    );
    expect(describeMatches([{ headers: { qa: { exact: 'canary-test' } } }, { uri: { prefix: '/beta' } }])).toBe(
      'header qa = canary-test or path /beta*',
    );
    expect(describeMatches([{ sourceLabels: { app: 'voting-app', version: '1.0' }, port: 6379 }])).toBe(
      'from voting-app 1.0 and port 6379',
    );
  });

  test('GIVEN the committed dist/RELEASE.md THEN it is what the synthesized objects render', () => {
    const { readFileSync } = require('fs');
    expect(readFileSync(join(ROOT, 'dist', 'RELEASE.md'), 'utf8')).toBe(notes);
  });

  test("GIVEN every diagram THEN Mermaid's own parser accepts it, and rejects a broken one", () => {
    const dir = mkdtempSync(join(tmpdir(), 'voting-mesh-mermaid-'));
    try {
      const bad = join(dir, 'bad.md');
      writeFileSync(bad, '```mermaid\nflowchart LR\n  a -- "x" --> (b\n```\n');
      // Both flavours' release notes: the sidecar stages and the Gateway API + ambient ones.
      const good = spawnSync(
        process.execPath,
        [
          join(ROOT, 'scripts', 'check-mermaid.mjs'),
          join(ROOT, 'dist', 'RELEASE.md'),
          join(ROOT, 'dist', 'gateway-api-ambient', 'RELEASE.md'),
        ],
        { encoding: 'utf8' },
      );
      expect(good.stdout).toBe('8 of 8 diagram(s) valid\n');
      expect(good.status).toBe(0);
      const broken = spawnSync(process.execPath, [join(ROOT, 'scripts', 'check-mermaid.mjs'), bad], {
        encoding: 'utf8',
      });
      expect(broken.status).toBe(1);
      expect(broken.stderr).toMatch(/bad\.md: diagram 1 is not valid Mermaid: Parse error on line 2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20000);
});
