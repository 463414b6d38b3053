import { DEFAULT_INGRESS_POD_LABELS, DEFAULT_INGRESS_SERVICE_ACCOUNT, DEFAULT_ISTIO_NAMESPACE, DEFAULT_TRUST_DOMAIN, principal, resolveMeshContext } from '../model/defaults';
import { ApplicationSpec, StageSpec } from '../model/spec';
import { ResolvedSecurity, ResolvedStage } from './resolved-stage';
import { deriveComponents } from './route-derivation';
import { checkStage } from './stage-checks';

/**
 * Checks a stage against its application ({@link checkStage}) and derives what runs and how
 * traffic flows. Throws a {@link ReleaseConfigError} naming stage, component, field and value at
 * the first inconsistency. Every default (cluster domain, identities, gateway pods) is resolved
 * here, once, and carried on the result.
 */
export function resolveStage(app: ApplicationSpec, stage: StageSpec): ResolvedStage {
  const facts = checkStage(app, stage);
  const security = resolveSecurity(app);
  const trustDomain = app.security?.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const context = resolveMeshContext({
    clusterDomain: app.clusterDomain,
    trustDomain,
    ingressPrincipal: app.security?.ingressGateway?.principal ?? principal(trustDomain, security.ingressNamespace, DEFAULT_INGRESS_SERVICE_ACCOUNT),
  });
  const { components, gatewayRoutes } = deriveComponents(facts, context);
  return {
    app,
    spec: stage,
    context,
    security,
    versionRouting: facts.versionRouting,
    components,
    entry: components.find((c) => c.name === app.entryComponent)!,
    entryPort: facts.entryPort,
    gatewayRoutes,
  };
}

/** An application's security settings with every default resolved. */
export function resolveSecurity(app: ApplicationSpec): ResolvedSecurity {
  const s = app.security ?? {};
  return {
    authorization: s.authorization ?? true,
    networkPolicies: s.networkPolicies ?? true,
    ingressNamespace: s.ingressGateway?.namespace ?? DEFAULT_ISTIO_NAMESPACE,
    // The Gateway selects the pods the NetworkPolicies admit: one set of labels for both.
    ingressPodLabels: s.ingressGateway?.podLabels ?? app.gateway.selector ?? DEFAULT_INGRESS_POD_LABELS,
    istiodNamespace: s.istiodNamespace ?? DEFAULT_ISTIO_NAMESPACE,
  };
}
