import type { AcceptedFinding } from '../../model/application-spec';
import type { Finding } from './context';

/** Findings sorted by what synth does with them under an allow-list. */
export interface FindingAcceptance {
  /** Errors, and Warnings no entry accepts: they fail synth. */
  readonly failing: readonly Finding[];
  /** Warnings an entry accepts, with the entry. */
  readonly accepted: readonly { readonly finding: Finding; readonly entry: AcceptedFinding }[];
  /** Info findings: printed, never failing. */
  readonly info: readonly Finding[];
  /** Entries that accept no finding (stale), or that give no reason: they fail synth too. */
  readonly invalidEntries: readonly { readonly entry: AcceptedFinding; readonly problem: string }[];
}

/**
 * Applies an application's allow-list: an Error always fails, a Warning fails unless an entry
 * with its code matches its object (`Kind namespace/name`, `*` standing for any characters),
 * Info never fails. Entries without a reason, or that accept nothing, are reported.
 */
export function acceptFindings(
  findings: readonly Finding[],
  entries: readonly AcceptedFinding[] = [],
): FindingAcceptance {
  const failing: Finding[] = [];
  const accepted: { finding: Finding; entry: AcceptedFinding }[] = [];
  const info: Finding[] = [];
  const used = new Set<AcceptedFinding>();
  for (const f of findings) {
    if (f.level === 'Info') {
      info.push(f);
      continue;
    }
    const entry =
      f.level === 'Warning'
        ? entries.find((e) => e.code === f.code && globMatches(e.object, f.object) && e.reason?.trim())
        : undefined;
    if (entry) {
      used.add(entry);
      accepted.push({ finding: f, entry });
    } else {
      failing.push(f);
    }
  }
  const invalidEntries = entries.flatMap((entry) => {
    if (!entry.reason?.trim())
      return [
        {
          entry,
          problem: `acceptedFindings entry ${entry.code} ${entry.object} has no reason: say why the warning is accepted`,
        },
      ];
    if (!used.has(entry))
      return [
        {
          entry,
          problem: `acceptedFindings entry ${entry.code} ${entry.object} accepts no warning of this stage set: remove it or fix its code/object`,
        },
      ];
    return [];
  });
  return { failing, accepted, info, invalidEntries };
}

/** Whether `text` matches `pattern`, where `*` stands for any run of characters. */
export function globMatches(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === text;
  if (!text.startsWith(parts[0]) || !text.endsWith(parts[parts.length - 1])) return false;
  let at = parts[0].length;
  for (const part of parts.slice(1, -1)) {
    const found = text.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return at <= text.length - parts[parts.length - 1].length;
}
