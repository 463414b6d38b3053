// cdk8s.yaml, read without loading the library: `voting-mesh synth` needs only this before the app runs.
import { existsSync, readFileSync } from 'fs';
import { join, relative } from 'path';
import { parseYamlDocuments, simpleTopLevelScalars } from '../lib/release/yaml-reader';
import { at, stringAt } from '../lib/analysis/manifest-kinds';

/** What `cdk8s.yaml` in a directory says, if it exists: the app command and the output directory. */
export interface ProjectConfig {
  readonly app?: string;
  readonly output?: string;
  /** The file read, for messages. @default - no cdk8s.yaml */
  readonly file?: string;
}

export function projectConfig(cwd: string): ProjectConfig {
  const file = join(cwd, 'cdk8s.yaml');
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  const doc: unknown =
    simpleTopLevelScalars(text, ['app', 'output']) ?? parseYamlDocuments(text, relative(cwd, file), '1.2')[0] ?? {};
  for (const key of ['app', 'output'] as const) {
    const v = at(doc, key);
    if (v !== undefined && typeof v !== 'string')
      throw new Error(`${relative(cwd, file)}: '${key}' is ${JSON.stringify(v)}, not a string`);
  }
  return { app: stringAt(doc, 'app'), output: stringAt(doc, 'output'), file };
}
