import type { WebhookCheck } from './report';
import { list, present } from './report';

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** agent.ValidateLocalityLbSetting: the errors (a failover without outlier detection is only a warning). */
export function localityLbSetting(c: WebhookCheck, lb: any, at: string): void {
  if (!present(lb)) return;
  const distribute = list(lb.distribute);
  const failover = list(lb.failover);
  if (distribute.length > 0 && failover.length > 0)
    return c.report(at, "can not simultaneously specify 'distribute' and 'failover'");
  if (failover.length > 0) {
    const topology = list(lb.failoverPriority)
      .map(String)
      .find((l) => TOPOLOGY_LABELS.includes(l));
    if (topology)
      return c.report(
        `${at}.failoverPriority`,
        `can not simultaneously set 'failover' and topology label '${topology}' in 'failover_priority'`,
      );
  }
  for (const d of distribute) {
    const weights = Object.values<number>(d?.to ?? {});
    if (weights.some((w) => !(w > 0 && w <= 100)))
      return c.report(`${at}.distribute`, 'locality weight must be in range [1, 100]');
    const total = weights.reduce((a, b) => a + b, 0);
    if (total !== 100) return c.report(`${at}.distribute`, `total locality weight ${total} != 100`);
    const p = localitiesProblem(Object.keys(d?.to ?? {}));
    if (p) c.report(`${at}.distribute`, p);
  }
  const p = localitiesProblem(distribute.map((d) => String(d?.from ?? '')));
  if (p) c.report(`${at}.distribute`, p);
  for (const f of failover) {
    const from = String(f?.from ?? '');
    const to = String(f?.to ?? '');
    if (from === to) c.report(`${at}.failover`, 'locality lb failover settings must specify different regions');
    if (from.includes('/') || to.includes('/')) c.report(`${at}.failover`, 'locality lb failover only specify region');
    if (from.includes('*') || to.includes('*'))
      c.report(`${at}.failover`, "locality lb failover region should not contain '*' wildcard");
  }
}

/**
 * validateLocalities: at most one trailing `*`, no empty part, and no locality overlapping one
 * given before it (Istio's check reads them in order, so `a/b` then `a/*` passes, `a/*` then `a/b` does not).
 */
function localitiesProblem(localities: string[]): string | undefined {
  const seen = new Map<string, Map<string, Set<string>>>();
  const overlap = (l: string) => `locality ${l} overlap with previous specified ones`;
  for (const l of localities) {
    const stars = l.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !l.endsWith('*')))
      return `locality ${l} wildcard '*' number can not exceed 1 and must be in the end`;
    if (seen.has('*')) return overlap(l);
    const parts = splitN(l, '/', 3);
    if (parts.some((p) => p === '')) return `locality ${l} must not contain empty region/zone/subzone info`;
    const [region, zone, subZone] = parts;
    const zones = seen.get(region);
    if (parts.length === 1) {
      if (zones) return overlap(l);
      seen.set(region, new Map([['*', new Set(['*'])]]));
    } else if (parts.length === 2) {
      if (zones && (zones.has('*') || zones.has(zone))) return overlap(l);
      if (zones) zones.set(zone, new Set(['*']));
      else seen.set(region, new Map([[zone, new Set(['*'])]]));
    } else {
      if (zones?.has('*')) return overlap(l);
      const subZones = zones?.get(zone);
      if (subZones && (subZones.has('*') || subZones.has(subZone))) return overlap(l);
      if (subZones) subZones.add(subZone);
      else if (zones) zones.set(zone, new Set([subZone]));
      else seen.set(region, new Map([[zone, new Set([subZone])]]));
    }
  }
  return undefined;
}

/** Go's strings.SplitN: at most n parts, the last holding the rest. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}
