import { resolveMeshContext } from '../model/defaults';
import type { ReleaseFlavour } from '../model/flavour';
import { DEFAULT_FLAVOUR } from '../model/flavour';
import type { InstallationProfile } from '../model/installation-profile';
import { resolveInstallation } from '../model/installation-profile';
import type { ApplicationSpec, StageSpec } from '../model/spec';
import type { ResolvedIngress } from './ingress';
import { resolveIngress } from './ingress';
import type { ResolvedSecurity, ResolvedStage } from './resolved-stage';
import { deriveComponents } from './route-derivation';
import { checkStage } from './stage-checks';

/** Options of {@link resolveStage}. */
export interface ResolveStageOptions {
  /** The traffic API and data plane the stage is resolved for (the ingress gateway's pods and identity differ). @default 'istio-sidecar' */
  readonly flavour?: ReleaseFlavour;
}

/**
 * Checks a stage against its application (its lanes, routes and deployments, and the application
 * itself with {@link validateApplication}) and derives what runs and how traffic flows. Throws a {@link ReleaseConfigError} naming stage, component, field and value at
 * the first inconsistency. Every default (installation, cluster domain, identities, the ingress
 * gateway's pods, principal and port) is resolved here, once, and carried on the result.
 */
export function resolveStage(app: ApplicationSpec, stage: StageSpec, options: ResolveStageOptions = {}): ResolvedStage {
  const facts = checkStage(app, stage);
  const flavour = options.flavour ?? DEFAULT_FLAVOUR;
  const installation = resolveInstallation(app.installation);
  // The gateway and security settings are the application's: a contradiction in them names no stage.
  const ingress = resolveIngress({
    namespace: app.namespace,
    gateway: app.gateway,
    installation,
    security: app.security,
    flavour,
  });
  const context = resolveMeshContext({
    clusterDomain: app.clusterDomain,
    trustDomain: app.security?.trustDomain ?? installation.trustDomain,
    ingressPrincipal: ingress.principal,
  });
  const { components, gatewayRoutes, edges } = deriveComponents(facts, context);
  return {
    app,
    spec: stage,
    flavour,
    installation,
    ingress,
    context,
    security: securityOf(app, installation, ingress),
    versionRouting: facts.versionRouting,
    components,
    entry: components.find((c) => c.name === app.entryComponent)!,
    entryPort: facts.entryPort,
    gatewayRoutes,
    edges,
  };
}

/** An application's security settings with every default resolved: its overrides, else its installation profile's facts. */
function securityOf(
  app: ApplicationSpec,
  installation: InstallationProfile,
  ingress: ResolvedIngress,
): ResolvedSecurity {
  const s = app.security ?? {};
  return {
    authorization: s.authorization ?? true,
    networkPolicies: s.networkPolicies ?? true,
    ingressNamespace: ingress.namespace,
    ingressPodLabels: ingress.podLabels,
    istiodNamespace: s.istiodNamespace ?? installation.controlPlane.namespace,
    istiodPodLabels: installation.controlPlane.podLabels,
    injectionLabel: installation.injectionLabel,
    ...(s.metricsScraper ? { metricsScraper: s.metricsScraper } : {}),
    profile: installation.name,
  };
}
