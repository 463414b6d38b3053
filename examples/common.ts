// Shared pieces of the example apps (not part of the library: each example is its own cdk8s app).
import type { PortSpec, ProbeSpec, ResourceSpec, WorkloadSpec } from 'voting-mesh';

export const SMALL: ResourceSpec = { cpuMillis: { request: 50, limit: 250 }, memoryMiB: { request: 64, limit: 256 } };

/** A TCP probe: works for any server, needs no health endpoint. */
export const tcp = (port: number, extra: Partial<ProbeSpec> = {}): ProbeSpec => ({
  check: { tcpPort: port },
  ...extra,
});

/** An HTTP service container with explicit settings; override what differs. */
export function httpWorkload(image: string, port: PortSpec, extra: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return {
    image,
    replicas: 1,
    ports: [port],
    resources: SMALL,
    runAs: { user: 10001, group: 10001 },
    readOnlyRootFilesystem: true,
    writablePaths: ['/tmp'],
    readiness: tcp(port.port, { periodSeconds: 5 }),
    liveness: tcp(port.port, { initialDelaySeconds: 10 }),
    ...extra,
  };
}
