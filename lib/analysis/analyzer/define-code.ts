/**
 * The shape of the analyzer's catalogue and the only way to make a finding's code and message:
 * `defineCode` declares a code with its message templates, `message` one template whose `{name}`
 * placeholders are typed by its example parameters, and `renderMessage` fills a template. A rule
 * passes a template of its code and typed parameters (`ctx.report(IST0101.messages.hostPort, ...)`),
 * never a code string or a message of its own, so the catalogue, the docs and the findings cannot drift.
 */

/** Istio's message levels: Error fails synth; Warning fails unless accepted; Info never fails. */
export type Level = 'Error' | 'Warning' | 'Info';

/** What a rule reads: a kind (Gateway API kinds by their group), the workloads' pod templates, or Istio's MeshConfig. */
export type ReadKind =
  | 'VirtualService'
  | 'DestinationRule'
  | 'Gateway'
  | 'ServiceEntry'
  | 'Sidecar'
  | 'EnvoyFilter'
  | 'ProxyConfig'
  | 'AuthorizationPolicy'
  | 'PeerAuthentication'
  | 'RequestAuthentication'
  | 'Telemetry'
  | 'WasmPlugin'
  | 'WorkloadEntry'
  | 'Service'
  | 'Pod'
  | 'Namespace'
  | 'ConfigMap'
  | 'Secret'
  | 'Node'
  | 'Deployment'
  | 'workloads'
  | 'CustomResourceDefinition'
  | 'MutatingWebhookConfiguration'
  | 'ValidatingWebhookConfiguration'
  | 'gateway.networking.k8s.io/Gateway'
  | 'HTTPRoute'
  | 'GRPCRoute'
  | 'GatewayClass'
  | 'ReferenceGrant'
  | 'MeshConfig'
  | 'every object';

/** A value a template puts in its message. */
export type Param = string | number;

/** The `{name}` placeholders of a template, as a union of names (`never` without placeholders). */
export type Placeholders<T extends string> = T extends `${string}{${infer K}}${infer Rest}`
  ? K | Placeholders<Rest>
  : never;

/** A template before its code is known: what {@link message} returns. */
export interface MessageSpec<P> {
  readonly template: string;
  readonly example: P;
}

/** Only {@link defineCode} makes a {@link MessageTemplate}: an object literal cannot carry this key. */
declare const defined: unique symbol;

/** One message of a code: its template, an example of its parameters, and the code it belongs to. */
export interface MessageTemplate<P = Record<string, Param>, C extends string = string> {
  readonly code: C;
  readonly level: Level;
  /** The name of the template within its code (`hostPort`). */
  readonly variant: string;
  /** The message with `{name}` where a parameter goes. */
  readonly template: string;
  /** Parameters that render a realistic message (docs, tests). */
  readonly example: P;
  readonly [defined]: true;
}

/** Who else reports the same thing: Istio's code and name in its messages.yaml. */
export interface IstioEquivalent {
  readonly code: string;
  readonly name: string;
  /** The Istio version whose messages.yaml has the code. */
  readonly version: '1.30.3' | 'master';
  /** How the project's code differs from Istio's, if it does. */
  readonly note?: string;
}

/** One code of the analyzer (or of `validate`): the one source of its name, level, docs and messages. */
/* eslint-disable @typescript-eslint/no-explicit-any -- an entry holds templates of every parameter shape; with `unknown` a template whose parameters are a narrower object no longer fits (its parameters are an argument type) */
export interface CatalogueEntry<
  C extends string = string,
  M extends Readonly<Record<string, MessageTemplate<any>>> = Readonly<Record<string, MessageTemplate<any>>>,
> {
  /* eslint-enable @typescript-eslint/no-explicit-any */
  readonly code: C;
  /** Istio's message name (or the project's, for VM codes). */
  readonly name: string;
  readonly level: Level;
  readonly description: string;
  /** The kinds (and mesh settings) the rule reads. */
  readonly reads: readonly ReadKind[];
  /** The Go analyzers of Istio 1.30.3 the rule follows (`virtualservice.GatewayAnalyzer`), or `project`, or `validate`. */
  readonly analyzer: string;
  /** Istio's code for the same finding, where Istio has one (every IST code is its own). */
  readonly istio?: IstioEquivalent;
  /** The messages the code is reported with, by variant. */
  readonly messages: M;
}

/** What {@link defineCode} takes: the entry without the codes filled into its messages. */
/* eslint-disable @typescript-eslint/no-explicit-any -- as for CatalogueEntry: a bound that accepts message specs of every parameter shape */
export interface CodeSpec<C extends string, S extends Record<string, MessageSpec<any>>> extends Omit<
  CatalogueEntry<C>,
  'messages' | 'istio'
> {
  /* eslint-enable @typescript-eslint/no-explicit-any */
  /** @default - for an IST code, Istio's own code and name at 1.30.3 */
  readonly istio?: IstioEquivalent;
  readonly messages: S;
}

/**
 * One message template. The example must give exactly the template's placeholders, and its value
 * types (string or number) become the parameter types every report of the template must pass.
 */
export function message<const T extends string, P extends { [K in Placeholders<T>]: Param }>(
  template: T,
  example: P & { [K in Exclude<keyof P, Placeholders<T>>]: never },
): MessageSpec<P> {
  return { template, example };
}

/** Declares a code: its messages learn their code and level. */
/* eslint-disable @typescript-eslint/no-explicit-any -- as for CatalogueEntry: a bound that accepts message specs of every parameter shape */
export function defineCode<const C extends string, S extends Record<string, MessageSpec<any>>>(
  spec: CodeSpec<C, S>,
): CatalogueEntry<C, { readonly [V in keyof S]: S[V] extends MessageSpec<infer P> ? MessageTemplate<P, C> : never }> {
  /* eslint-enable @typescript-eslint/no-explicit-any */
  const messages = Object.fromEntries(
    Object.entries(spec.messages).map(([variant, m]) => [
      variant,
      { code: spec.code, level: spec.level, variant, template: m.template, example: m.example },
    ]),
  );
  const istio =
    spec.istio ??
    (spec.code.startsWith('IST') ? { code: spec.code, name: spec.name, version: '1.30.3' as const } : undefined);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Object.fromEntries loses the per-variant keys and parameter types the signature states; built from spec.messages, one entry per variant
  return { ...spec, ...(istio ? { istio } : {}), messages } as any;
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** The message of a template with its parameters filled in (a parameter's text is never read as a placeholder). */
export function renderMessage<P>(template: MessageTemplate<P>, params: P): string {
  return template.template.replace(PLACEHOLDER, (_, name: string) => String((params as Record<string, Param>)[name]));
}

/** The placeholder names of a template, in order of appearance. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
