import type { AnalyzerMeshConfig } from './context';
import { at, listAt } from '../manifest-kinds';

/**
 * The settings the analyzer reads from an Istio MeshConfig document (the `mesh` key of the
 * `istio` ConfigMap, or istioctl's `--meshConfigFile`): ingress controller mode and Service, root
 * namespace, DNS capture with address auto-allocation, default access log providers, Lightstep
 * providers and the proxy image type. Unknown fields are ignored, as Istio's analyzer reads only these.
 */
export function analyzerMeshConfig(mesh: unknown): AnalyzerMeshConfig {
  const proxy = (name: string) => at(mesh, 'defaultConfig', 'proxyMetadata', name);
  const dnsAutoAllocate =
    proxy('ISTIO_META_DNS_CAPTURE') === 'true' &&
    (proxy('ISTIO_META_DNS_AUTO_ALLOCATE') === 'true' || proxy('PILOT_ENABLE_IP_AUTOALLOCATE') === 'true');
  const providers = listAt(mesh, 'extensionProviders');
  const ingressService = at(mesh, 'ingressService');
  const rootNamespace = at(mesh, 'rootNamespace');
  const accessLogging = at(mesh, 'defaultProviders', 'accessLogging');
  const imageType = at(mesh, 'defaultConfig', 'image', 'imageType');
  return {
    ...(at(mesh, 'ingressControllerMode') === 'OFF' ? { ingressControllerOff: true } : {}),
    ...(ingressService ? { ingressService: String(ingressService) } : {}),
    ...(rootNamespace ? { rootNamespace: String(rootNamespace) } : {}),
    ...(dnsAutoAllocate ? { dnsAutoAllocate } : {}),
    ...(Array.isArray(accessLogging) ? { defaultAccessLogProviders: accessLogging.map(String) } : {}),
    ...(providers.some((p) => at(p, 'lightstep'))
      ? { lightstepProviders: providers.filter((p) => at(p, 'lightstep')).map((p) => String(at(p, 'name'))) }
      : {}),
    ...(imageType ? { proxyImageType: String(imageType) } : {}),
  };
}
