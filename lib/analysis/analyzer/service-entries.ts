import { AnalysisContext } from './context';

/**
 * IST0134, as Istio's serviceentry.ProtocolAddressesAnalyzer (serviceentry/protocoladdresses.go):
 * a ServiceEntry without `addresses` (and none allocated in its status) needs them for each TCP or
 * protocol-less port, unless the mesh captures DNS with automatic address allocation.
 */
export function serviceEntryAddresses(ctx: AnalysisContext): void {
  if (ctx.dnsAutoAllocate) return;
  for (const se of ctx.ofKind('ServiceEntry')) {
    if (se.spec?.addresses !== undefined || ((se as any).status?.addresses ?? []).length > 0) continue;
    (se.spec?.ports ?? []).forEach((p: any, i: number) => {
      if (!p?.protocol || String(p.protocol).toUpperCase() === 'TCP') {
        ctx.report('IST0134', se, `spec.ports[${i}]`, 'ServiceEntry addresses are required for this protocol: set spec.addresses, or enable DNS capture with auto allocation');
      }
    });
  }
}
