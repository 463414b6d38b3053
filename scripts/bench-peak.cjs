#!/usr/bin/env node
// npm run bench helper: runs a Node.js script in this process (`node bench-peak.cjs <script>
// [args...]`, as `node <script> [args...]` would) and writes its peak resident memory and the CPU
// seconds it used (user + system) to stderr on exit as `BENCH_MAXRSS_KB=<n> BENCH_CPU_S=<s>`, for
// the benchmark's peak-memory targets and its CPU times (less moved by a loaded machine than wall time).
'use strict';
const { resolve } = require('node:path');

const script = resolve(process.argv[2]);
process.argv = [process.argv[0], script, ...process.argv.slice(3)];
process.on('exit', () => {
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  process.stderr.write(`\nBENCH_MAXRSS_KB=${maxRSS} BENCH_CPU_S=${(userCPUTime + systemCPUTime) / 1e6}\n`);
});
require(script);
