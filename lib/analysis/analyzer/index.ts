import type { MeshContextOptions } from '../../model/defaults';
import { resolveMeshContext } from '../../model/defaults';
import type { Manifest } from '../manifest';
import { alphaAnnotations, annotationsOnKinds } from './annotations';
import { VM0009 } from './catalogue';
import { blockedCidrs, gatewayApiCrdVersions, imageAuto, negativeConditions } from './cluster-state';
import type { AnalyzerMeshConfig, Finding } from './context';
import { AnalysisContext } from './context';
import { caCertificates, subsetsSelectPods } from './destination-rules';
import { envoyFilterPatches } from './envoy-filters';
import { ambientRules } from './ambient';
import { gatewayApiRules } from './gateway-api';
import { conflictingGateways, duplicateCertificates, gatewaySecrets, ingressGatewayPorts } from './gateways';
import { authorizationPolicies, injection } from './namespaces-policies';
import { projectRules } from './project-rules';
import { proxyImages } from './proxy-images';
import { serviceEntryAddresses, conflictingServiceEntryProtocols } from './service-entries';
import { sidecarSelectors } from './sidecars';
import {
  kubernetesGatewaySelectors,
  telemetryDefaultSelectors,
  telemetryLightstep,
  telemetryProviders,
  telemetrySelectors,
} from './telemetry';
import { destinationHosts, destinationSubsets } from './virtual-service-destinations';
import { conflictingMeshGatewayHosts, jwtClaimRoutes, virtualServiceGateways } from './virtual-service-gateways';
import { deprecatedFields, unreachableRules } from './virtual-service-rules';
import { externalControlPlane, injectionWebhooks } from './webhooks';
import { applicationUid, portNames, serviceAssociation } from './workloads';

export type { Finding, AnalyzerMeshConfig } from './context';
export type { AnalyzerCode, CatalogueEntry, Level } from './catalogue';
export { CATALOGUE, ENTRIES } from './catalogue';
export { analyzerMeshConfig } from './mesh-config';

/**
 * The rule groups, by the name of the Istio 1.30.3 Go analyzer each one follows (as
 * analyzers_test.go names them), and `project` for the project's VM rules. Order is the order of
 * findings.
 */
export const RULE_GROUPS: Readonly<Record<string, (ctx: AnalysisContext) => void>> = {
  'virtualservice.DestinationHostAnalyzer': destinationHosts,
  'virtualservice.DestinationRuleAnalyzer': destinationSubsets,
  'virtualservice.GatewayAnalyzer': virtualServiceGateways,
  'virtualservice.ConflictingMeshGatewayHostsAnalyzer': conflictingMeshGatewayHosts,
  'virtualservice.JWTClaimRouteAnalyzer': jwtClaimRoutes,
  'schemaValidation.VirtualService': unreachableRules,
  'deprecation.FieldAnalyzer': deprecatedFields,
  'gateway.IngressGatewayPortAnalyzer': ingressGatewayPorts,
  'gateway.ConflictingGatewayAnalyzer': conflictingGateways,
  'gateway.CertificateAnalyzer': duplicateCertificates,
  'gateway.SecretAnalyzer': (ctx) => gatewaySecrets(ctx),
  'sidecar.SelectorAnalyzer': sidecarSelectors,
  'serviceentry.ProtocolAddressesAnalyzer': serviceEntryAddresses,
  'serviceentry.ConflictingServiceEntryProtocolAnalyzer': conflictingServiceEntryProtocols,
  'destinationrule.CaCertificateAnalyzer': caCertificates,
  'destinationrule.PodNotSelectedAnalyzer': subsetsSelectPods,
  'service.PortNameAnalyzer': portNames,
  'deployment.ServiceAssociationAnalyzer': serviceAssociation,
  'deployment.ApplicationUIDAnalyzer': applicationUid,
  'injection.Analyzer': injection,
  'authz.AuthorizationPoliciesAnalyzer': authorizationPolicies,
  'telemetry.SelectorAnalyzer': telemetrySelectors,
  'telemetry.DefaultSelectorAnalyzer': telemetryDefaultSelectors,
  'telemetry.ProviderAnalyzer': telemetryProviders,
  'telemetry.LightstepAnalyzer': telemetryLightstep,
  'k8sgateway.SelectorAnalyzer': kubernetesGatewaySelectors,
  'k8sgateway.CRDVersionAnalyzer': gatewayApiCrdVersions,
  'conditions.ConditionAnalyzer': negativeConditions,
  'injection.ImageAutoAnalyzer': imageAuto,
  'injection.ImageAnalyzer': proxyImages,
  'authn.BlockedCIDRsAnalyzer': blockedCidrs,
  'envoyfilter.EnvoyPatchAnalyzer': envoyFilterPatches,
  'webhook.Analyzer': injectionWebhooks,
  'externalcontrolplane.ExternalControlPlaneAnalyzer': externalControlPlane,
  'annotations.K8sAnalyzer': annotationsOnKinds,
  'maturity.AlphaAnalyzer': alphaAnnotations,
  project: projectRules,
  'project.gatewayApi': gatewayApiRules,
  'project.ambient': ambientRules,
};

/** Options of {@link analyzeMesh}: the cluster and identities the objects run with, and Istio's mesh settings. */
export interface AnalyzeOptions extends MeshContextOptions {
  /** Mesh settings the Istio rules read. @default - Istio's defaults */
  readonly meshConfig?: AnalyzerMeshConfig;
  /**
   * Add Istio's default resources (the `istio-ingressgateway` Pod and Service in istio-system),
   * as `istioctl analyze` does. @default true
   */
  readonly defaultResources?: boolean;
  /** Run only these rule groups: the name of the Istio analyzer each follows (`virtualservice.GatewayAnalyzer`), or `project` for the VM rules. @default - all */
  readonly only?: readonly string[];
  /** Leave these rule groups out. @default - none */
  readonly skip?: readonly string[];
}

/**
 * Checks a set of objects (one stage, or any manifests across namespaces) as `istioctl analyze`
 * (Istio 1.30.3) does for the codes of the catalogue, plus the project's VM rules. Findings carry
 * Istio's level of their code.
 */
export function analyzeMesh(manifests: readonly Manifest[], options: AnalyzeOptions = {}): Finding[] {
  const ctx = new AnalysisContext(
    manifests,
    resolveMeshContext(options),
    options.meshConfig ?? {},
    options.defaultResources ?? true,
  );
  for (const [name, run] of Object.entries(RULE_GROUPS)) {
    if ((options.only && !options.only.includes(name)) || options.skip?.includes(name)) continue;
    try {
      run(ctx);
    } catch (err) {
      // Objects too malformed for a rule (a string where a list belongs): say so rather than crash or pass silently.
      ctx.report(VM0009.messages.failed, `Analyzer ${name}`, '', { error: (err as Error).message });
    }
  }
  return [...ctx.findings];
}

/** Renders a finding on one line: `CODE [Level] Kind namespace/name field: message`. */
export function formatFinding(f: Finding): string {
  return `${f.code} [${f.level}] ${f.object} ${f.field}: ${f.message}`;
}
