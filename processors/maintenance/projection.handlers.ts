import type { CommandHandler } from '../runtime/command-handler';
import {
  decideOdometerRecorded,
  followed,
  parseOdometerReadingVoided,
  parseOdometerRecorded,
  parseVehicleRegistered,
  parseVehicleStateChanged,
  parseVehicleUpdated,
  unknownVehicle,
  type OdometerReadingVoided,
  type OdometerRecorded,
  type OdometerState,
  type VehicleClassChanged,
  type VehicleRegistered,
  type VehicleStatusChanged,
} from './fleet-projection';
import type { MaintenanceRepository } from './maintenance.repository';
import { SERVICE_DUE, type DueReason } from './service-due';
import { noticeOf } from './service-due.handlers';

interface Known {
  readonly known: boolean;
}

/** The fleet's events the workshop follows (see fleet-projection.ts); each handler locks the vehicle's row first. */
export function projectionHandlers(repository: MaintenanceRepository): CommandHandler[] {
  const registered: CommandHandler<VehicleRegistered, Known> = {
    commandType: 'fleet.VehicleRegistered',
    source: 'event',
    parse: parseVehicleRegistered,
    load: async () => ({ known: true }),
    decide: (_state, event) => followed(event.vehicleId),
    apply: async (transaction, _decision, event, context) => {
      await repository.registerVehicle(transaction, { ...event, messageId: context.metadata.messageId });
      return undefined;
    },
  };

  const updated: CommandHandler<VehicleClassChanged, Known> = {
    commandType: 'fleet.VehicleUpdated',
    source: 'event',
    parse: parseVehicleUpdated,
    load: async (transaction, event) => ({ known: (await repository.lockVehicle(transaction, event.vehicleId)) !== undefined }),
    decide: (state, event) => (state.known ? followed(event.vehicleId) : unknownVehicle(event.vehicleId)),
    apply: async (transaction, _decision, event, context) => {
      if (event.vehicleClass !== null) {
        await repository.changeClass(transaction, { vehicleId: event.vehicleId, vehicleClass: event.vehicleClass, version: event.version, messageId: context.metadata.messageId, at: context.now });
      }
      return undefined;
    },
  };

  const stateChanged: CommandHandler<VehicleStatusChanged, Known> = {
    commandType: 'fleet.VehicleStateChanged',
    source: 'event',
    parse: parseVehicleStateChanged,
    load: async (transaction, event) => ({ known: (await repository.lockVehicle(transaction, event.vehicleId)) !== undefined }),
    decide: (state, event) => (state.known ? followed(event.vehicleId) : unknownVehicle(event.vehicleId)),
    apply: async (transaction, _decision, event, context) => {
      await repository.changeStatus(transaction, { vehicleId: event.vehicleId, status: event.to, at: event.at, messageId: context.metadata.messageId });
      return undefined;
    },
  };

  const odometerRecorded: CommandHandler<OdometerRecorded, OdometerState> = {
    commandType: 'fleet.OdometerRecorded',
    source: 'event',
    parse: parseOdometerRecorded,
    load: async (transaction, event) => {
      const vehicle = await repository.lockVehicle(transaction, event.vehicleId);
      const schedule = vehicle === undefined ? undefined : await repository.scheduleOf(transaction, event.vehicleId);
      const plans = vehicle === undefined ? {} : await repository.plansFor(transaction, event.vehicleId, vehicle.vehicleClass);
      const noticed = vehicle === undefined ? new Set<string>() : await repository.noticed(transaction, event.vehicleId, 'km');
      return {
        vehicleKnown: vehicle !== undefined,
        readingSettled: await repository.readingKnown(transaction, event.readingId),
        vehiclePlan: plans.vehiclePlan,
        classPlan: plans.classPlan,
        basis: schedule?.basis,
        currentKm: vehicle !== undefined && (await repository.hasValidReading(transaction, event.vehicleId)) ? (schedule?.currentKm ?? null) : null,
        kmNoticed: (planId, basis) => noticed.has(`${planId}|${basis}`),
      };
    },
    decide: decideOdometerRecorded,
    apply: async (transaction, decision, event) => {
      // A reading may come before the registration it belongs to: it is kept all the same.
      await repository.recordReading(transaction, event);
      for (const reminder of decision.events.filter((candidate) => candidate.type === SERVICE_DUE)) {
        await repository.recordNotice(transaction, noticeOf(reminder.payload as { reason: DueReason } & Record<string, unknown>));
      }
      return undefined;
    },
  };

  const readingVoided: CommandHandler<OdometerReadingVoided, Known> = {
    commandType: 'fleet.OdometerReadingVoided',
    source: 'event',
    parse: parseOdometerReadingVoided,
    load: async () => ({ known: true }),
    decide: (_state, event) => followed(event.vehicleId),
    apply: async (transaction, _decision, event) => {
      await repository.voidReading(transaction, event);
      return undefined;
    },
  };

  return [registered, updated, stateChanged, odometerRecorded, readingVoided];
}
