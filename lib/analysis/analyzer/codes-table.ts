import { ENTRIES } from './catalogue';
import type { CatalogueEntry, Level } from './define-code';
import { renderMessage } from './define-code';

/** Where the generated table lives (scripts/gen-analyzer-codes.mjs writes it; npm run check compares it). */
export const CODES_DOC = 'docs/analyzer-codes.md';

const cell = (text: string) => text.replace(/\|/g, '\\|');
/** Inline code that may itself hold a backtick (`image: auto`). */
const code = (text: string) => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

/** docs/analyzer-codes.md: a summary table of every catalogue code, then each code's templates with an example. */
export function analyzerCodesMarkdown(entries: readonly CatalogueEntry[] = ENTRIES): string {
  const lines = [
    '# Analyzer codes',
    '',
    '<!-- Generated from lib/analysis/analyzer/catalogue.ts by `node scripts/gen-analyzer-codes.mjs`; `npm run check` fails when it is stale. Do not edit. -->',
    '',
    "Every code `validate` and synth report: Istio's codes at Istio 1.30.3's levels (`pkg/config/analysis/msg/messages.yaml`),",
    "and the project's VM codes. Error fails synth; Warning fails it unless accepted (`acceptedFindings`); Info never fails.",
    '',
    '| code | name | level | Istio equivalent | rule (Istio analyzer) | reads |',
    '|---|---|---|---|---|---|',
    ...entries.map(
      (e) =>
        `| [${e.code}](#${e.code.toLowerCase()}) | ${e.name} | ${e.level} | ${e.istio ? `${e.istio.code} ${e.istio.name}${e.istio.version === 'master' ? ' (Istio master)' : ''}` : '—'} | ${cell(e.analyzer)} | ${e.reads.join(', ')} |`,
    ),
    '',
  ];
  for (const e of entries) {
    lines.push(`## ${e.code}`, '', `**${e.name}** (${e.level}). ${e.description}`, '');
    if (e.istio?.note) lines.push(`Istio: ${e.istio.note}.`, '');
    for (const t of Object.values(e.messages)) {
      lines.push(`- \`${t.variant}\`: ${code(t.template)}`, `  - e.g. ${renderMessage(t, t.example)}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** `validate --help`: the codes by level, wrapped, with a pointer to the table. */
export function analyzerCodesHelp(entries: readonly CatalogueEntry[] = ENTRIES, width = 96): string[] {
  const out = [`Codes (each explained in ${CODES_DOC}):`];
  for (const level of ['Error', 'Warning', 'Info'] as Level[]) {
    let line = `  ${level}:`;
    for (const e of entries.filter((x) => x.level === level)) {
      if (line.length + e.code.length + 1 > width) {
        out.push(line);
        line = '   ';
      }
      line += ` ${e.code}`;
    }
    out.push(line);
  }
  return out;
}
