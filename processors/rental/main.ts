/** The rental processor: locations, prices, quotes, rentals, their charges and payments. */
import { runContext } from '../runtime/run-context';
import { CatalogRepository } from './catalog.repository';
import { overdueRentalsTask } from './overdue.handlers';
import { overdueSweepIntervalMs } from './overdue';
import { rentalContextHandlers } from './rental-context.handlers';
import { RentalRepository } from './rental.repository';

const sweepIntervalMs = overdueSweepIntervalMs(process.env.RENTAL_OVERDUE_SWEEP_INTERVAL_MS);

runContext({
  service: 'rental',
  schema: 'rental',
  commandsTopic: 'rental.commands',
  eventsTopic: 'rental.events',
  // Its copies of vehicles and maintenance windows follow the fleet's and the workshop's events.
  subscriptions: ['fleet.events', 'maintenance.events'],
  handlers: () => rentalContextHandlers(new RentalRepository(), new CatalogRepository()),
  scheduledTasks: () => [overdueRentalsTask(new RentalRepository(), sweepIntervalMs)],
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
