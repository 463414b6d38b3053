import { readFileSync } from 'fs';
import { parseAllDocuments } from 'yaml';

/**
 * The documents of a YAML stream, parsed in this process with the `yaml` library under YAML 1.1
 * (as the cdk8s tooling and Kubernetes' own parser read manifests). Empty documents are dropped.
 * Measured reason not to use cdk8s' `Yaml.load`: it starts a Node.js process per file (~90 ms).
 */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const docs = parseAllDocuments(text, { version: '1.1' });
  const out: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const error = doc.errors[0];
    if (error) throw new Error(`${source} is not valid YAML: ${error.message.split('\n')[0]}`);
    const value = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** The documents of a YAML file (see {@link parseYamlDocuments}). */
export function readYamlFile(file: string, shownAs = file): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), shownAs);
}
