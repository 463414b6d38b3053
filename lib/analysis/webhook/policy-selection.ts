import type { WebhookCheck } from './report';
import { list, present } from './report';

/** The kinds a policy's targetRef may name, by canonical group (`core` for the empty group). */
const ALLOWED_TARGETS = [
  ['core', 'Service'],
  ['networking.istio.io', 'ServiceEntry'],
  ['gateway.networking.k8s.io', 'Gateway'],
  ['gateway.networking.k8s.io', 'GatewayClass'],
];
const ALLOWED_TEXT =
  '[/v1/Service networking.istio.io/v1/ServiceEntry gateway.networking.k8s.io/v1/Gateway gateway.networking.k8s.io/v1/GatewayClass]';

/**
 * What Istio checks of how a policy selects its workloads (validateOneOfSelectorType,
 * validateWorkloadSelector, validatePolicyTargetReference): one of selector, targetRef and
 * targetRefs; no empty or wildcard label; a targetRef named, in the policy's namespace, of an
 * allowed kind.
 */
export function policySelection(c: WebhookCheck, selectorField = 'selector'): void {
  const { spec } = c;
  const set = [present(spec[selectorField]), present(spec.targetRef), list(spec.targetRefs).length > 0].filter(
    Boolean,
  ).length;
  if (set > 1) c.report('spec', 'only one of targetRefs or workloadSelector can be set');
  workloadSelector(c, spec[selectorField], `spec.${selectorField}`);
  if (present(spec.targetRef)) targetRef(c, spec.targetRef, 'spec.targetRef');
  list(spec.targetRefs).forEach((r, i) => targetRef(c, r, `spec.targetRefs[${i}]`));
}

export function workloadSelector(c: WebhookCheck, selector: any, at: string, labelsField = 'matchLabels'): void {
  if (!present(selector)) return;
  for (const [k, v] of Object.entries(selector?.[labelsField] ?? {})) {
    if (k === '') c.report(`${at}.${labelsField}`, `empty key is not supported in selector: "=${v}"`);
    if (k.includes('*') || String(v).includes('*'))
      c.report(`${at}.${labelsField}`, `wildcard is not supported in selector: "${k}=${v}"`);
  }
}

function targetRef(c: WebhookCheck, ref: any, at: string): void {
  if (!ref?.name) c.report(`${at}.name`, 'targetRef name must be set');
  if (ref?.namespace)
    c.report(`${at}.namespace`, 'targetRef namespace must not be set; cross namespace referencing is not supported');
  const group = ref?.group ? String(ref.group) : 'core';
  if (!ALLOWED_TARGETS.some(([g, k]) => g === group && k === ref?.kind))
    c.report(at, `targetRef must be to one of ${ALLOWED_TEXT} but was ${ref?.group ?? ''}/${ref?.kind ?? ''}`);
}
