import type { Knex } from 'knex';
import { runStatements } from './support/sql';

/**
 * The ledger posts a batch's entries with one statement and then moves the chain head once, to
 * the batch's last entry. The head may now move further than the next sequence, but only onto
 * the chain: every sequence it passes over must be an entry already written, and the one it lands
 * on must carry the hash it is given. A one-step move stays allowed as before (an entry and the
 * move written by one statement cannot see each other); it never goes back.
 */
const FORWARD_ONE_STEP = `CREATE OR REPLACE FUNCTION accounting.chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.sequence <> OLD.sequence + 1 THEN
        RAISE EXCEPTION 'the chain head moves from % to %; it only moves to the next sequence', OLD.sequence, NEW.sequence
          USING ERRCODE = 'check_violation', CONSTRAINT = 'chain_head_forward';
      END IF;
      RETURN NEW;
    END
    $$`;

export async function up(knex: Knex): Promise<void> {
  await runStatements(knex, [
    `CREATE OR REPLACE FUNCTION accounting.chain_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.sequence = OLD.sequence + 1 THEN
        RETURN NEW;
      END IF;
      IF NEW.sequence > OLD.sequence + 1
         AND (SELECT count(*) FROM accounting.journal_entries WHERE sequence > OLD.sequence AND sequence <= NEW.sequence) = NEW.sequence - OLD.sequence
         AND EXISTS (SELECT 1 FROM accounting.journal_entries WHERE sequence = NEW.sequence AND entry_hash = NEW.entry_hash) THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'the chain head moves from % to %; it moves forward only, onto entries that are written', OLD.sequence, NEW.sequence
        USING ERRCODE = 'check_violation', CONSTRAINT = 'chain_head_forward';
    END
    $$`,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, [FORWARD_ONE_STEP]);
}
