/** The maintenance processor: workshop jobs, their parts and costs, service plans and reminders. */
import { loadConfig } from '../../platform/config/load';
import { maintenanceSweepVariables } from '../../platform/config/variables';
import { runContext } from '../runtime/run-context';
import { maintenanceHandlers } from './maintenance.handlers';
import { MaintenanceRepository } from './maintenance.repository';
import { serviceDueTask } from './service-due.handlers';

runContext({
  service: 'maintenance',
  schema: 'maintenance',
  commandsTopic: 'maintenance.commands',
  eventsTopic: 'maintenance.events',
  // The workshop follows vehicles (class, status, odometer) from the fleet's events.
  subscriptions: ['fleet.events'],
  handlers: () => maintenanceHandlers(new MaintenanceRepository()),
  scheduledTasks: () => [serviceDueTask(new MaintenanceRepository(), loadConfig(maintenanceSweepVariables).maintenanceServiceDueSweepIntervalMs)],
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
