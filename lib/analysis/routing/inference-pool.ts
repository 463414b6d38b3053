/**
 * An HTTPRoute backendRef to an InferencePool (Gateway API Inference Extension,
 * inference.networking.k8s.io), as Istio 1.30.3 routes it (pilot/pkg/config/kube/gateway
 * conversion.go buildDestination, inferencepool_collection.go createInferencePoolObject,
 * InferencePoolServiceName, translateShadowServiceToService; route_collections.go; route/route.go
 * TranslateRoute's ext_proc per-route override). istiod makes a shadow Service for the pool,
 * `<pool>-ip-<8 hex of sha256(pool)>`, whose first port 54321 holds every target port's endpoints;
 * the route sends to that cluster and has Envoy's ext_proc call the pool's endpoint picker
 * (`outbound|<port>||<picker>.<ns>.svc.<domain>`), which chooses the pod: that choice is named not
 * modelled, and no pod is guessed. The picker's failureMode FailOpen lets the request through when
 * the picker fails (failure_mode_allow); FailClose, the default, does not.
 */
import { createHash } from 'crypto';
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf, podLabels } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import type { Hop } from './hop';
import { istiodFlag } from './istiod-flags';

/** The endpoint picker a route's ext_proc filter calls to choose the pod (InferencePool backends). */
export interface HopEndpointPicker {
  /** The InferencePool, `namespace/name`. */
  readonly pool: string;
  /** The picker's cluster, `outbound|port||host`. */
  readonly cluster: string;
  /** Whether the request goes on when the picker fails (failureMode FailOpen). */
  readonly failureModeAllow: boolean;
}

const FLAG = 'ENABLE_GATEWAY_API_INFERENCE_EXTENSION';
/** The first port of the shadow Service (translateShadowServiceToService). */
const SHADOW_PORT = 54321;

/** What the InferencePool hop needs from the backendRef and the rule. */
export interface PoolRef {
  readonly name: string;
  readonly namespace: string;
  readonly weight: number;
  readonly rule: string;
  readonly notes: readonly string[];
}

/** The hop of a backendRef to InferencePool `ref`: its shadow Service's cluster and endpoint picker, or the 500 istiod's conversion leads to. */
export function inferencePoolHop(index: ManifestIndex, ref: PoolRef): Hop {
  const notes = [...ref.notes];
  const fail = (answer: string, service = ref.name): Hop => ({
    service,
    port: 0,
    weight: ref.weight,
    deployments: [],
    rule: ref.rule,
    answer,
    ...(notes.length > 0 ? { notModelled: notes } : {}),
  });
  const enabled = istiodFlag(index, FLAG);
  if (enabled === false)
    return fail(`500: InferencePool backends are off: istiod's ${FLAG} is not true (InvalidDestinationKind)`);
  if (enabled === undefined) notes.push(`istiod's ${FLAG} is not in the manifests: taken as true`);
  if (ref.name.includes('.'))
    return fail(
      `500: backendRef InferencePool '${ref.name}' must be the pool's name, not a hostname (InvalidDestination)`,
    );
  const pool = index
    .ofKind('InferencePool')
    .find((p) => p.metadata.name === ref.name && namespaceOf(p) === ref.namespace);
  if (!pool) return fail(`500: InferencePool ${ref.namespace}/${ref.name} does not exist (backend not found)`);
  const picker = pool.spec?.endpointPickerRef ?? {};
  const pickerPort = Number(picker.port?.number);
  // Without a picker port istiod makes no shadow Service: the backend is not found.
  if (!Number.isInteger(pickerPort) || picker.name === undefined)
    return fail(
      `500: InferencePool ${ref.namespace}/${ref.name} has no endpointPickerRef port: istiod builds no Service for it`,
    );
  const host = `${picker.name}.${ref.namespace}.svc.${index.clusterDomain}`;
  const endpointPicker: HopEndpointPicker = {
    pool: `${ref.namespace}/${ref.name}`,
    cluster: `outbound|${pickerPort}||${host}`,
    failureModeAllow: picker.failureMode === 'FailOpen',
  };
  notes.push(pickerNote(index, pool, endpointPicker));
  return {
    service: inferencePoolServiceName(ref.name),
    port: SHADOW_PORT,
    weight: ref.weight,
    deployments: [],
    rule: ref.rule,
    endpointPicker,
    notModelled: [...new Set(notes)],
  };
}

/** The shadow Service istiod makes for a pool: `<pool>-ip-<hash>`, the pool's name cut so the whole fits 63 characters. */
export function inferencePoolServiceName(pool: string): string {
  const hash = createHash('sha256').update(pool).digest('hex').slice(0, 8);
  const separator = '-ip-';
  const base = pool.length + separator.length + hash.length > 63 ? pool.slice(0, 63 - separator.length - 8) : pool;
  return `${base}${separator}${hash}`;
}

/** The note that the endpoint picker chooses the pod, naming the pool's candidate workloads. */
function pickerNote(index: ManifestIndex, pool: Manifest, picker: HopEndpointPicker): string {
  const selector = pool.spec?.selector?.matchLabels ?? {};
  const candidates = index.workloads
    .filter((w) => namespaceOf(w) === namespaceOf(pool) && labelsHold(selector, podLabels(w)))
    .map((w) => w.metadata.name);
  return `the pod: the endpoint picker ${picker.cluster} chooses it among InferencePool ${picker.pool}'s endpoints (${candidates.join(', ') || 'none in the manifests'})`;
}
