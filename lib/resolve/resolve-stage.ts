import { principal, resolveMeshContext } from '../model/defaults';
import { ISTIOCTL_DEFAULT_PROFILE } from '../model/installation-profile';
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
  const profile = app.installation ?? ISTIOCTL_DEFAULT_PROFILE;
  const trustDomain = app.security?.trustDomain ?? profile.trustDomain;
  const context = resolveMeshContext({
    clusterDomain: app.clusterDomain,
    trustDomain,
    ingressPrincipal: app.security?.ingressGateway?.principal ?? principal(trustDomain, security.ingressNamespace, profile.ingressGateway.serviceAccount),
  });
  const { components, gatewayRoutes, edges } = deriveComponents(facts, context);
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
    edges,
  };
}

/** An application's security settings with every default resolved: its overrides, else its installation profile's facts. */
export function resolveSecurity(app: ApplicationSpec): ResolvedSecurity {
  const s = app.security ?? {};
  const profile = app.installation ?? ISTIOCTL_DEFAULT_PROFILE;
  return {
    authorization: s.authorization ?? true,
    networkPolicies: s.networkPolicies ?? true,
    ingressNamespace: s.ingressGateway?.namespace ?? profile.ingressGateway.namespace,
    // The Gateway selects the pods the NetworkPolicies admit: one set of labels for both.
    ingressPodLabels: s.ingressGateway?.podLabels ?? app.gateway.selector ?? profile.ingressGateway.podLabels,
    istiodNamespace: s.istiodNamespace ?? profile.controlPlane.namespace,
    istiodPodLabels: profile.controlPlane.podLabels,
    injectionLabel: profile.injectionLabel,
    ...(s.metricsScraper ? { metricsScraper: s.metricsScraper } : {}),
    profile: profile.name,
  };
}
