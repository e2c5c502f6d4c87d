/** The reporting processor: read models of the others' facts, and reports computed from them as append-only snapshots. */
import { runContext } from '../runtime/run-context';
import { reportingHandlers } from './reporting.handlers';
import { ReportingRepository } from './reporting.repository';

runContext({
  service: 'reporting',
  schema: 'reporting',
  commandsTopic: 'reporting.commands',
  eventsTopic: 'reporting.events',
  // Every fact a report is computed from arrives on the other contexts' events.
  subscriptions: ['fleet.events', 'rental.events', 'maintenance.events', 'ledger.events'],
  handlers: () => reportingHandlers(new ReportingRepository()),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
