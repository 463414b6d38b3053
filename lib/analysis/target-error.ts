/** The caller named a workload, Service, port or Gateway the manifests do not have (a bad argument of explain). */
export class CallTargetError extends Error {}
