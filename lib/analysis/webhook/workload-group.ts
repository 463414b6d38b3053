import { labelProblems } from './labels';
import type { WebhookCheck } from './report';
import { present } from './report';
import { re2Pattern } from './re2';

const PROBE_HEADER_NAME = re2Pattern('^[-A-Za-z0-9]+$');
const NON_NEGATIVE = ['periodSeconds', 'initialDelaySeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold'];

/** Istio's ValidateWorkloadGroup: a template, well-formed metadata labels, a readiness probe with one valid method. */
export function workloadGroup(c: WebhookCheck): void {
  const { spec } = c;
  if (!present(spec.template)) return c.report('spec.template', 'template is required');
  const labels = labelProblems(spec.metadata?.labels);
  if (labels.length > 0) return c.report('spec.metadata.labels', `invalid labels: ${labels.join('; ')}`);
  const probe = spec.probe;
  if (!present(probe)) return;
  for (const f of NON_NEGATIVE) if ((probe[f] ?? 0) < 0) c.report(`spec.probe.${f}`, `${f} must be non-negative`);
  const port = (p: unknown, at: string) => {
    if (!(typeof p === 'number' && p >= 1 && p <= 65535))
      c.report(at, `port number ${p ?? 0} must be in the range 1..65535`);
  };
  if (present(probe.httpGet)) {
    const h = probe.httpGet;
    port(h.port, 'spec.probe.httpGet.port');
    if (h.scheme && h.scheme !== 'HTTPS' && h.scheme !== 'HTTP')
      c.report('spec.probe.httpGet.scheme', 'httpGet.scheme must be one of "HTTPS", "HTTP"');
    for (const header of Array.isArray(h.httpHeaders) ? h.httpHeaders : []) {
      if (!present(header)) c.report('spec.probe.httpGet.httpHeaders', 'invalid nil header');
      else if (!header.name) c.report('spec.probe.httpGet.httpHeaders', 'header name cannot be empty');
      else if (!PROBE_HEADER_NAME.test(String(header.name)))
        c.report('spec.probe.httpGet.httpHeaders', `header name ${header.name} is not a valid header name`);
    }
  } else if (present(probe.tcpSocket)) port(probe.tcpSocket.port, 'spec.probe.tcpSocket.port');
  else if (present(probe.exec)) {
    if (!Array.isArray(probe.exec.command) || probe.exec.command.length === 0)
      c.report('spec.probe.exec.command', 'exec.command is required');
  } else c.report('spec.probe', 'unknown health check method <nil>');
}
