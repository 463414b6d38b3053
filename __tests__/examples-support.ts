import { readFileSync } from 'fs';
import { join } from 'path';
import { Construct } from 'constructs';
import { Manifest, StageChart, renderReleaseNotes } from 'voting-mesh';
import { toYaml } from '../lib/release/yaml-writer';
import { testApp } from './support';

/** Builds an example's stages in a test App and returns their manifests by stage name. */
export function exampleStages(build: (scope: Construct) => (StageChart & { toJson(): any[] })[]): Map<string, Manifest[]> {
  return new Map(build(testApp()).map((s) => [s.stageName, s.toJson() as Manifest[]]));
}

/** Asserts that an example's committed dist/ is what its stages render (stage files and RELEASE.md). */
export function expectCommittedOutput(example: string, build: (scope: Construct) => (StageChart & { toJson(): any[] })[]): void {
  const stages = build(testApp());
  const dist = join(__dirname, '..', 'examples', example, 'dist');
  for (const s of stages) {
    expect({ [s.stageName]: readFileSync(join(dist, `${s.stageName}.k8s.yaml`), 'utf8') }).toEqual({ [s.stageName]: toYaml(...s.manifests) });
  }
  const notes = renderReleaseNotes(stages.map((s) => ({ name: s.stageName, description: s.description, manifests: s.manifests })));
  expect(readFileSync(join(dist, 'RELEASE.md'), 'utf8')).toBe(notes);
}
