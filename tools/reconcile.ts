/**
 * `npm run reconcile [-- --verify-chain]`, against DATABASE_ADMIN_URL (the one login that reads
 * every context's schema). Without an option it compares the ledger with the facts of the rental
 * and maintenance contexts and lists every missing, mismatched or unexpected posting, then each
 * posted fact's invoice against what the fact charges (missing, mismatched, unexpected, or a
 * rental whose discounts exceed its charges and so has none); with
 * --verify-chain it recomputes the journal's hash chain and names the first broken link.
 *
 * Exit codes: 0 the ledger agrees, 1 a runtime failure, 2 a command line the tool refuses, 3
 * discrepancies or a broken chain (listed on stdout, one line each).
 */
import knex from 'knex';
import { knexConfig } from '../knexfile';
import type { PostingLine } from '../processors/ledger/posting-rules';
import { compareLedger } from './reconcile/compare';
import { compareInvoices } from './reconcile/compare-invoices';
import { readInvoices, readLedgerEntries } from './reconcile/ledger-entries';
import { readSourceFacts } from './reconcile/source-facts';
import { verifyChain } from './reconcile/verify-chain';

const USAGE = 'usage: npm run reconcile [-- --verify-chain]';
const DISCREPANCY_EXIT_CODE = 3;

const linesText = (lines: readonly PostingLine[]) => lines.map((line) => `${line.direction === 'debit' ? 'Dr' : 'Cr'} ${line.account} ${line.amountMinor} ${line.currency}`).join(', ');

async function main(): Promise<number> {
  const options = process.argv.slice(2);
  if (options.some((option) => option !== '--verify-chain')) {
    console.error(USAGE);
    return 2;
  }
  const database = knex(knexConfig());
  try {
    if (options.includes('--verify-chain')) {
      const report = await verifyChain(database);
      if (report.broken === undefined) {
        console.log(`chain: ${report.entriesChecked} entries, every link holds`);
        return 0;
      }
      console.log(`chain: broken at sequence ${report.broken.sequence}: ${report.broken.problem}`);
      console.log(`chain: ${report.entriesChecked} entries before it hold`);
      return DISCREPANCY_EXIT_CODE;
    }
    const facts = await readSourceFacts(database);
    const entries = await readLedgerEntries(database);
    const discrepancies = compareLedger(facts, entries);
    for (const discrepancy of discrepancies) {
      const reference = `${discrepancy.externalRefType} ${discrepancy.externalRefId}`;
      switch (discrepancy.kind) {
        case 'missing':
          console.log(`missing     ${reference}: expected ${linesText(discrepancy.expected)}`);
          break;
        case 'mismatched':
          console.log(`mismatched  ${reference}: entry ${discrepancy.entryId} posted ${linesText(discrepancy.posted)}; expected ${linesText(discrepancy.expected)}`);
          break;
        case 'reversed':
          console.log(`reversed    ${reference}: entry ${discrepancy.entryId} was reversed by entry ${discrepancy.reversalId}; the books no longer carry this fact`);
          break;
        case 'unexpected':
          console.log(`unexpected  ${reference}: entry ${discrepancy.entryId} posted ${linesText(discrepancy.posted)} for no fact that books money`);
          break;
      }
    }
    const invoiceDiscrepancies = compareInvoices(facts, await readInvoices(database), new Set(entries.keys()));
    for (const discrepancy of invoiceDiscrepancies) {
      const reference = `${discrepancy.externalRefType} ${discrepancy.externalRefId}`;
      switch (discrepancy.kind) {
        case 'invoice_missing':
          console.log(`no invoice  ${reference}: expected an invoice of ${discrepancy.expectedTotalMinor} ${discrepancy.currency}`);
          break;
        case 'invoice_mismatched':
          console.log(`invoice     ${reference}: ${discrepancy.invoiceNumber} charges ${discrepancy.invoiced.totalMinor} ${discrepancy.invoiced.currency}; expected ${discrepancy.expected.totalMinor} ${discrepancy.expected.currency}`);
          break;
        case 'invoice_unexpected':
          console.log(`invoice     ${reference}: ${discrepancy.invoiceNumber} for a fact that charges nothing`);
          break;
        case 'not_invoiced':
          console.log(`uninvoiced  ${reference}: discounts exceed the charges (${discrepancy.totalMinor} ${discrepancy.currency}); no invoice can carry it, the customer is owed a credit`);
          break;
      }
    }
    const total = discrepancies.length + invoiceDiscrepancies.length;
    console.log(`reconcile: ${total} discrepanc${total === 1 ? 'y' : 'ies'}`);
    return total === 0 ? 0 : DISCREPANCY_EXIT_CODE;
  } finally {
    await database.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`reconcile: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
