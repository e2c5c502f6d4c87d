import { postingFor, type PostingLine } from '../../processors/ledger/posting-rules';
import { sameLines } from '../../processors/ledger/same-lines';
import { MANUAL_ENTRY, REVERSAL } from '../../processors/ledger/journal-commands';
import type { LedgerEntry } from './ledger-entries';
import type { SourceFact } from './source-facts';

export type Discrepancy =
  /** A fact that books money has no entry. */
  | { readonly kind: 'missing'; readonly externalRefType: string; readonly externalRefId: string; readonly expected: readonly PostingLine[] }
  /** An entry whose lines are not what the fact books. */
  | { readonly kind: 'mismatched'; readonly externalRefType: string; readonly externalRefId: string; readonly entryId: string; readonly expected: readonly PostingLine[]; readonly posted: readonly PostingLine[] }
  /** An entry for a fact that does not exist or books nothing: posted twice under another key, or by mistake. */
  | { readonly kind: 'unexpected'; readonly externalRefType: string; readonly externalRefId: string; readonly entryId: string; readonly posted: readonly PostingLine[] }
  /** A fact's entry that a reversal took back (and nothing reversed that reversal): the books no longer carry the fact. */
  | { readonly kind: 'reversed'; readonly externalRefType: string; readonly externalRefId: string; readonly entryId: string; readonly reversalId: string };

/** The accountant's own entries: they book no fact of another context, so no fact expects them. */
const ACCOUNTANT_ENTRIES: ReadonlySet<string> = new Set([MANUAL_ENTRY, REVERSAL]);

/**
 * The reversal that stands against each entry: an entry's reversal counts unless it was itself
 * reversed (a reversal of a reversal puts the original back).
 */
function standingReversals(entries: Iterable<LedgerEntry>): Map<string, string> {
  const reversalOf = new Map<string, string>();
  for (const entry of entries) if (entry.reversesEntryId !== null) reversalOf.set(entry.reversesEntryId, entry.id);
  const standing = new Map<string, string>();
  for (const [entryId, reversalId] of reversalOf) if (!standsReversed(reversalId, reversalOf)) standing.set(entryId, reversalId);
  return standing;
}

/** Whether an entry is taken back: its chain of reversals (of reversals) has an odd length. */
function standsReversed(entryId: string, reversalOf: ReadonlyMap<string, string>): boolean {
  let links = 0;
  for (let next = reversalOf.get(entryId); next !== undefined; next = reversalOf.get(next)) links += 1;
  return links % 2 === 1;
}

const keyOf = (externalRefType: string, externalRefId: string) => `${externalRefType}/${externalRefId}`;

/**
 * The ledger against the facts: what each fact should have posted (by the same posting rules the
 * processor uses), compared with the entry its external reference names.
 */
export function compareLedger(facts: readonly SourceFact[], entries: ReadonlyMap<string, LedgerEntry>): Discrepancy[] {
  const discrepancies: Discrepancy[] = [];
  const accounted = new Set<string>();
  const reversals = standingReversals(entries.values());
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
    const reversalId = reversals.get(entry.id);
    if (reversalId !== undefined) discrepancies.push({ kind: 'reversed', externalRefType: posting.externalRefType, externalRefId: posting.externalRefId, entryId: entry.id, reversalId });
  }
  for (const [key, entry] of entries) {
    if (!accounted.has(key) && !ACCOUNTANT_ENTRIES.has(entry.externalRefType)) discrepancies.push({ kind: 'unexpected', externalRefType: entry.externalRefType, externalRefId: entry.externalRefId, entryId: entry.id, posted: entry.lines });
  }
  return discrepancies;
}
