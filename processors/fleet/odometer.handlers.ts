import { userIdOrNull } from '../../platform/identifiers';
import type { CommandHandler } from '../runtime/command-handler';
import { reject } from '../runtime/command-handler';
import type { FleetRepository } from './fleet.repository';
import {
  decideRecordOdometerReading,
  isRepeatedReading,
  parseRecordOdometerReading,
  supersededReason,
  type RecordOdometerReading,
  type RecordOdometerReadingState,
} from './record-odometer-reading';
import { decideVoidOdometerReading, parseVoidOdometerReading, type VoidOdometerReading, type VoidOdometerReadingState } from './void-odometer-reading';

/** RecordOdometerReading and VoidOdometerReading: the odometer history of a vehicle. */
export function odometerHandlers(repository: FleetRepository): CommandHandler[] {
  const recordOdometerReading: CommandHandler<RecordOdometerReading, RecordOdometerReadingState> = {
    commandType: 'fleet.RecordOdometerReading',
    parse: parseRecordOdometerReading,
    load: async (transaction, command) => ({
      vehicleStatus: (await repository.lockVehicle(transaction, command.vehicleId))?.status,
      sameId: await repository.findReading(transaction, command.readingId),
      superseded: command.supersedesReadingId === null ? undefined : await repository.findReading(transaction, command.supersedesReadingId),
    }),
    decide: decideRecordOdometerReading,
    apply: async (transaction, decision, command, context) => {
      if (isRepeatedReading(decision)) return undefined;
      const actorId = userIdOrNull(context.metadata.actor);
      // The wrong reading is voided first, so the trigger measures the correction against the
      // readings that still count. If the correction is refused, the runtime rolls the void back.
      if (command.supersedesReadingId !== null) {
        const voided = await repository.voidReading(transaction, {
          readingId: command.supersedesReadingId,
          vehicleId: command.vehicleId,
          reason: supersededReason(command.readingId),
          voidedBy: actorId,
          at: context.now,
        });
        if (voided === 'already_voided') return reject('FLEET.READING_ALREADY_VOIDED', `Reading ${command.supersedesReadingId} is voided already.`);
      }
      const recorded = await repository.recordReading(transaction, {
        id: command.readingId,
        vehicleId: command.vehicleId,
        readingKm: command.readingKm,
        recordedAt: command.recordedAt,
        source: command.source,
        supersedesReadingId: command.supersedesReadingId,
        createdBy: actorId,
      });
      switch (recorded.outcome) {
        case 'recorded':
          return undefined;
        case 'out_of_order':
          return reject(
            'FLEET.ODOMETER_OUT_OF_ORDER',
            `A reading of ${command.readingKm} km at ${command.recordedAt.toISOString()} does not fit between the vehicle's valid readings before and after it.`,
          );
        case 'id_taken':
          return reject('FLEET.READING_ID_REUSED', `Reading ${command.readingId} was recorded before with other data.`);
        default: {
          const unexpected: never = recorded;
          throw new Error(`unexpected reading outcome ${JSON.stringify(unexpected)}`);
        }
      }
    },
  };

  const voidOdometerReading: CommandHandler<VoidOdometerReading, VoidOdometerReadingState> = {
    commandType: 'fleet.VoidOdometerReading',
    parse: parseVoidOdometerReading,
    load: async (transaction, command) => ({
      vehicleStatus: (await repository.lockVehicle(transaction, command.vehicleId))?.status,
      reading: await repository.findReading(transaction, command.readingId),
    }),
    decide: decideVoidOdometerReading,
    apply: async (transaction, _decision, command, context) => {
      const voided = await repository.voidReading(transaction, {
        readingId: command.readingId,
        vehicleId: command.vehicleId,
        reason: command.reason.trim(),
        voidedBy: userIdOrNull(context.metadata.actor),
        at: context.now,
      });
      return voided === 'voided' ? undefined : reject('FLEET.READING_ALREADY_VOIDED', `Reading ${command.readingId} is voided already.`);
    },
  };

  return [recordOdometerReading, voidOdometerReading];
}
