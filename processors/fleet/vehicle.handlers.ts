import { userIdOrNull } from '../../platform/identifiers';
import type { CommandHandler } from '../runtime/command-handler';
import { reject } from '../runtime/command-handler';
import { DECOMMISSION_CAUSE, decideDecommissionVehicle, stateChangedFrom, parseDecommissionVehicle, type DecommissionVehicle, type DecommissionVehicleState } from './decommission-vehicle';
import type { FleetRepository } from './fleet.repository';
import { decideUpdateVehicle, parseUpdateVehicle, plannedUpdate, type UpdateVehicle, type UpdateVehicleState } from './update-vehicle';

/** DecommissionVehicle and UpdateVehicle: changes to the vehicle row itself. */
export function vehicleHandlers(repository: FleetRepository): CommandHandler[] {
  const decommissionVehicle: CommandHandler<DecommissionVehicle, DecommissionVehicleState> = {
    commandType: 'fleet.DecommissionVehicle',
    parse: parseDecommissionVehicle,
    load: async (transaction, command) => ({ vehicleStatus: (await repository.lockVehicle(transaction, command.vehicleId))?.status }),
    decide: decideDecommissionVehicle,
    apply: async (transaction, decision, command, context) => {
      const from = stateChangedFrom(decision);
      const actorId = userIdOrNull(context.metadata.actor);
      await repository.decommission(transaction, { vehicleId: command.vehicleId, from, at: context.now, updatedBy: actorId });
      await repository.appendStatusChange(transaction, {
        vehicleId: command.vehicleId,
        from,
        to: 'decommissioned',
        cause: DECOMMISSION_CAUSE,
        causeMessageId: context.metadata.messageId,
        actorId,
        at: context.now,
      });
      return undefined;
    },
  };

  const updateVehicle: CommandHandler<UpdateVehicle, UpdateVehicleState> = {
    commandType: 'fleet.UpdateVehicle',
    parse: parseUpdateVehicle,
    load: async (transaction, command) => ({ vehicle: await repository.lockVehicle(transaction, command.vehicleId) }),
    decide: decideUpdateVehicle,
    apply: async (transaction, decision, command, context) => {
      const update = plannedUpdate(decision);
      if (update === undefined) return undefined;
      const updated = await repository.updateDetails(transaction, { vehicleId: command.vehicleId, changes: update.changes, updatedBy: userIdOrNull(context.metadata.actor) });
      switch (updated.outcome) {
        case 'updated':
          // The event announced this version; the row lock makes any other one a bug.
          if (updated.version !== update.version) throw new Error(`vehicle ${command.vehicleId} reached version ${updated.version}, not ${update.version}`);
          return undefined;
        case 'vin_taken':
          return reject('FLEET.VIN_TAKEN', `VIN ${update.changes.vin ?? ''} belongs to another vehicle.`);
        default: {
          const unexpected: never = updated;
          throw new Error(`unexpected update outcome ${JSON.stringify(unexpected)}`);
        }
      }
    },
  };

  return [decommissionVehicle, updateVehicle];
}
