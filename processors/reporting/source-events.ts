import { isArray, isInteger, isNullableInteger, isNullableString, isString, recordOf } from '../../platform/decoded';

/**
 * What reporting keeps of the other contexts' events: for each type it follows, the rows its read
 * models gain. Only the fields the reports read are taken, and checked where they cross in. An
 * event is never an update: a vehicle decommissioned, a rental returned, a reading voided are rows
 * of their own, so that the read models at any watermark are the rows read up to it.
 */
export type FactKind =
  | 'vehicle_registered'
  | 'vehicle_class_changed'
  | 'vehicle_decommissioned'
  | 'odometer_recorded'
  | 'odometer_voided'
  | 'rental_reserved'
  | 'rental_activated'
  | 'rental_completed'
  | 'rental_reference'
  | 'maintenance_started'
  | 'maintenance_completed'
  | 'maintenance_cancelled';

/** One row of reporting.facts; columns a kind does not use are null. */
export interface Fact {
  readonly kind: FactKind;
  /** The business id the fact is about (vehicle, reading, rental, payment/refund/charge, job). */
  readonly subjectId: string;
  /** Tells apart facts of one kind about one subject (a vehicle's class changes, by version). */
  readonly revision: number;
  readonly vehicleId: string | null;
  readonly rentalId: string | null;
  readonly customerId: string | null;
  readonly at: Date | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly readingKm: number | null;
  readonly vehicleClass: string | null;
  /** For an odometer reading that corrects another, the reading it replaces. */
  readonly replacesId: string | null;
}

export interface JournalLine {
  readonly entryId: string;
  readonly lineNumber: number;
  readonly entryDate: string;
  readonly accountCode: string;
  readonly direction: 'debit' | 'credit';
  readonly amountMinor: number;
  readonly currency: string;
  readonly externalRefType: string;
  readonly externalRefId: string;
}

export type ReadModelRows =
  | { readonly kind: 'facts'; readonly facts: readonly Fact[] }
  | { readonly kind: 'journal'; readonly lines: readonly JournalLine[] }
  | { readonly kind: 'account'; readonly code: string; readonly type: string };

const EMPTY = { revision: 0, vehicleId: null, rentalId: null, customerId: null, at: null, amountMinor: null, currency: null, readingKm: null, vehicleClass: null, replacesId: null } as const;

type Field = ReturnType<typeof recordOf>;

function fact(kind: FactKind, subjectId: string, columns: Partial<Omit<Fact, 'kind' | 'subjectId'>>): ReadModelRows {
  return { kind: 'facts', facts: [{ ...EMPTY, kind, subjectId, ...columns }] };
}

const time = (field: Field, name: string) => new Date(field(name, isInteger));

/** Reads one followed event into rows, by its full type; each entry checks the record it is given. */
export const FOLLOWED_EVENTS: Readonly<Record<string, (value: unknown) => ReadModelRows>> = {
  'fleet.VehicleRegistered': (value) => {
    const field = recordOf('VehicleRegistered', value);
    const vehicleId = field('vehicleId', isString);
    return fact('vehicle_registered', vehicleId, { vehicleId, at: time(field, 'registeredAt'), vehicleClass: field('vehicleClass', isString) });
  },
  'fleet.VehicleUpdated': (value) => {
    const field = recordOf('VehicleUpdated', value);
    const vehicleId = field('vehicleId', isString);
    const vehicleClass = field('vehicleClass', isNullableString);
    // Only a new class matters to the reports; other updates leave nothing.
    if (vehicleClass === null) return { kind: 'facts', facts: [] };
    return fact('vehicle_class_changed', vehicleId, { revision: field('version', isInteger), vehicleId, at: time(field, 'updatedAt'), vehicleClass });
  },
  'fleet.VehicleStateChanged': (value) => {
    const field = recordOf('VehicleStateChanged', value);
    const vehicleId = field('vehicleId', isString);
    if (field('to', isString) !== 'decommissioned') return { kind: 'facts', facts: [] };
    return fact('vehicle_decommissioned', vehicleId, { vehicleId, at: time(field, 'at') });
  },
  'fleet.OdometerRecorded': (value) => {
    const field = recordOf('OdometerRecorded', value);
    return fact('odometer_recorded', field('readingId', isString), {
      vehicleId: field('vehicleId', isString),
      at: time(field, 'recordedAt'),
      readingKm: field('readingKm', isInteger),
      replacesId: field('supersedesReadingId', isNullableString),
    });
  },
  'fleet.OdometerReadingVoided': (value) => {
    const field = recordOf('OdometerReadingVoided', value);
    return fact('odometer_voided', field('readingId', isString), { vehicleId: field('vehicleId', isString), at: time(field, 'voidedAt') });
  },
  'rental.RentalReserved': (value) => {
    const field = recordOf('RentalReserved', value);
    const rentalId = field('rentalId', isString);
    return fact('rental_reserved', rentalId, { rentalId, vehicleId: field('vehicleId', isString), customerId: field('customerId', isNullableString), at: time(field, 'reservedAt') });
  },
  'rental.RentalActivated': (value) => {
    const field = recordOf('RentalActivated', value);
    const rentalId = field('rentalId', isString);
    return fact('rental_activated', rentalId, { rentalId, vehicleId: field('vehicleId', isString), at: time(field, 'activatedAt') });
  },
  'rental.RentalCompleted': (value) => {
    const field = recordOf('RentalCompleted', value);
    const rentalId = field('rentalId', isString);
    return fact('rental_completed', rentalId, { rentalId, vehicleId: field('vehicleId', isString), at: time(field, 'completedAt') });
  },
  // A charge, a payment and a refund are booked under their own ids: these tie them to their rental.
  'rental.ChargeAdded': (value) => {
    const field = recordOf('ChargeAdded', value);
    return fact('rental_reference', field('chargeId', isString), { rentalId: field('rentalId', isString), at: time(field, 'addedAt') });
  },
  'rental.PaymentCaptured': (value) => {
    const field = recordOf('PaymentCaptured', value);
    return fact('rental_reference', field('paymentId', isString), { rentalId: field('rentalId', isString), at: time(field, 'capturedAt') });
  },
  'rental.PaymentRefunded': (value) => {
    const field = recordOf('PaymentRefunded', value);
    return fact('rental_reference', field('refundId', isString), { rentalId: field('rentalId', isString), at: time(field, 'refundedAt') });
  },
  'maintenance.MaintenanceStarted': (value) => {
    const field = recordOf('MaintenanceStarted', value);
    return fact('maintenance_started', field('jobId', isString), { vehicleId: field('vehicleId', isString), at: time(field, 'startedAt') });
  },
  'maintenance.MaintenanceCompleted': (value) => {
    const field = recordOf('MaintenanceCompleted', value);
    const totalCostMinor = field('totalCostMinor', isNullableInteger);
    const currency = field('currency', isNullableString);
    return fact('maintenance_completed', field('jobId', isString), {
      vehicleId: field('vehicleId', isString),
      at: time(field, 'completedAt'),
      amountMinor: currency === null ? null : totalCostMinor,
      currency: totalCostMinor === null ? null : currency,
    });
  },
  'maintenance.MaintenanceCancelled': (value) => {
    const field = recordOf('MaintenanceCancelled', value);
    return fact('maintenance_cancelled', field('jobId', isString), { vehicleId: field('vehicleId', isString), at: time(field, 'cancelledAt') });
  },
  'ledger.LedgerPosted': (value) => {
    const field = recordOf('LedgerPosted', value);
    const entryId = field('entryId', isString);
    const entryDate = field('entryDate', isString);
    const externalRefType = field('externalRefType', isString);
    const externalRefId = field('externalRefId', isString);
    const lines = field('lines', isArray).map((line, index): JournalLine => {
      const lineField = recordOf('LedgerPosted.lines[]', line);
      const direction = lineField('direction', isString);
      if (direction !== 'debit' && direction !== 'credit') throw new TypeError(`LedgerPosted.lines[${index}].direction is ${direction}, neither debit nor credit`);
      return {
        entryId,
        lineNumber: index + 1,
        entryDate,
        accountCode: lineField('accountCode', isString),
        direction,
        amountMinor: lineField('amountMinor', isInteger),
        currency: lineField('currency', isString),
        externalRefType,
        externalRefId,
      };
    });
    return { kind: 'journal', lines };
  },
  'ledger.AccountDefined': (value) => {
    const field = recordOf('AccountDefined', value);
    return { kind: 'account', code: field('code', isString), type: field('type', isString) };
  },
};
