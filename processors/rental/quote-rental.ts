import { reject, type Acceptance, type CommandContext, type Decision, type Rejection } from '../runtime/command-handler';
import { dateOf, isInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { quotePrice, type ChargeLine, type PriceBreakdown } from './pricing';
import { checkPeriod, checkVehicleClass, QUOTE_VALIDITY_MS } from './rental-rules';
import type { Location, PricingPlan, ProjectedVehicle, Quote } from './rental-state';

/** rental.QuoteRental, as decoded from Avro. */
export interface QuoteRental {
  readonly quoteId: string;
  readonly vehicleId: string | null;
  readonly vehicleClass: string | null;
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  readonly startAt: Date;
  readonly endAt: Date;
}

export interface QuoteRentalState {
  readonly quoteExists: boolean;
  /** The named vehicle; undefined when none is named or the rental context does not know it. */
  readonly vehicle: ProjectedVehicle | undefined;
  readonly origin: Location | undefined;
  readonly destinationExists: boolean;
  /** The plan in force at startAt: the vehicle's own, else its class's. */
  readonly plan: PricingPlan | undefined;
}

/** The class a quote or reservation prices: the vehicle's when one is named, else the one asked for. */
export function classToPrice(vehicle: ProjectedVehicle | undefined, vehicleClass: string | null): string | null {
  return vehicle?.vehicleClass ?? vehicleClass;
}

/** The checks QuoteRental and ReserveRental share on the vehicle and the locations. */
export function checkVehicleAndLocations(
  vehicleId: string | null,
  vehicle: ProjectedVehicle | undefined,
  originLocationId: string,
  origin: Location | undefined,
  destinationLocationId: string,
  destinationExists: boolean,
): Rejection | undefined {
  if (vehicleId !== null && vehicle === undefined) return reject('RENTAL.VEHICLE_NOT_FOUND', `The rental context knows no vehicle ${vehicleId}.`);
  if (vehicle?.status === 'decommissioned') return reject('RENTAL.VEHICLE_DECOMMISSIONED', `Vehicle ${vehicle.vehicleId} is decommissioned.`);
  if (origin === undefined) return reject('RENTAL.LOCATION_NOT_FOUND', `There is no location ${originLocationId}.`);
  if (!destinationExists) return reject('RENTAL.LOCATION_NOT_FOUND', `There is no location ${destinationLocationId}.`);
  return undefined;
}

/** The price of `plan` for the period, or a rejection when the period cannot be priced. */
export function priceOf(plan: PricingPlan, startAt: Date, endAt: Date, timeZone: string): PriceBreakdown | Rejection {
  try {
    return quotePrice(plan.terms, { startAt, endAt, timeZone });
  } catch (error) {
    // The pricing refuses what it cannot price exactly (an amount beyond the safe integers).
    if (error instanceof RangeError) return reject('RENTAL.PRICE_OUT_OF_RANGE', `The period cannot be priced on plan ${plan.id}: ${error.message}.`);
    throw error;
  }
}

/** The quote an accepted QuoteRental stores, read back from its RentalQuoted event (the terms are its plan's). */
export function quotedFrom(decision: Acceptance): Omit<Quote, 'terms' | 'usedByRentalId'> {
  const payload = decision.events.find((event) => event.type === RENTAL_QUOTED)?.payload;
  if (payload === undefined) throw new Error('an accepted quote carries its RentalQuoted event');
  return {
    id: payload.quoteId as string,
    vehicleId: payload.vehicleId as string | null,
    vehicleClass: payload.vehicleClass as string,
    planId: payload.planId as string,
    originLocationId: payload.originLocationId as string,
    destinationLocationId: payload.destinationLocationId as string,
    startAt: new Date(payload.startAt as number),
    endAt: new Date(payload.endAt as number),
    lines: payload.lines as ChargeLine[],
    totalMinor: payload.totalMinor as number,
    expiresAt: new Date(payload.expiresAt as number),
  };
}

export const RENTAL_QUOTED = 'rental.RentalQuoted';

/**
 * Prices a rental without booking it. The plan is the vehicle's own (valid at the start), else its
 * class's; the price holds for QUOTE_VALIDITY_MS. A quote is not a hold: availability is judged at
 * reservation.
 */
export function decideQuoteRental(state: QuoteRentalState, command: QuoteRental, context: CommandContext): Decision {
  if (state.quoteExists) return reject('RENTAL.QUOTE_ALREADY_EXISTS', `Quote ${command.quoteId} exists already.`);
  if (command.vehicleId === null && command.vehicleClass === null) return reject('RENTAL.VEHICLE_OR_CLASS_REQUIRED', 'A quote names a vehicleId or a vehicleClass.');
  const invalid =
    (command.vehicleClass === null ? undefined : checkVehicleClass(command.vehicleClass)) ??
    checkVehicleAndLocations(command.vehicleId, state.vehicle, command.originLocationId, state.origin, command.destinationLocationId, state.destinationExists) ??
    checkPeriod(command.startAt, command.endAt, context.now);
  if (invalid !== undefined) return invalid;
  if (state.vehicle !== undefined && command.vehicleClass !== null && command.vehicleClass !== state.vehicle.vehicleClass) {
    return reject('RENTAL.VEHICLE_CLASS_MISMATCH', `Vehicle ${state.vehicle.vehicleId} is of class ${state.vehicle.vehicleClass}, not ${command.vehicleClass}.`);
  }
  const vehicleClass = classToPrice(state.vehicle, command.vehicleClass)!;
  const { plan, origin } = state;
  if (plan === undefined) return reject('RENTAL.NO_PRICING_PLAN', `No pricing plan is in force at ${command.startAt.toISOString()} for ${command.vehicleId ?? `class ${vehicleClass}`}.`);
  const price = priceOf(plan, command.startAt, command.endAt, origin!.timeZone);
  if ('kind' in price) return price;
  const expiresAt = new Date(context.now.getTime() + QUOTE_VALIDITY_MS);
  return {
    kind: 'accepted',
    aggregateId: command.quoteId,
    resourcePath: `/v1/quotes/${command.quoteId}`,
    events: [
      {
        type: RENTAL_QUOTED,
        aggregateType: 'quote',
        aggregateId: command.quoteId,
        payload: {
          quoteId: command.quoteId,
          vehicleId: command.vehicleId,
          vehicleClass,
          planId: plan.id,
          originLocationId: command.originLocationId,
          destinationLocationId: command.destinationLocationId,
          startAt: command.startAt.getTime(),
          endAt: command.endAt.getTime(),
          lines: price.lines,
          totalMinor: price.totalMinor,
          currency: price.currency,
          depositMinor: plan.terms.depositMinor,
          chargedDays: price.chargedDays,
          expiresAt: expiresAt.getTime(),
          quotedAt: context.now.getTime(),
        },
      },
    ],
  };
}

export function parseQuoteRental(value: unknown): QuoteRental {
  const field = recordOf('QuoteRental', value);
  return {
    quoteId: field('quoteId', isString),
    vehicleId: field('vehicleId', isNullableString),
    vehicleClass: field('vehicleClass', isNullableString),
    originLocationId: field('originLocationId', isString),
    destinationLocationId: field('destinationLocationId', isString),
    startAt: dateOf(field('startAt', isInteger)),
    endAt: dateOf(field('endAt', isInteger)),
  };
}
