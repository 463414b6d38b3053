import type { SchemaViolation } from '../schema/schema-validator';
import { authorizationPolicy } from './authorization-policy';
import { peerAuthentication, requestAuthentication } from './authentication';
import { destinationRule } from './destination-rule';
import { gateway } from './gateway';
import type { WebhookCheck } from './report';
import { runCheck } from './report';
import { serviceEntry } from './service-entry';
import { sidecar } from './sidecar';
import { telemetry } from './telemetry';
import { virtualService } from './virtual-service';
import { workloadEntry } from './workload-entry';
import { workloadGroup } from './workload-group';

/**
 * Istio's validating admission webhook (pkg/config/validation/validation.go at 1.30.3): the
 * rules it adds to the CRD schema, by kind. An object of another kind gets none.
 */
const RULES: Readonly<Record<string, (c: WebhookCheck) => void>> = {
  'networking.istio.io/VirtualService': virtualService,
  'networking.istio.io/DestinationRule': destinationRule,
  'networking.istio.io/Gateway': gateway,
  'networking.istio.io/ServiceEntry': serviceEntry,
  'networking.istio.io/Sidecar': sidecar,
  'networking.istio.io/WorkloadEntry': workloadEntry,
  'networking.istio.io/WorkloadGroup': workloadGroup,
  'security.istio.io/AuthorizationPolicy': authorizationPolicy,
  'security.istio.io/RequestAuthentication': requestAuthentication,
  'security.istio.io/PeerAuthentication': peerAuthentication,
  'telemetry.istio.io/Telemetry': telemetry,
};

const DRY_RUN = 'istio.io/dry-run';
/** Annotations Istio reserves for itself: an object carrying one is rejected. */
const RESERVED = ['istio.io/alwaysReject', 'internal.istio.io/parent-namespace', 'internal.istio.io/parents'];

/** The webhook's errors for one object, each at its field path. */
export function webhookViolations(manifest: any): SchemaViolation[] {
  const group = String(manifest?.apiVersion ?? '').split('/')[0];
  const rules = RULES[`${group}/${manifest?.kind}`];
  if (!rules) return [];
  return runCheck(manifest, (c) => {
    metadataRules(c, manifest.kind);
    rules(c);
  });
}

/** validateMetadata: the dry-run annotation only on ALLOW/DENY AuthorizationPolicies, with a boolean; no reserved annotation. */
function metadataRules(c: WebhookCheck, kind: string): void {
  const annotations = c.metadata.annotations ?? {};
  const where = `${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`;
  const dryRun = annotations[DRY_RUN];
  if (dryRun !== undefined) {
    const action = c.spec.action ?? 'ALLOW';
    if (kind !== 'AuthorizationPolicy')
      c.report(
        `metadata.annotations.${DRY_RUN}`,
        `${where} has unsupported annotation ${DRY_RUN}, please remove the annotation`,
      );
    else if (action !== 'ALLOW' && action !== 'DENY')
      c.report(
        `metadata.annotations.${DRY_RUN}`,
        `the annotation ${DRY_RUN} currently only supports action ALLOW/DENY, found action ${action} in ${where}`,
      );
    else if (!GO_BOOLEANS.includes(String(dryRun)))
      c.report(`metadata.annotations.${DRY_RUN}`, `${where} has annotation ${DRY_RUN} with invalid value (${dryRun})`);
  }
  for (const a of RESERVED)
    if (a in annotations)
      c.report(`metadata.annotations.${a}`, `"${a}" annotation found, this may not be set by users`);
}

/** What Go's strconv.ParseBool reads as a boolean. */
const GO_BOOLEANS = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];
