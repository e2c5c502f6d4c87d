import { decideQuoteRental, type QuoteRental, type QuoteRentalState } from '../../processors/rental/quote-rental';
import type { PricingTerms } from '../../processors/rental/pricing';
import type { PricingPlan, ProjectedVehicle, Quote } from '../../processors/rental/rental-state';
import { decideReserveRental, reservationFrom, type ReserveRental, type ReserveRentalState } from '../../processors/rental/reserve-rental';
import type { Acceptance, CommandContext } from '../../processors/runtime/command-handler';

/** Quotes and reservations: which plan prices them, what a quote holds, and every reason a booking is refused. */
describe('quote and reservation rules', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const context: CommandContext = {
    now,
    metadata: { messageId: 'm-1', messageType: 'x', correlationId: 'c', causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: now.toISOString() },
  };
  const ids = { vehicle: '7c000000-0000-4000-8000-000000000001', origin: '7c000000-0000-4000-8000-000000000002', destination: '7c000000-0000-4000-8000-000000000003', plan: '7c000000-0000-4000-8000-000000000004', quote: '7c000000-0000-4000-8000-000000000005', rental: '7c000000-0000-4000-8000-000000000006' };
  const terms: PricingTerms = { currency: 'EUR', dailyRateMinor: 5_000, hourlyRateMinor: 1_000, includedKmPerDay: 200, extraKmPriceMinor: 30, lateFeePerHourMinor: 1_500, lateGraceMinutes: 30, cancellationFeeMinor: 2_500, cancellationWindowHours: 24, depositMinor: 20_000 };
  const plan: PricingPlan = { id: ids.plan, name: 'Compact', vehicleClass: 'compact', vehicleId: null, terms, validFrom: new Date('2026-01-01T00:00:00Z'), validTo: null, status: 'active' };
  const vehicle: ProjectedVehicle = { vehicleId: ids.vehicle, plateNumber: 'B 1', vehicleClass: 'compact', status: 'active', locationId: null, lastEventId: 'e', lastEventAt: now };
  const origin = { id: ids.origin, name: 'Depot', type: 'depot' as const, address: null, timeZone: 'UTC' };
  const startAt = new Date('2026-12-01T10:00:00Z');
  const endAt = new Date('2026-12-03T10:00:00Z');
  const reasonOf = (decision: { kind: string; reasonCode?: string }) => (decision.kind === 'rejected' ? decision.reasonCode : decision.kind);

  describe('QuoteRental', () => {
    const command: QuoteRental = { quoteId: ids.quote, vehicleId: ids.vehicle, vehicleClass: null, originLocationId: ids.origin, destinationLocationId: ids.destination, startAt, endAt };
    const state: QuoteRentalState = { quoteExists: false, vehicle, origin, destinationExists: true, plan };

    it('prices the period on the plan and holds the price for 30 minutes', () => {
      expect(decideQuoteRental(state, command, context)).toMatchObject({
        kind: 'accepted',
        resourcePath: `/v1/quotes/${ids.quote}`,
        events: [
          {
            type: 'rental.RentalQuoted',
            payload: { quoteId: ids.quote, vehicleClass: 'compact', planId: ids.plan, totalMinor: 10_000, currency: 'EUR', depositMinor: 20_000, chargedDays: 2, expiresAt: now.getTime() + 30 * 60_000 },
          },
        ],
      });
    });

    it.each([
      ['an existing quote id', { quoteExists: true }, {}, 'RENTAL.QUOTE_ALREADY_EXISTS'],
      ['neither vehicle nor class', {}, { vehicleId: null }, 'RENTAL.VEHICLE_OR_CLASS_REQUIRED'],
      ['a bad class', {}, { vehicleId: null, vehicleClass: 'A B' }, 'RENTAL.INVALID_VEHICLE_CLASS'],
      ['an unknown vehicle', { vehicle: undefined }, {}, 'RENTAL.VEHICLE_NOT_FOUND'],
      ['a decommissioned vehicle', { vehicle: { ...vehicle, status: 'decommissioned' } }, {}, 'RENTAL.VEHICLE_DECOMMISSIONED'],
      ['an unknown origin', { origin: undefined }, {}, 'RENTAL.LOCATION_NOT_FOUND'],
      ['an unknown destination', { destinationExists: false }, {}, 'RENTAL.LOCATION_NOT_FOUND'],
      ['an end before the start', {}, { endAt: startAt }, 'RENTAL.INVALID_PERIOD'],
      ['more than 366 days', {}, { endAt: new Date(startAt.getTime() + 367 * 86_400_000) }, 'RENTAL.INVALID_PERIOD'],
      ['a start in the past', {}, { startAt: new Date(now.getTime() - 6 * 60_000) }, 'RENTAL.START_IN_PAST'],
      ["a class that is not the vehicle's", {}, { vehicleClass: 'van' }, 'RENTAL.VEHICLE_CLASS_MISMATCH'],
      ['no plan', { plan: undefined }, {}, 'RENTAL.NO_PRICING_PLAN'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideQuoteRental({ ...state, ...stateChange }, { ...command, ...commandChange }, context))).toBe(reasonCode);
    });

    it('accepts a start a few minutes in the past (a request in flight)', () => {
      expect(reasonOf(decideQuoteRental(state, { ...command, startAt: new Date(now.getTime() - 4 * 60_000) }, context))).toBe('accepted');
    });
  });

  describe('ReserveRental', () => {
    const command: ReserveRental = { rentalId: ids.rental, vehicleId: ids.vehicle, quoteId: null, customerId: null, originLocationId: ids.origin, destinationLocationId: ids.destination, startAt, endAt };
    const state: ReserveRentalState = { rentalExists: false, quote: undefined, vehicle, origin, destinationExists: true, plan, bufferMinutes: 30, bookings: [], maintenance: [] };
    const quote: Quote = {
      id: ids.quote,
      vehicleId: null,
      vehicleClass: 'compact',
      planId: ids.plan,
      originLocationId: ids.origin,
      destinationLocationId: ids.destination,
      startAt,
      endAt,
      terms: { ...terms, dailyRateMinor: 4_000 },
      lines: [{ type: 'base', description: '2 days × 4000', quantity: 2, unitAmountMinor: 4_000, amountMinor: 8_000 }],
      totalMinor: 8_000,
      expiresAt: new Date(now.getTime() + 60_000),
      usedByRentalId: null,
    };
    const fromQuote: ReserveRental = { ...command, quoteId: ids.quote, originLocationId: null, destinationLocationId: null, startAt: null, endAt: null };

    it('books the period plus the buffer at the plan price, keyed by the vehicle', () => {
      const decision = decideReserveRental(state, command, context) as Acceptance;

      expect(decision.events).toEqual([
        {
          type: 'rental.RentalReserved',
          aggregateType: 'rental',
          aggregateId: ids.rental,
          key: ids.vehicle,
          payload: {
            rentalId: ids.rental,
            vehicleId: ids.vehicle,
            customerId: null,
            quoteId: null,
            planId: ids.plan,
            originLocationId: ids.origin,
            destinationLocationId: ids.destination,
            startAt: startAt.getTime(),
            endAt: endAt.getTime(),
            blockedUntil: endAt.getTime() + 30 * 60_000,
            currency: 'EUR',
            quotedTotalMinor: 10_000,
            lines: [{ type: 'base', description: '2 days × 5000', quantity: 2, unitAmountMinor: 5_000, amountMinor: 10_000 }],
            depositRequiredMinor: 20_000,
            reservedAt: now.getTime(),
          },
        },
      ]);
      expect(reservationFrom(decision)).toMatchObject({ rentalId: ids.rental, bufferMinutes: 30, blockedUntil: new Date(endAt.getTime() + 30 * 60_000), planId: ids.plan });
    });

    it('books from a quote at the quoted price and terms', () => {
      expect(decideReserveRental({ ...state, quote, plan: undefined }, fromQuote, context)).toMatchObject({
        kind: 'accepted',
        events: [{ payload: { quoteId: ids.quote, quotedTotalMinor: 8_000, startAt: startAt.getTime(), depositRequiredMinor: 20_000 } }],
      });
    });

    it.each([
      ['an existing rental id', { rentalExists: true }, {}, 'RENTAL.RENTAL_ALREADY_EXISTS'],
      ['an unknown quote', { quote: undefined }, { quoteId: ids.quote }, 'RENTAL.QUOTE_NOT_FOUND'],
      ['a used quote', { quote: { ...quote, usedByRentalId: ids.vehicle } }, { quoteId: ids.quote }, 'RENTAL.QUOTE_ALREADY_USED'],
      ['an expired quote', { quote: { ...quote, expiresAt: now } }, { quoteId: ids.quote }, 'RENTAL.QUOTE_EXPIRED'],
      ["a quote for another vehicle", { quote: { ...quote, vehicleId: ids.origin } }, { quoteId: ids.quote }, 'RENTAL.QUOTE_MISMATCH'],
      ["a quote for another class", { quote: { ...quote, vehicleClass: 'van' } }, { quoteId: ids.quote }, 'RENTAL.QUOTE_MISMATCH'],
      ['a quote for another period', { quote }, { quoteId: ids.quote, endAt: new Date(endAt.getTime() + 1) }, 'RENTAL.QUOTE_MISMATCH'],
      ['a missing field without a quote', {}, { startAt: null }, 'RENTAL.INVALID_RESERVATION'],
      ['an unknown vehicle', { vehicle: undefined }, {}, 'RENTAL.VEHICLE_NOT_FOUND'],
      ['a decommissioned vehicle', { vehicle: { ...vehicle, status: 'decommissioned' } }, {}, 'RENTAL.VEHICLE_DECOMMISSIONED'],
      ['an unknown origin', { origin: undefined }, {}, 'RENTAL.LOCATION_NOT_FOUND'],
      ['a start in the past', {}, { startAt: new Date(now.getTime() - 3_600_000) }, 'RENTAL.START_IN_PAST'],
      ['no plan', { plan: undefined }, {}, 'RENTAL.NO_PRICING_PLAN'],
      ['a maintenance window', { maintenance: [{ id: 'job', from: startAt, until: endAt }] }, {}, 'RENTAL.VEHICLE_IN_MAINTENANCE'],
      ['another booking', { bookings: [{ id: 'other', from: startAt, until: endAt }] }, {}, 'RENTAL.VEHICLE_ALREADY_BOOKED'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideReserveRental({ ...state, ...stateChange }, { ...command, ...commandChange }, context))).toBe(reasonCode);
    });
  });
});
