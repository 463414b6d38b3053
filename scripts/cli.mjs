#!/usr/bin/env node
// npm run validate|explain|plan|diff -- ...: the voting-mesh command line, built from cli/ with
// esbuild (no type-check) and run in this process, in the caller's working directory.
import { loadCli } from './build.cjs';

const { runCommand, processIo } = await loadCli();
process.exitCode = await runCommand(process.argv.slice(2), processIo());
