import { postingFor, type PostedEntry, type PostingLine } from '../../processors/ledger/posting-rules';
import { sameLines } from '../../processors/ledger/same-lines';
import type { SourceFact } from './source-facts';

export type Discrepancy =
  /** A fact that books money has no entry. */
  | { readonly kind: 'missing'; readonly externalRefType: string; readonly externalRefId: string; readonly expected: readonly PostingLine[] }
  /** An entry whose lines are not what the fact books. */
  | { readonly kind: 'mismatched'; readonly externalRefType: string; readonly externalRefId: string; readonly entryId: string; readonly expected: readonly PostingLine[]; readonly posted: readonly PostingLine[] }
  /** An entry for a fact that does not exist or books nothing: posted twice under another key, or by mistake. */
  | { readonly kind: 'unexpected'; readonly externalRefType: string; readonly externalRefId: string; readonly entryId: string; readonly posted: readonly PostingLine[] };

const keyOf = (externalRefType: string, externalRefId: string) => `${externalRefType}/${externalRefId}`;

/**
 * The ledger against the facts: what each fact should have posted (by the same posting rules the
 * processor uses), compared with the entry its external reference names.
 */
export function compareLedger(facts: readonly SourceFact[], entries: ReadonlyMap<string, PostedEntry & { externalRefType: string; externalRefId: string }>): Discrepancy[] {
  const discrepancies: Discrepancy[] = [];
  const accounted = new Set<string>();
  for (const { event, facts: known } of facts) {
    const outcome = postingFor(event, known);
    if (outcome.kind !== 'post') continue;
    const { posting } = outcome;
    const key = keyOf(posting.externalRefType, posting.externalRefId);
    const entry = entries.get(key);
    if (entry === undefined) {
      discrepancies.push({ kind: 'missing', externalRefType: posting.externalRefType, externalRefId: posting.externalRefId, expected: posting.lines });
      continue;
    }
    accounted.add(key);
    if (!sameLines(entry.lines, posting.lines)) {
      discrepancies.push({ kind: 'mismatched', externalRefType: posting.externalRefType, externalRefId: posting.externalRefId, entryId: entry.id, expected: posting.lines, posted: entry.lines });
    }
  }
  for (const [key, entry] of entries) {
    if (!accounted.has(key)) discrepancies.push({ kind: 'unexpected', externalRefType: entry.externalRefType, externalRefId: entry.externalRefId, entryId: entry.id, posted: entry.lines });
  }
  return discrepancies;
}
