import type { InstallationProfile, Manifest, ReleaseFlavour } from 'voting-mesh';
import { aksIstioAddOnProfile, helmGatewayProfile, ISTIOCTL_DEFAULT_PROFILE, ReleaseStage } from 'voting-mesh';
import { createVotingApplication, votingStages } from '../voting';
import { testApp } from './support';

// The ingress gateway's pods are named by three inputs: `gateway.selector`,
// `security.ingressGateway.podLabels` and the installation profile. Whatever is set, the Gateway,
// the NetworkPolicies, the AuthorizationPolicies and the analyzer must name the same pods and identity.
const A = { istio: 'edge' };
const B = { istio: 'other' };
const SETTINGS: readonly {
  readonly name: string;
  readonly selector?: Record<string, string>;
  readonly podLabels?: Record<string, string>;
}[] = [
  { name: 'neither set' },
  { name: 'gateway.selector only', selector: A },
  { name: 'security.ingressGateway.podLabels only', podLabels: A },
  { name: 'both set, equal', selector: A, podLabels: { ...A } },
];
const PROFILES: readonly InstallationProfile[] = [
  ISTIOCTL_DEFAULT_PROFILE,
  helmGatewayProfile({ release: 'istio-ingress' }),
  aksIstioAddOnProfile({ revision: 'asm-1-26' }),
];
const FLAVOURS: readonly ReleaseFlavour[] = ['istio-sidecar', 'gateway-api-ambient'];
const CANARY = votingStages[2];

function application(
  installation: InstallationProfile,
  selector?: Record<string, string>,
  podLabels?: Record<string, string>,
) {
  const base = createVotingApplication({ installation });
  return {
    ...base,
    gateway: { ...base.gateway, ...(selector ? { selector } : {}) },
    security: {
      ...base.security,
      ingressGateway: { ...base.security?.ingressGateway, ...(podLabels ? { podLabels } : {}) },
    },
  };
}

const entryPolicies = (m: readonly Manifest[], kind: string) =>
  m.filter((o) => o.kind === kind && /^voting-app-[0-9]/.test(o.metadata.name));

describe.each(FLAVOURS)('GIVEN the %s flavour', (flavour) => {
  describe.each(PROFILES.map((p) => [p.name, p] as const))('AND the installation profile %s', (_, installation) => {
    test.each(SETTINGS.map((s) => [s.name, s] as const))(
      'WHEN %s THEN the Gateway, NetworkPolicies, AuthorizationPolicies and analyzer agree',
      (_n, s) => {
        const stage = new ReleaseStage(testApp(), {
          application: application(installation, s.selector, s.podLabels),
          stage: CANARY,
          flavour,
        });
        const m = stage.manifests as Manifest[];
        const ingress = stage.resolved.ingress;
        const expected =
          flavour === 'gateway-api-ambient'
            ? { 'gateway.networking.k8s.io/gateway-name': 'voting-app-gateway' }
            : (s.podLabels ?? s.selector ?? installation.ingressGateway.podLabels);
        expect(ingress.podLabels).toEqual(expected);
        // The analyzer's ingress pods are the stage's.
        expect(stage.ingressGateway).toEqual({ namespace: ingress.namespace, podLabels: expected });
        expect(stage.findings.filter((f) => f.code === 'IST0101')).toEqual([]);
        expect(stage.meshContext.ingressPrincipal).toBe(ingress.principal);
        if (flavour === 'istio-sidecar') {
          expect(m.find((o) => o.kind === 'Gateway')!.spec.selector).toEqual(expected);
          for (const np of entryPolicies(m, 'NetworkPolicy')) {
            expect(np.spec.ingress[0].from).toEqual([
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ingress.namespace } },
                podSelector: { matchLabels: expected },
              },
            ]);
          }
        } else {
          const gatewayNet = m.find(
            (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'voting-app-gateway-istio',
          )!;
          expect(gatewayNet.spec.podSelector).toEqual({ matchLabels: expected });
        }
        const policies = entryPolicies(m, 'AuthorizationPolicy');
        expect(policies.length).toBeGreaterThan(0);
        for (const ap of policies)
          expect(ap.spec.rules[0].from).toEqual([{ source: { principals: [ingress.principal] } }]);
      },
    );

    test("WHEN gateway.selector and security.ingressGateway.podLabels differ THEN the stage fails with one line naming both, and no stage (they are the application's)", () => {
      const build = () =>
        new ReleaseStage(testApp(), { application: application(installation, A, B), stage: CANARY, flavour });
      expect(build).toThrow(
        /^field 'application\.gateway\.selector': \{"istio":"edge"\} differs from application\.security\.ingressGateway\.podLabels \{"istio":"other"\}.*Set one of/,
      );
      try {
        build();
      } catch (e) {
        expect((e as Error).message).not.toContain('\n');
      }
    });
  });
});
