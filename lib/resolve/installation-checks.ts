import { ReleaseConfigError, show } from '../model/errors';
import type { ApplicationSpec } from '../model/application-spec';
import { assertDnsLabel } from '../model/names';

/** A label key Kubernetes accepts: an optional DNS-1123 subdomain prefix and a name of at most 63 characters. */
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A label value Kubernetes accepts: empty, or at most 63 alphanumerics, '-', '_' or '.' inside. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Throws unless `labels` are label keys and values the API server accepts (and not empty when `nonEmpty`). */
export function assertLabels(
  labels: Readonly<Record<string, string>> | undefined,
  at: { stage?: string; field: string },
  nonEmpty = true,
): void {
  const entries = Object.entries(labels ?? {});
  if (nonEmpty && entries.length === 0) {
    throw new ReleaseConfigError(
      at,
      'the label selector is empty, so it would select every pod',
      'Name at least one label of the pods, e.g. { app: "prometheus" }.',
    );
  }
  for (const [key, value] of entries) {
    const [prefix, name] = key.includes('/')
      ? [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)]
      : [undefined, key];
    if (!LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))) {
      throw new ReleaseConfigError(
        { ...at, field: `${at.field}[${JSON.stringify(key)}]` },
        `${show(key)} is not a label key Kubernetes accepts`,
        "Use a name of at most 63 letters, digits, '-', '_' or '.', optionally after a DNS subdomain and '/' (e.g. 'app.kubernetes.io/name').",
      );
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new ReleaseConfigError(
        { ...at, field: `${at.field}[${JSON.stringify(key)}]` },
        `label value ${show(value)} is not accepted by Kubernetes`,
        "Use at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.",
      );
    }
  }
}

/**
 * Checks the facts of the application's installation profile and security overrides: namespaces
 * are DNS-1123 labels, label selectors are valid and not empty, the gateway's ServiceAccount is a
 * DNS-1123 subdomain, and a metrics scraper names its namespace.
 */
export function validateInstallation(app: ApplicationSpec, stage?: string): void {
  const p = app.installation;
  if (p) {
    const at = (field: string) => ({ stage, field: `application.installation.${field}` });
    assertDnsLabel(p.controlPlane?.namespace, at('controlPlane.namespace'));
    assertLabels(p.controlPlane?.podLabels, at('controlPlane.podLabels'));
    assertLabels({ [p.injectionLabel?.key]: p.injectionLabel?.value }, at('injectionLabel'));
    assertDnsLabel(p.ingressGateway?.namespace, at('ingressGateway.namespace'));
    assertLabels(p.ingressGateway?.podLabels, at('ingressGateway.podLabels'));
    assertDnsLabel(p.ingressGateway?.serviceAccount, at('ingressGateway.serviceAccount'), 253);
    if (typeof p.trustDomain !== 'string' || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(p.trustDomain)) {
      throw new ReleaseConfigError(
        at('trustDomain'),
        `${show(p.trustDomain)} is not a trust domain`,
        "Use a DNS-like name such as 'cluster.local'.",
      );
    }
  }
  if (app.gateway.selector !== undefined)
    assertLabels(app.gateway.selector, { stage, field: 'application.gateway.selector' });
  const s = app.security;
  if (s?.ingressGateway?.namespace !== undefined)
    assertDnsLabel(s.ingressGateway.namespace, { stage, field: 'application.security.ingressGateway.namespace' });
  if (s?.ingressGateway?.podLabels !== undefined)
    assertLabels(s.ingressGateway.podLabels, { stage, field: 'application.security.ingressGateway.podLabels' });
  if (s?.istiodNamespace !== undefined)
    assertDnsLabel(s.istiodNamespace, { stage, field: 'application.security.istiodNamespace' });
  if (s?.metricsScraper) {
    assertDnsLabel(s.metricsScraper.namespace, { stage, field: 'application.security.metricsScraper.namespace' });
    if (s.metricsScraper.podLabels !== undefined)
      assertLabels(s.metricsScraper.podLabels, { stage, field: 'application.security.metricsScraper.podLabels' });
  }
}
