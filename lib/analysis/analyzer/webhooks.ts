import { IST0139, IST0163, IST0164 } from './catalogue';
import { isIP } from 'net';
import type { Manifest } from '../manifest';
import { labelSelectorHolds, namespaceOf } from '../manifest';
import type { AnalysisContext } from './context';
import { list } from './context';

const REV = 'istio.io/rev';

/**
 * IST0139, as Istio's webhook.Analyzer (webhook/webhook.go): Istio injection webhooks (named
 * `*istio.io`, or revisioned) must not overlap: for each namespace labelling (none,
 * istio-injection enabled/disabled, each revision) and pod labelling (none, inject true/false,
 * each revision) at most one webhook may match; and a webhook's Service must exist.
 */
export function injectionWebhooks(ctx: AnalysisContext): void {
  const hooks: { config: Manifest; hook: any; id: string }[] = [];
  const revisions = new Set<string>();
  for (const config of ctx.ofKind('MutatingWebhookConfiguration')) {
    const webhooks = list((config as any).webhooks);
    const revs = revisionsOf(config, webhooks);
    if (revs.length === 0 && !webhooks.some((w: any) => String(w?.name ?? '').endsWith('istio.io'))) continue;
    revs.forEach((r) => revisions.add(r));
    for (const hook of webhooks) hooks.push({ config, hook, id: `${config.metadata.name}/${hook?.name}` });
  }
  const withRevisions = (base: Record<string, string>[]) => [
    ...base,
    ...[...revisions].flatMap((rev) => base.map((b) => ({ ...b, [REV]: rev }))),
  ];
  const namespaceLabels = withRevisions([{}, { 'istio-injection': 'enabled' }, { 'istio-injection': 'disabled' }]);
  const objectLabels = withRevisions([
    {},
    { 'sidecar.istio.io/inject': 'true' },
    { 'sidecar.istio.io/inject': 'false' },
  ]);
  for (const nl of namespaceLabels) {
    for (const ol of objectLabels) {
      const matches = hooks.filter(
        (h) => labelSelectorHolds(h.hook?.namespaceSelector, nl) && labelSelectorHolds(h.hook?.objectSelector, ol),
      );
      if (matches.length < 2) continue;
      for (const m of matches) {
        const others = matches
          .filter((o) => o !== m)
          .map((o) => o.id)
          .sort();
        ctx.report(IST0139.messages.overlap, m.config, 'webhooks', { webhooks: others.join(' ') });
      }
    }
  }
  for (const { config, hook } of hooks) {
    const svc = hook?.clientConfig?.service;
    if (!svc) continue;
    if (!ctx.ofKind('Service').some((s) => namespaceOf(s) === svc.namespace && s.metadata.name === svc.name)) {
      ctx.report(IST0139.messages.missingService, config, 'webhooks', { service: `${svc.namespace}/${svc.name}` });
    }
  }
}

function revisionsOf(config: Manifest, webhooks: any[]): string[] {
  const revs = new Set<string>();
  if (config.metadata.labels?.[REV] !== undefined) revs.add(config.metadata.labels[REV]);
  for (const w of webhooks) {
    for (const selector of [w?.namespaceSelector, w?.objectSelector]) {
      if (!selector) continue;
      if (selector.matchLabels?.[REV] !== undefined) revs.add(selector.matchLabels[REV]);
      for (const e of list(selector.matchExpressions))
        if (e?.key === REV) list(e.values).forEach((v: string) => revs.add(v));
    }
  }
  return [...revs];
}

/**
 * IST0163 and IST0164, as Istio's externalcontrolplane.ExternalControlPlaneAnalyzer
 * (externalcontrolplane/externalcontrolplane.go): the validating (`istiod-default-validator`,
 * `istio-validator*`) and injecting (`istio-sidecar-injector*`) webhooks of an external control
 * plane need a URL that parses, better a host name than an IP, or a Service.
 */
export function externalControlPlane(ctx: AnalysisContext): void {
  const check = (config: Manifest) => {
    for (const hook of list((config as any).webhooks)) {
      const url: string | undefined = hook?.clientConfig?.url;
      if (url !== undefined) {
        let host: string;
        try {
          host = new URL(url).hostname.replace(/^\[|\]$/g, '');
        } catch {
          ctx.report(IST0163.messages.invalidUrl, config, 'webhooks', { url: String(url), webhook: String(hook.name) });
          continue;
        }
        if (isIP(host)) {
          ctx.report(IST0164.messages.ipAddress, config, 'webhooks', { url: String(url), webhook: String(hook.name) });
        }
      } else if (!hook?.clientConfig?.service) {
        ctx.report(IST0163.messages.blankUrl, config, 'webhooks', { webhook: String(hook?.name) });
      }
    }
  };
  for (const c of ctx.ofKind('ValidatingWebhookConfiguration')) {
    if (c.metadata.name === 'istiod-default-validator' || c.metadata.name.startsWith('istio-validator')) check(c);
  }
  for (const c of ctx.ofKind('MutatingWebhookConfiguration')) {
    if (c.metadata.name.startsWith('istio-sidecar-injector')) check(c);
  }
}
