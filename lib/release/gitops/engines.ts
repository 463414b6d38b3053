import type { Manifest } from '../../analysis/manifest';
import { objectKey } from '../../analysis/manifest';
import { isGatewayApi } from '../../analysis/routing/gateway-api-match';
import type { DesiredState } from './states';
import type { RouteWait } from './route-wait';
import { DEFAULT_ROUTE_DELAY_SECONDS, reconciledObjects, routeDelayJob } from './route-wait';

/** The GitOps engines a transition can be emitted for. */
export type GitOpsEngine = 'argocd' | 'flux';

/** Where the series lives and how the engine reaches it. */
export interface GitOpsOptions {
  readonly engine: GitOpsEngine;
  /** Name of the Application / Kustomization that syncs the series (DNS-1123). */
  readonly name: string;
  /** The Git repository the states are committed to (Argo CD `repoURL`). */
  readonly repoUrl: string;
  /** The folder of the repository the emitted directory is committed as (relative, `/`-separated). */
  readonly repoPath: string;
  /** Flux: the GitRepository source. @default 'flux-system' */
  readonly fluxSource?: string;
  /** @default 'delay' */
  readonly routeWait?: RouteWait;
  /** @default 30 */
  readonly delaySeconds?: number;
}

/** One emitted file: its path inside the output directory and its objects. */
export interface GitOpsFile {
  readonly path: string;
  readonly objects: readonly Manifest[];
}

// Argo CD annotations on the synced objects.
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const HOOK = 'argocd.argoproj.io/hook';
const HOOK_DELETE = 'argocd.argoproj.io/hook-delete-policy';
// Flux's per-object prune switch.
const FLUX_PRUNE = 'kustomize.toolkit.fluxcd.io/prune';

/** What pods read (identity, credentials, configuration, storage) exists before the pods. */
const BEFORE_PODS = [
  'Namespace',
  'ServiceAccount',
  'Secret',
  'ExternalSecret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'PeerAuthentication',
];
const ROUTES = ['VirtualService', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute'];
/** What the plan never deletes: it may hold data. */
const KEPT = ['PersistentVolumeClaim', 'Namespace'];

/**
 * The Argo CD sync wave of an object inside one state: identities, credentials and claims (-1),
 * then workloads, Services, subsets and policies (0), then what routes traffic to them (1); the
 * route wait runs last (2). A wave starts only once the previous one is healthy.
 */
export function syncWave(m: Manifest): number {
  if (BEFORE_PODS.includes(m.kind)) return -1;
  if (ROUTES.includes(m.kind) || (m.kind === 'Gateway' && m.apiVersion.startsWith('networking.istio.io/'))) return 1;
  return 0;
}

function annotate(m: Manifest, extra: Record<string, string>): Manifest {
  const meta = m.metadata as Manifest['metadata'] & { annotations?: Record<string, string> };
  return { ...m, metadata: { ...meta, annotations: { ...(meta.annotations ?? {}), ...extra } } } as Manifest;
}

/** A state's objects as the engine syncs them: Argo CD waves, never-pruned claims and namespaces, and the route wait. */
export function stateObjects(state: DesiredState, o: GitOpsOptions): Manifest[] {
  const delay = (o.routeWait ?? 'delay') === 'delay' && state.movesTraffic;
  if (o.engine === 'argocd') {
    const objects = state.objects.map((m) =>
      annotate(m, {
        [SYNC_WAVE]: String(syncWave(m)),
        ...(KEPT.includes(m.kind) ? { [SYNC_OPTIONS]: 'Prune=false' } : {}),
      }),
    );
    // A Sync hook: run on every sync of the state, after the routes' wave, before PruneLast removals.
    const hook = { [HOOK]: 'Sync', [HOOK_DELETE]: 'BeforeHookCreation', [SYNC_WAVE]: '2' };
    return delay
      ? [...objects, routeDelayJob(o.name, state, o.delaySeconds ?? DEFAULT_ROUTE_DELAY_SECONDS, hook)]
      : objects;
  }
  const objects = state.objects.map((m) => (KEPT.includes(m.kind) ? annotate(m, { [FLUX_PRUNE]: 'disabled' }) : m));
  return delay ? [...objects, routeDelayJob(o.name, state, o.delaySeconds ?? DEFAULT_ROUTE_DELAY_SECONDS)] : objects;
}

/** The path of a state's directory inside the repository. */
export function statePath(state: DesiredState, o: GitOpsOptions): string {
  return [o.repoPath.replace(/\/+$/, ''), 'states', state.name].filter((p) => p !== '' && p !== '.').join('/');
}

/**
 * The Argo CD Application syncing `state`: the same Application for every state (one commit per
 * state moves `path`); automated sync with prune and self-heal; PruneLast when the state removes
 * objects, so they go only after every wave (and the route wait) is healthy.
 */
export function argoApplication(state: DesiredState, o: GitOpsOptions): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: o.name, namespace: 'argocd', labels: { 'app.kubernetes.io/managed-by': 'voting-mesh' } },
    spec: {
      project: 'default',
      source: { repoURL: o.repoUrl, targetRevision: 'HEAD', path: statePath(state, o) },
      destination: { server: 'https://kubernetes.default.svc' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: state.prunes ? ['PruneLast=true'] : [],
        retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
      },
    },
  } as Manifest;
}

/** `objectKey` as a Flux health check reference. */
const healthCheck = (m: Manifest) => ({
  apiVersion: m.apiVersion,
  kind: m.kind,
  name: m.metadata.name,
  ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}),
});

/**
 * The Flux Kustomization syncing `state`: the same Kustomization for every state (one commit per
 * state moves `path`, so its inventory prunes what the next state drops); it depends on
 * nothing of the series, and is Ready only once the health checks pass: every Deployment and
 * Gateway API Gateway of the state, and the route wait (the delay Job, or the Istio routes'
 * `Reconciled` condition). The next state is committed once it is Ready.
 */
export function fluxKustomization(state: DesiredState, o: GitOpsOptions): Manifest {
  const objects = stateObjects(state, o);
  const reconciled = (o.routeWait ?? 'delay') === 'reconciled' && state.movesTraffic ? reconciledObjects(state) : [];
  const checked = [
    ...objects.filter((m) => m.kind === 'Deployment' || m.kind === 'Job' || isGatewayApi(m, 'Gateway')),
    ...reconciled,
  ];
  const byKey = new Map(checked.map((m) => [objectKey(m), m]));
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: o.name, namespace: 'flux-system', labels: { 'app.kubernetes.io/managed-by': 'voting-mesh' } },
    spec: {
      interval: '10m',
      retryInterval: '1m',
      timeout: '10m',
      path: `./${statePath(state, o)}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: o.fluxSource ?? 'flux-system' },
      healthChecks: [...byKey.values()].map(healthCheck),
      ...(reconciled.length > 0
        ? {
            healthCheckExprs: [...new Set(reconciled.map((m) => `${m.apiVersion}|${m.kind}`))].map((gk) => ({
              apiVersion: gk.split('|')[0],
              kind: gk.split('|')[1],
              // While proxies catch up the condition is False: only True is an answer, the timeout the failure.
              current: "status.conditions.exists(c, c.type == 'Reconciled' && c.status == 'True')",
            })),
          }
        : {}),
    },
  } as Manifest;
}
