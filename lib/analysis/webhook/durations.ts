/** A protobuf JSON duration (`1.5s`) in nanoseconds; undefined when it is not one (the schema reports that). */
export function durationNanos(d: unknown): number | undefined {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(String(d ?? ''));
  if (!m) return undefined;
  const nanos = Number(m[2]) * 1e9 + Number((m[3] ?? '').padEnd(9, '0') || '0');
  return m[1] ? -nanos : nanos;
}

/** agent.ValidateDuration: at least 1ms, in whole milliseconds. */
export function durationProblem(d: unknown): string | undefined {
  const ns = durationNanos(d);
  if (ns === undefined) return undefined;
  if (ns < 1e6) return 'duration must be greater than 1ms';
  if (ns % 1e6 !== 0) return 'only durations to ms precision are supported';
  return undefined;
}
