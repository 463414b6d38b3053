import type { Manifest } from '../analysis/manifest';
import { namespaceOf, objectKey } from '../analysis/manifest';
import { newCalls, templateChanged } from './restarted-callers';
import { objectsAt } from '../analysis/manifest-kinds';

/** Callers a plan restarts only once the routing of the hosts they newly call is the target's. */
export interface RestartOrder {
  /** Deployments (target form) whose new pods call hosts their old pods did not. */
  readonly deployments: readonly Manifest[];
  /** Whether `m` (a Service, HTTPRoute or VirtualService) decides where calls to one of those hosts go. */
  readonly routesHost: (m: Manifest) => boolean;
}

/**
 * A changed Deployment keeps serving through its rolling update, and its new pods serve as soon as
 * they are ready: when their environment names a host the old pods did not call (a lane Service
 * replaced by the callee's own Service, or back), that host's Service, waypoint and routes must be
 * the target's before the restart, and what the old pods call must stay until they are gone.
 */
export function restartAfterRouting(
  from: readonly Manifest[],
  to: readonly Manifest[],
  changed: readonly Manifest[],
): RestartOrder {
  const previous = new Map(from.map((m) => [objectKey(m), m]));
  const hosts = new Set<string>();
  const deployments = changed.filter((d) => {
    const old = previous.get(objectKey(d));
    if (!old || !templateChanged(old, d)) return false;
    const calls = newCalls(from, old, to, d);
    calls.forEach((c) => hosts.add(`${c.namespace}/${c.service}`));
    return calls.length > 0;
  });
  const named = (ns: string, name: string) => hosts.has(`${ns}/${name}`);
  const routesHost = (m: Manifest): boolean => {
    const ns = namespaceOf(m);
    if (m.kind === 'Service') return named(ns, m.metadata.name);
    if (m.kind === 'VirtualService') {
      return (m.spec?.hosts ?? []).some((h: string) => {
        const [name, hostNs] = h.split('.');
        return named(hostNs ?? ns, name);
      });
    }
    return objectsAt(m.spec, 'parentRefs').some(
      (p) => p.kind === 'Service' && named(String(p.namespace ?? ns), String(p.name)),
    );
  };
  return { deployments, routesHost };
}
