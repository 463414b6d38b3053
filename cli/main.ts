#!/usr/bin/env node
// The voting-mesh command line (the package's `bin`): synth, validate, explain, plan, diff, init.
import { processIo } from './io';
import { runCommand } from './run';

// runCommand reports its own errors and resolves to the exit code; void: nothing is left to await at top level.
void runCommand(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
