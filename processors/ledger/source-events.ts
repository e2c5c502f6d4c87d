import { isArray, isInteger, isNullableInteger, isNullableString, isString, recordOf } from '../../platform/decoded';

/**
 * The other contexts' facts the ledger books, as decoded from rental.events and
 * maintenance.events: only the fields the posting rules read, checked where they cross in.
 */
export interface ChargeLine {
  readonly type: string;
  readonly amountMinor: number;
}

export interface RentalReserved {
  readonly type: 'rental.RentalReserved';
  readonly rentalId: string;
  /** Who the rental is for, named on its invoices; null when the rental context did not say. */
  readonly customerId: string | null;
  readonly currency: string;
  readonly lines: readonly ChargeLine[];
}

export interface RentalCompleted {
  readonly type: 'rental.RentalCompleted';
  readonly rentalId: string;
  readonly completedAt: Date;
  /** The lines the return added; the reserved period's lines came with RentalReserved. */
  readonly lines: readonly ChargeLine[];
  /** Null on events written before rentals were priced. */
  readonly currency: string | null;
  readonly depositAppliedMinor: number | null;
}

export interface RentalCancelled {
  readonly type: 'rental.RentalCancelled';
  readonly rentalId: string;
  readonly feeMinor: number;
  readonly currency: string;
  readonly cancelledAt: Date;
}

export interface ChargeAdded {
  readonly type: 'rental.ChargeAdded';
  readonly chargeId: string;
  readonly rentalId: string;
  readonly chargeType: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly addedAt: Date;
}

export interface PaymentCaptured {
  readonly type: 'rental.PaymentCaptured';
  readonly paymentId: string;
  readonly rentalId: string;
  readonly kind: string;
  readonly provider: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly capturedAt: Date;
}

export interface PaymentRefunded {
  readonly type: 'rental.PaymentRefunded';
  readonly refundId: string;
  readonly paymentId: string;
  readonly rentalId: string;
  readonly kind: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly refundedAt: Date;
}

export interface MaintenanceCompleted {
  readonly type: 'maintenance.MaintenanceCompleted';
  readonly jobId: string;
  readonly completedAt: Date;
  readonly laborCostMinor: number | null;
  readonly partsCostMinor: number | null;
  readonly currency: string | null;
}

export type PostableEvent = RentalCompleted | RentalCancelled | ChargeAdded | PaymentCaptured | PaymentRefunded | MaintenanceCompleted;
export type SourceEvent = RentalReserved | PostableEvent;

function chargeLines(recordName: string, value: unknown): ChargeLine[] {
  if (!isArray(value)) throw new TypeError(`${recordName}.lines has an unexpected type`);
  return value.map((line) => {
    const field = recordOf(`${recordName}.lines[]`, line);
    return { type: field('type', isString), amountMinor: field('amountMinor', isInteger) };
  });
}

export function parseRentalReserved(value: unknown): RentalReserved {
  const field = recordOf('RentalReserved', value);
  return {
    type: 'rental.RentalReserved',
    rentalId: field('rentalId', isString),
    customerId: field('customerId', isNullableString),
    currency: field('currency', isString),
    lines: chargeLines('RentalReserved', field('lines', isArray)),
  };
}

export function parseRentalCompleted(value: unknown): RentalCompleted {
  const field = recordOf('RentalCompleted', value);
  return {
    type: 'rental.RentalCompleted',
    rentalId: field('rentalId', isString),
    completedAt: new Date(field('completedAt', isInteger)),
    lines: chargeLines('RentalCompleted', field('lines', isArray)),
    currency: field('currency', isNullableString),
    depositAppliedMinor: field('depositAppliedMinor', isNullableInteger),
  };
}

export function parseRentalCancelled(value: unknown): RentalCancelled {
  const field = recordOf('RentalCancelled', value);
  return {
    type: 'rental.RentalCancelled',
    rentalId: field('rentalId', isString),
    feeMinor: field('feeMinor', isInteger),
    currency: field('currency', isString),
    cancelledAt: new Date(field('cancelledAt', isInteger)),
  };
}

export function parseChargeAdded(value: unknown): ChargeAdded {
  const field = recordOf('ChargeAdded', value);
  return {
    type: 'rental.ChargeAdded',
    chargeId: field('chargeId', isString),
    rentalId: field('rentalId', isString),
    chargeType: field('type', isString),
    amountMinor: field('amountMinor', isInteger),
    currency: field('currency', isString),
    addedAt: new Date(field('addedAt', isInteger)),
  };
}

export function parsePaymentCaptured(value: unknown): PaymentCaptured {
  const field = recordOf('PaymentCaptured', value);
  return {
    type: 'rental.PaymentCaptured',
    paymentId: field('paymentId', isString),
    rentalId: field('rentalId', isString),
    kind: field('kind', isString),
    provider: field('provider', isString),
    amountMinor: field('amountMinor', isInteger),
    currency: field('currency', isString),
    capturedAt: new Date(field('capturedAt', isInteger)),
  };
}

export function parsePaymentRefunded(value: unknown): PaymentRefunded {
  const field = recordOf('PaymentRefunded', value);
  return {
    type: 'rental.PaymentRefunded',
    refundId: field('refundId', isString),
    paymentId: field('paymentId', isString),
    rentalId: field('rentalId', isString),
    kind: field('kind', isString),
    amountMinor: field('amountMinor', isInteger),
    currency: field('currency', isString),
    refundedAt: new Date(field('refundedAt', isInteger)),
  };
}

export function parseMaintenanceCompleted(value: unknown): MaintenanceCompleted {
  const field = recordOf('MaintenanceCompleted', value);
  return {
    type: 'maintenance.MaintenanceCompleted',
    jobId: field('jobId', isString),
    completedAt: new Date(field('completedAt', isInteger)),
    laborCostMinor: field('laborCostMinor', isNullableInteger),
    partsCostMinor: field('partsCostMinor', isNullableInteger),
    currency: field('currency', isNullableString),
  };
}
