import { userIdOrNull } from '../../platform/identifiers';
import type { CommandHandler } from '../runtime/command-handler';
import { reject } from '../runtime/command-handler';
import type { FleetRepository } from './fleet.repository';
import { odometerHandlers } from './odometer.handlers';
import { decideRegisterVehicle, parseRegisterVehicle, type RegisterVehicle, type RegisterVehicleState } from './register-vehicle';
import { statusMoveHandlers } from './status-move.handlers';
import { vehicleHandlers } from './vehicle.handlers';

/** Wires the fleet context's rules to its repository: one handler per command type, and one per other context's event it follows. */
export function fleetHandlers(repository: FleetRepository): CommandHandler[] {
  const registerVehicle: CommandHandler<RegisterVehicle, RegisterVehicleState> = {
    commandType: 'fleet.RegisterVehicle',
    parse: parseRegisterVehicle,
    load: async (transaction, command) => ({ alreadyRegistered: (await repository.find(transaction, command.vehicleId)) !== undefined }),
    decide: decideRegisterVehicle,
    apply: async (transaction, _decision, command, context) => {
      const registered = await repository.register(transaction, {
        id: command.vehicleId,
        plateNumber: command.plateNumber.trim(),
        vin: command.vin,
        make: command.make,
        model: command.model,
        variant: command.variant,
        year: command.year,
        vehicleClass: command.vehicleClass,
        createdBy: userIdOrNull(context.metadata.actor),
      });
      switch (registered) {
        case 'registered':
          await repository.appendStatusChange(transaction, {
            vehicleId: command.vehicleId,
            from: null,
            to: 'active',
            cause: 'VehicleRegistered',
            causeMessageId: context.metadata.messageId,
            actorId: userIdOrNull(context.metadata.actor),
            at: context.now,
          });
          return undefined;
        case 'plate_number_taken':
          return reject('FLEET.PLATE_NUMBER_TAKEN', `Plate number ${command.plateNumber.trim()} belongs to another vehicle.`);
        case 'vin_taken':
          return reject('FLEET.VIN_TAKEN', `VIN ${command.vin ?? ''} belongs to another vehicle.`);
        default: {
          const unexpected: never = registered;
          throw new Error(`unexpected registration outcome ${String(unexpected)}`);
        }
      }
    },
  };
  return [registerVehicle, ...odometerHandlers(repository), ...vehicleHandlers(repository), ...statusMoveHandlers(repository)];
}
