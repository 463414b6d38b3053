/**
 * The identifier checks of k8s.io/apimachinery/pkg/util/validation/validation.go (Kubernetes
 * 1.27), with the API server's own messages. Each returns the problems (empty when valid).
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

const tooLong = (max: number) => `must be no more than ${max} characters`;

/** The answer for a valid value: shared, as nearly every value is valid and synth checks thousands. */
const NONE: string[] = [];

/** A check of at most `max` characters matching `pattern`, each failure with the API server's message. */
function lengthAndPattern(max: number, pattern: RegExp, mismatch: string): (value: string) => string[] {
  return (value) => {
    const long = value.length > max;
    const matches = pattern.test(value);
    if (!long && matches) return NONE;
    return [...(long ? [tooLong(max)] : []), ...(matches ? [] : [mismatch])];
  };
}

/** IsDNS1123Label: Namespace names, container names, Service port names. */
export const dns1123LabelProblems = lengthAndPattern(
  63,
  DNS1123_LABEL,
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
);

/** IsDNS1123Subdomain: the names of most objects. */
export const dns1123SubdomainProblems = lengthAndPattern(
  253,
  DNS1123_SUBDOMAIN,
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
);

/** IsDNS1035Label: Service names (they become DNS labels). */
export const dns1035LabelProblems = lengthAndPattern(
  63,
  DNS1035_LABEL,
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
);

/** IsQualifiedName: label and annotation keys (`[prefix/]name`). */
export function qualifiedNameProblems(value: string): string[] {
  if (value.length <= 63 && QUALIFIED_NAME.test(value)) return NONE;
  const parts = value.split('/');
  if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  const out: string[] = [];
  if (prefix !== undefined) {
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...dns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push(`name part ${tooLong(63)}`);
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
    out.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return out;
}

/** IsValidLabelValue. */
export const labelValueProblems = lengthAndPattern(
  63,
  LABEL_VALUE,
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
);

/** IsEnvVarName (Kubernetes 1.27; 1.34 relaxed it to any printable ASCII but '='). */
export function envVarNameProblems(value: string): string[] {
  return ENV_VAR_NAME.test(value)
    ? NONE
    : [
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
      ];
}

/** IsConfigMapKey: keys of ConfigMap and Secret data. */
export function configMapKeyProblems(value: string): string[] {
  if (value.length <= 253 && CONFIG_MAP_KEY.test(value) && !value.startsWith('..')) return NONE;
  return [
    ...(value.length > 253 ? [tooLong(253)] : []),
    ...(CONFIG_MAP_KEY.test(value)
      ? []
      : [
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ]),
    ...(value === '.' || value === '..'
      ? [`must not be '${value}'`]
      : value.startsWith('..')
        ? ["must not start with '..'"]
        : []),
  ];
}

/** IsValidPortName: IANA_SVC_NAME, the names of container ports and of named target ports. */
export function portNameProblems(value: string): string[] {
  if (value.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(value) && /[a-z]/.test(value)) return NONE;
  const out: string[] = [];
  if (value.length > 15) out.push(tooLong(15));
  if (!/^[-a-z0-9]+$/.test(value)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (value.includes('--')) out.push('must not contain consecutive hyphens');
  if (value.length > 0 && !/[a-z]/.test(value)) out.push('must contain at least one letter (a-z)');
  if (value.startsWith('-') || value.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

/** IsValidPortNum. */
export function portNumberProblems(value: unknown): string[] {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
    ? NONE
    : ['must be between 1 and 65535, inclusive'];
}

/** A JSON object, without narrowing the type (these checks read untyped manifests as `any`). */
export function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
