import type {
  ApplicationSpec,
  EnvValue,
  ExternalSecretSpec,
  InstallationProfile,
  ProbeSpec,
  ResourceSpec,
  RunAsSpec,
  WorkloadSpec,
} from 'voting-mesh';

/** The Secret the MySQL lane reads its credentials from by default; never synthesized with data. */
export const STORAGE_SECRET = 'voting-storage-secret';

/** The keys the storage Secret must hold. */
export const STORAGE_SECRET_KEYS = ['MYSQL_ROOT_PASSWORD', 'MYSQL_USER', 'MYSQL_PASSWORD', 'MYSQL_DATABASE'] as const;

const REGISTRY = 'mcr.microsoft.com/aks/samples/voting';

/** Options of {@link createVotingApplication}. */
export interface VotingOptions {
  /** Name of the existing Secret with the MySQL credentials. @default 'voting-storage-secret' */
  readonly storageSecretName?: string;
  /**
   * Have External Secrets Operator create that Secret from a secret store.
   * @default - the Secret is created by the operator (`kubectl create secret`, see docs/voting-release.md)
   */
  readonly externalSecret?: Omit<ExternalSecretSpec, 'targetSecretName' | 'keys'>;
  /** Image pull policy of every container. @default 'IfNotPresent' (images are pinned by tag) */
  readonly imagePullPolicy?: 'IfNotPresent' | 'Always';
  /** Identity of the ingress gateway. @default - the installation profile's ingress gateway */
  readonly ingressGatewayPrincipal?: string;
  /** Where Istio is installed (control plane, injection label, ingress gateway). @default ISTIOCTL_DEFAULT_PROFILE */
  readonly installation?: InstallationProfile;
}

const HTTP = { name: 'http', port: 8080, protocol: 'http' } as const;
// Redis and MySQL speak first (server-first): declared as plain TCP, Istio never waits to sniff them.
const REDIS = { name: 'tcp-redis', port: 6379, protocol: 'tcp' } as const;
const MYSQL = { name: 'tcp-mysql', port: 3306, protocol: 'tcp' } as const;

// The app and analytics images are Node.js on Alpine: the image's unprivileged `node` user.
const NODE_USER: RunAsSpec = { user: 1000, group: 1000 };
// The official Redis and MySQL images' own `redis`/`mysql` user; fsGroup makes the data volume theirs.
const DB_USER: RunAsSpec = { user: 999, group: 999, fsGroup: 999 };

const NODE_RESOURCES: ResourceSpec = {
  cpuMillis: { request: 100, limit: 500 },
  memoryMiB: { request: 128, limit: 256 },
};

/** TCP checks: the HTTP pages query storage, and a probe must not fail because a dependency is down. */
const tcpProbe = (port: number, extra: Partial<ProbeSpec> = {}): ProbeSpec => ({ check: { tcpPort: port }, ...extra });

/** A Node.js front end or API of the sample (port 8080, read-only root, `npm start` writes to HOME and /tmp). */
function nodeService(image: string, replicas: number, env: Record<string, EnvValue>): WorkloadSpec {
  return {
    image,
    replicas,
    ports: [HTTP],
    env,
    resources: NODE_RESOURCES,
    runAs: NODE_USER,
    readOnlyRootFilesystem: true,
    writablePaths: ['/home/node', '/tmp'],
    readiness: tcpProbe(HTTP.port, { periodSeconds: 5 }),
    liveness: tcpProbe(HTTP.port, { initialDelaySeconds: 10, periodSeconds: 10 }),
  };
}

/**
 * The AKS voting sample: a web front end, an analytics API and storage (Redis in 1.0,
 * MySQL on a persistent volume in 2.0), in namespace `voting`, entered through an Istio gateway.
 */
export function createVotingApplication(options: VotingOptions = {}): ApplicationSpec {
  const secretName = options.storageSecretName ?? STORAGE_SECRET;
  const secret = (key: string): EnvValue => ({ secretName, key });
  const MYSQL_CLIENT_ENV: Record<string, EnvValue> = {
    MYSQL_HOST: 'voting-storage',
    MYSQL_USER: secret('MYSQL_USER'),
    MYSQL_PASSWORD: secret('MYSQL_PASSWORD'),
    MYSQL_DATABASE: secret('MYSQL_DATABASE'),
  };
  const pull = options.imagePullPolicy ?? 'IfNotPresent';
  const app = (version: string, env: Record<string, EnvValue>) => ({
    ...nodeService(`${REGISTRY}/app:${version}`, 3, { SHOWDETAILS: 'true', FEATUREFLAG: 'true', ...env }),
    imagePullPolicy: pull,
  });
  const analytics = (version: string, env: Record<string, EnvValue>) => ({
    ...nodeService(`${REGISTRY}/analytics:${version}`, 1, env),
    imagePullPolicy: pull,
  });
  return {
    name: 'voting',
    namespace: 'voting',
    entryComponent: 'voting-app',
    // The Gateway selects the installation's ingress gateway pods (istio: ingressgateway by default).
    gateway: { name: 'voting-app-gateway', hosts: ['*'], port: 80 },
    ...(options.installation ? { installation: options.installation } : {}),
    security: { ingressGateway: { principal: options.ingressGatewayPrincipal } },
    ...(options.externalSecret
      ? {
          externalSecrets: [
            { ...options.externalSecret, targetSecretName: secretName, keys: [...STORAGE_SECRET_KEYS] },
          ],
        }
      : {}),
    components: [
      {
        name: 'voting-app',
        calls: ['voting-analytics', 'voting-storage'],
        versions: {
          '1.0': app('1.0', { REDIS_HOST: 'voting-storage', ANALYTICS_HOST: 'voting-analytics' }),
          '2.0': app('2.0', { ...MYSQL_CLIENT_ENV, ANALYTICS_HOST: 'voting-analytics' }),
        },
      },
      {
        name: 'voting-analytics',
        calls: ['voting-storage'],
        versions: {
          '1.0': analytics('1.0', { REDIS_HOST: 'voting-storage' }),
          '1.1': analytics('1.1', { REDIS_HOST: 'voting-storage' }),
          '2.0': analytics('2.0', MYSQL_CLIENT_ENV),
        },
      },
      {
        name: 'voting-storage',
        versions: {
          '1.0': {
            image: 'redis:4.0.10',
            imagePullPolicy: pull,
            ports: [REDIS],
            resources: { cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 256 } },
            runAs: DB_USER,
            readOnlyRootFilesystem: true,
            // Redis writes its RDB snapshots to its working directory.
            writablePaths: ['/data'],
            readiness: { check: { exec: ['redis-cli', 'ping'] }, periodSeconds: 5 },
            liveness: tcpProbe(REDIS.port, { initialDelaySeconds: 5, periodSeconds: 10 }),
          },
          '2.0': {
            image: `${REGISTRY}/storage:2.0`,
            imagePullPolicy: pull,
            args: ['--ignore-db-dir=lost+found'],
            ports: [MYSQL],
            env: {
              MYSQL_ROOT_PASSWORD: secret('MYSQL_ROOT_PASSWORD'),
              MYSQL_USER: secret('MYSQL_USER'),
              MYSQL_PASSWORD: secret('MYSQL_PASSWORD'),
              MYSQL_DATABASE: secret('MYSQL_DATABASE'),
            },
            resources: { cpuMillis: { request: 250, limit: 1000 }, memoryMiB: { request: 512, limit: 1024 } },
            runAs: DB_USER,
            readOnlyRootFilesystem: true,
            // Socket/pid file and temporary tables; the data directory is the persistent volume.
            writablePaths: ['/var/run/mysqld', '/tmp'],
            persistentVolume: {
              claimName: 'mysql-pv-claim',
              sizeGiB: 1,
              accessMode: 'ReadWriteOnce',
              mountPath: '/var/lib/mysql',
            },
            // The first start initialises the database before MySQL listens: allow up to 5 minutes.
            startup: tcpProbe(MYSQL.port, { periodSeconds: 10, failureThreshold: 30 }),
            // `mysqladmin ping` exits 0 whenever the server answers, even without credentials.
            readiness: {
              check: { exec: ['mysqladmin', 'ping', '--host=127.0.0.1'] },
              periodSeconds: 5,
              timeoutSeconds: 3,
            },
            liveness: tcpProbe(MYSQL.port, { periodSeconds: 10 }),
            // Let MySQL flush and shut down cleanly before SIGKILL.
            terminationGracePeriodSeconds: 60,
          },
        },
      },
    ],
  };
}

/** The voting app with its default options. */
export const votingApplication: ApplicationSpec = createVotingApplication();
