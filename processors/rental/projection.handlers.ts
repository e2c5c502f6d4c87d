import type { CommandHandler } from '../runtime/command-handler';
import type { CatalogRepository } from './catalog.repository';
import {
  decideMaintenanceFact,
  decideVehicleFact,
  parseMaintenanceCancelled,
  parseMaintenanceCompleted,
  parseMaintenanceScheduled,
  parseMaintenanceStarted,
  parseVehicleRegistered,
  parseVehicleStateChanged,
  parseVehicleUpdated,
  projectMaintenance,
  projectVehicle,
  type MaintenanceFact,
  type VehicleFact,
  type VehicleFactState,
} from './projections';

/**
 * The fleet's and the maintenance context's events the rental context copies. The copy's row is
 * locked while it is read, and read again when it is written, so the newest fact wins however
 * the events interleave.
 */
export function projectionHandlers(catalog: CatalogRepository): CommandHandler[] {
  const vehicleFact = (commandType: string, parse: (value: unknown) => VehicleFact): CommandHandler<VehicleFact, VehicleFactState> => ({
    commandType,
    source: 'event',
    parse,
    load: async (transaction, fact) => ({ vehicle: await catalog.findVehicle(transaction, fact.vehicleId, true) }),
    decide: (state, fact) => decideVehicleFact(state, fact),
    apply: async (transaction, _decision, fact, context) => {
      const next = projectVehicle(await catalog.findVehicle(transaction, fact.vehicleId, true), fact, context.metadata.messageId);
      if (next !== undefined) await catalog.saveVehicle(transaction, next);
      return undefined;
    },
  });

  const maintenanceFact = (commandType: string, parse: (value: unknown) => MaintenanceFact): CommandHandler<MaintenanceFact, undefined> => ({
    commandType,
    source: 'event',
    parse,
    load: () => Promise.resolve(undefined),
    decide: (_state, fact) => decideMaintenanceFact(fact),
    apply: async (transaction, _decision, fact, context) => {
      const occurredAt = new Date(context.metadata.occurredAt);
      const next = projectMaintenance(await catalog.findWindow(transaction, fact.jobId), fact, context.metadata.messageId, Number.isNaN(occurredAt.getTime()) ? context.now : occurredAt);
      if (next !== undefined) await catalog.saveWindow(transaction, next);
      return undefined;
    },
  });

  return [
    vehicleFact('fleet.VehicleRegistered', parseVehicleRegistered),
    vehicleFact('fleet.VehicleUpdated', parseVehicleUpdated),
    vehicleFact('fleet.VehicleStateChanged', parseVehicleStateChanged),
    maintenanceFact('maintenance.MaintenanceScheduled', parseMaintenanceScheduled),
    maintenanceFact('maintenance.MaintenanceStarted', parseMaintenanceStarted),
    maintenanceFact('maintenance.MaintenanceCompleted', parseMaintenanceCompleted),
    maintenanceFact('maintenance.MaintenanceCancelled', parseMaintenanceCancelled),
  ];
}
