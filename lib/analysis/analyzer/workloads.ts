import { IST0116, IST0118, IST0137, IST0144, IST0150 } from './catalogue';
import type { Manifest } from '../manifest';
import { labelsHold, namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { isIstioControlPlane } from './context';
import { at, listAt } from '../manifest-kinds';

/** The sidecar's UID (deployment/pod.go UserID). */
export const PROXY_UID = 1337;
const PROXY_CONTAINERS = ['istio-proxy', 'istio-operator'];

/**
 * Istio's protocol of a Service port (pkg/config/kube/conversion.go ConvertProtocol): UDP by the
 * L4 protocol; else `appProtocol` (with the kubernetes.io/h2c, ws, wss aliases) or the name up to
 * its first `-`; unknown names on the well-known ports 25, 53, 3306, 27017 are TCP.
 */
export function istioProtocol(port: unknown): string | undefined {
  if (at(port, 'protocol') === 'UDP') return 'UDP';
  const appProtocol = at(port, 'appProtocol');
  let name = String(appProtocol ?? at(port, 'name') ?? '');
  const alias: Record<string, string> = {
    'kubernetes.io/h2c': 'HTTP2',
    'kubernetes.io/ws': 'HTTP',
    'kubernetes.io/wss': 'HTTPS',
  };
  if (appProtocol !== undefined && Object.hasOwn(alias, name)) return alias[name];
  if (name.toLowerCase().startsWith('grpc-web')) return 'GRPC-Web';
  if (name.includes('-')) name = name.slice(0, name.indexOf('-'));
  const known = KNOWN_PROTOCOLS[name.toLowerCase()];
  if (known) return known;
  return WELL_KNOWN_TCP_PORTS.includes(at(port, 'port') as number) ? 'TCP' : undefined;
}

const KNOWN_PROTOCOLS: Readonly<Record<string, string>> = {
  tcp: 'TCP',
  udp: 'UDP',
  grpc: 'GRPC',
  'grpc-web': 'GRPC-Web',
  http: 'HTTP',
  http_proxy: 'HTTP_PROXY',
  http2: 'HTTP2',
  https: 'HTTPS',
  tls: 'TLS',
  mongo: 'Mongo',
  redis: 'Redis',
  mysql: 'MySQL',
};
const WELL_KNOWN_TCP_PORTS = [25, 53, 3306, 27017];
const GATEWAY_MANAGED = 'gateway.istio.io/managed';
const MANAGED_VALUES = ['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller'];

/**
 * IST0118 and IST0150, as Istio's service.PortNameAnalyzer (service/portname.go): every port of a
 * Service outside the control plane (no `istio` or `release: istio` label) and not managed by
 * Istio's gateway controller declares a protocol Istio knows; an ExternalName Service may not
 * name a port `tcp` either.
 */
export function portNames(ctx: AnalysisContext): void {
  for (const svc of ctx.ofKind('Service')) {
    if (isIstioControlPlane(svc) || MANAGED_VALUES.includes(svc.metadata.labels?.[GATEWAY_MANAGED] ?? '')) continue;
    const externalName = svc.spec?.type === 'ExternalName';
    listAt(svc.spec, 'ports').forEach((p, i) => {
      if (istioProtocol(p) !== undefined && !(externalName && at(p, 'name') === 'tcp')) return;
      if (externalName) {
        ctx.report(IST0150.messages.portName, svc, `spec.ports[${i}].name`);
      } else {
        ctx.report(IST0118.messages.portName, svc, `spec.ports[${i}]`, {
          portName: String(at(p, 'name') ?? ''),
          port: String(at(p, 'port')),
          targetPort: String(at(p, 'targetPort') ?? ''),
        });
      }
    });
  }
}

/**
 * IST0116 and IST0137, as Istio's deployment.ServiceAssociationAnalyzer (deployment/services.go):
 * for each mesh Deployment (not a waypoint), the Services of its namespace with a non-empty
 * selector matching its pods must not use one port with two protocols, nor one targetPort from
 * two ports.
 */
export function serviceAssociation(ctx: AnalysisContext): void {
  const candidates = servicesBySelectedApp(ctx.ofKind('Service'));
  for (const d of ctx.ofKind('Deployment')) {
    if (d.metadata.labels?.[GATEWAY_MANAGED] === 'istio.io-mesh-controller' || !deploymentInMesh(ctx, d)) continue;
    const podLabels = d.spec?.template?.metadata?.labels ?? {};
    const services = candidates(namespaceOf(d), podLabels).filter(
      (s) => Object.keys(s.spec?.selector ?? {}).length > 0 && labelsHold(s.spec.selector, podLabels),
    );
    const protocols = new Map<number, Map<string, string[]>>();
    const targets = new Map<string, Map<number, string>>();
    for (const svc of services) {
      const name = `${namespaceOf(svc)}/${svc.metadata.name}`;
      for (const p of svc.spec?.ports ?? []) {
        const byProtocol = protocols.get(p.port) ?? new Map<string, string[]>();
        protocols.set(p.port, byProtocol);
        const protocol = p.protocol || 'TCP';
        byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), name]);
        const target =
          p.targetPort === undefined || String(p.targetPort) === '0' || p.targetPort === ''
            ? String(p.port)
            : String(p.targetPort);
        const byPort = targets.get(target) ?? new Map<number, string>();
        targets.set(target, byPort);
        byPort.set(p.port, name);
      }
    }
    for (const [port, byProtocol] of protocols) {
      if (byProtocol.size < 2) continue;
      const names = [...byProtocol.values()].flat().sort();
      ctx.report(IST0116.messages.protocols, d, 'spec.template.metadata.labels', {
        deployment: d.metadata.name,
        port: String(port),
        services: names.join(' '),
      });
    }
    for (const [target, byPort] of targets) {
      if (byPort.size < 2) continue;
      ctx.report(IST0137.messages.ports, d, 'spec.template.metadata.labels', {
        deployment: d.metadata.name,
        services: [...byPort.values()].sort().join(' '),
        targetPort: String(target),
        ports: [...byPort.keys()].sort((a, b) => a - b).join(' '),
      });
    }
  }
}

/**
 * The Services of a namespace that may select pods with some labels, in manifest order: those
 * whose selector names the pods' `app`, and those whose selector names no `app` (every Service
 * tested against every Deployment was quadratic in the release's size).
 */
function servicesBySelectedApp(
  services: readonly Manifest[],
): (namespace: string, podLabels: Readonly<Record<string, string>>) => Manifest[] {
  const byApp = new Map<string, Manifest[]>();
  const anyApp = new Map<string, Manifest[]>();
  const order = new Map<Manifest, number>();
  const add = (map: Map<string, Manifest[]>, key: string, s: Manifest) =>
    map.has(key) ? map.get(key)!.push(s) : map.set(key, [s]);
  services.forEach((s, i) => {
    order.set(s, i);
    const app = s.spec?.selector?.app;
    if (typeof app === 'string') add(byApp, `${namespaceOf(s)}|${app}`, s);
    else add(anyApp, namespaceOf(s), s);
  });
  return (namespace, podLabels) => {
    const own = typeof podLabels.app === 'string' ? (byApp.get(`${namespace}|${podLabels.app}`) ?? []) : [];
    const rest = anyApp.get(namespace) ?? [];
    return own.length === 0
      ? rest
      : rest.length === 0
        ? own
        : [...own, ...rest].sort((a, b) => order.get(a)! - order.get(b)!);
  };
}

/** Istio's DeploymentInMesh (util/in_mesh.go): an istio-proxy container, the sidecar.istio.io/inject label or annotation, else the namespace label. */
export function deploymentInMesh(ctx: AnalysisContext, d: Manifest): boolean {
  const template: unknown = d.spec?.template;
  if (listAt(template, 'spec', 'containers').some((c) => at(c, 'name') === 'istio-proxy' && Boolean(at(c, 'image'))))
    return true;
  const label = at(template, 'metadata', 'labels', 'sidecar.istio.io/inject');
  if (label !== undefined) return label === 'true';
  const annotation = at(template, 'metadata', 'annotations', 'sidecar.istio.io/inject');
  if (annotation !== undefined) return annotation === 'true';
  const ns = ctx.namespace(namespaceOf(d));
  return ns?.metadata.labels?.['istio-injection'] === 'enabled';
}

/**
 * IST0144, as Istio's deployment.ApplicationUIDAnalyzer (deployment/pod.go): a Pod or Deployment
 * outside the control plane whose pod or application container security context runs as 1337.
 */
export function applicationUid(ctx: AnalysisContext): void {
  const check = (m: Manifest, spec: unknown, where: string) => {
    if (isIstioControlPlane(m)) return;
    if (at(spec, 'securityContext', 'runAsUser') === PROXY_UID)
      ctx.report(IST0144.messages.proxyUid, m, `${where}.securityContext.runAsUser`, { uid: PROXY_UID });
    listAt(spec, 'containers').forEach((c, i) => {
      if (!PROXY_CONTAINERS.includes(at(c, 'name') as string) && at(c, 'securityContext', 'runAsUser') === PROXY_UID) {
        ctx.report(IST0144.messages.proxyUid, m, `${where}.containers[${i}].securityContext.runAsUser`, {
          uid: PROXY_UID,
        });
      }
    });
  };
  for (const pod of ctx.ofKind('Pod')) check(pod, pod.spec, 'spec');
  for (const d of ctx.ofKind('Deployment')) check(d, d.spec?.template?.spec, 'spec.template.spec');
}
