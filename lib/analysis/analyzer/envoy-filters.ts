import { AnalysisContext, list } from './context';

const ROUTE_LEVEL = ['ROUTE_CONFIGURATION', 'HTTP_ROUTE'];
const REPLACEABLE = ['NETWORK_FILTER', 'HTTP_FILTER', 'VIRTUAL_HOST'];

/**
 * IST0151..IST0155, as Istio's envoyfilter.EnvoyPatchAnalyzer (envoyfilter/envoyfilter.go): ADD
 * and REMOVE are ignored on route configuration and HTTP routes; REPLACE applies to network and
 * HTTP filters and virtual hosts only; a relative operation (REMOVE, REPLACE, INSERT_BEFORE,
 * INSERT_AFTER) without priority may not apply, worse when an earlier patch of the same filter
 * name pins a proxyVersion. Patches after one without `patch` are not read (as Istio).
 */
export function envoyFilterPatches(ctx: AnalysisContext): void {
  const versionedNames: string[] = [];
  for (const ef of ctx.ofKind('EnvoyFilter')) {
    const priority = Number(ef.spec?.priority ?? 0);
    for (const [i, p] of list(ef.spec?.configPatches).entries()) {
      if (!p?.patch) break;
      const field = `spec.configPatches[${i}]`;
      const name = instanceName(p);
      const relative = () => {
        if (priority !== 0) return;
        if (versionedNames.includes(name)) {
          ctx.report('IST0155', ef, field, 'This EnvoyFilter does not have a priority and has a relative patch operation (INSERT_BEFORE/AFTER, REPLACE, MERGE, DELETE) and proxyVersion set which can cause the EnvoyFilter not to be applied during an upgrade: set a priority, or use INSERT_FIRST or ADD');
        } else {
          ctx.report('IST0151', ef, field, 'This EnvoyFilter does not have a priority and has a relative patch operation set which can cause the EnvoyFilter not to be applied: set a priority, or use INSERT_FIRST or ADD');
        }
      };
      const operation = p.patch.operation;
      const applyTo = p.applyTo;
      if (operation === 'ADD') {
        if (ROUTE_LEVEL.includes(applyTo)) ctx.report('IST0153', ef, `${field}.patch.operation`, 'The ADD operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.');
      } else if (operation === 'REMOVE') {
        if (ROUTE_LEVEL.includes(applyTo)) ctx.report('IST0154', ef, `${field}.patch.operation`, 'The REMOVE operation will be ignored when applyTo is set to ROUTE_CONFIGURATION, or HTTP_ROUTE.');
        else relative();
      } else if (operation === 'REPLACE') {
        if (!REPLACEABLE.includes(applyTo)) ctx.report('IST0152', ef, `${field}.patch.operation`, 'The REPLACE operation is only valid for HTTP_FILTER and NETWORK_FILTER (and VIRTUAL_HOST).');
        else relative();
      } else if (operation === 'INSERT_BEFORE' || operation === 'INSERT_AFTER') {
        relative();
      }
      if (p.match?.proxy?.proxyVersion) versionedNames.push(name);
    }
  }
}

/** The name a patch's filter goes by: its value's `name`, else the listener filter chain's filter name. */
function instanceName(p: any): string {
  const value = p.patch?.value;
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) return '';
  if (value.name !== undefined) return `value:${JSON.stringify(value.name)}`;
  return String(p.match?.listener?.filterChain?.filter?.name ?? '');
}
