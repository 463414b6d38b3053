#!/usr/bin/env node
// npm run bench helper: reads every stage file of a directory with one YAML parser, as the
// reference for "just reading it" (`node bench-read.cjs js-yaml|yaml <dir>`): js-yaml's `loadAll`
// (its default schema), or the `yaml` library's `parseAllDocuments` and `toJS` under YAML 1.1.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const [parser, dir] = process.argv.slice(2);
const read = parser === 'js-yaml' ? (text) => require('js-yaml').loadAll(text)
  : parser === 'yaml' ? (text) => require('yaml').parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS())
    : undefined;
if (!read) throw new Error(`unknown parser '${parser}': js-yaml or yaml`);
let documents = 0;
for (const f of readdirSync(dir).filter((x) => x.endsWith('.k8s.yaml')).sort()) documents += read(readFileSync(join(dir, f), 'utf8')).length;
console.log(documents);
