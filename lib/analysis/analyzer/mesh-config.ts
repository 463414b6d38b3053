import type { AnalyzerMeshConfig } from './context';

/**
 * The settings the analyzer reads from an Istio MeshConfig document (the `mesh` key of the
 * `istio` ConfigMap, or istioctl's `--meshConfigFile`): ingress controller mode and Service, root
 * namespace, DNS capture with address auto-allocation, default access log providers, Lightstep
 * providers and the proxy image type. Unknown fields are ignored, as Istio's analyzer reads only these.
 */
export function analyzerMeshConfig(mesh: any): AnalyzerMeshConfig {
  const doc = mesh && typeof mesh === 'object' ? mesh : {};
  const proxy = doc.defaultConfig?.proxyMetadata ?? {};
  const dnsAutoAllocate = proxy.ISTIO_META_DNS_CAPTURE === 'true' && (proxy.ISTIO_META_DNS_AUTO_ALLOCATE === 'true' || proxy.PILOT_ENABLE_IP_AUTOALLOCATE === 'true');
  const providers: any[] = Array.isArray(doc.extensionProviders) ? doc.extensionProviders : [];
  return {
    ...(doc.ingressControllerMode === 'OFF' ? { ingressControllerOff: true } : {}),
    ...(doc.ingressService ? { ingressService: String(doc.ingressService) } : {}),
    ...(doc.rootNamespace ? { rootNamespace: String(doc.rootNamespace) } : {}),
    ...(dnsAutoAllocate ? { dnsAutoAllocate } : {}),
    ...(Array.isArray(doc.defaultProviders?.accessLogging) ? { defaultAccessLogProviders: doc.defaultProviders.accessLogging.map(String) } : {}),
    ...(providers.some((p) => p?.lightstep) ? { lightstepProviders: providers.filter((p) => p?.lightstep).map((p) => String(p.name)) } : {}),
    ...(doc.defaultConfig?.image?.imageType ? { proxyImageType: String(doc.defaultConfig.image.imageType) } : {}),
  };
}
