// The Warnings validate shows as accepted rather than as plain warnings: those the application
// accepts (its acceptedFindings, recorded by synth beside the stages) and those an object's own
// `galley.istio.io/analyze-suppress` annotation names (as istioctl analyze reads it).
import { globMatches } from '../../lib/analysis/analyzer/acceptance';
import type { Finding } from '../../lib/analysis/analyzer/context';
import { objectKey } from '../../lib/analysis/manifest';
import type { ManifestSet } from '../inputs';

/** Istio's annotation: a comma-separated list of message codes not to report for the object, or `*` for every code. */
export const ANALYZE_SUPPRESS = 'galley.istio.io/analyze-suppress';

const suppressions = new WeakMap<ManifestSet, Map<string, string[]>>();

/** The codes each object of `set` suppresses by its annotation (`Kind namespace/name` → codes), once per set. */
function suppressedCodes(set: ManifestSet): Map<string, string[]> {
  let byObject = suppressions.get(set);
  if (!byObject) {
    byObject = new Map();
    for (const m of set.objects) {
      const annotations = (m.metadata as { readonly annotations?: Readonly<Record<string, unknown>> }).annotations;
      const value = annotations?.[ANALYZE_SUPPRESS];
      if (typeof value !== 'string') continue;
      byObject.set(
        objectKey(m),
        value
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      );
    }
    suppressions.set(set, byObject);
  }
  return byObject;
}

/** Why a Warning of `set` is accepted, or undefined when it is not (Errors and Info never are). */
export function acceptedReason(f: Finding, set: ManifestSet): string | undefined {
  if (f.level !== 'Warning') return undefined;
  const entry = (set.accepted ?? []).find(
    (e) => e.code === f.code && globMatches(e.object, f.object) && e.reason.trim() !== '',
  );
  if (entry) return entry.reason;
  const codes = suppressedCodes(set).get(f.object);
  if (!codes || !(codes.includes('*') || codes.includes(f.code))) return undefined;
  return `the object's ${ANALYZE_SUPPRESS} annotation names ${codes.includes(f.code) ? f.code : '*'}`;
}
