import { policySelection } from './policy-selection';
import type { WebhookCheck } from './report';
import { list, present } from './report';

/** Istio's ValidateTelemetry (pkg/config/validation/validation.go): its errors (warnings are not rejections). */
export function telemetry(c: WebhookCheck): void {
  const { spec } = c;
  policySelection(c);
  list(spec.metrics).forEach((m, i) => {
    if (present(m)) metrics(c, m, `spec.metrics[${i}]`);
  });
  list(spec.tracing).forEach((t, i) => {
    if (present(t)) tracing(c, t, `spec.tracing[${i}]`);
  });
  list(spec.accessLogging).forEach((l, i) => {
    if (!present(l)) return;
    if (present(l.filter)) {
      const p = celParseProblem(String(l.filter.expression ?? ''));
      if (p) c.report(`spec.accessLogging[${i}].filter.expression`, `must be a valid CEL expression, ${p}`);
    }
    providers(c, l.providers, `spec.accessLogging[${i}].providers`);
  });
}

function providers(c: WebhookCheck, refs: unknown, at: string): void {
  if (list(refs).some((p) => !p?.name)) c.report(at, 'providers.name may not be empty');
}

function tracing(c: WebhookCheck, t: any, at: string): void {
  providers(c, t.providers, `${at}.providers`);
  const pct = t.randomSamplingPercentage ?? 0;
  if (pct < 0 || pct > 100)
    c.report(`${at}.randomSamplingPercentage`, 'randomSamplingPercentage must be in range [0.0, 100.0]');
  for (const [name, tag] of Object.entries<any>(t.customTags ?? {})) {
    const tagAt = `${at}.customTags.${name}`;
    if (name === '') c.report(tagAt, 'tag name may not be empty');
    if (!present(tag)) {
      c.report(tagAt, `tag '${name}' may not have a nil value`);
      continue;
    }
    if (present(tag.literal) && !tag.literal.value) c.report(tagAt, 'literal tag value may not be empty');
    if (present(tag.header) && !tag.header.name) c.report(tagAt, 'header tag name may not be empty');
    if (present(tag.environment) && !tag.environment.name) c.report(tagAt, 'environment tag name may not be empty');
  }
}

function metrics(c: WebhookCheck, m: any, at: string): void {
  providers(c, m.providers, `${at}.providers`);
  list(m.overrides).forEach((o, i) => {
    const oat = `${at}.overrides[${i}]`;
    if (!present(o)) return c.report(oat, 'tagOverrides may not be null');
    for (const [tag, to] of Object.entries<any>(o.tagOverrides ?? {})) {
      if (!present(to)) {
        c.report(`${oat}.tagOverrides.${tag}`, 'tagOverrides may not be null');
        continue;
      }
      const op = to.operation ?? 'UPSERT';
      if (op === 'UPSERT' && !to.value)
        c.report(`${oat}.tagOverrides.${tag}`, 'tagOverrides.value must be set when operation is UPSERT');
      if (op === 'REMOVE' && to.value)
        c.report(`${oat}.tagOverrides.${tag}`, 'tagOverrides.value may only be set when operation is UPSERT');
    }
    if (present(o.match) && o.match.customMetric !== undefined && o.match.customMetric === '')
      c.report(`${oat}.match.customMetric`, 'customMetric may not be empty');
  });
}

/** Whether the expression parses as CEL (Istio parses it with cel-go; @bufbuild/cel, loaded only for a filter). */
function celParseProblem(expression: string): string | undefined {
  const cel = module.require('@bufbuild/cel') as typeof import('@bufbuild/cel');
  try {
    cel.parse(expression);
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n')[0];
  }
}
