/**
 * The Istio annotations Istio 1.30.3 knows, as data: name, feature status, deprecated, the resource
 * kinds it attaches to. Generated from istio/api annotation/annotations.yaml at the commit Istio
 * 1.30.3 pins (go.mod istio.io/api v1.30.3-0.20260710004328-2e43f07b30b6), read by Istio's
 * annotations.K8sAnalyzer and maturity.AlphaAnalyzer through annotation.AllResourceAnnotations()
 * (annotations.gen.go: an entry without featureStatus is Alpha).
 */
export interface IstioAnnotation {
  readonly status: 'Alpha' | 'Beta' | 'Stable';
  readonly deprecated: boolean;
  /** Kinds it belongs on (`Any` for every kind). */
  readonly resources: readonly string[];
}

const A = 'Alpha';
const B = 'Beta';
const S = 'Stable';
/** name → [status, deprecated, resources] */
const TABLE: Readonly<Record<string, readonly [typeof A | typeof B | typeof S, boolean, readonly string[]]>> = {
  'alpha.istio.io/canonical-serviceaccounts': [A, true, ['Service']],
  'alpha.istio.io/kubernetes-serviceaccounts': [A, true, ['Service']],
  'ambient.istio.io/bypass-inbound-capture': [A, false, ['Pod']],
  'ambient.istio.io/dns-capture': [A, false, ['Pod']],
  'ambient.istio.io/redirection': [B, false, ['Pod']],
  'ambient.istio.io/waypoint-inbound-binding': [A, false, ['GatewayClass', 'Gateway']],
  'galley.istio.io/analyze-suppress': [A, false, ['Any']],
  'gateway.istio.io/controller-version': [A, false, ['Any']],
  'gateway.istio.io/name-override': [A, false, ['Gateway']],
  'gateway.istio.io/service-account': [A, false, ['Gateway']],
  'inject.istio.io/templates': [A, false, ['Pod']],
  'istio.io/autoRegistrationGroup': [A, false, ['WorkloadEntry']],
  'istio.io/connectedAt': [A, false, ['WorkloadEntry']],
  'istio.io/disconnectedAt': [A, false, ['WorkloadEntry']],
  'istio.io/dry-run': [A, false, ['AuthorizationPolicy']],
  'istio.io/reroute-virtual-interfaces': [A, false, ['Pod']],
  'istio.io/rev': [A, false, ['Pod']],
  'istio.io/workloadController': [A, false, ['WorkloadEntry']],
  'kubernetes.io/ingress.class': [S, false, ['Ingress']],
  'networking.istio.io/exportTo': [A, false, ['Service']],
  'networking.istio.io/service-type': [A, false, ['Gateway']],
  'networking.istio.io/traffic-distribution': [A, false, ['Namespace', 'Service', 'ServiceEntry']],
  'prometheus.istio.io/merge-metrics': [A, false, ['Pod']],
  'proxy.istio.io/config': [B, false, ['Pod']],
  'proxy.istio.io/overrides': [A, false, ['Pod']],
  'readiness.status.sidecar.istio.io/applicationPorts': [A, false, ['Pod']],
  'readiness.status.sidecar.istio.io/failureThreshold': [A, false, ['Pod']],
  'readiness.status.sidecar.istio.io/initialDelaySeconds': [A, false, ['Pod']],
  'readiness.status.sidecar.istio.io/periodSeconds': [A, false, ['Pod']],
  'sidecar.istio.io/agentLogLevel': [A, false, ['Pod']],
  'sidecar.istio.io/bootstrapOverride': [A, false, ['Pod']],
  'sidecar.istio.io/componentLogLevel': [A, false, ['Pod']],
  'sidecar.istio.io/discoveryAddress': [A, true, ['Pod']],
  'sidecar.istio.io/extraStatTags': [A, true, ['Pod']],
  'sidecar.istio.io/inject': [B, true, ['Pod']],
  'sidecar.istio.io/interceptionMode': [A, false, ['Pod']],
  'sidecar.istio.io/logLevel': [A, false, ['Pod']],
  'sidecar.istio.io/nativeSidecar': [A, false, ['Pod']],
  'sidecar.istio.io/proxyCPU': [A, false, ['Pod']],
  'sidecar.istio.io/proxyCPULimit': [A, false, ['Pod']],
  'sidecar.istio.io/proxyImage': [A, false, ['Pod']],
  'sidecar.istio.io/proxyImageType': [A, false, ['Pod']],
  'sidecar.istio.io/proxyMemory': [A, false, ['Pod']],
  'sidecar.istio.io/proxyMemoryLimit': [A, false, ['Pod']],
  'sidecar.istio.io/rewriteAppHTTPProbers': [A, false, ['Pod']],
  'sidecar.istio.io/statsCompression': [A, true, ['Pod']],
  'sidecar.istio.io/statsEvictionInterval': [A, false, ['Pod']],
  'sidecar.istio.io/statsFlushInterval': [A, false, ['Pod']],
  'sidecar.istio.io/statsHistogramBins': [A, false, ['Pod']],
  'sidecar.istio.io/statsHistogramBuckets': [A, false, ['Pod']],
  'sidecar.istio.io/statsInclusionPrefixes': [A, true, ['Pod']],
  'sidecar.istio.io/statsInclusionRegexps': [A, true, ['Pod']],
  'sidecar.istio.io/statsInclusionSuffixes': [A, true, ['Pod']],
  'sidecar.istio.io/status': [A, false, ['Pod']],
  'sidecar.istio.io/userVolume': [A, false, ['Pod']],
  'sidecar.istio.io/userVolumeMount': [A, false, ['Pod']],
  'status.sidecar.istio.io/port': [A, false, ['Pod']],
  'topology.istio.io/controlPlaneClusters': [A, false, ['Namespace']],
  'traffic.istio.io/nodeSelector': [S, false, ['Service']],
  'traffic.sidecar.istio.io/excludeInboundPorts': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/excludeInterfaces': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/excludeOutboundPorts': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/includeInboundPorts': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/includeOutboundIPRanges': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/includeOutboundPorts': [A, false, ['Pod']],
  'traffic.sidecar.istio.io/kubevirtInterfaces': [A, true, ['Pod']],
};

/** The annotation definition of `name`, if Istio knows it. */
export function istioAnnotation(name: string): IstioAnnotation | undefined {
  const row = Object.prototype.hasOwnProperty.call(TABLE, name) ? TABLE[name] : undefined;
  return row ? { status: row[0], deprecated: row[1], resources: row[2] } : undefined;
}
