import type { Knex } from 'knex';
import { isUuid } from '../../platform/identifiers';

/**
 * The rental context's published views, read as the gateway's read-only login (rental.*_view):
 * locations, pricing plans, quotes, rentals with their charges, payments and refunds, and the
 * vehicles, bookings and maintenance windows availability is computed from. Money leaves here as
 * integer minor units next to its currency (`*_cents` columns become `*Minor` fields).
 */

export const RENTAL_STATUSES = ['reserved', 'active', 'completed', 'cancelled'] as const;
export type RentalStatus = (typeof RENTAL_STATUSES)[number];
export const PLAN_STATUSES = ['active', 'retired'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

export const RENTAL_PAGE_SIZE_MAX = 100;
export const AVAILABILITY_PAGE_SIZE_MAX = 200;
/** Locations and pricing plans are configuration: a few hundred at most, answered in one list. */
export const CONFIGURATION_ROWS_MAX = 1_000;

const iso = (at: Date | null): string | null => at?.toISOString() ?? null;

export interface Location {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly address: string | null;
  readonly timeZone: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface LocationRow {
  id: string;
  name: string;
  type: string;
  address: string | null;
  time_zone: string;
  created_at: Date;
  updated_at: Date;
}

export interface PricingPlan {
  readonly id: string;
  readonly name: string;
  readonly vehicleClass: string | null;
  readonly vehicleId: string | null;
  readonly currency: string;
  readonly dailyRateMinor: number;
  readonly hourlyRateMinor: number;
  readonly includedKmPerDay: number;
  readonly extraKmPriceMinor: number;
  readonly lateFeePerHourMinor: number;
  readonly lateGraceMinutes: number;
  readonly cancellationFeeMinor: number;
  readonly cancellationWindowHours: number;
  readonly depositMinor: number;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly status: PlanStatus;
}

interface PricingPlanRow {
  id: string;
  name: string;
  vehicle_class: string | null;
  vehicle_id: string | null;
  currency: string;
  daily_rate_cents: number;
  hourly_rate_cents: number;
  included_km_per_day: number;
  extra_km_price_cents: number;
  late_fee_per_hour_cents: number;
  late_grace_minutes: number;
  cancellation_fee_cents: number;
  cancellation_window_hours: number;
  deposit_cents: number;
  valid_from: Date;
  valid_to: Date | null;
  status: PlanStatus;
}

export interface Quote {
  readonly id: string;
  readonly vehicleId: string | null;
  readonly vehicleClass: string | null;
  readonly originLocationId: string | null;
  readonly destinationLocationId: string | null;
  readonly pricingPlanId: string;
  readonly startAt: string;
  readonly endAt: string;
  readonly totalMinor: number;
  readonly currency: string;
  /** The price lines as the processor computed them (type, description, quantity, unitAmountMinor, amountMinor). */
  readonly breakdown: unknown;
  readonly expiresAt: string;
  /** open, used, or expired (an open quote past expiresAt). */
  readonly status: string;
  readonly usedByRentalId: string | null;
  readonly createdAt: string;
}

interface QuoteRow {
  id: string;
  vehicle_id: string | null;
  vehicle_class: string | null;
  origin_location_id: string | null;
  destination_location_id: string | null;
  pricing_plan_id: string;
  start_at: Date;
  end_at: Date;
  total_cents: number;
  currency: string;
  breakdown: unknown;
  expires_at: Date;
  status: string;
  used_by_rental_id: string | null;
  created_at: Date;
}

export interface Rental {
  readonly id: string;
  readonly vehicleId: string;
  readonly customerId: string | null;
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  readonly startAt: string;
  readonly endAt: string;
  readonly bufferMinutes: number;
  /** The vehicle is taken until then: the end plus its class's turnaround buffer. */
  readonly blockedUntil: string;
  readonly status: RentalStatus;
  readonly pricingPlanId: string | null;
  readonly quoteId: string | null;
  readonly currency: string | null;
  readonly depositRequiredMinor: number;
  readonly depositAppliedMinor: number | null;
  readonly depositReleasedMinor: number | null;
  readonly odometerOutKm: number | null;
  readonly odometerInKm: number | null;
  readonly pickedUpAt: string | null;
  readonly returnedAt: string | null;
  readonly cancelledAt: string | null;
  readonly cancellationReason: string | null;
  readonly overdueAt: string | null;
  readonly chargesTotalMinor: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

interface RentalRow {
  id: string;
  vehicle_id: string;
  customer_id: string | null;
  origin_location_id: string;
  destination_location_id: string;
  start_at: Date;
  end_at: Date;
  buffer_minutes: number;
  blocked_until: Date;
  status: RentalStatus;
  pricing_plan_id: string | null;
  quote_id: string | null;
  currency: string | null;
  deposit_required_cents: number;
  deposit_applied_cents: number | null;
  deposit_released_cents: number | null;
  start_odometer_km: number | null;
  end_odometer_km: number | null;
  picked_up_at: Date | null;
  returned_at: Date | null;
  cancelled_at: Date | null;
  cancellation_reason: string | null;
  overdue_at: Date | null;
  charges_total_cents: number;
  created_at: Date;
  updated_at: Date;
  row_version: number;
  /** start_at in microseconds since the epoch: the page cursor, exact where a Date would round. */
  start_at_micros: string;
}

export interface Charge {
  readonly id: string;
  readonly type: string;
  readonly description: string | null;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly source: string;
  readonly createdAt: string;
}

interface ChargeRow {
  id: string;
  type: string;
  description: string | null;
  quantity: number;
  amount_cents: number;
  currency: string;
  source: string;
  created_at: Date;
}

export interface Refund {
  readonly id: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly reason: string;
  readonly refundedAt: string;
}

interface RefundRow {
  id: string;
  payment_id: string;
  amount_cents: number;
  currency: string;
  reason: string;
  refunded_at: Date;
}

export interface Payment {
  readonly id: string;
  readonly kind: 'payment' | 'deposit';
  readonly provider: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly status: 'pending' | 'captured' | 'failed';
  readonly providerReference: string | null;
  readonly refundedMinor: number;
  readonly capturedAt: string | null;
  readonly failedAt: string | null;
  readonly failureReason: string | null;
  readonly createdAt: string;
  readonly refunds: readonly Refund[];
}

interface PaymentRow {
  id: string;
  kind: 'payment' | 'deposit';
  provider: string;
  amount_cents: number;
  currency: string;
  status: 'pending' | 'captured' | 'failed';
  provider_reference: string | null;
  refunded_cents: number;
  captured_at: Date | null;
  failed_at: Date | null;
  failure_reason: string | null;
  created_at: Date;
}

/**
 * What a rental's money adds up to, all in minor units of `currency`:
 * - chargedMinor: the charge lines (a discount counts against them);
 * - capturedMinor / refundedMinor: payments (kind payment) captured, and refunded from them;
 * - depositHeldMinor: deposits captured minus what was refunded from them;
 * - depositAppliedMinor: the part of the deposit a completed rental put towards its charges;
 * - balanceDueMinor: charged − (captured − refunded) − depositApplied; below zero, the customer is owed.
 */
export interface RentalTotals {
  readonly currency: string | null;
  readonly chargedMinor: number;
  readonly capturedMinor: number;
  readonly refundedMinor: number;
  readonly depositHeldMinor: number;
  readonly depositAppliedMinor: number;
  readonly balanceDueMinor: number;
}

export interface RentalDetail extends Rental {
  readonly charges: readonly Charge[];
  readonly payments: readonly Payment[];
  readonly totals: RentalTotals;
}

export interface AvailableVehicle {
  readonly vehicleId: string;
  readonly plateNumber: string;
  readonly vehicleClass: string;
  readonly locationId: string | null;
}

interface AvailableVehicleRow {
  vehicle_id: string;
  plate_number: string;
  vehicle_class: string;
  location_id: string | null;
}

/** A position in a keyset-paginated list, opaque to clients (base64url of its parts). */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The parts of a cursor, or undefined when it is not one of ours: `count` strings, the last an id. */
export function decodeCursor(cursor: string, count: number): string[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== count || !parts.every((part): part is string => typeof part === 'string')) return undefined;
    // Every cursor ends with the row's id, the tie-breaker of its order.
    return isUuid(parts.at(-1)!) ? parts : undefined;
  } catch {
    return undefined;
  }
}

function toLocation(row: LocationRow): Location {
  return { id: row.id, name: row.name, type: row.type, address: row.address, timeZone: row.time_zone, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

function toPricingPlan(row: PricingPlanRow): PricingPlan {
  return {
    id: row.id,
    name: row.name,
    vehicleClass: row.vehicle_class,
    vehicleId: row.vehicle_id,
    currency: row.currency,
    dailyRateMinor: row.daily_rate_cents,
    hourlyRateMinor: row.hourly_rate_cents,
    includedKmPerDay: row.included_km_per_day,
    extraKmPriceMinor: row.extra_km_price_cents,
    lateFeePerHourMinor: row.late_fee_per_hour_cents,
    lateGraceMinutes: row.late_grace_minutes,
    cancellationFeeMinor: row.cancellation_fee_cents,
    cancellationWindowHours: row.cancellation_window_hours,
    depositMinor: row.deposit_cents,
    validFrom: row.valid_from.toISOString(),
    validTo: iso(row.valid_to),
    status: row.status,
  };
}

function toQuote(row: QuoteRow): Quote {
  return {
    id: row.id,
    vehicleId: row.vehicle_id,
    vehicleClass: row.vehicle_class,
    originLocationId: row.origin_location_id,
    destinationLocationId: row.destination_location_id,
    pricingPlanId: row.pricing_plan_id,
    startAt: row.start_at.toISOString(),
    endAt: row.end_at.toISOString(),
    totalMinor: row.total_cents,
    currency: row.currency,
    breakdown: row.breakdown,
    expiresAt: row.expires_at.toISOString(),
    status: row.status,
    usedByRentalId: row.used_by_rental_id,
    createdAt: row.created_at.toISOString(),
  };
}

function toRental(row: RentalRow): Rental {
  return {
    id: row.id,
    vehicleId: row.vehicle_id,
    customerId: row.customer_id,
    originLocationId: row.origin_location_id,
    destinationLocationId: row.destination_location_id,
    startAt: row.start_at.toISOString(),
    endAt: row.end_at.toISOString(),
    bufferMinutes: row.buffer_minutes,
    blockedUntil: row.blocked_until.toISOString(),
    status: row.status,
    pricingPlanId: row.pricing_plan_id,
    quoteId: row.quote_id,
    currency: row.currency,
    depositRequiredMinor: row.deposit_required_cents,
    depositAppliedMinor: row.deposit_applied_cents,
    depositReleasedMinor: row.deposit_released_cents,
    odometerOutKm: row.start_odometer_km,
    odometerInKm: row.end_odometer_km,
    pickedUpAt: iso(row.picked_up_at),
    returnedAt: iso(row.returned_at),
    cancelledAt: iso(row.cancelled_at),
    cancellationReason: row.cancellation_reason,
    overdueAt: iso(row.overdue_at),
    chargesTotalMinor: row.charges_total_cents,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    version: row.row_version,
  };
}

function toCharge(row: ChargeRow): Charge {
  return {
    id: row.id,
    type: row.type,
    description: row.description,
    quantity: row.quantity,
    amountMinor: row.amount_cents,
    currency: row.currency,
    source: row.source,
    createdAt: row.created_at.toISOString(),
  };
}

function toPayment(row: PaymentRow, refunds: readonly RefundRow[]): Payment {
  return {
    id: row.id,
    kind: row.kind,
    provider: row.provider,
    amountMinor: row.amount_cents,
    currency: row.currency,
    status: row.status,
    providerReference: row.provider_reference,
    refundedMinor: row.refunded_cents,
    capturedAt: iso(row.captured_at),
    failedAt: iso(row.failed_at),
    failureReason: row.failure_reason,
    createdAt: row.created_at.toISOString(),
    refunds: refunds
      .filter((refund) => refund.payment_id === row.id)
      .map((refund) => ({ id: refund.id, amountMinor: refund.amount_cents, currency: refund.currency, reason: refund.reason, refundedAt: refund.refunded_at.toISOString() })),
  };
}

/** The totals of a rental from its rows (see RentalTotals); pure, so the arithmetic is tested without a database. */
export function rentalTotals(rental: Pick<Rental, 'currency' | 'chargesTotalMinor' | 'depositAppliedMinor'>, payments: readonly Payment[]): RentalTotals {
  let capturedMinor = 0;
  let refundedMinor = 0;
  let depositHeldMinor = 0;
  for (const payment of payments) {
    if (payment.status !== 'captured') continue;
    if (payment.kind === 'deposit') depositHeldMinor += payment.amountMinor - payment.refundedMinor;
    else {
      capturedMinor += payment.amountMinor;
      refundedMinor += payment.refundedMinor;
    }
  }
  const depositAppliedMinor = rental.depositAppliedMinor ?? 0;
  return {
    currency: rental.currency,
    chargedMinor: rental.chargesTotalMinor,
    capturedMinor,
    refundedMinor,
    depositHeldMinor,
    depositAppliedMinor,
    balanceDueMinor: rental.chargesTotalMinor - (capturedMinor - refundedMinor) - depositAppliedMinor,
  };
}

const RENTAL_COLUMNS = [
  'id',
  'vehicle_id',
  'customer_id',
  'origin_location_id',
  'destination_location_id',
  'start_at',
  'end_at',
  'buffer_minutes',
  'blocked_until',
  'status',
  'pricing_plan_id',
  'quote_id',
  'currency',
  'deposit_required_cents',
  'deposit_applied_cents',
  'deposit_released_cents',
  'start_odometer_km',
  'end_odometer_km',
  'picked_up_at',
  'returned_at',
  'cancelled_at',
  'cancellation_reason',
  'overdue_at',
  'charges_total_cents',
  'created_at',
  'updated_at',
  'row_version',
] as const;

export interface RentalFilter {
  readonly vehicleId?: string;
  readonly status?: RentalStatus;
  /** Rentals whose period [startAt, endAt) overlaps [from, to). */
  readonly from?: Date;
  readonly to?: Date;
  /** The cursor of the last rental of the previous page. */
  readonly after?: string;
  readonly limit: number;
}

export interface AvailabilityFilter {
  readonly from: Date;
  readonly to: Date;
  readonly locationId?: string;
  readonly vehicleClass?: string;
  readonly after?: string;
  readonly limit: number;
}

export class InvalidCursorError extends Error {}

export class RentalQueries {
  constructor(private readonly reader: Knex) {}

  private view(name: string) {
    return this.reader.withSchema('rental').table(name);
  }

  async locations(): Promise<Location[]> {
    const rows = (await this.view('locations_view')
      .select('id', 'name', 'type', 'address', 'time_zone', 'created_at', 'updated_at')
      .orderBy([{ column: 'name' }, { column: 'id' }])
      .limit(CONFIGURATION_ROWS_MAX)) as LocationRow[];
    return rows.map(toLocation);
  }

  async pricingPlans(filter: { vehicleClass?: string; status?: PlanStatus }): Promise<PricingPlan[]> {
    const query = this.view('pricing_plans_view')
      .select(
        'id',
        'name',
        'vehicle_class',
        'vehicle_id',
        'currency',
        'daily_rate_cents',
        'hourly_rate_cents',
        'included_km_per_day',
        'extra_km_price_cents',
        'late_fee_per_hour_cents',
        'late_grace_minutes',
        'cancellation_fee_cents',
        'cancellation_window_hours',
        'deposit_cents',
        'valid_from',
        'valid_to',
        'status',
      )
      .orderBy([{ column: 'name' }, { column: 'id' }])
      .limit(CONFIGURATION_ROWS_MAX);
    if (filter.vehicleClass !== undefined) void query.where('vehicle_class', filter.vehicleClass);
    if (filter.status !== undefined) void query.where('status', filter.status);
    return ((await query) as PricingPlanRow[]).map(toPricingPlan);
  }

  async quote(quoteId: string): Promise<Quote | undefined> {
    const row: QuoteRow | undefined = await this.view('quotes_view')
      .where('id', quoteId)
      .first(
        'id',
        'vehicle_id',
        'vehicle_class',
        'origin_location_id',
        'destination_location_id',
        'pricing_plan_id',
        'start_at',
        'end_at',
        'total_cents',
        'currency',
        'breakdown',
        'expires_at',
        'status',
        'used_by_rental_id',
        'created_at',
      );
    return row === undefined ? undefined : toQuote(row);
  }

  /** One page in (startAt, id) order; one more row than asked tells whether there is a next page. */
  async rentals(filter: RentalFilter): Promise<{ items: Rental[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), RENTAL_PAGE_SIZE_MAX);
    const query = this.view('rentals_view')
      .select(...RENTAL_COLUMNS, this.reader.raw('(extract(epoch from start_at) * 1000000)::bigint::text AS start_at_micros'))
      .orderBy([{ column: 'start_at' }, { column: 'id' }])
      .limit(limit + 1);
    if (filter.vehicleId !== undefined) void query.where('vehicle_id', filter.vehicleId);
    if (filter.status !== undefined) void query.where('status', filter.status);
    if (filter.to !== undefined) void query.where('start_at', '<', filter.to);
    if (filter.from !== undefined) void query.where('end_at', '>', filter.from);
    if (filter.after !== undefined) {
      const parts = decodeCursor(filter.after, 2);
      const [startAtMicros, id] = parts ?? [];
      if (startAtMicros === undefined || id === undefined || !/^-?\d{1,18}$/.test(startAtMicros)) throw new InvalidCursorError('not a cursor of this list');
      // Microseconds as an interval from the epoch: exact, where a float of seconds would round.
      void query.whereRaw("(start_at, id) > (timestamptz 'epoch' + (?::bigint * interval '1 microsecond'), ?::uuid)", [startAtMicros, id]);
    }
    const rows = (await query) as RentalRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toRental), nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.start_at_micros, last.id]) : null };
  }

  /** A rental with its charges, payments (each with its refunds) and totals. */
  async rental(rentalId: string): Promise<RentalDetail | undefined> {
    const row: RentalRow | undefined = await this.view('rentals_view').where('id', rentalId).first(...RENTAL_COLUMNS, this.reader.raw("'' AS start_at_micros"));
    if (row === undefined) return undefined;
    const [charges, payments, refunds] = await Promise.all([
      this.view('rental_charges_view')
        .where('rental_id', rentalId)
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .select('id', 'type', 'description', 'quantity', 'amount_cents', 'currency', 'source', 'created_at') as Promise<ChargeRow[]>,
      this.view('rental_payments_view')
        .where('rental_id', rentalId)
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .select(
          'id',
          'kind',
          'provider',
          'amount_cents',
          'currency',
          'status',
          'provider_reference',
          'refunded_cents',
          'captured_at',
          'failed_at',
          'failure_reason',
          'created_at',
        ) as Promise<PaymentRow[]>,
      this.view('payment_refunds_view')
        .where('rental_id', rentalId)
        .orderBy([{ column: 'refunded_at' }, { column: 'id' }])
        .select('id', 'payment_id', 'amount_cents', 'currency', 'reason', 'refunded_at') as Promise<RefundRow[]>,
    ]);
    const rental = toRental(row);
    const paymentList = payments.map((payment) => toPayment(payment, refunds));
    return { ...rental, charges: charges.map(toCharge), payments: paymentList, totals: rentalTotals(rental, paymentList) };
  }

  /**
   * Vehicles free for the whole window [from, to): not decommissioned, no reserved or active
   * booking whose blocked period (its buffer included) overlaps, no scheduled or in-progress
   * maintenance window overlapping. Both NOT EXISTS probes are (vehicle_id, period &&) lookups the
   * GiST indexes answer: the exclusion constraint's index on bookings, and maintenance_windows'.
   */
  async available(filter: AvailabilityFilter): Promise<{ items: AvailableVehicle[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit, 1), AVAILABILITY_PAGE_SIZE_MAX);
    const rows = (await this.availableQuery({ ...filter, limit })) as AvailableVehicleRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => ({ vehicleId: row.vehicle_id, plateNumber: row.plate_number, vehicleClass: row.vehicle_class, locationId: row.location_id })),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor([last.plate_number, last.vehicle_id]) : null,
    };
  }

  /** The availability statement for one more row than `filter.limit` (public so its plan can be checked with EXPLAIN). */
  availableQuery(filter: AvailabilityFilter): Knex.QueryBuilder {
    const limit = filter.limit;
    const window = this.reader.raw("tstzrange(?::timestamptz, ?::timestamptz, '[)')", [filter.from, filter.to]);
    const query = this.view('vehicles_view as v')
      .select('v.vehicle_id', 'v.plate_number', 'v.vehicle_class', 'v.location_id')
      .whereNot('v.status', 'decommissioned')
      .whereNotExists((booking) => {
        void booking.select(this.reader.raw('1')).from('rental.vehicle_bookings_view as b').whereRaw('b.vehicle_id = v.vehicle_id').andWhereRaw('b.blocked_period && ?', [window]);
      })
      .whereNotExists((job) => {
        void job.select(this.reader.raw('1')).from('rental.maintenance_windows_view as m').whereRaw('m.vehicle_id = v.vehicle_id').andWhereRaw('m.blocked_period && ?', [window]);
      })
      .orderBy([{ column: 'v.plate_number' }, { column: 'v.vehicle_id' }])
      .limit(limit + 1);
    if (filter.locationId !== undefined) void query.where('v.location_id', filter.locationId);
    if (filter.vehicleClass !== undefined) void query.where('v.vehicle_class', filter.vehicleClass);
    if (filter.after !== undefined) {
      const parts = decodeCursor(filter.after, 2);
      const [plateNumber, vehicleId] = parts ?? [];
      if (plateNumber === undefined || vehicleId === undefined) throw new InvalidCursorError('not a cursor of this list');
      void query.whereRaw('(v.plate_number, v.vehicle_id) > (?, ?::uuid)', [plateNumber, vehicleId]);
    }
    return query;
  }
}
