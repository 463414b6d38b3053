import { isIPv4, isIPv6 } from './ip-address';
/**
 * OpenAPI `format` checks, as the API server applies them.
 *
 * Numbers: go-openapi's `IsValueValidAgainstRange` (validate/helpers.go, used by kube-openapi's
 * number validator for custom resources) rejects an integer outside the range of its
 * `int32`/`int64` format, and built-in kinds decode into Go `int32`/`int64` fields, which fails the
 * same way (`replicas: 1e+21`). An integral float such as `1.0` is the number 1 once YAML is read
 * (sigs.k8s.io/yaml converts YAML to JSON through float64 too), so it passes, as it does there.
 *
 * Strings: the formats the pinned schemas use (`byte`, `date-time`, `ipv4`, `ipv6`), with the
 * strfmt meaning kube-openapi gives them (k8s.io/kube-openapi/pkg/validation/strfmt/default.go):
 * `byte` is standard base64, `date-time` is RFC 3339. Unknown formats are ignored, as there.
 */

const INT32 = { min: -2147483648, max: 2147483647, text: '-2147483648 to 2147483647' };
/** ±2^63 (2^63 - 1024 is the largest double below 2^63): beyond it no int64 holds the value. */
const INT64 = { min: -(2 ** 63), max: 2 ** 63 - 1024, text: '-9223372036854775808 to 9223372036854775807' };
const FLOAT32_MAX = 3.4028234663852886e38;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 3339 date-time (strfmt's DateTime accepts this shape, with or without fractional seconds). */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** Why `value` does not satisfy `format`, or undefined when it does (or the format is not checked). */
export function formatViolation(format: string, value: unknown): string | undefined {
  if (typeof value === 'number') return numberFormatViolation(format, value);
  if (typeof value !== 'string') return undefined;
  switch (format) {
    case 'byte':
      return BASE64.test(value)
        ? undefined
        : `${JSON.stringify(short(value))} is not base64 (format byte): encode the bytes, or use stringData for a Secret`;
    case 'date-time':
      return DATE_TIME.test(value)
        ? undefined
        : `${JSON.stringify(short(value))} is not an RFC 3339 date-time (format date-time), e.g. 2026-01-31T12:00:00Z`;
    case 'ipv4':
      return isIPv4(value) ? undefined : `${JSON.stringify(short(value))} is not an IPv4 address (format ipv4)`;
    case 'ipv6':
      return isIPv6(value) ? undefined : `${JSON.stringify(short(value))} is not an IPv6 address (format ipv6)`;
    default:
      return undefined;
  }
}

function numberFormatViolation(format: string, value: number): string | undefined {
  const range = format === 'int32' ? INT32 : format === 'int64' ? INT64 : undefined;
  if (range && (value < range.min || value > range.max)) {
    return `${value} is out of the ${format} range (${range.text}): the API server rejects it`;
  }
  if (format === 'float' && Math.abs(value) > FLOAT32_MAX) return `${value} is out of the float (32-bit) range`;
  return undefined;
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
