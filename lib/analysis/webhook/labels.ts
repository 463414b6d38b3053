import { re2Pattern } from './re2';

/** A Kubernetes label name: an optional DNS-subdomain prefix and `/`, then a qualified name (pkg/config/labels). */
const PREFIX = re2Pattern('^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)*$');
const NAME = re2Pattern('^(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$');

/** labels.Instance.Validate: each key and value of a label map well formed. */
export function labelProblems(labels: unknown): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    const slash = k.indexOf('/');
    const prefix = slash < 0 ? undefined : k.slice(0, slash);
    const name = slash < 0 ? k : k.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && PREFIX.test(prefix));
    if (!prefixOk || name.length > 63 || !NAME.test(name)) out.push(`invalid tag key: ${JSON.stringify(k)}`);
    const value = String(v ?? '');
    if (value.length > 63 || (value !== '' && !NAME.test(value)))
      out.push(`invalid tag value: ${JSON.stringify(value)}`);
  }
  return out;
}
