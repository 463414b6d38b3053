#!/usr/bin/env node
// Writes docs/analyzer-codes.md from the analyzer catalogue (lib/analysis/analyzer/catalogue.ts).
//   node scripts/gen-analyzer-codes.mjs          # write it
//   staleAnalyzerCodes() (used by npm run check)  # whether the committed file differs
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEntries, root } from './build.cjs';

/** The generator's output for the current catalogue, and where it goes. */
export async function analyzerCodesDoc() {
  const [bundle] = await buildEntries(['lib/analysis/analyzer/codes-table.ts']);
  const { analyzerCodesMarkdown, CODES_DOC } = createRequire(import.meta.url)(bundle);
  return { path: join(root, CODES_DOC), relative: CODES_DOC, text: analyzerCodesMarkdown() };
}

/** The relative path of docs/analyzer-codes.md when it is not what the catalogue generates, else undefined. */
export async function staleAnalyzerCodes() {
  const doc = await analyzerCodesDoc();
  return existsSync(doc.path) && readFileSync(doc.path, 'utf8') === doc.text ? undefined : doc.relative;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const doc = await analyzerCodesDoc();
  writeFileSync(doc.path, doc.text);
  console.log(`${doc.relative}: written from the catalogue`);
}
