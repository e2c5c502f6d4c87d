import { createHash } from 'node:crypto';

/**
 * The journal's hash chain. Each entry's hash covers its own content, its sorted lines and the
 * hash of the entry before it, so changing, removing or reordering a posted row breaks every link
 * after it. The processor computes it when posting and `npm run reconcile -- --verify-chain`
 * recomputes it from the rows; both use this one serialisation.
 */
export const HASH_BYTES = 32;

/** The previous hash of the first entry. */
export const GENESIS_HASH = Buffer.alloc(HASH_BYTES);

export interface HashedLine {
  readonly accountId: string;
  readonly direction: string;
  /** A string, because bigint columns come back from PostgreSQL as strings. */
  readonly amountCents: number | string;
  readonly currency: string;
  readonly memo: string | null;
}

export interface HashedEntry {
  readonly id: string;
  readonly sequence: number | string;
  readonly externalRefType: string;
  readonly externalRefId: string;
  readonly entryDate: string;
  readonly description: string | null;
  readonly reversesEntryId: string | null;
  readonly lines: readonly HashedLine[];
}

/**
 * A canonical text of the entry: a JSON array in a fixed field order, numbers as decimal strings,
 * lines sorted by their own text so that the order rows come back in does not matter.
 */
export function canonicalEntry(entry: HashedEntry, previousHash: Buffer): string {
  const lines = entry.lines
    .map((line) => JSON.stringify([line.accountId, line.direction, String(line.amountCents), line.currency, line.memo]))
    .sort();
  return JSON.stringify([
    'journal-entry/1',
    String(entry.sequence),
    entry.id,
    entry.externalRefType,
    entry.externalRefId,
    entry.entryDate,
    entry.description,
    entry.reversesEntryId,
    previousHash.toString('hex'),
    lines,
  ]);
}

export function entryHash(entry: HashedEntry, previousHash: Buffer): Buffer {
  return createHash('sha256').update(canonicalEntry(entry, previousHash)).digest();
}
