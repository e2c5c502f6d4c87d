import type { Knex } from 'knex';
import { entryHash, GENESIS_HASH, type HashedLine } from '../../processors/ledger/entry-hash';

export interface BrokenLink {
  readonly sequence: number;
  readonly entryId: string | null;
  readonly problem: string;
}

export interface ChainReport {
  readonly entriesChecked: number;
  /** The first link that does not hold; undefined when the whole chain does. */
  readonly broken: BrokenLink | undefined;
}

const PAGE_SIZE = 1_000;

interface EntryRow {
  id: string;
  sequence: string;
  previous_hash: Buffer;
  entry_hash: Buffer;
  external_ref_type: string;
  external_ref_id: string;
  entry_date: string;
  description: string | null;
  reverses_entry_id: string | null;
}

/**
 * Recomputes the hash chain from the rows, in sequence order, a page at a time: each entry must
 * follow the one before it (sequence + 1, its previous hash that entry's hash) and hash to what it
 * says, and the chain head must name the last entry. Reports the first link that does not hold,
 * since everything after a broken link is suspect anyway.
 */
export async function verifyChain(database: Knex): Promise<ChainReport> {
  let expectedSequence = 1;
  let previousHash: Buffer = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const entries = await database('accounting.journal_entries')
      .select<EntryRow[]>('id', 'sequence', 'previous_hash', 'entry_hash', 'external_ref_type', 'external_ref_id', database.raw('entry_date::text AS entry_date'), 'description', 'reverses_entry_id')
      .where('sequence', '>=', expectedSequence)
      .orderBy('sequence')
      .limit(PAGE_SIZE);
    if (entries.length === 0) break;
    const lineRows = await database('accounting.journal_lines')
      .select<(HashedLine & { journal_entry_id: string })[]>('journal_entry_id', 'account_id as accountId', 'direction', database.raw('amount_cents::text AS "amountCents"'), 'currency', 'memo')
      .whereIn(
        'journal_entry_id',
        entries.map((entry) => entry.id),
      );
    const linesOf = new Map<string, HashedLine[]>();
    for (const line of lineRows) linesOf.set(line.journal_entry_id, [...(linesOf.get(line.journal_entry_id) ?? []), line]);
    for (const entry of entries) {
      const sequence = Number(entry.sequence);
      const broken = (problem: string): ChainReport => ({ entriesChecked: checked, broken: { sequence: expectedSequence, entryId: entry.id, problem } });
      if (sequence !== expectedSequence) return broken(`entry ${expectedSequence} is missing: the next entry has sequence ${sequence}`);
      if (!entry.previous_hash.equals(previousHash)) return broken(`entry ${sequence} (${entry.id}) does not link to the entry before it: its previous hash differs from that entry's hash`);
      const recomputed = entryHash(
        {
          id: entry.id,
          sequence,
          externalRefType: entry.external_ref_type,
          externalRefId: entry.external_ref_id,
          entryDate: entry.entry_date,
          description: entry.description,
          reversesEntryId: entry.reverses_entry_id,
          lines: linesOf.get(entry.id) ?? [],
        },
        previousHash,
      );
      if (!recomputed.equals(entry.entry_hash)) return broken(`entry ${sequence} (${entry.id}) was changed after it was posted: its content no longer hashes to its entry hash`);
      previousHash = entry.entry_hash;
      expectedSequence += 1;
      checked += 1;
    }
  }
  const head: { sequence: string; entry_hash: Buffer } | undefined = await database('accounting.chain_head').first('sequence', 'entry_hash');
  if (head === undefined || Number(head.sequence) !== checked || !head.entry_hash.equals(previousHash)) {
    return { entriesChecked: checked, broken: { sequence: checked + 1, entryId: null, problem: `the chain head says ${head?.sequence ?? 'nothing'}, but the chain ends at entry ${checked}: the last entries were removed, or the head was moved` } };
  }
  return { entriesChecked: checked, broken: undefined };
}
