/** A Kubernetes label name: an optional DNS-subdomain prefix and `/`, then a qualified name (pkg/config/labels). */
const KEY = /^([a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*\/)?((?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;
const VALUE = /^((?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** labels.Instance.Validate: each key and value of a label map well formed. */
export function labelProblems(labels: unknown): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const m = KEY.exec(k);
    if (!m || (m[1] !== undefined && m[1].length - 1 > 253) || m[2].length > 63) out.push(`invalid tag key: ${JSON.stringify(k)}`);
    const value = String(v ?? '');
    if (value.length > 63 || !VALUE.test(value)) out.push(`invalid tag value: ${JSON.stringify(value)}`);
  }
  return out;
}
