#!/usr/bin/env node
// npm run bench helper: reads every stage file of a directory (or the files named) with one YAML
// parser, as the reference for "just reading it" (`node bench-read.cjs js-yaml|yaml <dir|file...>`):
// js-yaml's `loadAll` (its default schema), or the `yaml` library's `parseAllDocuments` and `toJS` under YAML 1.1.
'use strict';
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { join } = require('node:path');

const [parser, ...paths] = process.argv.slice(2);
const read =
  parser === 'js-yaml'
    ? (text) => require('js-yaml').loadAll(text)
    : parser === 'yaml'
      ? (text) =>
          require('yaml')
            .parseAllDocuments(text, { version: '1.1' })
            .map((d) => d.toJS())
      : undefined;
if (!read) throw new Error(`unknown parser '${parser}': js-yaml or yaml`);
const files = paths.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((x) => x.endsWith('.k8s.yaml'))
        .sort()
        .map((f) => join(p, f))
    : [p],
);
let documents = 0;
for (const f of files) documents += read(readFileSync(f, 'utf8')).length;
console.log(documents);
