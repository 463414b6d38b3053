import { IST0151, IST0152, IST0153, IST0154, IST0155 } from './catalogue';
import type { AnalysisContext } from './context';
import { list } from './context';
import { at } from '../manifest-kinds';

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
          ctx.report(IST0155.messages.relative, ef, field);
        } else {
          ctx.report(IST0151.messages.relative, ef, field);
        }
      };
      const operation = p.patch.operation;
      const applyTo = p.applyTo;
      if (operation === 'ADD') {
        if (ROUTE_LEVEL.includes(applyTo)) ctx.report(IST0153.messages.add, ef, `${field}.patch.operation`);
      } else if (operation === 'REMOVE') {
        if (ROUTE_LEVEL.includes(applyTo)) ctx.report(IST0154.messages.remove, ef, `${field}.patch.operation`);
        else relative();
      } else if (operation === 'REPLACE') {
        if (!REPLACEABLE.includes(applyTo)) ctx.report(IST0152.messages.replace, ef, `${field}.patch.operation`);
        else relative();
      } else if (operation === 'INSERT_BEFORE' || operation === 'INSERT_AFTER') {
        relative();
      }
      if (p.match?.proxy?.proxyVersion) versionedNames.push(name);
    }
  }
}

/** The name a patch's filter goes by: its value's `name`, else the listener filter chain's filter name. */
function instanceName(p: unknown): string {
  const value = at(p, 'patch', 'value');
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) return '';
  const name = at(value, 'name');
  if (name !== undefined) return `value:${JSON.stringify(name)}`;
  return String(at(p, 'match', 'listener', 'filterChain', 'filter', 'name') ?? '');
}
