import { IST0101, IST0138, IST0145, IST0161, IST0162 } from './catalogue';
import { X509Certificate } from 'crypto';
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { list } from './context';

/** A label selector as Kubernetes prints it (labels.Set.String(): keys sorted, `k=v` joined by commas). */
export function selectorString(selector: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(selector ?? {})
    .sort()
    .map((k) => `${k}=${selector![k]}`)
    .join(',');
}

/**
 * IST0101 (selector) and IST0162, as Istio's gateway.IngressGatewayPortAnalyzer
 * (gateway/gateway.go): a Gateway's selector matches some pod (any namespace; an empty selector
 * matches every pod), and each server port is a TCP port (its targetPort, or the port when no
 * numeric targetPort) of a Service that selects one of those pods in its namespace.
 */
export function ingressGatewayPorts(ctx: AnalysisContext): void {
  for (const gw of ctx.ofKind('Gateway')) {
    const selector: Record<string, string> = gw.spec?.selector ?? {};
    const pods = ctx.podsSelected(selector);
    const selectorText = selectorString(selector);
    if (pods.length === 0) {
      ctx.report(IST0101.messages.gatewaySelector, gw, 'spec.selector', { selector: selectorText });
      continue;
    }
    const ports = new Set<number>();
    for (const pod of pods) {
      for (const svc of ctx.ofKind('Service')) {
        if (namespaceOf(svc) !== pod.namespace || !labelsHold(svc.spec?.selector ?? {}, pod.labels)) continue;
        for (const p of svc.spec?.ports ?? []) {
          if ((p.protocol ?? 'TCP') !== 'TCP') continue;
          const target = Number(p.targetPort);
          ports.add(Number.isInteger(target) && target > 0 ? target : p.port);
          // Istio also accepts the Service port itself (its portMapping of port → targetPort).
          ports.add(p.port);
        }
      }
    }
    (gw.spec?.servers ?? []).forEach((server: any, i: number) => {
      const number = server?.port?.number;
      if (number === undefined || ports.has(number)) return;
      ctx.report(IST0162.messages.portNotOnService, gw, `spec.servers[${i}].port.number`, {
        port: number,
        selector: selectorText,
      });
    });
  }
}

/**
 * IST0145 (and IST0101 selector), as Istio's gateway.ConflictingGatewayAnalyzer
 * (gateway/conflictinggateway.go, model.CheckDuplicates): two Gateways whose selectors are equal,
 * or one contains the other and both select a common pod, conflict when a server on the same port
 * repeats a host with the same `bind`.
 */
export function conflictingGateways(ctx: AnalysisContext): void {
  const gateways = ctx.ofKind('Gateway');
  /** selector~port → gateway full name → host → bind */
  const byKey = new Map<string, Map<string, Map<string, string>>>();
  for (const gw of gateways) {
    const selector = selectorString(gw.spec?.selector);
    for (const server of gw.spec?.servers ?? []) {
      const key = `${selector}~${server?.port?.number ?? 0}`;
      let byGateway = byKey.get(key);
      if (!byGateway) byKey.set(key, (byGateway = new Map()));
      byGateway.set(fullName(gw), new Map((server?.hosts ?? []).map((h: string) => [h, server?.bind ?? ''])));
    }
  }
  for (const gw of gateways) {
    const selector = selectorString(gw.spec?.selector);
    const hits: [string, Map<string, Map<string, string>>][] = [];
    for (const [key, byGateway] of byKey) {
      const other = key.slice(0, key.lastIndexOf('~'));
      const matched =
        other === selector ||
        ((other.includes(selector) || selector.includes(other)) &&
          ctx.pods.some(
            (p) => labelsHold(gw.spec?.selector ?? {}, p.labels) && labelsHold(parseSelector(other), p.labels),
          ));
      if (matched) hits.push([key, byGateway]);
    }
    if (selector !== '' && hits.length === 0) {
      ctx.report(IST0101.messages.gatewaySelector, gw, 'spec.selector', { selector });
      continue;
    }
    (gw.spec?.servers ?? []).forEach((server: any, i: number) => {
      const port = String(server?.port?.number ?? 0);
      const conflicts: string[] = [];
      for (const [key, byGateway] of hits) {
        if (key.slice(key.lastIndexOf('~') + 1) !== port) continue;
        for (const [name, hosts] of byGateway) {
          if (
            name !== fullName(gw) &&
            (server?.hosts ?? []).some((h: string) => hosts.has(h) && hosts.get(h) === (server?.bind ?? ''))
          )
            conflicts.push(name);
        }
      }
      if (conflicts.length > 0) {
        ctx.report(IST0145.messages.conflict, gw, `spec.servers[${i}]`, {
          gateways: conflicts.sort().join(','),
          selector,
          port,
          hosts: (server?.hosts ?? []).join(','),
        });
      }
    });
  }
}

/**
 * IST0138, as Istio's gateway.CertificateAnalyzer (gateway/certificate.go): two Gateways for the
 * same workloads (the other's selector holds all of this one's labels) whose TLS servers use the
 * same credentialName, or the same certificate and key files.
 */
export function duplicateCertificates(ctx: AnalysisContext): void {
  const gateways = ctx.ofKind('Gateway');
  for (const gw of gateways) {
    const selector: Record<string, string> = gw.spec?.selector ?? {};
    for (const other of gateways) {
      if (other === gw || !labelsHold(selector, other.spec?.selector ?? {})) continue;
      for (const a of gw.spec?.servers ?? []) {
        for (const b of other.spec?.servers ?? []) {
          if (!a?.tls || !b?.tls || !sameCertificate(a.tls, b.tls)) continue;
          ctx.report(IST0138.messages.duplicate, gw, 'spec.servers', {
            gateways: `${namespaceOf(gw)}/${gw.metadata.name} ${namespaceOf(other)}/${other.metadata.name}`,
          });
        }
      }
    }
  }
}

function sameCertificate(a: any, b: any): boolean {
  if (a.credentialName && b.credentialName) return a.credentialName === b.credentialName;
  if (a.credentialName || b.credentialName) return false;
  return (
    !!a.serverCertificate &&
    a.serverCertificate === b.serverCertificate &&
    !!a.privateKey &&
    a.privateKey === b.privateKey
  );
}

/**
 * IST0101 (selector, credentialName) and IST0161, as Istio's gateway.SecretAnalyzer
 * (gateway/secret.go, pilot/pkg/credentials/kube/secrets.go ExtractCertInfo, pilot/pkg/xds/sds.go
 * ValidateCertificate): each TLS server's credentialName is a Secret in the namespace of the
 * gateway pods, holding `cert`/`key` or `tls.crt`/`tls.key`, whose first PEM certificate parses
 * and is valid now. Offline, a Secret kept out of the manifests is reported as missing.
 */
export function gatewaySecrets(ctx: AnalysisContext, now = new Date()): void {
  for (const gw of ctx.ofKind('Gateway')) {
    const selector: Record<string, string> = gw.spec?.selector ?? {};
    const pod = ctx.podsSelected(selector)[0];
    if (!pod) {
      ctx.report(IST0101.messages.gatewaySelector, gw, 'spec.selector', { selector: selectorString(selector) });
      continue;
    }
    list(gw.spec?.servers).forEach((server: any, i: number) => {
      const name: string | undefined = server?.tls?.credentialName;
      if (!name) return;
      const [ns, secretName] = name.includes('/') ? name.split('/', 2) : [pod.namespace, name];
      const secret = ctx.ofKind('Secret').find((s) => namespaceOf(s) === ns && s.metadata.name === secretName);
      if (!secret) {
        ctx.report(IST0101.messages.credentialName, gw, `spec.servers[${i}].tls.credentialName`, {
          credentialName: name,
          namespace: ns,
          secret: secretName,
        });
      } else if (!validCredential(secret, now)) {
        ctx.report(IST0161.messages.invalid, gw, `spec.servers[${i}].tls.credentialName`, {
          gateway: gw.metadata.name,
          namespace: ns,
        });
      }
    });
  }
}

function validCredential(secret: Manifest, now: Date): boolean {
  const data: Record<string, string> = { ...((secret as any).data ?? {}) };
  for (const [k, v] of Object.entries((secret as any).stringData ?? {}))
    data[k] = Buffer.from(String(v)).toString('base64');
  const pair = [
    ['cert', 'key'],
    ['tls.crt', 'tls.key'],
  ].find(([c, k]) => data[c] && data[k]);
  if (!pair) return false;
  try {
    const cert = new X509Certificate(Buffer.from(data[pair[0]], 'base64'));
    return now >= new Date(cert.validFrom) && now <= new Date(cert.validTo);
  } catch {
    return false;
  }
}

/** One text for both gateway rule groups, so the finding is reported once when both run (Istio dedupes identical messages). */

function fullName(m: Manifest): string {
  return `${namespaceOf(m)}/${m.metadata.name}`;
}

function parseSelector(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split(',')
      .map((p) => p.split('='))
      .filter((kv) => kv.length === 2),
  );
}
