import { durationProblem } from './durations';
import { policySelection } from './policy-selection';
import type { WebhookCheck } from './report';
import { list, present } from './report';

const STRICT_HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/** Istio's ValidateRequestAuthentication and validateJwtRule (pkg/config/validation/validation.go). */
export function requestAuthentication(c: WebhookCheck): void {
  policySelection(c);
  list(c.spec.jwtRules).forEach((rule, i) => {
    if (present(rule)) jwtRule(c, rule, `spec.jwtRules[${i}]`);
  });
}

function jwtRule(c: WebhookCheck, rule: any, at: string): void {
  if (list(rule.audiences).some((a) => !a)) c.report(`${at}.audiences`, 'audience must be non-empty string');
  if (!rule.issuer && !rule.jwksUri) c.report(at, 'issuer or jwksUri must be non-empty string');
  if (rule.jwksUri) {
    const p = jwksUriProblem(String(rule.jwksUri));
    if (p) c.report(`${at}.jwksUri`, p);
  }
  if (rule.jwks) {
    const p = jwksProblem(String(rule.jwks));
    if (p) c.report(`${at}.jwks`, `jwks parse error: ${p}`);
  }
  for (const h of list(rule.fromHeaders)) {
    if (!present(h)) c.report(`${at}.fromHeaders`, 'location header name must be non-null');
    else if (!h.name) c.report(`${at}.fromHeaders`, 'location header name must be non-empty string');
  }
  if (list(rule.fromParams).some((p) => !p)) c.report(`${at}.fromParams`, 'location query must be non-empty string');
  if (list(rule.fromCookies).some((p) => !p)) c.report(`${at}.fromCookies`, 'cookie name must be non-empty string');
  for (const o of list(rule.outputClaimToHeaders)) {
    if (!present(o)) c.report(`${at}.outputClaimToHeaders`, 'outputClaimToHeaders must not be null');
    else if (!o.claim || !o.header)
      c.report(`${at}.outputClaimToHeaders`, 'outputClaimToHeaders header and claim value must be non-empty string');
    else if (!STRICT_HEADER_NAME.test(String(o.header)))
      c.report(`${at}.outputClaimToHeaders`, `invalid header name: "${o.header}"`);
  }
  if (present(rule.timeout)) {
    const p = durationProblem(rule.timeout);
    if (p) c.report(`${at}.timeout`, p);
  }
}

/** security.ParseJwksURI: an http or https URL with a numeric port, if any. */
function jwksUriProblem(uri: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(uri)?.[1] ?? '';
  if (scheme !== 'http' && scheme !== 'https') return `URI scheme "${scheme}" is not supported`;
  const authority = /^[a-zA-Z]+:\/\/([^/?#]*)/.exec(uri)?.[1] ?? '';
  const port = /:([^:\]]*)$/.exec(authority.replace(/^.*@/, ''))?.[1];
  if (port !== undefined && port !== '' && !/^\d+$/.test(port)) return `invalid port ":${port}" after host`;
  return undefined;
}

/** jwk.Parse: a JSON Web Key, or a key set (`keys`), each key with a `kty`. */
function jwksProblem(jwks: string): string | undefined {
  let doc: any;
  try {
    doc = JSON.parse(jwks);
  } catch (err) {
    return `failed to unmarshal JWK set: ${(err as Error).message}`;
  }
  const keys = doc && typeof doc === 'object' && Array.isArray(doc.keys) ? doc.keys : [doc];
  return keys.every((k: any) => k && typeof k === 'object' && typeof k.kty === 'string')
    ? undefined
    : 'a key has no "kty"';
}

/** Istio's ValidatePeerAuthentication. */
export function peerAuthentication(c: WebhookCheck): void {
  const { spec } = c;
  const ports = spec.portLevelMtls;
  const emptySelector = !present(spec.selector) || Object.keys(spec.selector.matchLabels ?? {}).length === 0;
  if (emptySelector && Object.keys(ports ?? {}).length > 0)
    c.report('spec.portLevelMtls', 'mesh/namespace peer authentication cannot have port level mTLS');
  if (present(ports) && Object.keys(ports).length === 0)
    c.report('spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element');
  for (const port of Object.keys(ports ?? {}))
    if (!(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
      c.report(`spec.portLevelMtls.${port}`, 'port must be in range 1..65535');
  policySelection(c);
}
