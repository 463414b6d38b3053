/**
 * Envoy's custom header value syntax (source/common/router/header_parser.cc), as Istio's
 * ValidateHTTPHeaderValue checks it: literal text, `%%` for a percent sign, and `%VAR%` or
 * `%VAR(["arg", ...])%` expressions; no control characters. Returns the problem, if any.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;

type State =
  'literal' | 'name' | 'expectArray' | 'expectString' | 'string' | 'delimiterOrEnd' | 'argsEnd' | 'variableEnd';

export function headerValueProblem(value: string): string | undefined {
  if (CONTROL.test(value)) return `header value configuration ${value} is invalid`;
  const problem = parseProblem(value);
  return problem ? `header value configuration: invalid header configuration. ${problem}` : undefined;
}

function parseProblem(value: string): string | undefined {
  let state: State = 'literal';
  for (let pos = 0; pos < value.length; pos++) {
    const ch = value[pos];
    const hasNext = pos + 1 < value.length;
    const space = ch === ' ';
    switch (state) {
      case 'literal':
        if (ch !== '%') break;
        if (!hasNext) return 'Un-escaped %';
        if (value[pos + 1] === '%') pos++;
        else state = 'name';
        break;
      case 'name':
        if (ch === '%') state = 'literal';
        else if (ch === '(') state = 'expectArray';
        break;
      case 'expectArray':
        if (ch === '[') state = 'expectString';
        else if (!space) state = 'string';
        break;
      case 'delimiterOrEnd':
        if (ch === ',') state = 'expectString';
        else if (ch === ']') state = 'argsEnd';
        else if (!space) return "Expecting ',', ']', or whitespace";
        break;
      case 'expectString':
        if (ch === '"') state = 'string';
        else if (!space) return "Expecting '\"'";
        break;
      case 'string':
        if (ch === '\\') {
          if (!hasNext) return 'Un-terminated backslash in JSON string';
          pos++;
        } else if (ch === ')') state = 'variableEnd';
        else if (ch === '"') state = 'delimiterOrEnd';
        break;
      case 'argsEnd':
        if (ch === ')') state = 'variableEnd';
        else if (!space) return "Expecting ')' or whitespace";
        break;
      case 'variableEnd':
        if (ch === '%') state = 'literal';
        else if (!space) return "Expecting '%' or whitespace after";
        break;
    }
  }
  return state === 'literal' ? undefined : `Un-terminated variable expression '${value}'`;
}
