/**
 * istiod's feature flags, read from the istiod Deployment's environment in the manifests
 * (pilot/pkg/features: PILOT_ENABLE_QUIC_LISTENERS, ENABLE_GATEWAY_API_INFERENCE_EXTENSION).
 */
import type { Manifest } from '../manifest';
import { podLabels } from '../manifest';
import type { ManifestIndex } from '../manifest-index';
import { containersOf, objectsAt, podTemplateOf } from '../manifest-kinds';

/** istiod's boolean env `name` (Go ParseBool); false when istiod is there without it, undefined without istiod in the manifests. */
export function istiodFlag(index: ManifestIndex, name: string): boolean | undefined {
  const istiod = index.workloads.filter(isIstiod);
  if (istiod.length === 0) return undefined;
  const env = istiod.flatMap((d) => containersOf(podTemplateOf(d)?.spec).flatMap((c) => objectsAt(c, 'env')));
  const value = env.find((e) => e.name === name)?.value;
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(String(value));
}

/** An istiod Deployment: named istiod (or a revision, `istiod-<rev>`), or labelled `app: istiod`. */
function isIstiod(w: Manifest): boolean {
  return (
    w.kind === 'Deployment' &&
    (/^istiod(-.+)?$/.test(w.metadata.name) || podLabels(w).app === 'istiod' || w.metadata.labels?.app === 'istiod')
  );
}
