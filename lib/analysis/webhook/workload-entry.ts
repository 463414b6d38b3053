import { labelProblems } from './labels';
import { isIP } from './net';
import { fqdnProblem, portNameProblem, UNIX_PREFIX, unixAddressProblem } from './names';
import type { WebhookCheck } from './report';

/**
 * validateWorkloadEntry: an address (IP, FQDN where allowed, or a unix socket without ports),
 * ports named as DNS labels, numbered 1..65535 and, for a ServiceEntry's endpoint, declared by it.
 */
export function workloadEntryRules(
  c: WebhookCheck,
  we: any,
  at: string,
  servicePorts: Set<string> | undefined,
  allowFqdn: boolean,
): void {
  const addr = String(we?.address ?? '');
  if (addr === '' && !we?.network) return c.report(`${at}.address`, 'address is required');
  const ports = Object.entries(we?.ports ?? {});
  if (addr.startsWith(UNIX_PREFIX)) {
    const p = unixAddressProblem(addr.slice(UNIX_PREFIX.length));
    if (p) c.report(`${at}.address`, p);
    if (ports.length > 0) c.report(`${at}.ports`, `unix endpoint ${addr} must not include ports`);
    if (servicePorts && servicePorts.size !== 1)
      c.report(`${at}.address`, 'exactly 1 service port required for unix endpoints');
  } else if (addr !== '' && !isIP(addr)) {
    if (!allowFqdn) c.report(`${at}.address`, `endpoint address "${addr}" is not a valid IP address`);
    else if (fqdnProblem(addr))
      c.report(`${at}.address`, `endpoint address "${addr}" is not a valid FQDN or an IP address`);
  }
  for (const [name, port] of ports) {
    if (servicePorts && !servicePorts.has(name))
      c.report(`${at}.ports.${name}`, `endpoint port ${port} is not defined by the service entry`);
    const p = portNameProblem(name);
    if (p) c.report(`${at}.ports.${name}`, p);
    if (!(typeof port === 'number' && port >= 1 && port <= 65535))
      c.report(`${at}.ports.${name}`, `port number ${port} must be in the range 1..65535`);
  }
  for (const p of labelProblems(we?.labels)) c.report(`${at}.labels`, p);
}

/** Istio's ValidateWorkloadEntry: FQDN addresses allowed, ports not checked against a service. */
export function workloadEntry(c: WebhookCheck): void {
  workloadEntryRules(c, c.spec, 'spec', undefined, true);
}
