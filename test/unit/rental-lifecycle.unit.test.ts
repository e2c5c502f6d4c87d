import { decideActivateRental, type RentalWithAccount } from '../../processors/rental/activate-rental';
import { decideAddCharge, type AddCharge } from '../../processors/rental/add-charge';
import { decideCancelRental } from '../../processors/rental/cancel-rental';
import { decideCompleteRental, depositSplit, type CompleteRental } from '../../processors/rental/complete-rental';
import type { PricingTerms } from '../../processors/rental/pricing';
import type { Rental, RentalAccount } from '../../processors/rental/rental-state';
import type { CommandContext } from '../../processors/runtime/command-handler';

/** The life of a rental: pick-up, return (final charges and the deposit split), cancellation and charges by hand. */
describe('rental life-cycle rules', () => {
  const HOUR_MS = 3_600_000;
  const startAt = new Date('2026-12-01T10:00:00Z');
  const endAt = new Date('2026-12-03T10:00:00Z');
  const contextAt = (now: Date): CommandContext => ({
    now,
    metadata: { messageId: 'm-1', messageType: 'x', correlationId: 'c', causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: now.toISOString() },
  });
  const terms: PricingTerms = { currency: 'EUR', dailyRateMinor: 5_000, hourlyRateMinor: 1_000, includedKmPerDay: 200, extraKmPriceMinor: 30, lateFeePerHourMinor: 1_500, lateGraceMinutes: 30, cancellationFeeMinor: 2_500, cancellationWindowHours: 24, depositMinor: 30_000 };
  const rentalId = '9a000000-0000-4000-8000-000000000001';
  const vehicleId = '9a000000-0000-4000-8000-000000000002';
  const destinationId = '9a000000-0000-4000-8000-000000000003';
  const reserved: Rental = {
    id: rentalId,
    vehicleId,
    customerId: null,
    originLocationId: destinationId,
    destinationLocationId: destinationId,
    timeZone: 'UTC',
    startAt,
    endAt,
    blockedUntil: endAt,
    status: 'reserved',
    currency: 'EUR',
    terms,
    depositRequiredMinor: 30_000,
    odometerOutKm: null,
    pickedUpAt: null,
  };
  const active: Rental = { ...reserved, status: 'active', odometerOutKm: 10_000, pickedUpAt: startAt };
  const account: RentalAccount = { chargesTotalMinor: 10_000, paidMinor: 4_000, depositHeldMinor: 30_000 };
  const reasonOf = (decision: { kind: string; reasonCode?: string }) => (decision.kind === 'rejected' ? decision.reasonCode : decision.kind);

  describe('ActivateRental', () => {
    const command = { rentalId, odometerOutKm: 10_000, activatedAt: startAt };
    const state: RentalWithAccount = { rental: reserved, account };

    it('starts a reserved rental with its deposit held, up to an hour early', () => {
      expect(decideActivateRental(state, { ...command, activatedAt: new Date(startAt.getTime() - HOUR_MS) }, contextAt(startAt))).toMatchObject({
        kind: 'accepted',
        events: [{ type: 'rental.RentalActivated', key: vehicleId, payload: { rentalId, vehicleId, activatedAt: startAt.getTime() - HOUR_MS, odometerOutKm: 10_000 } }],
      });
    });

    it.each([
      ['an unknown rental', { rental: undefined }, {}, 'RENTAL.RENTAL_NOT_FOUND'],
      ['an active rental', { rental: active }, {}, 'RENTAL.INVALID_STATE'],
      ['a negative odometer', {}, { odometerOutKm: -1 }, 'RENTAL.INVALID_ODOMETER'],
      ['a pick-up in the future', {}, { activatedAt: new Date(startAt.getTime() + 6 * 60_000) }, 'RENTAL.TIME_IN_FUTURE'],
      ['a pick-up too early', {}, { activatedAt: new Date(startAt.getTime() - HOUR_MS - 1) }, 'RENTAL.TOO_EARLY'],
      ['a deposit not held', { account: { ...account, depositHeldMinor: 29_999 } }, {}, 'RENTAL.DEPOSIT_NOT_HELD'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideActivateRental({ ...state, ...stateChange }, { ...command, ...commandChange }, contextAt(startAt)))).toBe(reasonCode);
    });

    it('names the status a refused rental is in', () => {
      expect(decideActivateRental({ rental: { ...reserved, status: 'cancelled' }, account }, command, contextAt(startAt))).toMatchObject({ message: expect.stringContaining('is cancelled') as string });
    });
  });

  describe('CompleteRental', () => {
    const returnedAt = new Date(endAt.getTime() + 2 * HOUR_MS);
    const command: CompleteRental = { rentalId, odometerInKm: 10_500, returnedAt, damages: [{ description: 'Dent', amountMinor: 7_000 }], currency: null };
    const state: RentalWithAccount = { rental: active, account };

    it('adds the late fee, extra km and damages, applies the deposit to what is owed and releases the rest', () => {
      expect(decideCompleteRental(state, command, contextAt(returnedAt))).toMatchObject({
        kind: 'accepted',
        events: [
          {
            type: 'rental.RentalCompleted',
            key: vehicleId,
            payload: {
              lines: [
                { type: 'late_fee', amountMinor: 3_000 },
                { type: 'extra_km', amountMinor: 3_000 },
                { type: 'damage', amountMinor: 7_000 },
              ],
              totalMinor: 23_000,
              currency: 'EUR',
              depositAppliedMinor: 19_000,
              depositReleasedMinor: 11_000,
              destinationLocationId: destinationId,
            },
          },
        ],
      });
    });

    it('adds nothing for an on-time return within the allowance and releases the whole deposit when all is paid', () => {
      const decision = decideCompleteRental({ rental: active, account: { ...account, paidMinor: 10_000 } }, { ...command, odometerInKm: 10_100, returnedAt: endAt, damages: [] }, contextAt(endAt));
      expect(decision).toMatchObject({ kind: 'accepted', events: [{ payload: { lines: [], totalMinor: 10_000, depositAppliedMinor: 0, depositReleasedMinor: 30_000 } }] });
    });

    it('splits a deposit: never more applied than held or owed, the rest released', () => {
      expect([depositSplit(5_000, 30_000), depositSplit(40_000, 30_000), depositSplit(-1_000, 30_000), depositSplit(1_000, 0)]).toEqual([
        { appliedMinor: 5_000, releasedMinor: 25_000 },
        { appliedMinor: 30_000, releasedMinor: 0 },
        { appliedMinor: 0, releasedMinor: 30_000 },
        { appliedMinor: 0, releasedMinor: 0 },
      ]);
    });

    it.each([
      ['an unknown rental', { rental: undefined }, {}, 'RENTAL.RENTAL_NOT_FOUND'],
      ['a reserved rental', { rental: reserved }, {}, 'RENTAL.INVALID_STATE'],
      ['a bad odometer', {}, { odometerInKm: -5 }, 'RENTAL.INVALID_ODOMETER'],
      ['a return in the future', {}, { returnedAt: new Date(returnedAt.getTime() + HOUR_MS) }, 'RENTAL.TIME_IN_FUTURE'],
      ['damages in another currency', {}, { currency: 'USD' }, 'RENTAL.CURRENCY_MISMATCH'],
      ['an odometer below the pick-up', {}, { odometerInKm: 9_999 }, 'RENTAL.ODOMETER_BELOW_PICKUP'],
      ['a return before the pick-up', {}, { returnedAt: new Date(startAt.getTime() - 1) }, 'RENTAL.RETURN_BEFORE_PICKUP'],
      ['a damage without a description', {}, { damages: [{ description: ' ', amountMinor: 1 }] }, 'RENTAL.INVALID_DAMAGES'],
      ['a rental without frozen terms', { rental: { ...active, terms: null } }, {}, 'RENTAL.NOT_PRICED'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideCompleteRental({ ...state, ...stateChange }, { ...command, ...commandChange }, contextAt(returnedAt)))).toBe(reasonCode);
    });
  });

  describe('CancelRental', () => {
    it('charges the fee inside the window and nothing before it', () => {
      const inside = decideCancelRental({ rental: reserved }, { rentalId, reason: ' ill ' }, contextAt(new Date(startAt.getTime() - 2 * HOUR_MS)));
      const before = decideCancelRental({ rental: reserved }, { rentalId, reason: 'ill' }, contextAt(new Date(startAt.getTime() - 25 * HOUR_MS)));

      expect(inside).toMatchObject({ kind: 'accepted', events: [{ type: 'rental.RentalCancelled', key: vehicleId, payload: { feeMinor: 2_500, currency: 'EUR', reason: 'ill' } }] });
      expect(before).toMatchObject({ kind: 'accepted', events: [{ payload: { feeMinor: 0 } }] });
    });

    it.each([
      ['an unknown rental', undefined, 'ill', 'RENTAL.RENTAL_NOT_FOUND'],
      ['an active rental', active, 'ill', 'RENTAL.INVALID_STATE'],
      ['a completed rental', { ...active, status: 'completed' as const }, 'ill', 'RENTAL.INVALID_STATE'],
      ['an empty reason', reserved, '  ', 'RENTAL.INVALID_REASON'],
    ])('refuses %s', (_name, rental, reason, reasonCode) => {
      expect(reasonOf(decideCancelRental({ rental }, { rentalId, reason }, contextAt(startAt)))).toBe(reasonCode);
    });
  });

  describe('AddCharge', () => {
    const command: AddCharge = { chargeId: '9a000000-0000-4000-8000-000000000009', rentalId, type: 'damage', description: 'Chipped windscreen', quantity: 1, amountMinor: 12_000, currency: 'EUR' };
    const state = { rental: active, account, chargeExists: false };

    it('adds a line in the rental currency, on any rental status', () => {
      expect(decideAddCharge({ ...state, rental: { ...active, status: 'completed' } }, command, contextAt(endAt))).toMatchObject({
        kind: 'accepted',
        events: [{ type: 'rental.ChargeAdded', aggregateId: rentalId, payload: { chargeId: command.chargeId, type: 'damage', amountMinor: 12_000, currency: 'EUR' } }],
      });
    });

    it.each([
      ['an unknown rental', { rental: undefined }, {}, 'RENTAL.RENTAL_NOT_FOUND'],
      ['an existing charge id', { chargeExists: true }, {}, 'RENTAL.CHARGE_ALREADY_ADDED'],
      ['a type only rules may add', {}, { type: 'late_hour' }, 'RENTAL.INVALID_CHARGE'],
      ['an empty description', {}, { description: '' }, 'RENTAL.INVALID_CHARGE'],
      ['a zero amount', {}, { amountMinor: 0 }, 'RENTAL.INVALID_CHARGE'],
      ['a zero quantity', {}, { quantity: 0 }, 'RENTAL.INVALID_CHARGE'],
      ['another currency', {}, { currency: 'CHF' }, 'RENTAL.CURRENCY_MISMATCH'],
      ['a discount above the total', {}, { type: 'discount', amountMinor: 10_001 }, 'RENTAL.DISCOUNT_EXCEEDS_TOTAL'],
    ] as const)('refuses %s', (_name, stateChange, commandChange, reasonCode) => {
      expect(reasonOf(decideAddCharge({ ...state, ...stateChange }, { ...command, ...commandChange }, contextAt(endAt)))).toBe(reasonCode);
    });
  });
});
