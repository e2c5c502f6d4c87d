/** The rental processor: locations, prices, quotes, rentals, their charges and payments. */
import { loadConfig } from '../../platform/config/load';
import { rentalSweepVariables } from '../../platform/config/variables';
import { runContext } from '../runtime/run-context';
import { CatalogRepository } from './catalog.repository';
import { overdueRentalsTask } from './overdue.handlers';
import { rentalContextHandlers } from './rental-context.handlers';
import { RentalRepository } from './rental.repository';

runContext({
  service: 'rental',
  schema: 'rental',
  commandsTopic: 'rental.commands',
  eventsTopic: 'rental.events',
  // Its copies of vehicles and maintenance windows follow the fleet's and the workshop's events.
  subscriptions: ['fleet.events', 'maintenance.events'],
  handlers: () => rentalContextHandlers(new RentalRepository(), new CatalogRepository()),
  scheduledTasks: () => [overdueRentalsTask(new RentalRepository(), loadConfig(rentalSweepVariables).rentalOverdueSweepIntervalMs)],
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
