import { workloadReplicas } from '../model/defaults';
import type { ErrorLocation } from '../model/errors';
import { ReleaseConfigError, show } from '../model/errors';
import { imageReferenceProblem } from '../model/image-reference';
import { assertDnsLabel, assertVersion } from '../model/names';
import type { PortSpec, ProbeSpec, WorkloadSpec } from '../model/spec';

/** The UID of Istio's sidecar proxy: a workload running as it bypasses the mesh. */
export const ISTIO_PROXY_UID = 1337;

const PROTOCOLS = ['http', 'http2', 'grpc', 'tcp', 'tls'];
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes' largest replica count: `replicas` is an int32 (apps/v1 DeploymentSpec). */
const MAX_REPLICAS = 2147483647;
/** Environment variable names the API server accepts (IsEnvVarName, k8s.io/apimachinery validation). */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** Ports Istio's sidecar owns in every pod (15000–15090: admin, inbound/outbound capture, agent, health, telemetry). */
export const ISTIO_RESERVED_PORTS = { first: 15000, last: 15090 } as const;

/** Checks one version's workload: image, replicas, env names, ports, identity, resources, probes, volumes. */
export function validateWorkload(w: WorkloadSpec, at: ErrorLocation, version: string): void {
  assertVersion(version, at);
  const field = (name: string): ErrorLocation => ({ ...at, field: `${at.field}.${name}` });
  validateImage(w, field);
  validateReplicas(w, field);
  for (const name of Object.keys(w.env ?? {})) {
    if (!ENV_VAR_NAME.test(name)) {
      throw new ReleaseConfigError(
        field(`env['${name}']`),
        `environment variable name ${show(name)} is not accepted by Kubernetes`,
        "Use letters, digits, '_', '-' and '.', not starting with a digit (e.g. 'API_HOST').",
      );
    }
  }
  if (w.ports.length === 0) {
    throw new ReleaseConfigError(
      field('ports'),
      'the workload exposes no port',
      'Declare the ports the container listens on.',
    );
  }
  const seen = new Set<string>();
  w.ports.forEach((p, i) => {
    validatePort(p, field(`ports[${i}]`));
    for (const key of [`n:${p.name}`, `p:${p.port}`]) {
      if (seen.has(key)) {
        throw new ReleaseConfigError(
          field(`ports[${i}]`),
          `port ${show(p.name)} (${p.port}) repeats a name or number`,
          'Give each port a unique name and number.',
        );
      }
      seen.add(key);
    }
  });
  validateIdentityAndResources(w, field);
  for (const [name, probe] of [
    ['readiness', w.readiness],
    ['liveness', w.liveness],
    ['startup', w.startup],
  ] as const) {
    if (probe) validateProbe(probe, w.ports, field(name));
  }
  validateVolumes(w, field);
}

type FieldOf = (name: string) => ErrorLocation;

/** The image is a valid reference, pinned by tag or digest. */
function validateImage(w: WorkloadSpec, field: FieldOf): void {
  const image = w.image ?? '';
  const badImage = imageReferenceProblem(image);
  if (badImage)
    throw new ReleaseConfigError(
      field('image'),
      `image ${JSON.stringify(image)} ${badImage}`,
      "Write a reference such as 'docker.io/library/redis:7.2.4' or 'registry.example.com:5000/team/app@sha256:<64 hex>'.",
    );
  const lastSegment = image.split('/').pop() ?? '';
  if (!image.includes('@sha256:') && (!lastSegment.includes(':') || lastSegment.endsWith(':latest'))) {
    throw new ReleaseConfigError(
      field('image'),
      `image ${show(image)} is not pinned`,
      "Pin the image by tag or digest ('redis:4.0.10'); 'latest' and untagged images change under a running release.",
    );
  }
}

/** replicas is an int32 and minAvailable leaves a pod to evict. */
function validateReplicas(w: WorkloadSpec, field: FieldOf): void {
  if (w.replicas !== undefined && (!Number.isInteger(w.replicas) || w.replicas < 0 || w.replicas > MAX_REPLICAS)) {
    throw new ReleaseConfigError(
      field('replicas'),
      `replicas ${show(w.replicas)} is not a whole number from 0 to ${MAX_REPLICAS} (an int32)`,
      'Set a whole number of pods.',
    );
  }
  const replicas = workloadReplicas(w);
  if (w.minAvailable !== undefined) {
    if (!Number.isInteger(w.minAvailable) || w.minAvailable < 0) {
      throw new ReleaseConfigError(
        field('minAvailable'),
        `minAvailable ${show(w.minAvailable)} is not a whole number >= 0`,
        'Set how many pods must stay up during node drains.',
      );
    }
    if (w.minAvailable >= replicas && replicas > 0) {
      throw new ReleaseConfigError(
        field('minAvailable'),
        `minAvailable ${w.minAvailable} of ${replicas} pod(s) blocks every eviction, so no node running one can be drained`,
        `Use at most ${replicas - 1} (replicas - 1), or add replicas.`,
      );
    }
  }
}

/** runAs ids are non-root and not Istio's proxy UID; requests are positive and within their limits. */
function validateIdentityAndResources(w: WorkloadSpec, field: FieldOf): void {
  const { user, group, fsGroup } = w.runAs;
  for (const [name, id] of [
    ['user', user],
    ['group', group],
    ['fsGroup', fsGroup],
  ] as const) {
    if (id === undefined && name === 'fsGroup') continue;
    if (!Number.isInteger(id) || (id as number) <= 0 || id === ISTIO_PROXY_UID) {
      throw new ReleaseConfigError(
        field(`runAs.${name}`),
        `${show(id)} is not an allowed id`,
        `Use a non-root id other than ${ISTIO_PROXY_UID} (Istio's proxy UID, whose traffic bypasses the sidecar).`,
      );
    }
  }
  for (const [name, r] of [
    ['cpuMillis', w.resources.cpuMillis],
    ['memoryMiB', w.resources.memoryMiB],
  ] as const) {
    if (!(Number.isInteger(r.request) && Number.isInteger(r.limit) && r.request > 0 && r.request <= r.limit)) {
      throw new ReleaseConfigError(
        field(`resources.${name}`),
        `request ${show(r.request)} / limit ${show(r.limit)} are not whole numbers with 0 < request <= limit`,
        'Set a positive request no larger than the limit.',
      );
    }
  }
}

/** The claim's name and size, and absolute mount paths. */
function validateVolumes(w: WorkloadSpec, field: FieldOf): void {
  if (w.persistentVolume) {
    assertDnsLabel(w.persistentVolume.claimName, field('persistentVolume.claimName'), 253);
    if (!(w.persistentVolume.sizeGiB > 0)) {
      throw new ReleaseConfigError(
        field('persistentVolume.sizeGiB'),
        `size ${show(w.persistentVolume.sizeGiB)} is not positive`,
        'Request at least 1 GiB.',
      );
    }
  }
  for (const path of [...(w.writablePaths ?? []), ...(w.persistentVolume ? [w.persistentVolume.mountPath] : [])]) {
    if (!path.startsWith('/')) {
      throw new ReleaseConfigError(
        field('writablePaths'),
        `mount path ${show(path)} is not absolute`,
        "Start mount paths with '/'.",
      );
    }
  }
}

/** The port number is in range and outside Istio's reserved ports; protocol and name follow Istio. */
function validatePort(p: PortSpec, at: ErrorLocation): void {
  if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
    throw new ReleaseConfigError(at, `port number ${show(p.port)} is out of range`, 'Use a port between 1 and 65535.');
  }
  if (p.port >= ISTIO_RESERVED_PORTS.first && p.port <= ISTIO_RESERVED_PORTS.last) {
    throw new ReleaseConfigError(
      at,
      `port ${p.port} is in Istio's reserved range ${ISTIO_RESERVED_PORTS.first}–${ISTIO_RESERVED_PORTS.last}, which the sidecar owns in every pod`,
      'Listen on another port (8080, for instance).',
    );
  }
  if (!PROTOCOLS.includes(p.protocol)) {
    throw new ReleaseConfigError(
      at,
      `protocol ${show(p.protocol)} is not one of ${PROTOCOLS.join(', ')}`,
      "Declare server-first protocols (MySQL, Redis) as 'tcp' so Istio does not wait to sniff them.",
    );
  }
  if (
    !PORT_NAME.test(p.name) ||
    p.name.length > 15 ||
    !(p.name === p.protocol || p.name.startsWith(`${p.protocol}-`))
  ) {
    throw new ReleaseConfigError(
      at,
      `port name ${show(p.name)} does not follow Istio's '<protocol>[-<suffix>]' convention for protocol '${p.protocol}' (at most 15 characters)`,
      `Name it '${p.protocol}' or '${p.protocol}-<suffix>', e.g. '${p.protocol}-web'.`,
    );
  }
}

/** A probe targets a declared port, and an exec probe has a command. */
function validateProbe(probe: ProbeSpec, ports: readonly PortSpec[], at: ErrorLocation): void {
  const check = probe.check;
  const port = 'tcpPort' in check ? check.tcpPort : 'httpGet' in check ? check.httpGet.port : undefined;
  if (port !== undefined && !ports.some((p) => p.port === port)) {
    throw new ReleaseConfigError(
      at,
      `probe port ${show(port)} is not a declared port`,
      `Probe one of ${ports.map((p) => p.port).join(', ')}.`,
    );
  }
  if ('exec' in check && check.exec.length === 0) {
    throw new ReleaseConfigError(at, 'exec probe has an empty command', 'Give the command to run.');
  }
}
