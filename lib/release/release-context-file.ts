/**
 * The file, beside the stages, that records the cluster facts they were synthesized for. In a
 * module of its own so that the commands reading stages do not load synth (and with it cdk8s and
 * the constructs, ~0.2 s of every `explain`).
 */
export const RELEASE_CONTEXT_FILE = 'mesh-context.json';

/**
 * The file, beside the stages, that records the analyzer Warnings the application accepts
 * (`acceptedFindings`: code, object, reason), so that `voting-mesh validate` shows them as
 * accepted with the reason. Written only when the application accepts any.
 */
export const ACCEPTED_FINDINGS_FILE = 'accepted-findings.json';
