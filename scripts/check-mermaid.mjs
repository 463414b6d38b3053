#!/usr/bin/env node
// Parses every ```mermaid block of the given Markdown files with Mermaid's own parser (under
// jsdom, no browser), as GitHub would before rendering them.
//   node scripts/check-mermaid.mjs dist/RELEASE.md [more.md ...]
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/check-mermaid.mjs <file.md>...');
  process.exit(2);
}
const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, {
  window: dom.window,
  document: dom.window.document,
  DOMParser: dom.window.DOMParser,
  Element: dom.window.Element,
});
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

let failed = 0;
let count = 0;
for (const file of files) {
  const blocks = [...readFileSync(file, 'utf8').matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length === 0) {
    console.error(`${file}: no mermaid diagram`);
    failed++;
  }
  for (const [i, text] of blocks.entries()) {
    count++;
    try {
      await mermaid.parse(text);
    } catch (err) {
      failed++;
      console.error(
        `${file}: diagram ${i + 1} is not valid Mermaid: ${String(err?.message ?? err)
          .split('\n')
          .slice(0, 4)
          .join(' ')}`,
      );
    }
  }
}
console.log(`${count - failed} of ${count} diagram(s) valid`);
process.exit(failed === 0 ? 0 : 1);
