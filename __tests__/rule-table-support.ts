import type { Finding, Manifest } from 'voting-mesh';
import { analyzeMesh } from 'voting-mesh';

/** A case that breaks one thing in a correct fixture: its name, the mutation, the expected `code level object field` lines and, optionally, a message pattern. */
export type ReportedCase = [string, (objs: any[]) => void, string[], RegExp?];
/** A correct variant of the fixture: its name and the mutation. */
export type PassingCase = [string, (objs: any[]) => void];

/** The object of `kind` named `name` in a fixture. */
export const get = (objs: any[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);

/** Findings as `code level object field` lines, the form the cases name. */
export const codes = (findings: Finding[]) => findings.map((f) => `${f.code} ${f.level} ${f.object} ${f.field}`);

/**
 * Runs one analyzer rule group over a fixture table: each reported case must give exactly its
 * findings (and message), each passing variant none, so a rule that over- or under-reports fails.
 */
export function ruleTable(
  group: string,
  good: () => any[],
  reported: readonly ReportedCase[],
  passing: readonly PassingCase[],
): void {
  const run = (objs: any[]): Finding[] => analyzeMesh(objs as Manifest[], { only: [group] });
  test('GIVEN the correct fixture WHEN analyzed THEN nothing is reported', () => {
    expect(codes(run(good()))).toEqual([]);
  });
  test.each(reported as ReportedCase[])(
    'GIVEN %s WHEN analyzed THEN it is reported',
    (_, mutate, expected, ...rest) => {
      // A rest parameter: with a declared fourth parameter, jest would pass its `done` callback to rows without a message.
      const message = rest[0] as RegExp | undefined;
      const objs = good();
      mutate(objs);
      const findings = run(objs);
      expect(codes(findings)).toEqual(expected);
      if (message) expect(findings.map((f) => f.message).join('\n')).toMatch(message);
    },
  );
  test.each(passing as PassingCase[])('GIVEN %s WHEN analyzed THEN nothing is reported', (_, mutate) => {
    const objs = good();
    mutate(objs);
    expect(codes(run(objs))).toEqual([]);
  });
}
