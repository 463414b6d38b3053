import { joinPath } from '../json-path';
import { labelSelectorHolds } from '../manifest';
import { isPlainObject as isObject } from './k8s-names';
import {
  configMapKeyProblems,
  dns1035LabelProblems,
  dns1123LabelProblems,
  dns1123SubdomainProblems,
  labelValueProblems,
  portNameProblems,
  portNumberProblems,
  qualifiedNameProblems,
} from './k8s-names';
import { podTemplateOf, podSpecProblems } from './k8s-pod-checks';
import type { SchemaViolation } from './schema-validator';

/**
 * Kubernetes' built-in validation beyond OpenAPI (what the API server's Go validation rejects
 * though the schema allows it), for the kinds the library emits, after Kubernetes 1.27:
 * - object names and namespaces: ValidateObjectMeta and the per-kind name functions in
 *   pkg/apis/core/validation/validation.go (Service: DNS-1035 label, Namespace: DNS-1123 label,
 *   the others and custom resources: DNS-1123 subdomain), label keys and values, annotation keys
 *   (apimachinery/pkg/api/validation/objectmeta.go, apimachinery/pkg/apis/meta/v1/validation);
 * - pod templates: ./k8s-pod-checks.ts;
 * - workloads: a non-empty selector that matches the template labels (pkg/apis/apps/validation);
 * - Services: port names, numbers and uniqueness (ValidateService); NetworkPolicy ports and
 *   selectors (pkg/apis/networking/validation, ValidateNetworkPolicyPort);
 * - ConfigMap and Secret keys (IsConfigMapKey);
 * - PodDisruptionBudgets (pkg/apis/policy/validation), and the project rule that one must not block
 *   every eviction (./k8s-disruption.ts).
 * Messages are the API server's field errors without the path: `Invalid value: "x": <detail>`.
 */

const invalid = (value: unknown, detail: string) => `Invalid value: ${JSON.stringify(value)}: ${detail}`;

/** Every built-in violation of one object (an object the schema already rejected may give more). */
export function builtinViolations(manifest: any): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  if (!isObject(manifest)) return out;
  const m: any = manifest;
  metadataProblems(m, out);
  const spec = isObject(m.spec) ? m.spec : undefined;
  const template = podTemplateOf(m);
  if (template) podSpecProblems(template.spec, template.path, out);
  if (spec && WORKLOADS_WITH_SELECTOR.has(m.kind)) selectorProblems(m.kind, spec, out);
  if (m.kind === 'Service' && m.apiVersion === 'v1' && spec) serviceProblems(spec, out);
  if (m.kind === 'NetworkPolicy' && m.apiVersion === 'networking.k8s.io/v1' && spec) networkPolicyProblems(spec, out);
  if ((m.kind === 'ConfigMap' || m.kind === 'Secret') && m.apiVersion === 'v1') {
    for (const field of ['data', 'stringData', 'binaryData']) {
      if (!isObject(m[field])) continue;
      for (const key of Object.keys(m[field])) {
        for (const p of configMapKeyProblems(key)) out.push({ path: joinPath(field, key), message: invalid(key, p) });
      }
    }
  }
  return out;
}

/** TotalAnnotationSizeLimitB of apimachinery/pkg/api/validation/objectmeta.go. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;

const WORKLOADS_WITH_SELECTOR = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);

function metadataProblems(m: any, out: SchemaViolation[]): void {
  const meta = isObject(m.metadata) ? m.metadata : {};
  if (typeof meta.name === 'string') {
    const nameCheck =
      m.apiVersion === 'v1' && m.kind === 'Service'
        ? dns1035LabelProblems
        : m.apiVersion === 'v1' && m.kind === 'Namespace'
          ? dns1123LabelProblems
          : dns1123SubdomainProblems;
    for (const p of nameCheck(meta.name)) out.push({ path: 'metadata.name', message: invalid(meta.name, p) });
  } else if (typeof meta.generateName !== 'string') {
    out.push({ path: 'metadata.name', message: 'Required value: name or generateName is required' });
  }
  if (typeof meta.namespace === 'string') {
    for (const p of dns1123LabelProblems(meta.namespace))
      out.push({ path: 'metadata.namespace', message: invalid(meta.namespace, p) });
  }
  labelProblems(meta.labels, 'metadata.labels', out);
  if (isObject(meta.annotations)) {
    let bytes = 0;
    for (const [key, value] of Object.entries(meta.annotations)) {
      for (const p of qualifiedNameProblems(key.toLowerCase()))
        out.push({ path: 'metadata.annotations', message: invalid(key, p) });
      bytes += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
    }
    if (bytes > ANNOTATIONS_MAX_BYTES)
      out.push({ path: 'metadata.annotations', message: `Too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes` });
  }
}

/** ValidateLabels: keys are qualified names, values label values. */
export function labelProblems(labels: any, path: string, out: SchemaViolation[]): void {
  if (!isObject(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    for (const p of qualifiedNameProblems(key)) out.push({ path, message: invalid(key, p) });
    if (typeof value === 'string')
      for (const p of labelValueProblems(value)) out.push({ path: joinPath(path, key), message: invalid(value, p) });
  }
}

function selectorProblems(kind: string, spec: Record<string, any>, out: SchemaViolation[]): void {
  const selector: any = spec.selector;
  if (!isObject(selector)) return; // required: the schema reports it
  labelProblems(selector.matchLabels, 'spec.selector.matchLabels', out);
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    out.push({
      path: 'spec.selector',
      message: `Invalid value: ${JSON.stringify(selector)}: empty selector is invalid for ${kind.toLowerCase()}`,
    });
    return;
  }
  // A Rollout may take its template from workloadRef; then there are no template labels to compare.
  if (kind === 'Rollout' && !isObject(spec.template)) return;
  const labels = isObject(spec.template?.metadata?.labels) ? spec.template.metadata.labels : {};
  if (!labelSelectorHolds(selector, labels)) {
    out.push({
      path: 'spec.template.metadata.labels',
      message: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\``,
    });
  }
}

function serviceProblems(spec: Record<string, any>, out: SchemaViolation[]): void {
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const names = new Set<string>();
  const numbers = new Set<string>();
  ports.forEach((port, i) => {
    const at = `spec.ports[${i}]`;
    if (!isObject(port)) return;
    if (ports.length > 1 && (typeof port.name !== 'string' || port.name === ''))
      out.push({ path: `${at}.name`, message: 'Required value' });
    if (typeof port.name === 'string' && port.name !== '') {
      for (const p of dns1123LabelProblems(port.name)) out.push({ path: `${at}.name`, message: invalid(port.name, p) });
      if (names.has(port.name))
        out.push({ path: `${at}.name`, message: `Duplicate value: ${JSON.stringify(port.name)}` });
      names.add(port.name);
    }
    for (const p of portNumberProblems(port.port)) out.push({ path: `${at}.port`, message: invalid(port.port, p) });
    const key = `${port.port}/${port.protocol ?? 'TCP'}`;
    if (numbers.has(key))
      out.push({
        path: at,
        message: `Duplicate value: {"port":${port.port},"protocol":${JSON.stringify(port.protocol ?? 'TCP')}}`,
      });
    numbers.add(key);
    if (typeof port.targetPort === 'number')
      for (const p of portNumberProblems(port.targetPort))
        out.push({ path: `${at}.targetPort`, message: invalid(port.targetPort, p) });
    if (typeof port.targetPort === 'string')
      for (const p of portNameProblems(port.targetPort))
        out.push({ path: `${at}.targetPort`, message: invalid(port.targetPort, p) });
  });
}

function networkPolicyProblems(spec: Record<string, any>, out: SchemaViolation[]): void {
  labelProblems(spec.podSelector?.matchLabels, 'spec.podSelector.matchLabels', out);
  for (const direction of ['ingress', 'egress']) {
    const rules: any[] = Array.isArray(spec[direction]) ? spec[direction] : [];
    rules.forEach((rule, i) => {
      const peers: any[] = Array.isArray(rule?.[direction === 'ingress' ? 'from' : 'to'])
        ? rule[direction === 'ingress' ? 'from' : 'to']
        : [];
      peers.forEach((peer, j) => {
        const at = `spec.${direction}[${i}].${direction === 'ingress' ? 'from' : 'to'}[${j}]`;
        labelProblems(peer?.podSelector?.matchLabels, `${at}.podSelector.matchLabels`, out);
        labelProblems(peer?.namespaceSelector?.matchLabels, `${at}.namespaceSelector.matchLabels`, out);
      });
      const ports: any[] = Array.isArray(rule?.ports) ? rule.ports : [];
      ports.forEach((port, j) => {
        const at = `spec.${direction}[${i}].ports[${j}]`;
        if (typeof port?.port === 'number') {
          for (const p of portNumberProblems(port.port))
            out.push({ path: `${at}.port`, message: invalid(port.port, p) });
          if (typeof port.endPort === 'number' && port.endPort < port.port)
            out.push({ path: `${at}.endPort`, message: invalid(port.port, 'must be greater than or equal to `port`') });
        } else if (typeof port?.port === 'string') {
          if (port.endPort !== undefined)
            out.push({
              path: `${at}.endPort`,
              message: invalid(port.endPort, 'may not be specified when `port` is non-numeric'),
            });
          for (const p of portNameProblems(port.port)) out.push({ path: `${at}.port`, message: invalid(port.port, p) });
        } else if (port?.endPort !== undefined) {
          out.push({
            path: `${at}.endPort`,
            message: invalid(port.endPort, 'may not be specified when `port` is not specified'),
          });
        }
      });
    });
  }
}
