#!/usr/bin/env node
// The voting-mesh command line (the package's `bin`): synth, validate, explain, plan, diff, init.
import { processIo } from './io';
import { runCommand } from './run';

runCommand(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
