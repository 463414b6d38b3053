import { IST0107, IST0108, IST0125, IST0135, IST0136 } from './catalogue';
import { isIP } from 'net';
import type { Manifest } from '../manifest';
import type { AnalysisContext } from './context';
import { annotations } from './context';
import { istioAnnotation } from './istio-annotations';
import { at, listAt } from '../manifest-kinds';

/** The kinds whose own annotations Istio checks (annotations/annotations.go, maturity/maturity.go). */
const KINDS: Readonly<Record<string, string>> = { Namespace: 'v1', Service: 'v1', Pod: 'v1', Deployment: 'apps/v1' };
/** Set by Istio itself, never reported (maturity.AlwaysIgnoredAnnotations). */
const ALWAYS_IGNORED = new Set(['sidecar.istio.io/status', 'gateway.istio.io/controller-version', 'istio.io/rev']);
/** Set by istiod's injector when the CNI plugin is off (maturity.conditionallyIgnoredAnnotations). */
const SET_WITHOUT_CNI = new Set([
  'sidecar.istio.io/interceptionMode',
  'traffic.sidecar.istio.io/includeInboundPorts',
  'traffic.sidecar.istio.io/excludeInboundPorts',
  'traffic.sidecar.istio.io/includeOutboundIPRanges',
]);

/** An Istio annotation: its prefix ends with istio.io, or the documented kubernetes.io/ingress.class. */
function isIstioAnnotation(name: string): boolean {
  return name === 'kubernetes.io/ingress.class' || name.split('/')[0].endsWith('istio.io');
}

function annotated(ctx: AnalysisContext): { m: Manifest; kind: string; entries: [string, string][] }[] {
  return Object.entries(KINDS).flatMap(([kind, apiVersion]) =>
    ctx
      .ofKind(kind)
      .filter((m) => m.apiVersion === apiVersion)
      .map((m) => ({ m, kind, entries: Object.entries(annotations(m)).filter(([name]) => isIstioAnnotation(name)) })),
  );
}

/**
 * IST0108, IST0135, IST0107 and IST0125, as Istio's annotations.K8sAnalyzer
 * (annotations/annotations.go, pkg/kube/inject/validate.go AnnotationValidation): on Namespaces,
 * Services, Pods and Deployments, an Istio annotation must be one Istio knows, not deprecated
 * (the inject annotation is fine beside the inject label), on a kind it belongs to, with a valid value.
 */
export function annotationsOnKinds(ctx: AnalysisContext): void {
  for (const { m, kind, entries } of annotated(ctx)) {
    for (const [name, value] of entries) {
      if (ALWAYS_IGNORED.has(name)) continue;
      const def = istioAnnotation(name);
      const at = `metadata.annotations.${name}`;
      if (!def) {
        ctx.report(IST0108.messages.unknown, m, at, { annotation: name });
        continue;
      }
      if (
        def.deprecated &&
        !(name === 'sidecar.istio.io/inject' && 'sidecar.istio.io/inject' in (m.metadata.labels ?? {}))
      ) {
        ctx.report(
          name === 'sidecar.istio.io/inject' ? IST0135.messages.injectAnnotation : IST0135.messages.deprecated,
          m,
          at,
          { annotation: name },
        );
      }
      if (def.resources.includes('Any')) continue;
      if (!def.resources.includes(kind)) {
        ctx.report(IST0107.messages.misplaced, m, at, { annotation: name, kinds: def.resources.join(', ') });
        continue;
      }
      const problem = VALIDATORS[name]?.(value);
      if (problem) ctx.report(IST0125.messages.invalid, m, at, { annotation: name, problem });
    }
  }
}

/**
 * IST0136, as Istio's maturity.AlphaAnalyzer (maturity/maturity.go): an Alpha Istio annotation,
 * except those Istio sets itself (and, on a Pod without an istio-init container, those the
 * injector sets when the CNI plugin is in use).
 */
export function alphaAnnotations(ctx: AnalysisContext): void {
  for (const { m, kind, entries } of annotated(ctx)) {
    const cni = kind === 'Pod' && !listAt(m.spec, 'initContainers').some((c) => at(c, 'name') === 'istio-init');
    for (const [name] of entries) {
      if (istioAnnotation(name)?.status !== 'Alpha' || ALWAYS_IGNORED.has(name) || (cni && SET_WITHOUT_CNI.has(name)))
        continue;
      ctx.report(IST0136.messages.alpha, m, `metadata.annotations.${name}`, { annotation: name });
    }
  }
}

type Validator = (value: string) => string | undefined;

const uint =
  (bits: number): Validator =>
  (v) =>
    /^\d+$/.test(v) && Number(v) < 2 ** bits ? undefined : `'${v}' is not an unsigned ${bits}-bit integer`;
const port: Validator = (v) => uint(16)(v.trim());
const ports: Validator = (v) =>
  v.trim() === ''
    ? undefined
    : v
        .trim()
        .split(',')
        .map(port)
        .find((p) => p !== undefined);
const cidrs: Validator = (v) =>
  v === ''
    ? undefined
    : v
        .split(',')
        .map((c) => (validCidr(c) ? undefined : `failed parsing cidr '${c}'`))
        .find((p) => p !== undefined);
const interfaces: Validator = (v) =>
  v === ''
    ? undefined
    : v
        .split(',')
        .map((i) => i.trim())
        .map((i) =>
          i.length === 0
            ? 'empty interface name'
            : i.length > 15
              ? `interface name "${i}" too long (max 15 chars)`
              : /^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(i)
                ? undefined
                : `interface name "${i}" contains invalid characters`,
        )
        .find((p) => p !== undefined);
const quantity: Validator = (v) =>
  /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.test(v)
    ? undefined
    : `'${v}' is not a Kubernetes quantity`;

/** pkg/kube/inject/validate.go AnnotationValidation (proxy.istio.io/config is not checked here). */
const VALIDATORS: Readonly<Record<string, Validator>> = {
  'sidecar.istio.io/interceptionMode': (v) =>
    ['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : `interceptionMode invalid, use REDIRECT,TPROXY,NONE: ${v}`,
  'status.sidecar.istio.io/port': port,
  'readiness.status.sidecar.istio.io/initialDelaySeconds': uint(32),
  'readiness.status.sidecar.istio.io/periodSeconds': uint(32),
  'readiness.status.sidecar.istio.io/failureThreshold': uint(32),
  'traffic.sidecar.istio.io/includeOutboundIPRanges': (v) => (v === '*' ? undefined : cidrs(v)),
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': cidrs,
  'traffic.sidecar.istio.io/includeInboundPorts': (v) => (v === '*' ? undefined : ports(v)),
  'traffic.sidecar.istio.io/excludeInboundPorts': ports,
  'traffic.sidecar.istio.io/excludeOutboundPorts': ports,
  'traffic.sidecar.istio.io/excludeInterfaces': interfaces,
  'traffic.sidecar.istio.io/kubevirtInterfaces': interfaces,
  'istio.io/reroute-virtual-interfaces': interfaces,
  'prometheus.istio.io/merge-metrics': (v) =>
    ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)
      ? undefined
      : `'${v}' is not a boolean`,
  'sidecar.istio.io/proxyCPU': quantity,
  'sidecar.istio.io/proxyMemory': quantity,
  'sidecar.istio.io/proxyCPULimit': quantity,
  'sidecar.istio.io/proxyMemoryLimit': quantity,
};

/** netip.ParsePrefix: an address, `/`, a prefix length within the address size. */
function validCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const version = isIP(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  return version !== 0 && /^\d+$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
}
