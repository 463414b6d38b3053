import { isPlainObject as isObject } from './k8s-names';
import { dns1123LabelProblems, envVarNameProblems, portNameProblems, portNumberProblems } from './k8s-names';
import type { SchemaViolation } from './schema-validator';

/**
 * Pod spec checks of pkg/apis/core/validation/validation.go (ValidatePodSpec, Kubernetes 1.27):
 * container names (DNS-1123 labels, unique across init and app containers), env var names
 * (validateEnv), container ports (validateContainerPorts: IANA_SVC_NAME names unique within the
 * container, numbers 1-65535), exactly one handler per probe and lifecycle hook (validateHandler:
 * "must specify a handler type" / "may not specify more than 1 handler type"), plus two project
 * rules: the same containerPort/protocol twice in a pod (the API server only warns; Services and
 * Istio then pick either), and application ports in 15000-15090, which Istio's sidecar owns
 * (https://istio.io/latest/docs/ops/deployment/application-requirements/#ports-used-by-istio).
 */

/** Where a manifest keeps its pod spec, if it has one. */
export function podTemplateOf(m: any): { spec: any; path: string } | undefined {
  const spec: any = m?.spec;
  if (!isObject(spec)) return undefined;
  if (m.kind === 'Pod' && m.apiVersion === 'v1') return { spec, path: 'spec' };
  if (m.kind === 'CronJob')
    return isObject(spec.jobTemplate?.spec?.template?.spec)
      ? { spec: spec.jobTemplate.spec.template.spec, path: 'spec.jobTemplate.spec.template.spec' }
      : undefined;
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout'].includes(m.kind)) {
    return isObject(spec.template?.spec) ? { spec: spec.template.spec, path: 'spec.template.spec' } : undefined;
  }
  return undefined;
}

const ISTIO_RESERVED = { min: 15000, max: 15090 };
/** Containers Istio itself runs, which legitimately listen on its ports. */
const ISTIO_CONTAINERS = new Set(['istio-proxy', 'istio-init', 'istio-validation', 'discovery']);
const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
/** Kubernetes 1.27: the `sleep` hook came in 1.29. */
const HOOK_HANDLERS = ['exec', 'httpGet', 'tcpSocket'];

const invalid = (value: unknown, detail: string) => `Invalid value: ${JSON.stringify(value)}: ${detail}`;

export function podSpecProblems(pod: any, path: string, out: SchemaViolation[]): void {
  const containerNames = new Set<string>();
  const podPorts = new Map<string, string>();
  for (const field of ['initContainers', 'containers']) {
    const containers: any[] = Array.isArray(pod[field]) ? pod[field] : [];
    containers.forEach((c: any, i) => {
      if (!isObject(c)) return;
      const at = `${path}.${field}[${i}]`;
      if (typeof c.name === 'string') {
        for (const p of dns1123LabelProblems(c.name)) out.push({ path: `${at}.name`, message: invalid(c.name, p) });
        if (containerNames.has(c.name))
          out.push({ path: `${at}.name`, message: `Duplicate value: ${JSON.stringify(c.name)}` });
        containerNames.add(c.name);
      }
      envProblems(c.env, `${at}.env`, out);
      portProblems(c, at, podPorts, out);
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'])
        handlerProblems(c[probe], `${at}.${probe}`, PROBE_HANDLERS, out);
      for (const hook of ['postStart', 'preStop'])
        handlerProblems(c.lifecycle?.[hook], `${at}.lifecycle.${hook}`, HOOK_HANDLERS, out);
    });
  }
}

function envProblems(env: unknown, path: string, out: SchemaViolation[]): void {
  if (!Array.isArray(env)) return;
  env.forEach((e, i) => {
    if (!isObject(e)) return;
    if (typeof e.name !== 'string' || e.name === '') {
      out.push({ path: `${path}[${i}].name`, message: 'Required value' });
      return;
    }
    for (const p of envVarNameProblems(e.name)) out.push({ path: `${path}[${i}].name`, message: invalid(e.name, p) });
    if (typeof e.value === 'string' && e.value !== '' && e.valueFrom !== undefined) {
      out.push({
        path: `${path}[${i}].valueFrom`,
        message: 'Invalid value: "": may not be specified when `value` is not empty',
      });
    }
  });
}

function portProblems(c: Record<string, any>, at: string, podPorts: Map<string, string>, out: SchemaViolation[]): void {
  const ports: any[] = Array.isArray(c.ports) ? c.ports : [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    if (!isObject(port)) return;
    const p = `${at}.ports[${i}]`;
    if (typeof port.name === 'string' && port.name !== '') {
      for (const problem of portNameProblems(port.name))
        out.push({ path: `${p}.name`, message: invalid(port.name, problem) });
      if (names.has(port.name))
        out.push({ path: `${p}.name`, message: `Duplicate value: ${JSON.stringify(port.name)}` });
      names.add(port.name);
    }
    for (const problem of portNumberProblems(port.containerPort))
      out.push({ path: `${p}.containerPort`, message: invalid(port.containerPort, problem) });
    const key = `${port.containerPort}/${port.protocol ?? 'TCP'}`;
    const first = podPorts.get(key);
    if (first) {
      out.push({
        path: `${p}.containerPort`,
        message: `containerPort ${key} is also declared at ${first}: a Service or Istio would pick either; declare each port once per pod`,
      });
    } else {
      podPorts.set(key, `${p}.containerPort`);
    }
    const n = port.containerPort;
    if (typeof n === 'number' && n >= ISTIO_RESERVED.min && n <= ISTIO_RESERVED.max && !ISTIO_CONTAINERS.has(c.name)) {
      out.push({
        path: `${p}.containerPort`,
        message: `containerPort ${n} is in Istio's reserved range ${ISTIO_RESERVED.min}-${ISTIO_RESERVED.max} (the sidecar's admin, capture, health and metrics ports): the sidecar would shadow it; move the application to a port outside that range`,
      });
    }
  });
}

function handlerProblems(handler: any, path: string, kinds: readonly string[], out: SchemaViolation[]): void {
  if (!isObject(handler)) return;
  const set = kinds.filter((k) => handler[k] !== undefined && handler[k] !== null);
  if (set.length === 0) out.push({ path, message: 'Required value: must specify a handler type' });
  for (const extra of set.slice(1))
    out.push({ path: `${path}.${extra}`, message: 'Forbidden: may not specify more than 1 handler type' });
}
