import type { Knex } from 'knex';
import { ConstraintViolation, refusedBy } from '../../platform/database-errors';
import type { ChargeLine, ChargeType, PricingTerms } from './pricing';
import type { BlockedPeriod, Payment, PaymentKind, PaymentProvider, PaymentStatus, Quote, Rental, RentalAccount, RentalStatus } from './rental-state';

export type { RentalStatus };

/**
 * The rental context's SQL for quotes, rentals, their charges and payments (catalog.repository.ts
 * holds locations, plans, policies and the copies of other contexts' facts). The database's
 * refusals that are business outcomes come back as values, recognised by constraint name.
 */

export interface NewRental {
  readonly id: string;
  readonly vehicleId: string;
  readonly customerId: string | null;
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly bufferMinutes: number;
  readonly pricingPlanId: string | null;
  readonly quoteId: string | null;
  readonly currency: string | null;
  readonly terms: PricingTerms | null;
  readonly depositRequiredMinor: number;
  readonly createdBy: string | null;
}

export interface NewCharge {
  readonly id?: string;
  readonly rentalId: string;
  readonly type: ChargeType;
  readonly description: string;
  readonly quantity: number;
  readonly amountMinor: number;
  readonly currency: string;
  readonly source: 'quote' | 'completion' | 'cancellation' | 'manual';
  readonly sourceMessageId: string | null;
  readonly createdBy: string | null;
}

export type ReserveResult = { readonly outcome: 'reserved' } | { readonly outcome: 'vehicle_already_booked' } | { readonly outcome: 'quote_already_used' };
export type RefundResult = 'refunded' | 'exceeds_captured';

interface RentalRecord {
  id: string;
  vehicle_id: string;
  customer_id: string | null;
  origin_location_id: string;
  destination_location_id: string;
  time_zone: string;
  start_at: Date;
  end_at: Date;
  blocked_until: Date;
  status: RentalStatus;
  currency: string | null;
  terms: PricingTerms | null;
  deposit_required_cents: number;
  start_odometer_km: number | null;
  picked_up_at: Date | null;
}

function toRental(row: RentalRecord): Rental {
  return {
    id: row.id,
    vehicleId: row.vehicle_id,
    customerId: row.customer_id,
    originLocationId: row.origin_location_id,
    destinationLocationId: row.destination_location_id,
    timeZone: row.time_zone,
    startAt: row.start_at,
    endAt: row.end_at,
    blockedUntil: row.blocked_until,
    status: row.status,
    currency: row.currency,
    terms: row.terms,
    depositRequiredMinor: row.deposit_required_cents,
    odometerOutKm: row.start_odometer_km,
    pickedUpAt: row.picked_up_at,
  };
}

interface QuoteRecord {
  id: string;
  vehicle_id: string | null;
  vehicle_class: string;
  pricing_plan_id: string;
  origin_location_id: string;
  destination_location_id: string;
  start_at: Date;
  end_at: Date;
  terms: PricingTerms;
  breakdown: ChargeLine[];
  total_cents: number;
  expires_at: Date;
  used_by_rental_id: string | null;
}

interface PaymentRecord {
  id: string;
  rental_id: string;
  kind: PaymentKind;
  provider: PaymentProvider;
  amount_cents: number;
  currency: string;
  status: PaymentStatus;
  refunded_cents: number;
}

function toPayment(row: PaymentRecord): Payment {
  return {
    id: row.id,
    rentalId: row.rental_id,
    kind: row.kind,
    provider: row.provider,
    amountMinor: row.amount_cents,
    currency: row.currency,
    status: row.status,
    refundedMinor: row.refunded_cents,
  };
}

/** What a decision about a rental reads of it, with its pick-up location's time zone (rentals r join locations l). */
const RENTAL_COLUMNS = [
  'r.id',
  'r.vehicle_id',
  'r.customer_id',
  'r.origin_location_id',
  'r.destination_location_id',
  'l.time_zone',
  'r.start_at',
  'r.end_at',
  'r.blocked_until',
  'r.status',
  'r.currency',
  'r.terms',
  'r.deposit_required_cents',
  'r.start_odometer_km',
  'r.picked_up_at',
];

/** Bookings and windows a query may return for one vehicle and period: far more is a bug. */
const OVERLAPS_MAX = 100;

export class RentalRepository {
  async findQuote(transaction: Knex.Transaction, quoteId: string): Promise<Quote | undefined> {
    const row: QuoteRecord | undefined = await transaction
      .withSchema('rental')
      .table('quotes')
      .where('id', quoteId)
      .first('id', 'vehicle_id', 'vehicle_class', 'pricing_plan_id', 'origin_location_id', 'destination_location_id', 'start_at', 'end_at', 'terms', 'breakdown', 'total_cents', 'expires_at', 'used_by_rental_id')
      .forUpdate();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      vehicleId: row.vehicle_id,
      vehicleClass: row.vehicle_class,
      planId: row.pricing_plan_id,
      originLocationId: row.origin_location_id,
      destinationLocationId: row.destination_location_id,
      startAt: row.start_at,
      endAt: row.end_at,
      terms: row.terms,
      lines: row.breakdown,
      totalMinor: row.total_cents,
      expiresAt: row.expires_at,
      usedByRentalId: row.used_by_rental_id,
    };
  }

  async quoteExists(transaction: Knex.Transaction, quoteId: string): Promise<boolean> {
    return (await transaction.withSchema('rental').table('quotes').where('id', quoteId).first('id')) !== undefined;
  }

  async insertQuote(transaction: Knex.Transaction, quote: Quote, createdBy: string | null): Promise<void> {
    await transaction
      .withSchema('rental')
      .table('quotes')
      .insert({
        id: quote.id,
        vehicle_id: quote.vehicleId,
        vehicle_class: quote.vehicleClass,
        pricing_plan_id: quote.planId,
        origin_location_id: quote.originLocationId,
        destination_location_id: quote.destinationLocationId,
        start_at: quote.startAt,
        end_at: quote.endAt,
        terms: JSON.stringify(quote.terms),
        breakdown: JSON.stringify(quote.lines),
        total_cents: quote.totalMinor,
        currency: quote.terms.currency,
        expires_at: quote.expiresAt,
        status: 'open',
        created_by: createdBy,
      });
  }

  async rentalExists(transaction: Knex.Transaction, rentalId: string): Promise<boolean> {
    return (await transaction.withSchema('rental').table('rentals').where('id', rentalId).first('id')) !== undefined;
  }

  /** The rental, locked until the transaction ends so that nothing changes it between decision and write. */
  async lockRental(transaction: Knex.Transaction, rentalId: string): Promise<Rental | undefined> {
    const row: RentalRecord | undefined = await transaction
      .withSchema('rental')
      .table('rentals as r')
      .join('locations as l', 'l.id', 'r.origin_location_id')
      .where('r.id', rentalId)
      .first(RENTAL_COLUMNS)
      .forUpdate('r');
    return row === undefined ? undefined : toRental(row);
  }

  /** What has been charged and paid on a rental (its row should be locked by the caller). */
  async accountOf(transaction: Knex.Transaction, rentalId: string): Promise<RentalAccount> {
    const result: { rows: { charges: number; paid: number; deposit: number }[] } = await transaction.raw(
      `SELECT
         (SELECT coalesce(sum(CASE WHEN type = 'discount' THEN -amount_cents ELSE amount_cents END), 0) FROM rental.rental_charges WHERE rental_id = :rentalId)::bigint AS charges,
         (SELECT coalesce(sum(amount_cents - refunded_cents), 0) FROM rental.rental_payments WHERE rental_id = :rentalId AND kind = 'payment' AND status = 'captured')::bigint AS paid,
         (SELECT coalesce(sum(amount_cents - refunded_cents), 0) FROM rental.rental_payments WHERE rental_id = :rentalId AND kind = 'deposit' AND status = 'captured')::bigint AS deposit`,
      { rentalId },
    );
    const row = result.rows[0]!;
    return { chargesTotalMinor: row.charges, paidMinor: row.paid, depositHeldMinor: row.deposit };
  }

  /** Reserved and active rentals of a vehicle whose blocked periods (end plus buffer) overlap [from, until): served by the exclusion index. */
  async bookingsOverlapping(transaction: Knex.Transaction, vehicleId: string, from: Date, until: Date): Promise<BlockedPeriod[]> {
    const rows: { id: string; start_at: Date; blocked_until: Date }[] = await transaction
      .withSchema('rental')
      .table('rentals')
      .select('id', 'start_at', 'blocked_until')
      .where('vehicle_id', vehicleId)
      .whereIn('status', ['reserved', 'active'])
      .whereRaw("blocked_period && tstzrange(?, ?, '[)')", [from, until])
      .orderBy('start_at')
      .limit(OVERLAPS_MAX);
    return rows.map((row) => ({ id: row.id, from: row.start_at, until: row.blocked_until }));
  }

  /**
   * Inserts a reservation. The exclusion constraint is the arbiter of double booking (the buffer
   * included) and the unique quote key of a quote's single use: when either refuses, the outcome
   * says so and the caller's transaction goes on.
   */
  async reserve(transaction: Knex.Transaction, rental: NewRental): Promise<ReserveResult> {
    const result = await refusedBy(transaction, ['rentals_no_double_booking', 'rentals_quote_id_key', 'quotes_used_by_rental_id_key'], async (savepoint) => {
      await savepoint
        .withSchema('rental')
        .table('rentals')
        .insert({
          id: rental.id,
          vehicle_id: rental.vehicleId,
          customer_id: rental.customerId,
          origin_location_id: rental.originLocationId,
          destination_location_id: rental.destinationLocationId,
          start_at: rental.startAt,
          end_at: rental.endAt,
          buffer_minutes: rental.bufferMinutes,
          blocked_until: new Date(rental.endAt.getTime() + rental.bufferMinutes * 60_000),
          pricing_plan_id: rental.pricingPlanId,
          quote_id: rental.quoteId,
          currency: rental.currency,
          terms: rental.terms === null ? null : JSON.stringify(rental.terms),
          deposit_required_cents: rental.depositRequiredMinor,
          status: 'reserved',
          created_by: rental.createdBy,
        });
      if (rental.quoteId !== null) {
        await savepoint.withSchema('rental').table('quotes').where('id', rental.quoteId).update({ status: 'used', used_by_rental_id: rental.id });
      }
    });
    if (!(result instanceof ConstraintViolation)) return { outcome: 'reserved' };
    return result.constraint === 'rentals_no_double_booking' ? { outcome: 'vehicle_already_booked' } : { outcome: 'quote_already_used' };
  }

  async activate(transaction: Knex.Transaction, change: { rentalId: string; at: Date; odometerOutKm: number; actorId: string | null }): Promise<void> {
    await this.updateRental(transaction, change.rentalId, 'reserved', { status: 'active', picked_up_at: change.at, start_odometer_km: change.odometerOutKm, updated_by: change.actorId });
  }

  async complete(
    transaction: Knex.Transaction,
    change: { rentalId: string; at: Date; odometerInKm: number; depositAppliedMinor: number; depositReleasedMinor: number; actorId: string | null },
  ): Promise<void> {
    await this.updateRental(transaction, change.rentalId, 'active', {
      status: 'completed',
      returned_at: change.at,
      end_odometer_km: change.odometerInKm,
      deposit_applied_cents: change.depositAppliedMinor,
      deposit_released_cents: change.depositReleasedMinor,
      updated_by: change.actorId,
    });
  }

  async cancel(transaction: Knex.Transaction, change: { rentalId: string; at: Date; reason: string; actorId: string | null }): Promise<void> {
    await this.updateRental(transaction, change.rentalId, 'reserved', { status: 'cancelled', cancelled_at: change.at, cancellation_reason: change.reason, updated_by: change.actorId });
  }

  /** The caller holds the row lock and decided on `from`; any other status here is a bug. */
  private async updateRental(transaction: Knex.Transaction, rentalId: string, from: RentalStatus, changes: Record<string, unknown>): Promise<void> {
    const updated = await transaction.withSchema('rental').table('rentals').where({ id: rentalId, status: from }).update(changes);
    if (updated !== 1) throw new Error(`rental ${rentalId} was not ${from} when it was written`);
  }

  async chargeExists(transaction: Knex.Transaction, chargeId: string): Promise<boolean> {
    return (await transaction.withSchema('rental').table('rental_charges').where('id', chargeId).first('id')) !== undefined;
  }

  async addCharges(transaction: Knex.Transaction, charges: readonly NewCharge[]): Promise<void> {
    if (charges.length === 0) return;
    await transaction
      .withSchema('rental')
      .table('rental_charges')
      .insert(
        charges.map((charge) => ({
          ...(charge.id === undefined ? {} : { id: charge.id }),
          rental_id: charge.rentalId,
          type: charge.type,
          description: charge.description,
          quantity: charge.quantity,
          amount_cents: charge.amountMinor,
          currency: charge.currency,
          source: charge.source,
          source_message_id: charge.sourceMessageId,
          created_by: charge.createdBy,
        })),
      );
  }

  async paymentExists(transaction: Knex.Transaction, paymentId: string): Promise<boolean> {
    return (await transaction.withSchema('rental').table('rental_payments').where('id', paymentId).first('id')) !== undefined;
  }

  /** The payment of `rentalId` with this id, locked; undefined when there is none for that rental. */
  async lockPayment(transaction: Knex.Transaction, rentalId: string, paymentId: string): Promise<Payment | undefined> {
    const row: PaymentRecord | undefined = await transaction
      .withSchema('rental')
      .table('rental_payments')
      .where({ id: paymentId, rental_id: rentalId })
      .first('id', 'rental_id', 'kind', 'provider', 'amount_cents', 'currency', 'status', 'refunded_cents')
      .forUpdate();
    return row === undefined ? undefined : toPayment(row);
  }

  async recordPayment(
    transaction: Knex.Transaction,
    payment: { id: string; rentalId: string; kind: PaymentKind; provider: PaymentProvider; amountMinor: number; currency: string; providerReference: string | null; createdBy: string | null },
  ): Promise<void> {
    await transaction.withSchema('rental').table('rental_payments').insert({
      id: payment.id,
      rental_id: payment.rentalId,
      kind: payment.kind,
      provider: payment.provider,
      amount_cents: payment.amountMinor,
      currency: payment.currency,
      provider_reference: payment.providerReference,
      status: 'pending',
      created_by: payment.createdBy,
    });
  }

  async settlePayment(transaction: Knex.Transaction, change: { paymentId: string; status: 'captured' | 'failed'; at: Date; reason: string | null; actorId: string | null }): Promise<void> {
    const updated = await transaction
      .withSchema('rental')
      .table('rental_payments')
      .where({ id: change.paymentId, status: 'pending' })
      .update(
        change.status === 'captured'
          ? { status: 'captured', captured_at: change.at, updated_by: change.actorId }
          : { status: 'failed', failed_at: change.at, failure_reason: change.reason, updated_by: change.actorId },
      );
    if (updated !== 1) throw new Error(`payment ${change.paymentId} was not pending when it was settled`);
  }

  async refundExists(transaction: Knex.Transaction, refundId: string): Promise<boolean> {
    return (await transaction.withSchema('rental').table('payment_refunds').where('id', refundId).first('id')) !== undefined;
  }

  /**
   * Records a refund; its trigger adds it to the payment's refunded amount, where the payment's
   * checks refuse uncaptured money or more than was captured.
   */
  async refund(
    transaction: Knex.Transaction,
    refund: { id: string; paymentId: string; amountMinor: number; currency: string; reason: string; at: Date; createdBy: string | null },
  ): Promise<RefundResult> {
    const result = await refusedBy(transaction, ['rental_payments_refund_within_captured_check', 'rental_payments_refund_needs_capture_check'], (savepoint) =>
      savepoint.withSchema('rental').table('payment_refunds').insert({
        id: refund.id,
        payment_id: refund.paymentId,
        amount_cents: refund.amountMinor,
        currency: refund.currency,
        reason: refund.reason,
        refunded_at: refund.at,
        created_by: refund.createdBy,
      }),
    );
    return result instanceof ConstraintViolation ? 'exceeds_captured' : 'refunded';
  }

  /**
   * Active rentals not yet marked overdue whose end plus late grace is at or before `now`, locked
   * and skipped by any other sweep that holds them. At most `limit`, the longest overdue first.
   */
  async overdueCandidates(transaction: Knex.Transaction, now: Date, limit: number): Promise<Rental[]> {
    const rows: RentalRecord[] = await transaction
      .withSchema('rental')
      .table('rentals as r')
      .join('locations as l', 'l.id', 'r.origin_location_id')
      .where('r.status', 'active')
      .whereNull('r.overdue_at')
      .whereNotNull('r.terms')
      .where('r.end_at', '<=', now)
      .whereRaw("r.end_at + make_interval(mins => (r.terms->>'lateGraceMinutes')::int) <= ?", [now])
      .orderBy('r.end_at')
      .limit(limit)
      .select(RENTAL_COLUMNS)
      .forUpdate('r')
      .skipLocked();
    return rows.map(toRental);
  }

  /** Marks a rental overdue once: false when another sweep (or a return) got there first. */
  async markOverdue(transaction: Knex.Transaction, rentalId: string, overdueAt: Date): Promise<boolean> {
    const updated = await transaction.withSchema('rental').table('rentals').where({ id: rentalId, status: 'active' }).whereNull('overdue_at').update({ overdue_at: overdueAt });
    return updated === 1;
  }
}
