#!/usr/bin/env node
// npm run bench helper: runs a Node.js script in this process (`node bench-peak.cjs <script>
// [args...]`, as `node <script> [args...]` would) and writes its peak resident memory to stderr
// on exit as `BENCH_MAXRSS_KB=<n>`, for the benchmark's peak-memory targets.
'use strict';
const { resolve } = require('node:path');

const script = resolve(process.argv[2]);
process.argv = [process.argv[0], script, ...process.argv.slice(3)];
process.on('exit', () => process.stderr.write(`\nBENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`));
require(script);
