/** The ledger processor: books rental and maintenance facts as double-entry journal entries. */
import { runContext } from '../runtime/run-context';
import { ledgerHandlers } from './ledger.handlers';
import { LedgerRepository } from './ledger.repository';

runContext({
  service: 'ledger',
  schema: 'accounting',
  commandsTopic: 'ledger.commands',
  eventsTopic: 'ledger.events',
  // The accountant's commands arrive on ledger.commands; the facts that move money on the others' events.
  subscriptions: ['rental.events', 'maintenance.events'],
  handlers: () => ledgerHandlers(new LedgerRepository()),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
