// The public API of voting-mesh: a typed release (application and stage data), the constructs
// that turn it into Kubernetes and Istio objects, the offline analysis tools (schema validation,
// mesh analyzer, traffic simulator, explain) and the release tooling (synth, diff, plan, notes).
// Only what is listed here is the package's API; everything else under lib/ is internal.

/**
 * The main entry, `import { … } from 'voting-mesh'`: the data model, the constructs, the offline
 * analysis tools and the release tooling.
 * @module voting-mesh
 */

// The data model.
export type {
  AppProtocol,
  ApplicationSpec,
  ComponentSpec,
  EnvValue,
  ExternalSecretSpec,
  GatewaySpec,
  PersistentVolumeSpec,
  PortSpec,
  ProbeCheck,
  ProbeSpec,
  ResourceSpec,
  RunAsSpec,
  SecretKeyRef,
  SecuritySpec,
  WorkloadSpec,
} from './model/application-spec';
export type {
  ComponentTrafficPolicy,
  ConnectionPoolSpec,
  EntryMatch,
  EntryRouteSpec,
  LaneSpec,
  MirrorSpec,
  MtlsMode,
  OutlierDetectionSpec,
  RetrySpec,
  ServiceRouteSpec,
  StageSpec,
  VersionTrafficPolicy,
  WeightedLane,
  WeightedVersion,
} from './model/stage-spec';
export type { ErrorLocation } from './model/errors';
export { ReleaseConfigError } from './model/errors';
export type { MeshContext, MeshContextOptions } from './model/defaults';
export {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_INGRESS_POD_LABELS,
  DEFAULT_INGRESS_SERVICE_ACCOUNT,
  DEFAULT_ISTIO_NAMESPACE,
  DEFAULT_TRUST_DOMAIN,
  resolveMeshContext,
} from './model/defaults';
export { deploymentName, serviceHost, subsetName } from './model/names';
export type {
  AksIstioAddOnProfileOptions,
  HelmGatewayProfileOptions,
  InstallationProfile,
} from './model/installation-profile';
export { aksIstioAddOnProfile, helmGatewayProfile, ISTIOCTL_DEFAULT_PROFILE } from './model/installation-profile';

// Resolving a stage.
export type {
  DeployedVersion,
  ResolvedComponent,
  ResolvedSecurity,
  ResolvedStage,
  Route,
  RouteDestination,
  RouteMatch,
  VersionEdge,
  VersionRef,
} from './resolve/resolved-stage';
export { INGRESS_PEER } from './resolve/resolved-stage';
export { resolveStage } from './resolve/resolve-stage';
export { validateApplication } from './resolve/validate-application';
export { cookieRegex } from './resolve/entry-match';

// The constructs.
export type { IngressGatewayPods, StageChartProps } from './constructs/stage-chart';
export { PART_OF_LABEL, StageChart } from './constructs/stage-chart';
export type { ReleaseFlavour, ReleaseStageProps } from './constructs/release-stage';
export { AMBIENT_NAMESPACE_LABEL, ReleaseStage } from './constructs/release-stage';
export type { AmbientComponent, AmbientMeshProps } from './constructs/ambient-mesh-props';
export { AmbientMesh, GATEWAY_NAME_LABEL, USE_WAYPOINT_LABEL, WAYPOINT_NAME } from './constructs/ambient-mesh';
export type { AmbientPoliciesProps, AmbientPolicyVersion, WaypointServiceSpec } from './constructs/ambient-policies';
export { AmbientPolicies } from './constructs/ambient-policies';
export { HBONE_PORT, PROBE_SNAT_CIDR } from './constructs/ambient-network-peers';
export type { GatewayApiRouteProps } from './constructs/gateway-api-routes';
export { GatewayApiRoute } from './constructs/gateway-api-routes';
export type { LanePlan, LaneService } from './resolve/lane-services';
export { laneServiceName, planLanes, versionServiceName } from './resolve/lane-services';
export type { MeshServiceProps, MeshServiceVersion } from './constructs/mesh-service';
export { MeshService } from './constructs/mesh-service';
export type { VersionedDeploymentProps } from './constructs/versioned-deployment';
export { VersionedDeployment } from './constructs/versioned-deployment';
export type { IngressGatewayProps } from './constructs/ingress-gateway';
export { IngressGateway } from './constructs/ingress-gateway';
export type {
  MeshPoliciesProps,
  PolicyIngress,
  PolicyPods,
  PolicyVersion,
  StagePoliciesProps,
} from './constructs/mesh-policies';
export { MeshPolicies } from './constructs/mesh-policies';
export type { CanaryRolloutProps, RolloutStep, RolloutVirtualServiceSpec } from './constructs/canary-rollout';
export { CanaryRollout } from './constructs/canary-rollout';
export type { RolloutStageProps } from './constructs/rollout-stage';
export { RolloutStage } from './constructs/rollout-stage';
export type { IstioApiVersion } from './constructs/istio-api';

// The manifest analysis tools.
export type { Manifest } from './analysis/manifest';
export { objectKey } from './analysis/manifest';
export type {
  Hop,
  HopMirror,
  HopRetries,
  MeshCallTarget,
  SimulatedRequest,
  SimulatorOptions,
} from './analysis/traffic-simulator';
export { TrafficSimulator } from './analysis/traffic-simulator';
export type { ShapedRequest, ShapedResponse } from './analysis/routing/gateway-api-filters';
export type { HashPolicy, HopLoadBalancing } from './analysis/routing/destination-load-balancing';
export type { HopEndpointPicker } from './analysis/routing/inference-pool';
export type { NetworkVerdict, PodEndpoint } from './analysis/network-policies';
export { networkPolicyAllows } from './analysis/network-policies';
export type { AuthorizationVerdict, AuthorizedRequest } from './analysis/authorization';
export { authorize, authorizeAtWaypoint } from './analysis/authorization';
export type {
  CallExplanation,
  ExplainMirror,
  ExplainNode,
  Explanation,
  ExplainOptions,
  InferredCall,
} from './analysis/explain';
export {
  CallTargetError,
  explainCall,
  explainRequest,
  formatCallExplanation,
  formatExplanation,
  inferCalls,
} from './analysis/explain';
export type { AnalyzeOptions, AnalyzerMeshConfig, CatalogueEntry, Finding, Level } from './analysis/analyzer';
export { analyzeMesh, analyzerMeshConfig, CATALOGUE, formatFinding } from './analysis/analyzer';
export type { AcceptedFinding } from './model/application-spec';
export type { FindingAcceptance } from './analysis/analyzer/acceptance';
export { acceptFindings } from './analysis/analyzer/acceptance';
export type { CheckException, CheckFinding } from './analysis/workload-checks';
export { checkWorkloads, unexplained, unusedExceptions } from './analysis/workload-checks';
export type { ObjectViolation, SchemaSources } from './analysis/schema/schema-registry';
export type { CelCounts } from './analysis/schema/cel';
export { SCHEMA_ENV, SchemaRegistry, schemaSources } from './analysis/schema/schema-registry';

// Release tooling.
export type { FieldChange, StageDiff } from './release/diff';
export { diffStages, formatChange } from './release/diff';
export type { FormatPlanOptions, PlanFiles, PlanStep, StepKind, TransitionPlan } from './release/plan';
export { formatPlan, planTransition } from './release/plan';
export type { TransitionProblem } from './release/transition-check';
export { checkTransition } from './release/transition-check';
export type { StageObjects } from './release/release-notes';
export { renderReleaseNotes } from './release/release-notes';
export type { CheckReleaseOptions, ReleaseCheckResult } from './release/synth';
export { checkRelease, RELEASE_CONTEXT_FILE, runSynth, synthRelease } from './release/synth';
export type { ReleaseContext, ReleaseFile } from './release/release-files';
export { renderRelease } from './release/release-files';
export type { DesiredState, StateProblem } from './release/gitops/states';
export { checkStates, transitionStates } from './release/gitops/states';
export type { GitOpsEngine, GitOpsFile, GitOpsOptions } from './release/gitops/engines';
export { syncWave } from './release/gitops/engines';
export type { RouteWait } from './release/gitops/route-wait';
export type { GitOpsSeries } from './release/gitops/series';
export { gitopsSeries } from './release/gitops/series';
