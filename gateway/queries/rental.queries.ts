import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, InvalidCursorError } from './cursors';
import {
  rentalTotals,
  toCharge,
  toLocation,
  toPayment,
  toPricingPlan,
  toQuote,
  toRental,
  type AvailableVehicle,
  type AvailableVehicleRow,
  type ChargeRow,
  type Location,
  type LocationRow,
  type PaymentRow,
  type PlanStatus,
  type PricingPlan,
  type PricingPlanRow,
  type Quote,
  type QuoteRow,
  type RefundRow,
  type Rental,
  type RentalDetail,
  type RentalRow,
  type RentalStatus,
} from './rental-read-models';

export * from './rental-read-models';
export { decodeCursor, encodeCursor, InvalidCursorError } from './cursors';

/**
 * The rental context's published views, read as the gateway's read-only login (rental.*_view):
 * locations, pricing plans, quotes, rentals with their charges, payments and refunds, and the
 * vehicles, bookings and maintenance windows availability is computed from. Money leaves here as
 * integer minor units next to its currency (see rental-read-models.ts for the shapes).
 */

export const RENTAL_PAGE_SIZE_MAX = 100;
export const AVAILABILITY_PAGE_SIZE_MAX = 200;
/** Locations and pricing plans are configuration: a few hundred at most, answered in one list. */
export const CONFIGURATION_ROWS_MAX = 1_000;

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
