/**
 * Every code the analyzer reports: Istio's (code, name and level as in Istio 1.30.3
 * pkg/config/analysis/msg/messages.yaml, each emitted by the Go analyzer named) and the
 * project's own VM codes. One table, so the README, the levels and the tests read one source.
 */

/** Istio's message levels: Error fails synth; Warning fails unless accepted; Info never fails. */
export type Level = 'Error' | 'Warning' | 'Info';

/** One code of the analyzer. */
export interface CatalogueEntry {
  readonly code: string;
  /** Istio's message name (or the project's, for VM codes). */
  readonly name: string;
  readonly level: Level;
  readonly description: string;
  /** The kinds (and mesh settings) the rule reads. */
  readonly reads: string;
  /** The Go analyzer of Istio 1.30.3 that emits it (`virtualservice.GatewayAnalyzer`), or `project`. */
  readonly analyzer: string;
}

const entries: CatalogueEntry[] = [
  { code: 'IST0002', name: 'Deprecated', level: 'Warning', analyzer: 'deprecation.FieldAnalyzer, telemetry.LightstepAnalyzer', reads: 'VirtualService, Sidecar, CustomResourceDefinition, Telemetry, MeshConfig extensionProviders',
    description: 'A feature the configuration depends on is deprecated (fault.delay.percent, Sidecar egressProxy, removed CRDs, Lightstep tracing).' },
  { code: 'IST0101', name: 'ReferencedResourceNotFound', level: 'Error', analyzer: 'virtualservice.DestinationHostAnalyzer, virtualservice.DestinationRuleAnalyzer, virtualservice.GatewayAnalyzer, gateway.IngressGatewayPortAnalyzer, gateway.ConflictingGatewayAnalyzer, gateway.SecretAnalyzer, sidecar.SelectorAnalyzer, telemetry.SelectorAnalyzer, authz.AuthorizationPoliciesAnalyzer',
    reads: 'VirtualService, DestinationRule, Gateway, Secret, Sidecar, Telemetry, Service, ServiceEntry, Pod, workloads, Namespace, AuthorizationPolicy',
    description: 'A resource being referenced does not exist: destination host, host:port, host+subset, gateway, gateway selector, namespace.' },
  { code: 'IST0102', name: 'NamespaceNotInjected', level: 'Info', analyzer: 'injection.Analyzer', reads: 'Namespace, ConfigMap istio-sidecar-injector',
    description: 'A namespace is not enabled for Istio injection (no istio-injection or istio.io/rev label, not ambient).' },
  { code: 'IST0103', name: 'PodMissingProxy', level: 'Warning', analyzer: 'injection.Analyzer', reads: 'Pod, Namespace',
    description: 'A Pod in an injected namespace has no istio-proxy container.' },
  { code: 'IST0107', name: 'MisplacedAnnotation', level: 'Warning', analyzer: 'annotations.K8sAnalyzer', reads: 'annotations of Namespace, Service, Pod, Deployment',
    description: 'An Istio annotation on a kind it does not apply to (a Pod annotation on a Deployment\'s own metadata).' },
  { code: 'IST0108', name: 'UnknownAnnotation', level: 'Warning', analyzer: 'annotations.K8sAnalyzer', reads: 'annotations of Namespace, Service, Pod, Deployment',
    description: 'An annotation with an istio.io prefix that Istio does not know.' },
  { code: 'IST0109', name: 'ConflictingMeshGatewayVirtualServiceHosts', level: 'Error', analyzer: 'virtualservice.ConflictingMeshGatewayHostsAnalyzer', reads: 'VirtualService (hosts, gateways, exportTo)',
    description: 'Several mesh VirtualServices route the same host in the same scope.' },
  { code: 'IST0110', name: 'ConflictingSidecarWorkloadSelectors', level: 'Error', analyzer: 'sidecar.SelectorAnalyzer', reads: 'Sidecar, Pod, workloads',
    description: 'Two Sidecars select the same workload pod.' },
  { code: 'IST0111', name: 'MultipleSidecarsWithoutWorkloadSelectors', level: 'Error', analyzer: 'sidecar.SelectorAnalyzer', reads: 'Sidecar',
    description: 'More than one Sidecar of a namespace has no workload selector.' },
  { code: 'IST0112', name: 'VirtualServiceDestinationPortSelectorRequired', level: 'Error', analyzer: 'virtualservice.DestinationHostAnalyzer', reads: 'VirtualService, Service, ServiceEntry',
    description: 'A route to a host with more than one port names no port.' },
  { code: 'IST0116', name: 'DeploymentAssociatedToMultipleServices', level: 'Warning', analyzer: 'deployment.ServiceAssociationAnalyzer', reads: 'Deployment, Service, Namespace',
    description: 'Services selecting the pods of a mesh Deployment use one port number with different protocols.' },
  { code: 'IST0118', name: 'PortNameIsNotUnderNamingConvention', level: 'Info', analyzer: 'service.PortNameAnalyzer', reads: 'Service',
    description: 'A Service port declares no protocol Istio knows (name prefix or appProtocol); Istio sniffs it.' },
  { code: 'IST0123', name: 'NamespaceMultipleInjectionLabels', level: 'Warning', analyzer: 'injection.Analyzer', reads: 'Namespace',
    description: 'A namespace has more than one kind of injection label.' },
  { code: 'IST0125', name: 'InvalidAnnotation', level: 'Warning', analyzer: 'annotations.K8sAnalyzer', reads: 'annotations of Pods',
    description: 'An Istio annotation with an invalid value (ports, CIDRs, integers, quantities, interception mode).' },
  { code: 'IST0127', name: 'NoMatchingWorkloadsFound', level: 'Warning', analyzer: 'authz.AuthorizationPoliciesAnalyzer', reads: 'AuthorizationPolicy, Pod, workloads, Namespace',
    description: 'An AuthorizationPolicy selects no workload in the mesh.' },
  { code: 'IST0128', name: 'NoServerCertificateVerificationDestinationLevel', level: 'Warning', analyzer: 'destinationrule.CaCertificateAnalyzer', reads: 'DestinationRule',
    description: 'A DestinationRule uses SIMPLE or MUTUAL TLS without caCertificates: the server certificate is not verified.' },
  { code: 'IST0129', name: 'NoServerCertificateVerificationPortLevel', level: 'Warning', analyzer: 'destinationrule.CaCertificateAnalyzer', reads: 'DestinationRule',
    description: 'The same, in a portLevelSettings entry.' },
  { code: 'IST0130', name: 'VirtualServiceUnreachableRule', level: 'Warning', analyzer: 'schema.ValidationAnalyzer (VirtualService)', reads: 'VirtualService',
    description: 'A route can never be used: a rule without matches before it, or every match repeats an earlier one.' },
  { code: 'IST0131', name: 'VirtualServiceIneffectiveMatch', level: 'Info', analyzer: 'schema.ValidationAnalyzer (VirtualService)', reads: 'VirtualService',
    description: 'A match repeats (or is covered by the prefix of) a match of an earlier route.' },
  { code: 'IST0132', name: 'VirtualServiceHostNotFoundInGateway', level: 'Warning', analyzer: 'virtualservice.GatewayAnalyzer', reads: 'VirtualService, Gateway',
    description: 'No host of the VirtualService is served by a Gateway it binds to.' },
  { code: 'IST0134', name: 'ServiceEntryAddressesRequired', level: 'Warning', analyzer: 'serviceentry.ProtocolAddressesAnalyzer', reads: 'ServiceEntry, MeshConfig proxyMetadata',
    description: 'A ServiceEntry with a TCP (or protocol-less) port has no addresses and none are allocated.' },
  { code: 'IST0135', name: 'DeprecatedAnnotation', level: 'Info', analyzer: 'annotations.K8sAnalyzer', reads: 'annotations of Namespace, Service, Pod, Deployment',
    description: 'A deprecated Istio annotation.' },
  { code: 'IST0136', name: 'AlphaAnnotation', level: 'Info', analyzer: 'maturity.AlphaAnalyzer', reads: 'annotations of Namespace, Service, Pod, Deployment',
    description: 'An annotation of an alpha-phase Istio feature.' },
  { code: 'IST0137', name: 'DeploymentConflictingPorts', level: 'Warning', analyzer: 'deployment.ServiceAssociationAnalyzer', reads: 'Deployment, Service, Namespace',
    description: 'Services selecting the same mesh Deployment send one targetPort from different ports.' },
  { code: 'IST0138', name: 'GatewayDuplicateCertificate', level: 'Warning', analyzer: 'gateway.CertificateAnalyzer', reads: 'Gateway',
    description: 'Gateways for the same workloads use the same certificate (404s when clients re-use HTTP/2 connections).' },
  { code: 'IST0139', name: 'InvalidWebhook', level: 'Error', analyzer: 'webhook.Analyzer', reads: 'MutatingWebhookConfiguration, Service',
    description: 'Istio injection webhooks overlap (double injection), or one names a Service that does not exist.' },
  { code: 'IST0140', name: 'IngressRouteRulesNotAffected', level: 'Warning', analyzer: 'virtualservice.DestinationHostAnalyzer', reads: 'VirtualService',
    description: 'A gateway route without subset sends to a host whose subset routing (another VirtualService) it bypasses.' },
  { code: 'IST0144', name: 'InvalidApplicationUID', level: 'Warning', analyzer: 'deployment.ApplicationUIDAnalyzer', reads: 'Pod, Deployment',
    description: 'An application container runs as UID 1337, the sidecar\'s UID: its traffic bypasses the proxy.' },
  { code: 'IST0145', name: 'ConflictingGateways', level: 'Error', analyzer: 'gateway.ConflictingGatewayAnalyzer', reads: 'Gateway, Pod, workloads',
    description: 'Gateways with the same selector and port serve the same host.' },
  { code: 'IST0146', name: 'ImageAutoWithoutInjectionWarning', level: 'Warning', analyzer: 'injection.ImageAutoAnalyzer', reads: 'Deployment, Namespace, MutatingWebhookConfiguration',
    description: 'A Deployment with an `image: auto` istio-proxy that no Istio injection webhook selects.' },
  { code: 'IST0147', name: 'ImageAutoWithoutInjectionError', level: 'Error', analyzer: 'injection.ImageAutoAnalyzer', reads: 'Pod',
    description: 'A Pod with an `image: auto` istio-proxy: it was not injected.' },
  { code: 'IST0148', name: 'NamespaceInjectionEnabledByDefault', level: 'Info', analyzer: 'injection.Analyzer', reads: 'Namespace, ConfigMap istio-sidecar-injector',
    description: 'An unlabelled namespace is injected because the injector enables namespaces by default.' },
  { code: 'IST0149', name: 'JwtClaimBasedRoutingWithoutRequestAuthN', level: 'Error', analyzer: 'virtualservice.JWTClaimRouteAnalyzer', reads: 'VirtualService, Gateway, Pod, workloads, RequestAuthentication',
    description: 'A gateway route matches JWT claims but no RequestAuthentication applies to the gateway pods.' },
  { code: 'IST0150', name: 'ExternalNameServiceTypeInvalidPortName', level: 'Warning', analyzer: 'service.PortNameAnalyzer', reads: 'Service',
    description: 'An ExternalName Service port is named tcp or declares no known protocol.' },
  { code: 'IST0151', name: 'EnvoyFilterUsesRelativeOperation', level: 'Warning', analyzer: 'envoyfilter.EnvoyPatchAnalyzer', reads: 'EnvoyFilter',
    description: 'An EnvoyFilter without priority uses a relative patch operation.' },
  { code: 'IST0152', name: 'EnvoyFilterUsesReplaceOperationIncorrectly', level: 'Error', analyzer: 'envoyfilter.EnvoyPatchAnalyzer', reads: 'EnvoyFilter',
    description: 'REPLACE on something other than an HTTP or network filter (or virtual host).' },
  { code: 'IST0153', name: 'EnvoyFilterUsesAddOperationIncorrectly', level: 'Error', analyzer: 'envoyfilter.EnvoyPatchAnalyzer', reads: 'EnvoyFilter',
    description: 'ADD on ROUTE_CONFIGURATION or HTTP_ROUTE, where it is ignored.' },
  { code: 'IST0154', name: 'EnvoyFilterUsesRemoveOperationIncorrectly', level: 'Error', analyzer: 'envoyfilter.EnvoyPatchAnalyzer', reads: 'EnvoyFilter',
    description: 'REMOVE on ROUTE_CONFIGURATION or HTTP_ROUTE, where it is ignored.' },
  { code: 'IST0155', name: 'EnvoyFilterUsesRelativeOperationWithProxyVersion', level: 'Warning', analyzer: 'envoyfilter.EnvoyPatchAnalyzer', reads: 'EnvoyFilter',
    description: 'A relative patch without priority on a filter another patch pins to a proxyVersion.' },
  { code: 'IST0157', name: 'InvalidTelemetryProvider', level: 'Warning', analyzer: 'telemetry.ProviderAnalyzer', reads: 'Telemetry, MeshConfig defaultProviders',
    description: 'A Telemetry access-log entry names no provider and the mesh has no default: it is ignored.' },
  { code: 'IST0158', name: 'PodsIstioProxyImageMismatchInNamespace', level: 'Warning', analyzer: 'injection.ImageAnalyzer', reads: 'Pod, Namespace, ConfigMap istio-sidecar-injector*, ProxyConfig, MeshConfig defaultConfig.image',
    description: 'Pods of an injected namespace run another proxy image than the injector would inject (redeploy after an upgrade).' },
  { code: 'IST0159', name: 'ConflictingTelemetryWorkloadSelectors', level: 'Error', analyzer: 'telemetry.SelectorAnalyzer', reads: 'Telemetry, Pod, workloads',
    description: 'Two Telemetries select the same workload pod.' },
  { code: 'IST0160', name: 'MultipleTelemetriesWithoutWorkloadSelectors', level: 'Error', analyzer: 'telemetry.DefaultSelectorAnalyzer', reads: 'Telemetry',
    description: 'More than one Telemetry of a namespace has no workload selector.' },
  { code: 'IST0161', name: 'InvalidGatewayCredential', level: 'Error', analyzer: 'gateway.SecretAnalyzer', reads: 'Gateway, Secret, Pod, workloads',
    description: 'The Secret a Gateway TLS server names lacks the certificate keys, or its certificate does not parse or is not currently valid.' },
  { code: 'IST0162', name: 'GatewayPortNotDefinedOnService', level: 'Warning', analyzer: 'gateway.IngressGatewayPortAnalyzer', reads: 'Gateway, Pod, workloads, Service',
    description: 'A Gateway server port is not a (target) port of any Service selecting the gateway pods.' },
  { code: 'IST0163', name: 'InvalidExternalControlPlaneConfig', level: 'Warning', analyzer: 'externalcontrolplane.ExternalControlPlaneAnalyzer', reads: 'ValidatingWebhookConfiguration, MutatingWebhookConfiguration',
    description: 'An external control plane webhook URL is blank or does not parse.' },
  { code: 'IST0164', name: 'ExternalControlPlaneAddressIsNotAHostname', level: 'Info', analyzer: 'externalcontrolplane.ExternalControlPlaneAnalyzer', reads: 'ValidatingWebhookConfiguration, MutatingWebhookConfiguration',
    description: 'An external control plane webhook URL is an IP address, not a host name.' },
  { code: 'IST0165', name: 'ReferencedInternalGateway', level: 'Warning', analyzer: 'virtualservice.GatewayAnalyzer', reads: 'VirtualService',
    description: 'A VirtualService binds to a Gateway Istio generates from a Kubernetes Gateway.' },
  { code: 'IST0166', name: 'IneffectiveSelector', level: 'Warning', analyzer: 'k8sgateway.SelectorAnalyzer', reads: 'AuthorizationPolicy, RequestAuthentication, Telemetry, WasmPlugin, Pod',
    description: 'A policy selector matches Kubernetes Gateway pods, where only targetRef takes effect.' },
  { code: 'IST0167', name: 'IneffectivePolicy', level: 'Warning', analyzer: 'sidecar.SelectorAnalyzer', reads: 'Sidecar, Namespace, Pod',
    description: 'A Sidecar for an ambient workload or namespace has no effect.' },
  { code: 'IST0171', name: 'NegativeConditionStatus', level: 'Warning', analyzer: 'conditions.ConditionAnalyzer', reads: 'status of Service, ServiceEntry, WorkloadEntry, AuthorizationPolicy, Gateway API Gateway/HTTPRoute/GRPCRoute',
    description: 'A status condition Istio writes is negative (waypoint binding, acceptance).' },
  { code: 'IST0173', name: 'DestinationRuleSubsetNotSelectPods', level: 'Error', analyzer: 'destinationrule.PodNotSelectedAnalyzer', reads: 'DestinationRule, Service, ServiceEntry, Pod, workloads, Node',
    description: 'A DestinationRule subset selects no pod.' },
  { code: 'IST0174', name: 'UnknownDestinationRuleHost', level: 'Warning', analyzer: 'destinationrule.PodNotSelectedAnalyzer', reads: 'DestinationRule, Service, ServiceEntry',
    description: 'A DestinationRule host matches no Service or ServiceEntry visible to it.' },
  { code: 'IST0175', name: 'JwksUriFetchUnrestricted', level: 'Warning', analyzer: 'authn.BlockedCIDRsAnalyzer', reads: 'RequestAuthentication, istiod Deployment',
    description: 'RequestAuthentications exist but istiod does not restrict the networks JWKS URIs may reach (BLOCKED_CIDRS_IN_JWKS_URIS).' },
  { code: 'IST0176', name: 'GatewayAPICRDVersionBelowMinimum', level: 'Warning', analyzer: 'k8sgateway.CRDVersionAnalyzer', reads: 'CustomResourceDefinition',
    description: 'A Gateway API CRD is older than Istio requires; its resources are not processed.' },
  { code: 'VM0001', name: 'SourceLabelsOnGatewayRoute', level: 'Error', analyzer: 'project', reads: 'VirtualService',
    description: 'sourceLabels in a VirtualService bound to gateways only: they only match sidecar callers.' },
  { code: 'VM0002', name: 'RouteWeightsNotHundred', level: 'Error', analyzer: 'project', reads: 'VirtualService',
    description: 'The weights of a route do not sum to 100 (or a single destination has a weight other than 100).' },
  { code: 'VM0003', name: 'TlsModeContradictsStrictMtls', level: 'Error', analyzer: 'project', reads: 'DestinationRule, PeerAuthentication',
    description: 'A DestinationRule TLS mode other than ISTIO_MUTUAL under a namespace-wide STRICT PeerAuthentication.' },
  { code: 'VM0004', name: 'ServerFirstPortNotTcp', level: 'Error', analyzer: 'project', reads: 'Service, PeerAuthentication',
    description: 'A server-first protocol port (MySQL, Redis, SMTP, MongoDB) not declared TCP under STRICT mTLS.' },
  { code: 'VM0005', name: 'RoutedCallDenied', level: 'Error', analyzer: 'project', reads: 'VirtualService, Gateway, workloads, AuthorizationPolicy',
    description: 'A call some route sends is denied by the AuthorizationPolicies.' },
  { code: 'VM0006', name: 'UnusedAllowance', level: 'Info', analyzer: 'project', reads: 'AuthorizationPolicy, VirtualService, workloads',
    description: 'An ALLOW rule that no route uses (calls are inferred from environment variables, so this is advice).' },
  { code: 'VM0007', name: 'CallsNotInferred', level: 'Warning', analyzer: 'project', reads: 'workloads (environment)',
    description: 'The calls a workload makes could not be inferred from its environment.' },
  { code: 'VM0008', name: 'DestinationWithoutPods', level: 'Error', analyzer: 'project', reads: 'VirtualService, DestinationRule, Service, workloads',
    description: 'A route destination (Service selector narrowed by the subset) selects no workload: the route returns 503.' },
  { code: 'VM0010', name: 'IdleCallDenied', level: 'Info', analyzer: 'project', reads: 'VirtualService, Gateway, workloads, AuthorizationPolicy',
    description: 'A call a route would carry from a workload that receives no traffic (an idle version) is denied: per-version least privilege working as meant.' },
  { code: 'VM0009', name: 'AnalysisFailed', level: 'Error', analyzer: 'project', reads: 'every object',
    description: 'A rule group could not read the objects (malformed beyond its schema); fix the schema errors first.' },
];

/** Every code, by code. */
export const CATALOGUE: ReadonlyMap<string, CatalogueEntry> = new Map(entries.map((e) => [e.code, e]));

/** The level of a code (throws on a code missing from the catalogue: a programming error). */
export function levelOf(code: string): Level {
  const entry = CATALOGUE.get(code);
  if (!entry) throw new Error(`analyzer code ${code} is not in lib/analysis/analyzer/catalogue.ts: add it with its level`);
  return entry.level;
}
