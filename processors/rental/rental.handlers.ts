import { userIdOrNull } from '../../platform/identifiers';
import { reject, type CommandHandler } from '../runtime/command-handler';
import { decideActivateRental, parseActivateRental, type ActivateRental, type RentalWithAccount } from './activate-rental';
import { decideAddCharge, parseAddCharge, type AddCharge, type AddChargeState } from './add-charge';
import { cancellationFrom, decideCancelRental, parseCancelRental, type CancelRental, type CancelRentalState } from './cancel-rental';
import type { CatalogRepository } from './catalog.repository';
import { completionFrom, decideCompleteRental, parseCompleteRental, type CompleteRental } from './complete-rental';
import type { ChargeType } from './pricing';
import { decideQuoteRental, parseQuoteRental, quotedFrom, type QuoteRental, type QuoteRentalState } from './quote-rental';
import type { RentalRepository } from './rental.repository';
import { blockedUntilOf, decideReserveRental, parseReserveRental, reservationFrom, tripOf, type ReserveRental, type ReserveRentalState } from './reserve-rental';

/** Missing plan at write time: plans are never deleted, so this is a bug, not an outcome. */
function planGone(planId: string): Error {
  return new Error(`pricing plan ${planId} disappeared between decision and write`);
}

/** Quotes and the life of a rental: reserve, activate, complete, cancel, and charges added by hand. */
export function rentalHandlers(rentals: RentalRepository, catalog: CatalogRepository): CommandHandler[] {
  const quoteRental: CommandHandler<QuoteRental, QuoteRentalState> = {
    commandType: 'rental.QuoteRental',
    parse: parseQuoteRental,
    load: async (transaction, command) => {
      const vehicle = command.vehicleId === null ? undefined : await catalog.findVehicle(transaction, command.vehicleId);
      return {
        quoteExists: await rentals.quoteExists(transaction, command.quoteId),
        vehicle,
        origin: await catalog.findLocation(transaction, command.originLocationId),
        destinationExists: (await catalog.findLocation(transaction, command.destinationLocationId)) !== undefined,
        plan: await catalog.planInForce(transaction, { vehicleId: command.vehicleId, vehicleClass: vehicle?.vehicleClass ?? command.vehicleClass }, command.startAt),
      };
    },
    decide: decideQuoteRental,
    apply: async (transaction, decision, _command, context) => {
      const quoted = quotedFrom(decision);
      const plan = await catalog.findPlan(transaction, quoted.planId);
      if (plan === undefined) throw planGone(quoted.planId);
      await rentals.insertQuote(transaction, { ...quoted, terms: plan.terms, usedByRentalId: null }, userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  const reserveRental: CommandHandler<ReserveRental, ReserveRentalState> = {
    commandType: 'rental.ReserveRental',
    parse: parseReserveRental,
    load: async (transaction, command) => {
      const quote = command.quoteId === null ? undefined : await rentals.findQuote(transaction, command.quoteId);
      const vehicle = await catalog.findVehicle(transaction, command.vehicleId);
      const trip = tripOf(command, quote);
      const bufferMinutes = vehicle === undefined ? 0 : await catalog.bufferMinutesOf(transaction, vehicle.vehicleClass);
      if (trip === undefined) {
        return { rentalExists: await rentals.rentalExists(transaction, command.rentalId), quote, vehicle, origin: undefined, destinationExists: false, plan: undefined, bufferMinutes, bookings: [], maintenance: [] };
      }
      const blockedUntil = blockedUntilOf(trip.endAt, bufferMinutes);
      return {
        rentalExists: await rentals.rentalExists(transaction, command.rentalId),
        quote,
        vehicle,
        origin: await catalog.findLocation(transaction, trip.originLocationId),
        destinationExists: (await catalog.findLocation(transaction, trip.destinationLocationId)) !== undefined,
        plan: quote === undefined ? await catalog.planInForce(transaction, { vehicleId: command.vehicleId, vehicleClass: vehicle?.vehicleClass ?? null }, trip.startAt) : undefined,
        bufferMinutes,
        bookings: await rentals.bookingsOverlapping(transaction, command.vehicleId, trip.startAt, blockedUntil),
        maintenance: await catalog.maintenanceOverlapping(transaction, command.vehicleId, trip.startAt, blockedUntil),
      };
    },
    decide: decideReserveRental,
    apply: async (transaction, decision, _command, context) => {
      const reservation = reservationFrom(decision);
      const plan = await catalog.findPlan(transaction, reservation.planId);
      if (plan === undefined) throw planGone(reservation.planId);
      const actorId = userIdOrNull(context.metadata.actor);
      const reserved = await rentals.reserve(transaction, {
        id: reservation.rentalId,
        vehicleId: reservation.vehicleId,
        customerId: reservation.customerId,
        originLocationId: reservation.originLocationId,
        destinationLocationId: reservation.destinationLocationId,
        startAt: reservation.startAt,
        endAt: reservation.endAt,
        bufferMinutes: reservation.bufferMinutes,
        pricingPlanId: plan.id,
        quoteId: reservation.quoteId,
        currency: reservation.currency,
        terms: plan.terms,
        depositRequiredMinor: reservation.depositRequiredMinor,
        createdBy: actorId,
      });
      switch (reserved.outcome) {
        case 'reserved':
          break;
        case 'vehicle_already_booked':
          return reject('RENTAL.VEHICLE_ALREADY_BOOKED', `Vehicle ${reservation.vehicleId} is booked in that period (its turnaround buffer included).`);
        case 'quote_already_used':
          return reject('RENTAL.QUOTE_ALREADY_USED', `Quote ${reservation.quoteId ?? ''} was used by another rental.`);
        default: {
          const unexpected: never = reserved;
          throw new Error(`unexpected reservation outcome ${JSON.stringify(unexpected)}`);
        }
      }
      await rentals.addCharges(
        transaction,
        reservation.lines.map((line) => ({
          rentalId: reservation.rentalId,
          type: line.type,
          description: line.description,
          quantity: line.quantity,
          amountMinor: line.amountMinor,
          currency: reservation.currency,
          source: 'quote',
          sourceMessageId: context.metadata.messageId,
          createdBy: actorId,
        })),
      );
      return undefined;
    },
  };

  const loadWithAccount = async (transaction: Parameters<CommandHandler['load']>[0], rentalId: string): Promise<RentalWithAccount> => {
    const rental = await rentals.lockRental(transaction, rentalId);
    return { rental, account: await rentals.accountOf(transaction, rentalId) };
  };

  const activateRental: CommandHandler<ActivateRental, RentalWithAccount> = {
    commandType: 'rental.ActivateRental',
    parse: parseActivateRental,
    load: (transaction, command) => loadWithAccount(transaction, command.rentalId),
    decide: decideActivateRental,
    apply: async (transaction, _decision, command, context) => {
      await rentals.activate(transaction, { rentalId: command.rentalId, at: command.activatedAt, odometerOutKm: command.odometerOutKm, actorId: userIdOrNull(context.metadata.actor) });
      return undefined;
    },
  };

  const completeRental: CommandHandler<CompleteRental, RentalWithAccount> = {
    commandType: 'rental.CompleteRental',
    parse: parseCompleteRental,
    load: (transaction, command) => loadWithAccount(transaction, command.rentalId),
    decide: decideCompleteRental,
    apply: async (transaction, decision, command, context) => {
      const completion = completionFrom(decision);
      const actorId = userIdOrNull(context.metadata.actor);
      await rentals.complete(transaction, {
        rentalId: command.rentalId,
        at: command.returnedAt,
        odometerInKm: command.odometerInKm,
        depositAppliedMinor: completion.depositAppliedMinor,
        depositReleasedMinor: completion.depositReleasedMinor,
        actorId,
      });
      await rentals.addCharges(
        transaction,
        completion.lines.map((line) => ({
          rentalId: command.rentalId,
          type: line.type,
          description: line.description,
          quantity: line.quantity,
          amountMinor: line.amountMinor,
          currency: completion.currency,
          source: 'completion',
          sourceMessageId: context.metadata.messageId,
          createdBy: actorId,
        })),
      );
      // The vehicle stays where it was returned: its next rental starts there.
      await catalog.assignLocation(transaction, completion.vehicleId, completion.destinationLocationId);
      return undefined;
    },
  };

  const cancelRental: CommandHandler<CancelRental, CancelRentalState> = {
    commandType: 'rental.CancelRental',
    parse: parseCancelRental,
    load: async (transaction, command) => ({ rental: await rentals.lockRental(transaction, command.rentalId) }),
    decide: decideCancelRental,
    apply: async (transaction, decision, command, context) => {
      const cancellation = cancellationFrom(decision);
      const actorId = userIdOrNull(context.metadata.actor);
      await rentals.cancel(transaction, { rentalId: command.rentalId, at: context.now, reason: cancellation.reason, actorId });
      if (cancellation.feeMinor > 0) {
        await rentals.addCharges(transaction, [
          {
            rentalId: command.rentalId,
            type: 'cancellation_fee',
            description: 'Cancellation fee',
            quantity: 1,
            amountMinor: cancellation.feeMinor,
            currency: cancellation.currency,
            source: 'cancellation',
            sourceMessageId: context.metadata.messageId,
            createdBy: actorId,
          },
        ]);
      }
      return undefined;
    },
  };

  const addCharge: CommandHandler<AddCharge, AddChargeState> = {
    commandType: 'rental.AddCharge',
    parse: parseAddCharge,
    load: async (transaction, command) => ({ ...(await loadWithAccount(transaction, command.rentalId)), chargeExists: await rentals.chargeExists(transaction, command.chargeId) }),
    decide: decideAddCharge,
    apply: async (transaction, _decision, command, context) => {
      await rentals.addCharges(transaction, [
        {
          id: command.chargeId,
          rentalId: command.rentalId,
          type: command.type as ChargeType,
          description: command.description.trim(),
          quantity: command.quantity,
          amountMinor: command.amountMinor,
          currency: command.currency,
          source: 'manual',
          sourceMessageId: context.metadata.messageId,
          createdBy: userIdOrNull(context.metadata.actor),
        },
      ]);
      return undefined;
    },
  };

  return [quoteRental, reserveRental, activateRental, completeRental, cancelRental, addCharge];
}
