// The calls a workload makes, read from its containers' env: what explain follows, and what the analyzer and release tooling check.
import type { Manifest } from './manifest';
import { namespaceOf, podLabels, podTemplate } from './manifest';
import { containersOf, objectsAt } from './manifest-kinds';
import { ManifestIndex } from './manifest-index';
import type { InferredCall } from './explain-types';

/**
 * The calls a workload makes: env values naming a Service (short name, `name.namespace`, or
 * fully qualified); the port from `<PREFIX>_PORT`, the only port, or the port named after the variable.
 */
export function inferCalls(manifests: readonly Manifest[], workload: string, clusterDomain?: string): InferredCall[] {
  const index = ManifestIndex.of(manifests, clusterDomain);
  const d = index.workload(workload);
  if (!d)
    throw new Error(`no workload (Deployment, StatefulSet, Rollout, ...) '${workload}': name one of the manifests`);
  const ns = namespaceOf(d);
  const calls: InferredCall[] = [];
  for (const c of containersOf(podTemplate(d)?.spec)) {
    const env = objectsAt(c, 'env');
    for (const e of env) {
      if (typeof e.value !== 'string') continue;
      const svc = index.serviceForHost(e.value.split(':')[0], ns);
      if (!svc || (namespaceOf(svc) === ns && svc.metadata.name === podLabels(d).app)) continue;
      const ports = objectsAt(svc.spec, 'ports');
      const prefix = String(e.name).replace(/_(HOST|HOSTNAME|ADDR|ADDRESS|SERVICE|URL)$/i, '');
      const explicit = Number(env.find((x) => x.name === `${prefix}_PORT`)?.value ?? e.value.split(':')[1]);
      const token = prefix.toLowerCase();
      const port =
        ports.find((p) => p.port === explicit) ??
        (ports.length === 1
          ? ports[0]
          : ports.find((p) =>
              String(p.name ?? '')
                .toLowerCase()
                .split('-')
                .includes(token),
            ));
      if (!port) {
        throw new Error(
          `${workload}: env ${e.name}=${e.value} names Service '${svc.metadata.name}', which has ports ${ports.map((p) => p.port).join(', ')}; set ${prefix}_PORT or name the port '<protocol>-${token}'`,
        );
      }
      calls.push({
        service: svc.metadata.name,
        namespace: namespaceOf(svc),
        port: Number(port.port),
        env: String(e.name),
      });
    }
  }
  return calls;
}
