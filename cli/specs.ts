// The commands' usage, help and options: loaded for every command line (parsing and --help),
// while each command's implementation, and the library it needs, is loaded only when it runs.
import type { CommandSpec } from './args';
import { CONTEXT_OPTIONS } from './args';
import { INPUT_LIMIT_OPTIONS } from './input-limits';
import type { analyzerCodesHelp as AnalyzerCodesHelp } from '../lib/analysis/analyzer/codes-table';

export const synthSpec: CommandSpec = {
  name: 'synth',
  summary: "Runs the cdk8s app of this directory (cdk8s.yaml's app) and publishes its output atomically.",
  usage: 'synth [--app "<command>"] [--outdir <dir>] [--quiet] [--allow-failing-checks]',
  description: [
    'The app writes into a staging directory beside the output; only when it succeeded and wrote',
    'non-empty manifests does the staging directory replace the output, by renames. On any failure',
    'the previous output stays exactly as it was, and a killed run is finished by the next one. The',
    'output carries a .voting-mesh-output manifest of every file written with its sha256: a directory',
    'holding anything else (or a changed file) is refused, never deleted (docs/output-safety.md).',
    "An app run as 'node <file.js>' runs inside this process (no second Node.js start); any other",
    'command (ts-node, tsx, a shell line) runs as a child process, as the cdk8s CLI would run it.',
  ],
  options: [
    { name: 'app', alias: 'a', value: 'command', help: "The command that runs the app (default: cdk8s.yaml's app)." },
    { name: 'outdir', value: 'dir', help: "Output directory (default: cdk8s.yaml's output, else dist)." },
    {
      name: 'force',
      help: 'Replace the output directory even if voting-mesh cannot prove it wrote everything in it: deletes every file in it (docs/output-safety.md).',
    },
    {
      name: 'allow-failing-checks',
      help: "Publish even when the release's own checks (schemas, analyzer Errors, transitions of consecutive stages) fail; each failure is printed.",
    },
  ],
  refused: Object.fromEntries(
    ['-o', '--output'].map((f) => [
      f,
      `synth ${f} no longer names the output directory (-o/--output is an output format in every command): use --outdir <dir>`,
    ]),
  ),
};

export const validateSpec: CommandSpec = {
  name: 'validate',
  summary: 'Checks stages offline as the API server and istioctl analyze would, and replays every transition.',
  usage:
    'validate [<stage>...] [--dist <dir>] [-f <file|dir>]... [-o text|json] [--failure-threshold Error|Warning|Info] [--mesh-config <file>]',
  // A getter: the analyzer catalogue it lists is loaded for `validate --help` only (~15 ms of every command otherwise).
  get description(): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: the catalogue is read for `validate --help` only
    const codes = require('../lib/analysis/analyzer/codes-table') as { analyzerCodesHelp: typeof AnalyzerCodesHelp };
    return [
      'For each stage (all of --dist, or the ones named): strict schema validation of every object',
      '(Kubernetes 1.27, Istio 1.30.3, Argo Rollouts v1.9.1; override with K8S_SCHEMA_DEFINITIONS,',
      'ISTIO_CRDS, ARGO_ROLLOUT_CRD, EXTRA_CRDS) and the mesh analyzer. With every stage, each',
      'consecutive transition, forward and back, is planned and replayed step by step.',
      'With -f, the objects of all the files given are checked together as one set.',
      'Exit code 1 when a message is at or above the failure threshold. A Warning the release accepts',
      "(its acceptedFindings, recorded by synth in accepted-findings.json beside the stages) or the object's",
      'galley.istio.io/analyze-suppress annotation names is shown as accepted, with the reason, and fails nothing.',
      ...codes.analyzerCodesHelp(),
    ];
  },
  options: [
    { name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." },
    {
      name: 'filename',
      alias: 'f',
      value: 'file|dir',
      repeat: true,
      help: 'Manifest files, or directories of them, checked as one set; a directory synth wrote (with its mesh-context.json) is checked stage by stage.',
    },
    ...INPUT_LIMIT_OPTIONS,
    {
      name: 'output',
      alias: 'o',
      value: 'format',
      choices: ['text', 'json'],
      help: 'text (default), or json: an array of {code, level, origin, field, message, stage}, and accepted (the reason) on an accepted Warning.',
    },
    {
      name: 'failure-threshold',
      value: 'level',
      choices: ['Error', 'Warning', 'Info'],
      help: 'Lowest level that fails the run (default Error).',
    },
    {
      name: 'mesh-config',
      value: 'file',
      help: 'Istio MeshConfig YAML the analyzer reads (as istioctl analyze --meshConfigFile): ingress mode, DNS auto-allocation, providers, proxy image type.',
    },
    ...CONTEXT_OPTIONS,
  ],
};

export const explainSpec: CommandSpec = {
  name: 'explain',
  summary: "Prints where a request (or, with --from, one workload's call) goes through a stage, hop by hop.",
  usage:
    "explain <stage|file> [--cookie 'a=1; b=2'] [--header name=value]... [--claim name=value]... [--propagate-headers] [--path /p] [--method M] [--host h] [--scheme s] [--port n] [--query k=v]... [--sni h] [--backend-header name=value]... [--backend-delay d] [--gateway ns/name | --from <workload> --to <service>[:<port>]] [-o text|json]",
  description: [
    'Evaluates the objects that will be applied as Istio and Envoy route: the Gateway server on the',
    'arrival port and its hosts (namespace/host) against the Host, VirtualService hosts (short, FQDN,',
    'wildcard; most specific first; exportTo), routes in order and every match field (uri, headers,',
    'withoutHeaders, queryParams, method, authority, scheme, ignoreUriCase, port, sourceLabels,',
    'sourceNamespace, gateways; RE2 regexes as full matches; the query string is not the path), relative',
    'weights, the arrival port where a destination names none, merged DestinationRule subsets narrowing',
    'the Service selector, ServiceEntry hosts, tcp and tls (sniHosts) routes; with no VirtualService,',
    "every pod of the Service. Calls between workloads are read from each container's environment (a",
    'value naming a Service). With AuthorizationPolicies, each hop says whether authorization allows it.',
    'Redirects, direct responses and 503s (unknown host, port or subset) are shown as the answer.',
    "Istio propagates no header: inner calls carry none of the entry request's headers unless",
    '--propagate-headers says every workload forwards them (the text output says which it assumed).',
    'Each HTTP hop carries its route timeout (default none) and retries (attempts, perTryTimeout,',
    "retryOn; default Istio's 2 retries on connect-failure,refused-stream,unavailable,cancelled,",
    'retriable-status-codes; printed when the route sets them, always in -o json), and its mirrors',
    '(mirror with mirrorPercentage, else mirrorPercent, else 100%; each of mirrors with its percentage):',
    'the pods receiving the copies (responses discarded) and the calls those pods make in turn.',
    "With --from <workload> --to <service>[:<port>], explains one call from that workload's pods (their",
    'labels, namespace and ServiceAccount principal) instead of an entry request: a call authorization',
    "refuses is marked DENIED with the reason. The caller's Sidecar (workloadSelector, then its namespace's,",
    "then the root namespace's; egress hosts `ns/host`, `./*`, `*/host`, `~/*`, per port) and Services'",
    'networking.istio.io/exportTo decide what its proxy knows: a Service it does not import goes via',
    'PassthroughCluster (ALLOW_ANY) or BlackHoleCluster (REGISTRY_ONLY: 502, or the connection closed), by',
    "the Sidecar's outboundTrafficPolicy, else ConfigMap istio-system/istio's, else ALLOW_ANY.",
    'JWT claim matches (@request.auth.claims.<name>, nested) hold at a gateway a RequestAuthentication',
    'selects, on the --claim values (exact, prefix, regex; a list claim when one of its values matches);',
    'without claims, or on a sidecar, the hop says the claim match did not match and why.',
    'Not modelled (named on the hop as "not modelled: <field>" when present): fault, corsPolicy,',
    "response headers added to a backend's answer, retries backoff, retryRemoteLocalities and",
    'retryIgnorePreviousHosts, and delegate; mesh config',
    'defaultHttpRetryPolicy (taken as unset); tcp/tls destinationSubnets; ServiceEntry endpoints; Sidecar',
    'egress bind, captureMode and Unix sockets; DestinationRules with a workloadSelector; Gateway server',
    'bind, defaultEndpoint and TLS certificates; protocol sniffing (an undeclared port is taken as HTTP).',
    "DestinationRule trafficPolicy: its connectionPool and outlierDetection are shown on the hop (a subset's",
    "over the rule's, as Istio merges them); load balancing and TLS shape how, not where, and are not read.",
    'With -f, the files given are read as one set of objects instead of a stage.',
    'Gateway API v1: a Gateway of class istio (listener port, protocol HTTP/HTTPS, hostname, allowedRoutes)',
    "routes by the HTTPRoutes attached to it in Istio's order (Exact, longest prefix, method, header and",
    'query counts, creation time, namespace/name); an HTTPRoute whose parentRef is a Service routes mesh',
    "calls to it (the caller's namespace's routes before the Service's). Header modifiers, URLRewrite and",
    'CORS filters are named as not modelled. Response header modifiers apply to the headers --backend-header',
    'says the backend sends (without it they are not modelled); --backend-delay longer than the route or',
    'per-try timeout answers 504.',
  ],
  options: [
    {
      name: 'cookie',
      value: 'cookies',
      help: "The request's Cookie header, every cookie at once: 'a=1; featureflag=on'.",
    },
    { name: 'header', value: 'name=value', repeat: true, help: 'A request header.' },
    {
      name: 'claim',
      value: 'name=value',
      repeat: true,
      help: "A claim of the request's validated JWT, for @request.auth.claims matches at a gateway (a.b=v nested; a name given again: a list).",
    },
    {
      name: 'propagate-headers',
      help: "Assume every workload forwards the entry request's headers (cookie included) onto its calls; by default inner calls carry none, as Istio propagates no header.",
    },
    { name: 'path', value: 'path', help: "Request path, optionally with ?query (default '/')." },
    { name: 'method', value: 'method', help: "Request method (default 'GET')." },
    {
      name: 'host',
      value: 'host[:port]',
      help: 'Host (:authority) of the request (default: the Host header, else every host the gateway serves, in order).',
    },
    { name: 'scheme', value: 'scheme', choices: ['http', 'https'], help: "Request scheme (default 'http')." },
    {
      name: 'port',
      value: 'port',
      help: 'Gateway port the request arrives on (default: its HTTP server port, HTTPS with --scheme https).',
    },
    {
      name: 'query',
      value: 'name=value',
      repeat: true,
      help: 'A query parameter (besides those in --path), sent as a client sends it: a space and other characters a query cannot carry are percent-encoded, and Envoy matches the value undecoded.',
    },
    { name: 'sni', value: 'host', help: 'SNI of a TLS connection, for tls routes (default: the host).' },
    {
      name: 'backend-header',
      value: 'name=value',
      repeat: true,
      help: "A header the backend puts on its response: an HTTPRoute hop then shows the response the client gets (the route's response header modifiers applied).",
    },
    {
      name: 'backend-delay',
      value: 'duration',
      help: 'How long the backend takes to answer (1s, 500ms): an HTTPRoute hop slower than its route or per-try timeout is the 504 Envoy answers.',
    },
    {
      name: 'gateway',
      value: 'ns/name',
      help: 'Gateway the request enters through, namespace/name or name (default: the only one).',
    },
    {
      name: 'from',
      value: 'workload',
      help: 'Explain a call from this workload (name or namespace/name) instead of an entry request; needs --to.',
    },
    {
      name: 'to',
      value: 'service[:port]',
      help: "The Service the --from workload calls, and the port (default: the Service's only port).",
    },
    { name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." },
    {
      name: 'filename',
      alias: 'f',
      value: 'file|dir',
      repeat: true,
      help: 'Manifest files, or directories of them, read as one set.',
    },
    ...INPUT_LIMIT_OPTIONS,
    {
      name: 'output',
      alias: 'o',
      value: 'format',
      choices: ['text', 'json'],
      help: 'text (default), or json: the hops, each with its weight and share of all requests.',
    },
    ...CONTEXT_OPTIONS,
  ],
};

export const planSpec: CommandSpec = {
  name: 'plan',
  summary: 'Plans the move between two stages, make before break, and proves no moment of it drops traffic.',
  usage:
    'plan <from-stage> <to-stage> [--format kubectl|argocd|flux] [--outdir <dir>] [--dist <dir>] [--allow-failing-checks]',
  description: [
    'Prints the objects added, changed and removed, then the ordered steps (make, wait, switch,',
    'break, retire) as kubectl commands, with one manifest file per apply step in --outdir. Then it',
    'replays the steps and fails (exit 1) if a VirtualService could route to a missing subset,',
    'port or pod at any moment. Gateway API and ambient stages: HTTPRoutes and Service selector or',
    'waypoint changes switch only once the Services, Deployments and waypoints they send to are',
    'ready, and routes move away before those are deleted; the replay fails if an HTTPRoute could',
    'reach a missing Service, port or ready pod, a serving Service could lose its ready pods, or a',
    'Service use a waypoint not programmed. --outdir must be new, empty, or written by an earlier plan',
    '(anything else is refused, exit 2). Values are printed whole; on a terminal, long values and',
    'long change lists are shortened, with a note (pipe the output to see all).',
    '--format argocd|flux: the transition as a series of complete desired states (states/<state>/),',
    'each safe to sync as a whole with prune, each consecutive pair replayed by the same check, with',
    'the Argo CD Application or Flux Kustomization syncing each (one commit per state; see',
    'docs/progressive-delivery.md); every emitted object is validated against its schema.',
  ],
  options: [
    {
      name: 'format',
      value: 'format',
      choices: ['kubectl', 'argocd', 'flux'],
      help: 'kubectl (default): the step script; argocd or flux: the series of desired states.',
    },
    {
      name: 'name',
      value: 'name',
      help: "argocd/flux: the Application or Kustomization name (default '<part-of>-release').",
    },
    { name: 'repo-url', value: 'url', help: 'argocd: the Git repository the states are committed to.' },
    {
      name: 'repo-path',
      value: 'path',
      help: 'argocd/flux: the folder of the repository the --outdir directory is committed as (default: --outdir relative to here).',
    },
    {
      name: 'flux-source',
      value: 'name',
      help: "flux: the GitRepository the Kustomization reads (default 'flux-system').",
    },
    {
      name: 'route-wait',
      value: 'how',
      choices: ['delay', 'reconciled'],
      help: "argocd/flux: how a state that moves traffic waits for the proxies: delay (default; a Job that sleeps) or reconciled (Istio's Reconciled condition).",
    },
    {
      name: 'route-delay',
      value: 'seconds',
      help: 'argocd/flux: seconds of the delay (default 30, as the kubectl plan).',
    },
    {
      name: 'outdir',
      value: 'dir',
      deprecated: ['out'],
      help: 'Where the step files go (default .voting-mesh/plans/<from>--<to>).',
    },
    {
      name: 'force',
      help: 'Replace --outdir even if voting-mesh cannot prove an earlier plan wrote everything in it: deletes every file in it.',
    },
    {
      name: 'allow-failing-checks',
      help: 'Write the step files even when the transition check fails (the problems are printed, exit code 1).',
    },
    { name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." },
    ...CONTEXT_OPTIONS,
  ],
};

export const diffSpec: CommandSpec = {
  name: 'diff',
  summary: 'A semantic diff of two stages: objects added, removed and changed, field by field, in a stable order.',
  usage: 'diff <stageA|fileA> <stageB|fileB> [--dist <dir>]',
  description: [
    'Lists are compared by identity (route, subset, container, port names) or as sets, so inserting one item does not show every later item as changed; unnamed items (TCP routes) by position. Values are printed whole.',
  ],
  options: [
    { name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." },
  ],
};

export const gateSpec: CommandSpec = {
  name: 'gate',
  summary: "Evaluates a stage's metric gates against Prometheus: exit 0 promote, 1 roll back, 3 not enough data.",
  exitCodes:
    '0 promote; 1 roll back (a bound broken); 2 usage: an unknown option, a bad value, a stage without gates; 3 not enough data, or no answer from Prometheus: ask again later',
  usage: 'gate <stage> --prometheus <url> [--gate <name>] [--at <time>] [--dist <dir>] [-o text|json]',
  description: [
    "Reads the stage's gates (and their PromQL, also in RELEASE.md) from gates.json beside the stages,",
    'and asks the Prometheus HTTP API (/api/v1/query) for each workload: the requests over the window',
    '(fewer than the minimum: not enough data), the success rate (share of non-5xx answers) and the',
    "P99 latency from Istio's standard metrics. Any bound broken: exit 1, run the reverse plan. Not",
    'enough data anywhere, or no answer from Prometheus: exit 3, ask again later. Otherwise exit 0.',
  ],
  options: [
    {
      name: 'prometheus',
      value: 'url',
      help: 'Base URL of the Prometheus HTTP API, e.g. http://prometheus.istio-system:9090.',
    },
    { name: 'gate', value: 'name', help: 'Evaluate only this gate of the stage (default: all).' },
    { name: 'at', value: 'time', help: 'Evaluation time, Unix seconds or RFC 3339 (default: now).' },
    { name: 'dist', value: 'dir', help: "Directory of synthesized stages (default: cdk8s.yaml's output, else dist)." },
    {
      name: 'output',
      alias: 'o',
      value: 'format',
      choices: ['text', 'json'],
      help: 'text (default), or json: the verdict and every measurement.',
    },
  ],
};

export const initSpec: CommandSpec = {
  name: 'init',
  summary: 'Writes a new cdk8s app with a two-service release into a new or empty directory, offline.',
  usage: 'init [<dir>] [--source <file.tgz|range>]',
  description: [
    'Writes package.json (cdk8s, cdk8s-plus-27, constructs, typescript and jest at the exact versions',
    'this package is built against), tsconfig.json, cdk8s.yaml (the app for voting-mesh synth and for',
    'plain cdk8s synth, with the validation plugin), main.ts (two services in two stages, in the',
    'flavour the FLAVOUR variable names: istio-sidecar, gateway-api-ambient or both), main.test.ts,',
    'jest.config.js and .gitignore into <dir> (default: the current directory). Then run npm install,',
    'npx voting-mesh synth and npm test there. A directory that is not empty is refused (exit 2); no',
    'file is ever overwritten.',
  ],
  options: [
    {
      name: 'source',
      value: 'spec',
      help: 'Where the app installs voting-mesh from: the packed tarball (written as file:, relative to <dir>), or a version range (default: ^<this version> from the registry).',
    },
  ],
};
