import { randomBytes } from 'node:crypto';

let sequence = 0;

/**
 * Hash-chain columns for a journal entry a read test writes by hand: a fresh sequence and random
 * hashes, unique as the constraints ask. Such entries do not form a verifiable chain; tests of the
 * chain itself post through the ledger (test/int/db/ledger-postings.int.test.ts).
 */
export function handWrittenChainColumns(): { sequence: number; previous_hash: Buffer; entry_hash: Buffer } {
  sequence += 1;
  return { sequence, previous_hash: randomBytes(32), entry_hash: randomBytes(32) };
}
