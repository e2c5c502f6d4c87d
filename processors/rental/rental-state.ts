import type { ChargeLine, PricingTerms } from './pricing';

/**
 * What the rental context's rules decide on, as the repository reads it: plain values, no rows.
 * Money is integer minor units of the named currency.
 */

export type RentalStatus = 'reserved' | 'active' | 'completed' | 'cancelled';
export type LocationType = 'depot' | 'city' | 'custom';
export type PaymentKind = 'payment' | 'deposit';
export type PaymentProvider = 'cash' | 'card' | 'transfer';
export type PaymentStatus = 'pending' | 'captured' | 'failed';
/** The vehicle statuses the fleet publishes (schemas/fleet/vehicle-statuses.ts). */
export type ProjectedVehicleStatus = 'active' | 'rented' | 'under_maintenance' | 'decommissioned';

export const LOCATION_TYPES: readonly LocationType[] = ['depot', 'city', 'custom'];
export const PAYMENT_KINDS: readonly PaymentKind[] = ['payment', 'deposit'];
export const PAYMENT_PROVIDERS: readonly PaymentProvider[] = ['cash', 'card', 'transfer'];

export interface Location {
  readonly id: string;
  readonly name: string;
  readonly type: LocationType;
  readonly address: string | null;
  readonly timeZone: string;
}

/** The rental context's copy of a fleet vehicle. */
export interface ProjectedVehicle {
  readonly vehicleId: string;
  readonly plateNumber: string;
  readonly vehicleClass: string;
  readonly status: ProjectedVehicleStatus;
  readonly locationId: string | null;
  readonly lastEventId: string;
  readonly lastEventAt: Date;
}

export interface PricingPlan {
  readonly id: string;
  readonly name: string;
  readonly vehicleClass: string | null;
  readonly vehicleId: string | null;
  readonly terms: PricingTerms;
  readonly validFrom: Date;
  readonly validTo: Date | null;
  readonly status: 'active' | 'retired';
}

export interface Quote {
  readonly id: string;
  readonly vehicleId: string | null;
  readonly vehicleClass: string;
  readonly planId: string;
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly terms: PricingTerms;
  readonly lines: readonly ChargeLine[];
  readonly totalMinor: number;
  readonly expiresAt: Date;
  readonly usedByRentalId: string | null;
}

export interface Rental {
  readonly id: string;
  readonly vehicleId: string;
  readonly customerId: string | null;
  readonly originLocationId: string;
  readonly destinationLocationId: string;
  /** The pick-up location's zone, in which days are counted. */
  readonly timeZone: string;
  readonly startAt: Date;
  readonly endAt: Date;
  readonly blockedUntil: Date;
  readonly status: RentalStatus;
  /** Null only on rentals written before prices were frozen on them. */
  readonly currency: string | null;
  readonly terms: PricingTerms | null;
  readonly depositRequiredMinor: number;
  readonly odometerOutKm: number | null;
  readonly pickedUpAt: Date | null;
}

/** What has been charged and paid on a rental so far. */
export interface RentalAccount {
  /** Every charge line, discounts subtracted. */
  readonly chargesTotalMinor: number;
  /** Captured payments (not deposits) less their refunds. */
  readonly paidMinor: number;
  /** Captured deposits less their refunds. */
  readonly depositHeldMinor: number;
}

export interface Payment {
  readonly id: string;
  readonly rentalId: string;
  readonly kind: PaymentKind;
  readonly provider: PaymentProvider;
  readonly amountMinor: number;
  readonly currency: string;
  readonly status: PaymentStatus;
  readonly refundedMinor: number;
}

/** A period during which a vehicle is taken: a booking (with its buffer) or a maintenance window. */
export interface BlockedPeriod {
  readonly id: string;
  readonly from: Date;
  readonly until: Date;
}
