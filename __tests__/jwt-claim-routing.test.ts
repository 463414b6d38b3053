import type { Manifest } from 'voting-mesh';
import { TrafficSimulator } from 'voting-mesh';
import { requestClaims } from '../cli/commands/explain-claims';
import type { ParsedArgs } from '../cli/args';

// VirtualService matches on JWT claims as istiod compiles them (istio/istio 1.30.3 route.go
// translateMetadataMatch, pkg/jwt/routing.go ToRoutingClaim, authz/matcher MetadataListMatcher)
// and Envoy's metadata matcher evaluates them on the jwt_authn payload.

const NET = 'networking.istio.io/v1';
const pod = (name: string, ns: string, labels: Record<string, string>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [] } } },
});
const requestAuthentication = (ns: string, selector?: Record<string, string>): Manifest => ({
  apiVersion: 'security.istio.io/v1',
  kind: 'RequestAuthentication',
  metadata: { name: 'jwt', namespace: ns },
  spec: { ...(selector ? { selector: { matchLabels: selector } } : {}), jwtRules: [{ issuer: 'https://issuer' }] },
});
const objects = (match: any, extra: Manifest[]): Manifest[] => [
  pod('istio-ingressgateway', 'istio-system', { istio: 'ingressgateway' }),
  {
    apiVersion: NET,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'default' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    },
  },
  {
    apiVersion: NET,
    kind: 'VirtualService',
    metadata: { name: 'vs', namespace: 'default' },
    spec: {
      hosts: ['*'],
      gateways: ['gw'],
      http: [
        { name: 'claims', match: [match], directResponse: { status: 201 } },
        { name: 'rest', directResponse: { status: 404 } },
      ],
    },
  },
  ...extra,
];
const answer = (
  match: any,
  claims: Record<string, unknown> | undefined,
  extra = [requestAuthentication('istio-system')],
) => new TrafficSimulator(objects(match, extra)).ingress('default/gw', claims ? { claims } : {})[0];

describe('JWT claim matches at a gateway', () => {
  test.each([
    ['dot-separated nested claim', { '@request.auth.claims.group.id': { exact: '7' } }, { group: { id: '7' } }, '201'],
    ['bracketed nested claim', { '@request.auth.claims[group][id]': { exact: '7' } }, { group: { id: '7' } }, '201'],
    ['prefix', { '@request.auth.claims.sub': { prefix: 'user-' } }, { sub: 'user-1' }, '201'],
    ['regex (RE2 full match)', { '@request.auth.claims.sub': { regex: 'user' } }, { sub: 'user-1' }, '404'],
    ['one string of a list claim', { '@request.auth.claims.groups': { exact: 'b' } }, { groups: ['a', 'b'] }, '201'],
    ['a number is not a string claim', { '@request.auth.claims.n': { exact: '1' } }, { n: 1 }, '404'],
    ['a claim name is case-sensitive', { '@request.auth.claims.Sub': { exact: 'x' } }, { sub: 'x' }, '404'],
  ])('GIVEN %s THEN the route %s', (_, headers, claims, status) => {
    expect(answer({ headers }, claims).answer).toMatch(new RegExp(`^${status}`));
  });

  test('GIVEN no claims THEN the claim match does not hold and the hop says the request carries no validated JWT', () => {
    const hop = answer({ headers: { '@request.auth.claims.sub': { exact: 'x' } } }, undefined);
    expect(hop.answer).toMatch(/^404/);
    expect(hop.matchNotes).toEqual([
      'VirtualService default/vs http[0].match[0].headers[@request.auth.claims.sub] did not match: the request carries no validated JWT (no claims given)',
    ]);
  });

  test('GIVEN no claims THEN a withoutHeaders claim match holds (an inverted metadata matcher)', () => {
    expect(answer({ withoutHeaders: { '@request.auth.claims.sub': { exact: 'x' } } }, undefined).answer).toMatch(
      /^201/,
    );
  });

  test('GIVEN a RequestAuthentication with targetRefs THEN it does not select an Istio gateway (ShouldAttachPolicy)', () => {
    const targeted: Manifest = {
      ...requestAuthentication('istio-system'),
      spec: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'gw' }], jwtRules: [] },
    };
    expect(
      answer({ headers: { '@request.auth.claims.sub': { exact: 'x' } } }, { sub: 'x' }, [targeted]).answer,
    ).toMatch(/^404/);
  });

  test('GIVEN claims but no RequestAuthentication selecting the gateway THEN the claim match does not hold', () => {
    const hop = answer({ headers: { '@request.auth.claims.sub': { exact: 'x' } } }, { sub: 'x' }, [
      requestAuthentication('istio-system', { app: 'other' }),
    ]);
    expect(hop.answer).toMatch(/^404/);
    expect(hop.matchNotes?.[0]).toMatch(/no RequestAuthentication selects the gateway's proxy/);
  });
});

describe('--claim name=value', () => {
  const parse = (claims: string[]) =>
    requestClaims({ positional: [], options: new Map([['claim', claims]]) } satisfies ParsedArgs);
  test('GIVEN repeated and dotted names THEN a list claim and a nested claim', () => {
    expect(parse(['sub=u1', 'groups=a', 'groups=b', 'org.id=7'])).toEqual({
      sub: 'u1',
      groups: ['a', 'b'],
      org: { id: '7' },
    });
  });
  test('GIVEN a claim without a value THEN a usage error', () => {
    expect(() => parse(['sub'])).toThrow(/malformed --claim 'sub'/);
  });
});
