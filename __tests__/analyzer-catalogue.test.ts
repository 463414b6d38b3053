import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { analyzeMesh, CATALOGUE, ENTRIES } from '../lib/analysis/analyzer';
import { placeholdersOf, renderMessage, type MessageTemplate } from '../lib/analysis/analyzer/define-code';
import type { Manifest } from '../lib/analysis/manifest';
import { readYamlFile } from '../lib/release/yaml-reader';
import { analyzerCodesHelp, analyzerCodesMarkdown, CODES_DOC } from '../lib/analysis/analyzer/codes-table';

const TABLE = join(__dirname, '..', '..', 'shared', 'istio-1.30.3-analyzer-tests');
const templates = ENTRIES.flatMap((e) => Object.values(e.messages) as MessageTemplate<any>[]);

/** A template as a pattern its messages match: the text literally, each placeholder any text. */
function pattern(t: MessageTemplate<any>): RegExp {
  const parts = t.template.split(/\{\w+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*')}$`);
}

describe('the analyzer catalogue', () => {
  test.each(templates.map((t) => [`${t.code}.${t.variant}`, t] as const))(
    'GIVEN %s WHEN rendered with its example THEN every placeholder is filled by its parameter',
    (_, t) => {
      expect([...new Set(placeholdersOf(t.template))].sort()).toEqual(Object.keys(t.example).sort());
      const rendered = renderMessage(t, t.example);
      expect(rendered).not.toMatch(/\{\w+\}/);
      for (const value of Object.values(t.example)) expect(rendered).toContain(String(value));
      expect(rendered).toMatch(pattern(t));
    },
  );

  test('GIVEN every entry THEN its code is unique and each template knows its code and level', () => {
    expect(CATALOGUE.size).toBe(ENTRIES.length);
    for (const e of ENTRIES)
      for (const t of Object.values(e.messages)) expect(`${t.code} ${t.level}`).toBe(`${e.code} ${e.level}`);
  });

  test("GIVEN an entry claiming an Istio equivalent THEN Istio's messages.yaml has that code with that name and the entry's level", () => {
    const istio = new Map<string, { name: string; level: string }>(
      (parse(readFileSync(join(TABLE, 'messages.yaml'), 'utf8')).messages as any[]).map((m) => [m.code, m]),
    );
    const master: Record<string, { name: string; level: string }> = JSON.parse(
      readFileSync(join(__dirname, 'fixtures', 'istio-master-analyzer', 'cases.json'), 'utf8'),
    ).messages;
    const claimed = ENTRIES.filter((e) => e.istio);
    expect(claimed.length).toBeGreaterThan(50);
    for (const e of claimed) {
      const upstream = e.istio!.version === 'master' ? master[e.istio!.code] : istio.get(e.istio!.code);
      expect(`${e.code}: ${e.istio!.code} ${upstream?.name} ${upstream?.level}`).toBe(
        `${e.code}: ${e.istio!.code} ${e.istio!.name} ${e.level}`,
      );
    }
    // Every IST code is Istio's own.
    for (const e of ENTRIES.filter((x) => x.code.startsWith('IST'))) expect(e.istio?.code).toBe(e.code);
  });

  test("GIVEN every input of Istio's test table and the committed stages WHEN analyzed THEN each finding is a catalogue code with a message of one of its templates", () => {
    const inputs = [
      ...new Set(
        (JSON.parse(readFileSync(join(TABLE, 'cases.json'), 'utf8')).cases as any[]).flatMap(
          (c) => c.inputFiles as string[],
        ),
      ),
    ].map((f) => readYamlFile(join(TABLE, 'testdata', f)) as Manifest[]);
    const dist = join(__dirname, '..', 'dist');
    const stages = readdirSync(dist)
      .filter((f) => f.endsWith('.k8s.yaml'))
      .map((f) => readYamlFile(join(dist, f)) as Manifest[]);
    const findings = [...inputs, ...stages].flatMap((objects) => analyzeMesh(objects));
    expect(findings.length).toBeGreaterThan(100);
    const strays = findings.filter(
      (f) => !Object.values(CATALOGUE.get(f.code)?.messages ?? {}).some((t) => pattern(t).test(f.message)),
    );
    expect(strays.map((f) => `${f.code} ${f.message}`)).toEqual([]);
    // Most codes are exercised by this corpus; the rule tables of the other suites cover the rest.
    expect(new Set(findings.map((f) => f.code)).size).toBeGreaterThan(40);
  });
});

describe('the generated codes table and --help', () => {
  test('GIVEN the catalogue WHEN the table is generated THEN it has one row and one section per entry, with every template', () => {
    const doc = analyzerCodesMarkdown();
    const rows = doc.split('\n').filter((l) => /^\| \[(IST|VM)\d{4}\]/.test(l));
    expect(rows.map((r) => /\[(\w+)\]/.exec(r)![1])).toEqual(ENTRIES.map((e) => e.code));
    for (const e of ENTRIES) {
      expect(doc).toContain(`## ${e.code}\n\n**${e.name}** (${e.level}).`);
      for (const t of Object.values(e.messages)) expect(doc).toContain(t.template);
    }
  });

  test('GIVEN the committed docs/analyzer-codes.md THEN it is what the catalogue generates', () => {
    expect(readFileSync(join(__dirname, '..', CODES_DOC), 'utf8')).toBe(analyzerCodesMarkdown());
  });

  test('GIVEN the help lines THEN each code appears once, under its level', () => {
    const help = analyzerCodesHelp();
    for (const e of ENTRIES) {
      const level = help.findIndex((l) => l.trim().startsWith(`${e.level}:`));
      const at = help.findIndex((l) => l.split(' ').includes(e.code));
      expect(at).toBeGreaterThanOrEqual(level);
      expect(
        help
          .join(' ')
          .split(' ')
          .filter((w) => w === e.code),
      ).toHaveLength(1);
    }
  });
});
