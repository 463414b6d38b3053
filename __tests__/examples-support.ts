import { readFileSync } from 'fs';
import { join } from 'path';
import type { Construct } from 'constructs';
import type { Manifest, StageChart } from 'voting-mesh';
import { renderRelease } from 'voting-mesh';
import { testApp } from './support';

/** Builds an example's stages in a test App and returns their manifests by stage name. */
export function exampleStages(
  build: (scope: Construct) => (StageChart & { toJson(): any[] })[],
): Map<string, Manifest[]> {
  return new Map(build(testApp()).map((s) => [s.stageName, s.toJson() as Manifest[]]));
}

/** Asserts that an example's committed dist/ is what its stages render (stage files and RELEASE.md). */
export function expectCommittedOutput(example: string, build: (scope: Construct) => StageChart[]): void {
  const dist = join(__dirname, '..', 'examples', example, 'dist');
  for (const f of renderRelease(build(testApp()))) {
    expect({ [f.file]: readFileSync(join(dist, f.file), 'utf8') }).toEqual({ [f.file]: f.content });
  }
}
