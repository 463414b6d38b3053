import { isDns1123Label } from './names';

/** validateExportTo: no duplicates, `.`/`*`/`~` or namespace names, `*` and `~` alone, selector rules local. */
export function exportToProblems(
  namespace: string,
  exportTo: readonly unknown[],
  isServiceEntry: boolean,
  withSelector: boolean,
): string[] {
  const out: string[] = [];
  if (exportTo.length === 0) return out;
  const set = new Set<string>();
  for (const raw of exportTo.map(String)) {
    const key = raw === '.' ? namespace : raw;
    if (set.has(key)) {
      out.push(
        key !== raw
          ? `duplicate entries in exportTo: . and current namespace ${namespace}`
          : `duplicate entries in exportTo for entry ${raw}`,
      );
    } else if (isServiceEntry && raw === '~') set.add(key);
    else if (key === '*' || key === '~' || isDns1123Label(key)) set.add(key);
    else out.push(`only . or * or valid DNS 1123 label is allowed as exportTo entry: ${key}`);
  }
  if (withSelector && set.size > 0) {
    if (!set.has(namespace))
      out.push('destination rule with workload selector cannot have exportTo beyond current namespace');
    else if (set.size > 1) out.push('destination rule with workload selector cannot have multiple entries in exportTo');
  }
  if (set.has('*') && exportTo.length > 1)
    out.push('cannot have both public (*) and non-public exportTo values for a resource');
  if (set.has('~') && exportTo.length > 1) out.push('cannot export service entry to no one (~) and someone');
  return out;
}
