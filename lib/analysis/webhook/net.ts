import { isIP, isIPv4, isIPv6 } from '../schema/ip-address';

/** Go's netip.ParsePrefix: an address, `/`, and a prefix length within the address family's bits. */
export function isCidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(bits)) return false;
  const max = isIPv4(addr) ? 32 : isIPv6(addr) ? 128 : -1;
  return max >= 0 && Number(bits) <= max;
}

/** security.ValidateIPs: each value an IP address or a CIDR range. */
export function badIps(values: readonly unknown[]): string[] {
  return values
    .map(String)
    .filter((v) => (v.includes('/') ? !isCidr(v) : !isIP(v)))
    .map((v) => (v.includes('/') ? `bad CIDR range (${v})` : `bad IP address (${v})`));
}

/** A port number 1..65535 (agent.ValidatePort). */
export function validPort(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;
}

export { isIP, isIPv4, isIPv6 };
