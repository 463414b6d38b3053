/**
 * The environment variable `voting-mesh synth --allow-failing-checks` sets for the app it runs:
 * `runSynth` then publishes a release whose own checks fail, printing each failure. A module of
 * its own, so that the CLI reads it without loading the library.
 */
export const ALLOW_FAILING_CHECKS_ENV = 'VOTING_MESH_ALLOW_FAILING_CHECKS';

/**
 * The environment variable `voting-mesh synth --quiet` sets for the app it runs: `runSynth` then
 * prints only errors (no warnings, no accepted findings).
 */
export const QUIET_ENV = 'VOTING_MESH_QUIET';
