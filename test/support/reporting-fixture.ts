import { randomUUID } from 'node:crypto';

/**
 * A month of a small fleet's facts, as the other contexts publish them, for reporting's tests: three
 * vehicles in March 2026, their rentals, workshop jobs, odometer readings and the journal entries
 * the ledger posted for them. Every figure the reports give for it is worked out by hand in
 * test/int/reporting/reports.int.test.ts. Ids sort in the order they are named (V1 < V2 < V3,
 * C1 < C2), so that the reports' fixed order is the order written there.
 */
export interface FixtureEvent {
  readonly topic: 'fleet' | 'rental' | 'maintenance' | 'ledger';
  readonly type: string;
  readonly key: string;
  readonly value: Record<string, unknown>;
}

const id = (prefix: string, n: number) => `${prefix}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const V1 = id('a', 1);
export const V2 = id('a', 2);
export const V3 = id('a', 3);
export const C1 = id('c', 1);
export const C2 = id('c', 2);
export const R1 = id('b', 1);
export const R2 = id('b', 2);
export const R3 = id('b', 3);
export const R4 = id('b', 4);
export const R5 = id('b', 5);
const J1 = id('d', 1);
const J2 = id('d', 2);
const J3 = id('d', 3);

const at = (text: string) => Date.parse(text);

function vehicleRegistered(vehicleId: string, vehicleClass: string, registeredAt: string): FixtureEvent {
  return {
    topic: 'fleet',
    type: 'fleet.VehicleRegistered',
    key: vehicleId,
    value: { vehicleId, plateNumber: `B-RP ${vehicleId.slice(-2)}`, vin: null, make: 'Skoda', model: 'Octavia', variant: null, year: 2025, vehicleClass, status: 'available', registeredAt: at(registeredAt) },
  };
}

function reading(vehicleId: string, readingKm: number, recordedAt: string, supersedesReadingId: string | null = null, readingId = randomUUID()): FixtureEvent {
  return { topic: 'fleet', type: 'fleet.OdometerRecorded', key: vehicleId, value: { readingId, vehicleId, readingKm, recordedAt: at(recordedAt), source: 'manual', supersedesReadingId } };
}

function reserved(rentalId: string, vehicleId: string, customerId: string, currency = 'EUR'): FixtureEvent {
  const start = at('2026-03-01T00:00:00Z');
  return {
    topic: 'rental',
    type: 'rental.RentalReserved',
    key: vehicleId,
    value: {
      rentalId,
      vehicleId,
      customerId,
      quoteId: null,
      planId: randomUUID(),
      originLocationId: randomUUID(),
      destinationLocationId: randomUUID(),
      startAt: start,
      endAt: start + 86_400_000,
      blockedUntil: start + 86_400_000,
      currency,
      quotedTotalMinor: 0,
      lines: [],
      depositRequiredMinor: 0,
      reservedAt: at('2026-02-15T00:00:00Z'),
    },
  };
}

const activated = (rentalId: string, vehicleId: string, activatedAt: string): FixtureEvent => ({
  topic: 'rental',
  type: 'rental.RentalActivated',
  key: vehicleId,
  value: { rentalId, vehicleId, activatedAt: at(activatedAt), odometerOutKm: null },
});

const completed = (rentalId: string, vehicleId: string, completedAt: string): FixtureEvent => ({
  topic: 'rental',
  type: 'rental.RentalCompleted',
  key: vehicleId,
  value: { rentalId, vehicleId, completedAt: at(completedAt), odometerInKm: null, lines: [], totalMinor: null, currency: null, depositAppliedMinor: null, depositReleasedMinor: null, destinationLocationId: null },
});

const chargeAdded = (chargeId: string, rentalId: string, vehicleId: string, addedAt: string): FixtureEvent => ({
  topic: 'rental',
  type: 'rental.ChargeAdded',
  key: vehicleId,
  value: { chargeId, rentalId, type: 'damage', description: 'fixture', quantity: 1, amountMinor: 1, currency: 'EUR', addedAt: at(addedAt) },
});

const paymentCaptured = (paymentId: string, rentalId: string, vehicleId: string, capturedAt: string): FixtureEvent => ({
  topic: 'rental',
  type: 'rental.PaymentCaptured',
  key: vehicleId,
  value: { paymentId, rentalId, kind: 'payment', provider: 'card', amountMinor: 30_000, currency: 'EUR', capturedAt: at(capturedAt) },
});

const started = (jobId: string, vehicleId: string, startedAt: string): FixtureEvent => ({
  topic: 'maintenance',
  type: 'maintenance.MaintenanceStarted',
  key: jobId,
  value: { jobId, vehicleId, startedAt: at(startedAt), actor: null },
});

const jobCompleted = (jobId: string, vehicleId: string, completedAt: string, totalCostMinor: number): FixtureEvent => ({
  topic: 'maintenance',
  type: 'maintenance.MaintenanceCompleted',
  key: jobId,
  value: { jobId, vehicleId, completedAt: at(completedAt), laborCostMinor: null, partsCostMinor: null, totalCostMinor, currency: 'EUR', odometerKm: null, parts: [], actor: null },
});

type Line = readonly [account: string, direction: 'debit' | 'credit', amountMinor: number, currency?: string];

/** A LedgerPosted as the ledger publishes it; `entryId` may be given to publish the same entry again. */
export function posted(externalRefType: string, externalRefId: string, entryDate: string, lines: readonly Line[], entryId: string = randomUUID()): FixtureEvent {
  const totals = new Map<string, number>();
  for (const [, direction, amountMinor, currency = 'EUR'] of lines) if (direction === 'debit') totals.set(currency, (totals.get(currency) ?? 0) + amountMinor);
  return {
    topic: 'ledger',
    type: 'ledger.LedgerPosted',
    key: entryId,
    value: {
      entryId,
      externalRefType,
      externalRefId,
      entryDate,
      description: 'fixture',
      reversesEntryId: null,
      lines: lines.map(([accountCode, direction, amountMinor, currency = 'EUR']) => ({ accountCode, direction, amountMinor, currency, memo: null })),
      totals: [...totals].map(([currency, amountMinor]) => ({ currency, amountMinor })),
    },
  };
}

const P1 = randomUUID();
const CH1 = randomUUID();
const CH2 = randomUUID();
const CH3 = randomUUID();
const V1_MARCH_20 = randomUUID();
const V1_MARCH_31 = randomUUID();

/** The facts, in an order each source context could have published them. */
export const FIXTURE: readonly FixtureEvent[] = [
  vehicleRegistered(V1, 'compact', '2026-01-10T00:00:00Z'),
  vehicleRegistered(V3, 'compact', '2026-01-01T00:00:00Z'),
  vehicleRegistered(V2, 'van', '2026-03-11T00:00:00Z'),
  { topic: 'fleet', type: 'fleet.VehicleUpdated', key: V1, value: { vehicleId: V1, make: null, model: null, variant: null, year: null, vehicleClass: 'premium', vin: null, version: 2, updatedAt: at('2026-02-01T00:00:00Z') } },
  { topic: 'fleet', type: 'fleet.VehicleStateChanged', key: V3, value: { vehicleId: V3, from: 'available', to: 'decommissioned', cause: 'decommissioned', reason: 'sold', at: at('2026-03-21T00:00:00Z'), actor: null } },
  reading(V1, 10_000, '2026-02-28T00:00:00Z'),
  reading(V1, 11_500, '2026-03-15T00:00:00Z'),
  reading(V1, 12_000, '2026-03-20T00:00:00Z', null, V1_MARCH_20),
  reading(V1, 12_100, '2026-03-20T06:00:00Z', V1_MARCH_20),
  reading(V1, 99_999, '2026-03-31T00:00:00Z', null, V1_MARCH_31),
  { topic: 'fleet', type: 'fleet.OdometerReadingVoided', key: V1, value: { vehicleId: V1, readingId: V1_MARCH_31, reason: 'typo', voidedAt: at('2026-03-31T01:00:00Z'), actor: null } },
  reading(V1, 13_000, '2026-04-05T00:00:00Z'),
  reading(V3, 5_000, '2026-03-10T00:00:00Z'),
  reading(V3, 5_600, '2026-03-18T00:00:00Z'),
  reserved(R1, V1, C1),
  activated(R1, V1, '2026-03-02T00:00:00Z'),
  completed(R1, V1, '2026-03-12T00:00:00Z'),
  paymentCaptured(P1, R1, V1, '2026-03-12T00:00:00Z'),
  chargeAdded(CH2, R1, V1, '2026-03-13T00:00:00Z'),
  chargeAdded(CH3, R1, V1, '2026-04-02T00:00:00Z'),
  reserved(R2, V2, C1),
  activated(R2, V2, '2026-03-25T00:00:00Z'),
  reserved(R3, V3, C2),
  activated(R3, V3, '2026-03-15T00:00:00Z'),
  chargeAdded(CH1, R3, V3, '2026-03-20T00:00:00Z'),
  completed(R3, V3, '2026-03-25T00:00:00Z'),
  reserved(R4, V2, C2),
  reserved(R5, V2, C1, 'USD'),
  started(J1, V1, '2026-03-05T00:00:00Z'),
  jobCompleted(J1, V1, '2026-03-07T00:00:00Z', 30_000),
  started(J2, V2, '2026-03-20T12:00:00Z'),
  { topic: 'maintenance', type: 'maintenance.MaintenanceCancelled', key: J2, value: { jobId: J2, vehicleId: V2, cancelledAt: at('2026-03-21T12:00:00Z'), reason: 'part missing', actor: null } },
  started(J3, V3, '2026-02-27T00:00:00Z'),
  jobCompleted(J3, V3, '2026-03-02T00:00:00Z', 12_000),
  posted('rental.RentalCompleted', R1, '2026-03-12', [
    ['ACCOUNTS_RECEIVABLE', 'debit', 50_000],
    ['RENTAL_REVENUE', 'credit', 40_000],
    ['LATE_FEE_REVENUE', 'credit', 10_000],
  ]),
  posted('rental.PaymentCaptured', P1, '2026-03-12', [
    ['CARD_CLEARING', 'debit', 30_000],
    ['ACCOUNTS_RECEIVABLE', 'credit', 30_000],
  ]),
  posted('rental.ChargeAdded', CH1, '2026-03-20', [
    ['ACCOUNTS_RECEIVABLE', 'debit', 8_000],
    ['DAMAGE_RECOVERY_REVENUE', 'credit', 8_000],
  ]),
  posted('rental.ChargeAdded', CH2, '2026-03-13', [
    ['DISCOUNTS', 'debit', 5_000],
    ['ACCOUNTS_RECEIVABLE', 'credit', 5_000],
  ]),
  posted('maintenance.MaintenanceCompleted', J1, '2026-03-07', [
    ['MAINTENANCE_PARTS_EXPENSE', 'debit', 20_000],
    ['MAINTENANCE_LABOUR_EXPENSE', 'debit', 10_000],
    ['ACCOUNTS_PAYABLE', 'credit', 30_000],
  ]),
  posted('ledger.PostManualJournalEntry', randomUUID(), '2026-03-31', [
    ['CASH', 'debit', 1_000],
    ['RENTAL_REVENUE', 'credit', 1_000],
  ]),
  posted('rental.RentalCancelled', R4, '2026-02-20', [
    ['ACCOUNTS_RECEIVABLE', 'debit', 2_500],
    ['CANCELLATION_FEE_REVENUE', 'credit', 2_500],
  ]),
  posted('rental.RentalCompleted', R5, '2026-03-28', [
    ['ACCOUNTS_RECEIVABLE', 'debit', 7_000, 'USD'],
    ['RENTAL_REVENUE', 'credit', 7_000, 'USD'],
  ]),
  posted('rental.ChargeAdded', CH3, '2026-04-02', [
    ['ACCOUNTS_RECEIVABLE', 'debit', 999],
    ['EXTRA_KM_REVENUE', 'credit', 999],
  ]),
];
