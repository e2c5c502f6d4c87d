/** The fleet processor: vehicles, odometer readings and status history. */
import { runContext } from '../runtime/run-context';
import { fleetHandlers } from './fleet.handlers';
import { FleetRepository } from './fleet.repository';

runContext({
  service: 'fleet',
  schema: 'fleet',
  commandsTopic: 'fleet.commands',
  eventsTopic: 'fleet.events',
  // Rentals and maintenance jobs move a vehicle's status; the fleet follows their events.
  subscriptions: ['rental.events', 'maintenance.events'],
  handlers: () => fleetHandlers(new FleetRepository()),
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
