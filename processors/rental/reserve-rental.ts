import { reject, type Acceptance, type CommandContext, type Decision, type Rejection } from '../runtime/command-handler';
import { isNullableInteger, isNullableString, isString, nullableDateOf, recordOf } from '../../platform/decoded';
import type { ChargeLine, PricingTerms } from './pricing';
import { checkPeriod } from './rental-rules';
import type { BlockedPeriod, Location, PricingPlan, ProjectedVehicle, Quote } from './rental-state';
import { checkVehicleAndLocations, priceOf } from './quote-rental';

/** rental.ReserveRental, as decoded from Avro. */
export interface ReserveRental {
  readonly rentalId: string;
  readonly vehicleId: string;
  readonly quoteId: string | null;
  readonly customerId: string | null;
  readonly originLocationId: string | null;
  readonly destinationLocationId: string | null;
  readonly startAt: Date | null;
  readonly endAt: Date | null;
}

/** Where and when the rental is: the quote's, or the command's own fields. */
export interface ReservationTrip {
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  readonly startAt: Date;
  readonly endAt: Date;
}

export interface ReserveRentalState {
  readonly rentalExists: boolean;
  /** The quote named by quoteId; undefined when none is named or there is no such quote. */
  readonly quote: Quote | undefined;
  readonly vehicle: ProjectedVehicle | undefined;
  readonly origin: Location | undefined;
  readonly destinationExists: boolean;
  /** Without a quote: the plan in force at the start (the vehicle's own, else its class's). */
  readonly plan: PricingPlan | undefined;
  /** The vehicle class's turnaround buffer (0 without a policy). */
  readonly bufferMinutes: number;
  /** Reserved and active rentals of the vehicle whose blocked periods overlap this one's. */
  readonly bookings: readonly BlockedPeriod[];
  /** Scheduled and in-progress maintenance windows of the vehicle overlapping this one's blocked period. */
  readonly maintenance: readonly BlockedPeriod[];
}

export const RENTAL_RESERVED = 'rental.RentalReserved';
const MINUTE_MS = 60_000;

/** The trip a reservation is for: the quote's when one is named, else the command's fields (all required then). */
export function tripOf(command: ReserveRental, quote: Quote | undefined): ReservationTrip | undefined {
  if (quote !== undefined) return { originLocationId: quote.originLocationId, destinationLocationId: quote.destinationLocationId, startAt: quote.startAt, endAt: quote.endAt };
  const { originLocationId, destinationLocationId, startAt, endAt } = command;
  if (originLocationId === null || destinationLocationId === null || startAt === null || endAt === null) return undefined;
  return { originLocationId, destinationLocationId, startAt, endAt };
}

/** The end of the period the vehicle is blocked for: the rental's end plus the buffer. */
export function blockedUntilOf(endAt: Date, bufferMinutes: number): Date {
  return new Date(endAt.getTime() + bufferMinutes * MINUTE_MS);
}

function checkQuote(quote: Quote | undefined, command: ReserveRental, vehicle: ProjectedVehicle | undefined, now: Date): Rejection | undefined {
  if (command.quoteId === null) return undefined;
  if (quote === undefined) return reject('RENTAL.QUOTE_NOT_FOUND', `There is no quote ${command.quoteId}.`);
  if (quote.usedByRentalId !== null) return reject('RENTAL.QUOTE_ALREADY_USED', `Quote ${quote.id} was used by rental ${quote.usedByRentalId}.`);
  if (quote.expiresAt.getTime() <= now.getTime()) return reject('RENTAL.QUOTE_EXPIRED', `Quote ${quote.id} expired at ${quote.expiresAt.toISOString()}.`);
  const mismatch =
    (quote.vehicleId !== null && quote.vehicleId !== command.vehicleId ? 'vehicleId' : undefined) ??
    (vehicle !== undefined && vehicle.vehicleClass !== quote.vehicleClass ? 'vehicle class' : undefined) ??
    (command.originLocationId !== null && command.originLocationId !== quote.originLocationId ? 'originLocationId' : undefined) ??
    (command.destinationLocationId !== null && command.destinationLocationId !== quote.destinationLocationId ? 'destinationLocationId' : undefined) ??
    (command.startAt !== null && command.startAt.getTime() !== quote.startAt.getTime() ? 'startAt' : undefined) ??
    (command.endAt !== null && command.endAt.getTime() !== quote.endAt.getTime() ? 'endAt' : undefined);
  if (mismatch !== undefined) return reject('RENTAL.QUOTE_MISMATCH', `The reservation's ${mismatch} differs from quote ${quote.id}'s.`);
  return undefined;
}

function overlapMessage(vehicleId: string, taken: BlockedPeriod, what: string): string {
  return `Vehicle ${vehicleId} is taken by ${what} ${taken.id} from ${taken.from.toISOString()} until ${taken.until.toISOString()}.`;
}

/**
 * Books a vehicle for a trip. The vehicle is blocked from the start until the end plus its class's
 * turnaround buffer; no other booking and no scheduled or in-progress maintenance window may
 * overlap that (periods are half-open, so adjacent ones are fine). These checks answer early; the
 * exclusion constraint on the rentals table is the judge of double booking. The price is the
 * quote's (held until it expires) or the plan's now, and the plan's terms are frozen on the rental.
 */
export function decideReserveRental(state: ReserveRentalState, command: ReserveRental, context: CommandContext): Decision {
  if (state.rentalExists) return reject('RENTAL.RENTAL_ALREADY_EXISTS', `Rental ${command.rentalId} exists already.`);
  const quoteProblem = checkQuote(state.quote, command, state.vehicle, context.now);
  if (quoteProblem !== undefined) return quoteProblem;
  const trip = tripOf(command, state.quote);
  if (trip === undefined) return reject('RENTAL.INVALID_RESERVATION', 'Without a quoteId, a reservation names originLocationId, destinationLocationId, startAt and endAt.');
  const invalid =
    checkVehicleAndLocations(command.vehicleId, state.vehicle, trip.originLocationId, state.origin, trip.destinationLocationId, state.destinationExists) ??
    checkPeriod(trip.startAt, trip.endAt, context.now);
  if (invalid !== undefined) return invalid;
  const terms: PricingTerms | undefined = state.quote?.terms ?? state.plan?.terms;
  const planId = state.quote?.planId ?? state.plan?.id;
  if (terms === undefined || planId === undefined) return reject('RENTAL.NO_PRICING_PLAN', `No pricing plan is in force at ${trip.startAt.toISOString()} for vehicle ${command.vehicleId}.`);
  let lines: readonly ChargeLine[];
  let totalMinor: number;
  if (state.quote !== undefined) {
    ({ lines, totalMinor } = state.quote);
  } else {
    const price = priceOf(state.plan!, trip.startAt, trip.endAt, state.origin!.timeZone);
    if ('kind' in price) return price;
    ({ lines, totalMinor } = price);
  }
  const [inMaintenance] = state.maintenance;
  if (inMaintenance !== undefined) return reject('RENTAL.VEHICLE_IN_MAINTENANCE', overlapMessage(command.vehicleId, inMaintenance, 'maintenance job'));
  const [booked] = state.bookings;
  if (booked !== undefined) return reject('RENTAL.VEHICLE_ALREADY_BOOKED', overlapMessage(command.vehicleId, booked, 'rental'));
  const blockedUntil = blockedUntilOf(trip.endAt, state.bufferMinutes);
  return {
    kind: 'accepted',
    aggregateId: command.rentalId,
    resourcePath: `/v1/rentals/${command.rentalId}`,
    events: [
      {
        type: RENTAL_RESERVED,
        aggregateType: 'rental',
        aggregateId: command.rentalId,
        key: command.vehicleId,
        payload: {
          rentalId: command.rentalId,
          vehicleId: command.vehicleId,
          customerId: command.customerId,
          quoteId: command.quoteId,
          planId,
          originLocationId: trip.originLocationId,
          destinationLocationId: trip.destinationLocationId,
          startAt: trip.startAt.getTime(),
          endAt: trip.endAt.getTime(),
          blockedUntil: blockedUntil.getTime(),
          currency: terms.currency,
          quotedTotalMinor: totalMinor,
          lines,
          depositRequiredMinor: terms.depositMinor,
          reservedAt: context.now.getTime(),
        },
      },
    ],
  };
}

/** The rental an accepted ReserveRental stores, read back from its RentalReserved event. */
export interface Reservation extends ReservationTrip {
  readonly rentalId: string;
  readonly vehicleId: string;
  readonly customerId: string | null;
  readonly quoteId: string | null;
  readonly planId: string;
  readonly bufferMinutes: number;
  readonly blockedUntil: Date;
  readonly currency: string;
  readonly lines: readonly ChargeLine[];
  readonly depositRequiredMinor: number;
}

export function reservationFrom(decision: Acceptance): Reservation {
  const payload = decision.events.find((event) => event.type === RENTAL_RESERVED)?.payload;
  if (payload === undefined) throw new Error('an accepted reservation carries its RentalReserved event');
  const endAt = new Date(payload.endAt as number);
  const blockedUntil = new Date(payload.blockedUntil as number);
  return {
    rentalId: payload.rentalId as string,
    vehicleId: payload.vehicleId as string,
    customerId: payload.customerId as string | null,
    quoteId: payload.quoteId as string | null,
    planId: payload.planId as string,
    originLocationId: payload.originLocationId as string,
    destinationLocationId: payload.destinationLocationId as string,
    startAt: new Date(payload.startAt as number),
    endAt,
    bufferMinutes: (blockedUntil.getTime() - endAt.getTime()) / MINUTE_MS,
    blockedUntil,
    currency: payload.currency as string,
    lines: payload.lines as ChargeLine[],
    depositRequiredMinor: payload.depositRequiredMinor as number,
  };
}

export function parseReserveRental(value: unknown): ReserveRental {
  const field = recordOf('ReserveRental', value);
  return {
    rentalId: field('rentalId', isString),
    vehicleId: field('vehicleId', isString),
    quoteId: field('quoteId', isNullableString),
    customerId: field('customerId', isNullableString),
    originLocationId: field('originLocationId', isNullableString),
    destinationLocationId: field('destinationLocationId', isNullableString),
    startAt: nullableDateOf(field('startAt', isNullableInteger)),
    endAt: nullableDateOf(field('endAt', isNullableInteger)),
  };
}
