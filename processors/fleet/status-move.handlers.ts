import { userIdOrNull } from '../../platform/identifiers';
import type { CommandHandler } from '../runtime/command-handler';
import type { FleetRepository } from './fleet.repository';
import { stateChangedFrom } from './decommission-vehicle';
import { decideStatusMove, parseStatusMoveEvent, STATUS_MOVES, type StatusMoveEvent, type StatusMoveState } from './status-moves';

/** One handler per other context's event that moves a vehicle's status (see status-moves.ts). */
export function statusMoveHandlers(repository: FleetRepository): CommandHandler[] {
  return STATUS_MOVES.map((move): CommandHandler<StatusMoveEvent, StatusMoveState> => ({
    commandType: move.eventType,
    source: 'event',
    parse: (value) => parseStatusMoveEvent(move, value),
    load: async (transaction, event) => ({ vehicleStatus: (await repository.lockVehicle(transaction, event.vehicleId))?.status }),
    decide: (state, event, context) => decideStatusMove(move, state, event, context),
    apply: async (transaction, decision, event, context) => {
      const from = stateChangedFrom(decision);
      const actorId = userIdOrNull(context.metadata.actor);
      await repository.changeStatus(transaction, { vehicleId: event.vehicleId, from, to: move.to, updatedBy: actorId });
      await repository.appendStatusChange(transaction, {
        vehicleId: event.vehicleId,
        from,
        to: move.to,
        cause: move.eventType,
        causeMessageId: context.metadata.messageId,
        actorId,
        at: event.at,
      });
      return undefined;
    },
  }));
}
