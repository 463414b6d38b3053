import { IST0134, IST0177 } from './catalogue';
import type { Manifest } from '../manifest';
import { namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { EXPORT_TO_ALL, EXPORT_TO_LOCAL } from './hosts';
import { at, listAt } from '../manifest-kinds';

/**
 * IST0134, as Istio's serviceentry.ProtocolAddressesAnalyzer (serviceentry/protocoladdresses.go):
 * a ServiceEntry without `addresses` (and none allocated in its status) needs them for each TCP or
 * protocol-less port, unless the mesh captures DNS with automatic address allocation.
 */
export function serviceEntryAddresses(ctx: AnalysisContext): void {
  if (ctx.dnsAutoAllocate) return;
  for (const se of ctx.ofKind('ServiceEntry')) {
    if (se.spec?.addresses !== undefined || listAt(se, 'status', 'addresses').length > 0) continue;
    listAt(se.spec, 'ports').forEach((p, i) => {
      const protocol = at(p, 'protocol');
      if (!protocol || String(protocol).toUpperCase() === 'TCP') {
        ctx.report(IST0134.messages.addressesRequired, se, `spec.ports[${i}]`);
      }
    });
  }
}

/**
 * IST0177, as Istio master's serviceentry.ConflictingServiceEntryProtocolAnalyzer
 * (serviceentry/conflictingserviceentries.go; not in 1.30.3, whose table has no case for it):
 * ServiceEntries that give one host and port different protocols in a scope they share (a
 * namespace of their exportTo, or every namespace) are each reported once.
 */
export function conflictingServiceEntryProtocols(ctx: AnalysisContext): void {
  const byKey = new Map<string, { protocol: string; se: Manifest }[]>();
  for (const se of ctx.ofKind('ServiceEntry')) {
    for (const scope of exportScopes(se)) {
      for (const host of se.spec?.hosts ?? []) {
        for (const port of se.spec?.ports ?? []) {
          const key = JSON.stringify([scope, String(host), port?.number]);
          byKey.set(key, [...(byKey.get(key) ?? []), { protocol: String(port?.protocol ?? '').toUpperCase(), se }]);
        }
      }
    }
  }
  const reported = new Set<string>();
  for (const [key, own] of [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [scope, host, port] = JSON.parse(key);
    const entries =
      scope === EXPORT_TO_ALL ? own : [...own, ...(byKey.get(JSON.stringify([EXPORT_TO_ALL, host, port])) ?? [])];
    const protocols = [...new Set(entries.map((e) => e.protocol))].sort();
    if (protocols.length < 2) continue;
    const names = [...new Set(entries.map((e) => fullName(e.se)))].sort();
    for (const { se } of entries) {
      if (reported.has(fullName(se))) continue;
      reported.add(fullName(se));
      ctx.report(IST0177.messages.conflict, se, 'metadata.name', {
        serviceEntries: names.join(', '),
        host,
        port,
        protocols: protocols.join(', '),
      });
    }
  }
}

/** The scopes a ServiceEntry is visible in: `*` for every namespace (exportTo unset or holding `*`). */
function exportScopes(se: Manifest): string[] {
  const exportTo: string[] = (se.spec?.exportTo ?? []).map(String);
  if (exportTo.length === 0 || exportTo.includes(EXPORT_TO_ALL)) return [EXPORT_TO_ALL];
  return [...new Set(exportTo.map((e) => (e === EXPORT_TO_LOCAL ? namespaceOf(se) : e)))];
}

function fullName(m: Manifest): string {
  return `${namespaceOf(m)}/${m.metadata.name}`;
}
