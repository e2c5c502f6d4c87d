/**
 * What the rental reads answer, the rows of the published views they come from, and the mapping
 * between the two: `*_cents` columns become `*Minor` fields next to their currency, timestamps
 * become RFC 3339 strings.
 */

export const RENTAL_STATUSES = ['reserved', 'active', 'completed', 'cancelled'] as const;
export type RentalStatus = (typeof RENTAL_STATUSES)[number];
export const PLAN_STATUSES = ['active', 'retired'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];

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

export interface LocationRow {
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

export interface PricingPlanRow {
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

export interface QuoteRow {
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

export interface RentalRow {
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

export interface ChargeRow {
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

export interface RefundRow {
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

export interface PaymentRow {
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

export interface AvailableVehicleRow {
  vehicle_id: string;
  plate_number: string;
  vehicle_class: string;
  location_id: string | null;
}

export function toLocation(row: LocationRow): Location {
  return { id: row.id, name: row.name, type: row.type, address: row.address, timeZone: row.time_zone, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

export function toPricingPlan(row: PricingPlanRow): PricingPlan {
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

export function toQuote(row: QuoteRow): Quote {
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

export function toRental(row: RentalRow): Rental {
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

export function toCharge(row: ChargeRow): Charge {
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

export function toPayment(row: PaymentRow, refunds: readonly RefundRow[]): Payment {
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
