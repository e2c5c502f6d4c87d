import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { vehicleClassAggregateId } from '../../schemas/rental/vehicle-class-id';
import { ProblemError } from '../middleware/problem';
import type { FieldSpec } from '../validation';
import { commandRoutesOn, uuidPathParameter, type CommandRouteDependencies } from './command-route';
import {
  AMOUNT_MINOR_MAX,
  CURRENCY,
  DAMAGES_MAX,
  DESCRIPTION,
  invalidField,
  KILOMETRES_MAX,
  millisOf,
  optionalId,
  REASON,
  VEHICLE_CLASS_PATTERN,
  windowOf,
} from './rental-fields';

/**
 * The rental context's command routes (see command-route.ts for what every command route does).
 * Ids of new things are the gateway's randomUUID unless the client sends its own, which makes a
 * resent request harmless: the processor refuses the second copy as already done (…_ALREADY_…, 409)
 * instead of creating a second reservation, charge or payment.
 */

const LOCATION_TYPES = /^(depot|city|custom)$/;
const CHARGE_TYPES = /^(base|extra_day|late_fee|damage|discount)$/;
const PAYMENT_KINDS = /^(payment|deposit)$/;
const PAYMENT_PROVIDERS = /^(cash|card|transfer)$/;
/** A week is the longest buffer a vehicle class may keep between rentals (the database allows the same). */
const BUFFER_MINUTES_MAX = 10_080;
const RATE: FieldSpec = { type: 'integer', min: 0, max: AMOUNT_MINOR_MAX };
const COUNT = (max: number): FieldSpec => ({ type: 'integer', min: 0, max });

interface DefineLocationBody {
  locationId?: string;
  name: string;
  type: string;
  address?: string | null;
  timeZone: string;
}

const DEFINE_LOCATION_BODY: Record<keyof DefineLocationBody, FieldSpec> = {
  locationId: optionalId,
  name: { type: 'string', lengthMax: 200 },
  type: { type: 'string', lengthMax: 10, pattern: LOCATION_TYPES },
  address: { type: 'string', lengthMax: 500, optional: true, nullable: true },
  timeZone: { type: 'string', lengthMax: 64, pattern: /^[A-Za-z][A-Za-z0-9_+\-/]*$/ },
};

interface VehicleClassPolicyBody {
  bufferMinutes: number;
}

const VEHICLE_CLASS_POLICY_BODY: Record<keyof VehicleClassPolicyBody, FieldSpec> = { bufferMinutes: COUNT(BUFFER_MINUTES_MAX) };

interface HomeLocationBody {
  locationId: string;
}

const HOME_LOCATION_BODY: Record<keyof HomeLocationBody, FieldSpec> = { locationId: { type: 'uuid' } };

interface DefinePricingPlanBody {
  planId?: string;
  name: string;
  vehicleClass?: string | null;
  vehicleId?: string | null;
  currency: string;
  dailyRateMinor: number;
  hourlyRateMinor: number;
  includedKmPerDay: number;
  extraKmPriceMinor: number;
  lateFeePerHourMinor: number;
  lateGraceMinutes: number;
  cancellationFeeMinor: number;
  cancellationWindowHours: number;
  depositMinor: number;
  validFrom?: string | null;
  validTo?: string | null;
}

const DEFINE_PRICING_PLAN_BODY: Record<keyof DefinePricingPlanBody, FieldSpec> = {
  planId: optionalId,
  name: { type: 'string', lengthMax: 200 },
  vehicleClass: { type: 'string', lengthMax: 50, pattern: VEHICLE_CLASS_PATTERN, optional: true, nullable: true },
  vehicleId: { type: 'uuid', optional: true, nullable: true },
  currency: CURRENCY,
  dailyRateMinor: RATE,
  hourlyRateMinor: RATE,
  includedKmPerDay: COUNT(100_000),
  extraKmPriceMinor: RATE,
  lateFeePerHourMinor: RATE,
  lateGraceMinutes: COUNT(1_440),
  cancellationFeeMinor: RATE,
  cancellationWindowHours: COUNT(8_784),
  depositMinor: RATE,
  validFrom: { type: 'timestamp', optional: true, nullable: true },
  validTo: { type: 'timestamp', optional: true, nullable: true },
};

type EmptyBody = Record<string, never>;

interface QuoteRentalBody {
  quoteId?: string;
  vehicleId?: string | null;
  vehicleClass?: string | null;
  originLocationId: string;
  destinationLocationId: string;
  startAt: string;
  endAt: string;
}

const QUOTE_RENTAL_BODY: Record<keyof QuoteRentalBody, FieldSpec> = {
  quoteId: optionalId,
  vehicleId: { type: 'uuid', optional: true, nullable: true },
  vehicleClass: { type: 'string', lengthMax: 50, pattern: VEHICLE_CLASS_PATTERN, optional: true, nullable: true },
  originLocationId: { type: 'uuid' },
  destinationLocationId: { type: 'uuid' },
  startAt: { type: 'timestamp' },
  endAt: { type: 'timestamp' },
};

interface ReserveRentalBody {
  rentalId?: string;
  vehicleId: string;
  quoteId?: string | null;
  customerId?: string | null;
  originLocationId?: string | null;
  destinationLocationId?: string | null;
  startAt?: string | null;
  endAt?: string | null;
}

const RESERVE_RENTAL_BODY: Record<keyof ReserveRentalBody, FieldSpec> = {
  rentalId: optionalId,
  vehicleId: { type: 'uuid' },
  quoteId: { type: 'uuid', optional: true, nullable: true },
  customerId: { type: 'uuid', optional: true, nullable: true },
  originLocationId: { type: 'uuid', optional: true, nullable: true },
  destinationLocationId: { type: 'uuid', optional: true, nullable: true },
  startAt: { type: 'timestamp', optional: true, nullable: true },
  endAt: { type: 'timestamp', optional: true, nullable: true },
};

interface ActivateRentalBody {
  odometerOutKm: number;
  activatedAt: string;
}

const ACTIVATE_RENTAL_BODY: Record<keyof ActivateRentalBody, FieldSpec> = {
  odometerOutKm: COUNT(KILOMETRES_MAX),
  activatedAt: { type: 'timestamp' },
};

interface ReasonBody {
  reason: string;
}

const REASON_BODY: Record<keyof ReasonBody, FieldSpec> = { reason: REASON };

interface AddChargeBody {
  chargeId?: string;
  type: string;
  description: string;
  quantity?: number;
  amountMinor: number;
  currency: string;
}

const ADD_CHARGE_BODY: Record<keyof AddChargeBody, FieldSpec> = {
  chargeId: optionalId,
  type: { type: 'string', lengthMax: 20, pattern: CHARGE_TYPES },
  description: DESCRIPTION,
  quantity: { type: 'integer', min: 1, max: 10_000, optional: true },
  amountMinor: { type: 'integer', min: 1, max: AMOUNT_MINOR_MAX },
  currency: CURRENCY,
};

interface RecordPaymentBody {
  paymentId?: string;
  kind?: string;
  provider: string;
  amountMinor: number;
  currency: string;
  providerReference?: string | null;
}

const RECORD_PAYMENT_BODY: Record<keyof RecordPaymentBody, FieldSpec> = {
  paymentId: optionalId,
  kind: { type: 'string', lengthMax: 10, pattern: PAYMENT_KINDS, optional: true },
  provider: { type: 'string', lengthMax: 10, pattern: PAYMENT_PROVIDERS },
  amountMinor: { type: 'integer', min: 1, max: AMOUNT_MINOR_MAX },
  currency: CURRENCY,
  providerReference: { type: 'string', lengthMax: 200, optional: true, nullable: true },
};

interface RefundPaymentBody {
  refundId?: string;
  amountMinor: number;
  currency: string;
  reason: string;
}

const REFUND_PAYMENT_BODY: Record<keyof RefundPaymentBody, FieldSpec> = {
  refundId: optionalId,
  amountMinor: { type: 'integer', min: 1, max: AMOUNT_MINOR_MAX },
  currency: CURRENCY,
  reason: REASON,
};

export interface RentalRoutesDependencies extends CommandRouteDependencies {
  readonly topics: { readonly rentalCommands: string };
}

/** An IANA time zone this runtime knows (the processor checks it the same way). */
function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw invalidField('timeZone', 'must be an IANA time zone such as Europe/Berlin');
  }
}


function vehicleClassOf(ctx: Context): string {
  const vehicleClass = (ctx.params as Record<string, string | undefined>).vehicleClass ?? '';
  if (!VEHICLE_CLASS_PATTERN.test(vehicleClass) || vehicleClass.length > 50) {
    throw new ProblemError(400, 'validation-failed', 'Invalid path parameter', 'vehicleClass must be a vehicle class such as compact.', {
      errors: [{ field: 'vehicleClass', message: `must match ${VEHICLE_CLASS_PATTERN.source}` }],
    });
  }
  return vehicleClass;
}

export function rentalRoutes(dependencies: RentalRoutesDependencies): Router {
  const router = new Router();
  const commandRoute = commandRoutesOn(router, dependencies, dependencies.topics.rentalCommands);
  const rentalIdOf = (ctx: Context) => uuidPathParameter(ctx, 'rentalId');

  commandRoute<DefineLocationBody>('post', '/v1/locations', 'rental.DefineLocation', DEFINE_LOCATION_BODY, { creates: true }, (_ctx, body) => {
    checkTimeZone(body.timeZone);
    const locationId = body.locationId ?? randomUUID();
    return { aggregateId: locationId, payload: { locationId, name: body.name, type: body.type, address: body.address ?? null, timeZone: body.timeZone } };
  });

  commandRoute<VehicleClassPolicyBody>(
    'put',
    '/v1/vehicle-classes/:vehicleClass/policy',
    'rental.SetVehicleClassPolicy',
    VEHICLE_CLASS_POLICY_BODY,
    { creates: false },
    (ctx, body) => {
      const vehicleClass = vehicleClassOf(ctx);
      return { aggregateId: vehicleClassAggregateId(vehicleClass), payload: { vehicleClass, bufferMinutes: body.bufferMinutes } };
    },
  );

  commandRoute<HomeLocationBody>('put', '/v1/vehicles/:vehicleId/home-location', 'rental.AssignVehicleLocation', HOME_LOCATION_BODY, { creates: false }, (ctx, body) => {
    const vehicleId = uuidPathParameter(ctx, 'vehicleId');
    return { aggregateId: vehicleId, payload: { vehicleId, locationId: body.locationId } };
  });

  commandRoute<DefinePricingPlanBody>('post', '/v1/pricing-plans', 'rental.DefinePricingPlan', DEFINE_PRICING_PLAN_BODY, { creates: true }, (_ctx, body) => {
    if ((body.vehicleClass ?? null) === null && (body.vehicleId ?? null) === null) throw invalidField('vehicleClass', 'or vehicleId is required');
    const validFrom = body.validFrom ?? null;
    const validTo = body.validTo ?? null;
    if (validFrom !== null && validTo !== null && millisOf(validTo) <= millisOf(validFrom)) throw invalidField('validTo', 'must be after validFrom');
    const planId = body.planId ?? randomUUID();
    return {
      aggregateId: planId,
      payload: {
        planId,
        name: body.name,
        vehicleClass: body.vehicleClass ?? null,
        vehicleId: body.vehicleId ?? null,
        currency: body.currency,
        dailyRateMinor: body.dailyRateMinor,
        hourlyRateMinor: body.hourlyRateMinor,
        includedKmPerDay: body.includedKmPerDay,
        extraKmPriceMinor: body.extraKmPriceMinor,
        lateFeePerHourMinor: body.lateFeePerHourMinor,
        lateGraceMinutes: body.lateGraceMinutes,
        cancellationFeeMinor: body.cancellationFeeMinor,
        cancellationWindowHours: body.cancellationWindowHours,
        depositMinor: body.depositMinor,
        validFrom: validFrom === null ? null : millisOf(validFrom),
        validTo: validTo === null ? null : millisOf(validTo),
      },
    };
  });

  commandRoute<EmptyBody>('post', '/v1/pricing-plans/:planId/retire', 'rental.RetirePricingPlan', {}, { creates: false }, (ctx) => {
    const planId = uuidPathParameter(ctx, 'planId');
    return { aggregateId: planId, payload: { planId } };
  });

  commandRoute<QuoteRentalBody>('post', '/v1/quotes', 'rental.QuoteRental', QUOTE_RENTAL_BODY, { creates: true }, (_ctx, body) => {
    if ((body.vehicleId ?? null) === null && (body.vehicleClass ?? null) === null) throw invalidField('vehicleId', 'or vehicleClass is required');
    const window = windowOf(body.startAt, body.endAt);
    const quoteId = body.quoteId ?? randomUUID();
    return {
      aggregateId: quoteId,
      payload: {
        quoteId,
        vehicleId: body.vehicleId ?? null,
        vehicleClass: body.vehicleClass ?? null,
        originLocationId: body.originLocationId,
        destinationLocationId: body.destinationLocationId,
        startAt: window.startAt,
        endAt: window.endAt,
      },
    };
  });

  // Keyed by the vehicle: every reservation of one vehicle lands on one partition, in order.
  commandRoute<ReserveRentalBody>('post', '/v1/rentals', 'rental.ReserveRental', RESERVE_RENTAL_BODY, { creates: true }, (_ctx, body) => {
    const startAt = body.startAt ?? null;
    const endAt = body.endAt ?? null;
    if ((startAt === null) !== (endAt === null)) throw invalidField(startAt === null ? 'startAt' : 'endAt', 'must be given with its other end');
    if ((body.quoteId ?? null) === null) {
      for (const field of ['originLocationId', 'destinationLocationId', 'startAt'] as const) {
        if ((body[field] ?? null) === null) throw invalidField(field, 'is required without a quoteId');
      }
    }
    const window = startAt === null || endAt === null ? null : windowOf(startAt, endAt);
    const rentalId = body.rentalId ?? randomUUID();
    return {
      aggregateId: body.vehicleId,
      payload: {
        rentalId,
        vehicleId: body.vehicleId,
        quoteId: body.quoteId ?? null,
        customerId: body.customerId ?? null,
        originLocationId: body.originLocationId ?? null,
        destinationLocationId: body.destinationLocationId ?? null,
        startAt: window?.startAt ?? null,
        endAt: window?.endAt ?? null,
      },
    };
  });

  commandRoute<ActivateRentalBody>('post', '/v1/rentals/:rentalId/activate', 'rental.ActivateRental', ACTIVATE_RENTAL_BODY, { creates: false }, (ctx, body) => {
    const rentalId = rentalIdOf(ctx);
    return { aggregateId: rentalId, payload: { rentalId, odometerOutKm: body.odometerOutKm, activatedAt: millisOf(body.activatedAt) } };
  });

  commandRoute<CompleteRentalBody>(
    'post',
    '/v1/rentals/:rentalId/complete',
    'rental.CompleteRental',
    COMPLETE_RENTAL_BODY,
    { creates: false, bodyBytesMax: COMPLETE_RENTAL_BODY_BYTES_MAX },
    (ctx, body) => {
      const rentalId = rentalIdOf(ctx);
      const damages = (body.damages ?? []).map((damage) => ({ description: damage.description, amountMinor: damage.amountMinor }));
      return { aggregateId: rentalId, payload: { rentalId, odometerInKm: body.odometerInKm, returnedAt: millisOf(body.returnedAt), damages, currency: body.currency ?? null } };
    },
  );

  commandRoute<ReasonBody>('post', '/v1/rentals/:rentalId/cancel', 'rental.CancelRental', REASON_BODY, { creates: false }, (ctx, body) => {
    const rentalId = rentalIdOf(ctx);
    return { aggregateId: rentalId, payload: { rentalId, reason: body.reason } };
  });

  commandRoute<AddChargeBody>('post', '/v1/rentals/:rentalId/charges', 'rental.AddCharge', ADD_CHARGE_BODY, { creates: true }, (ctx, body) => {
    const rentalId = rentalIdOf(ctx);
    const chargeId = body.chargeId ?? randomUUID();
    return {
      aggregateId: rentalId,
      payload: { chargeId, rentalId, type: body.type, description: body.description, quantity: body.quantity ?? 1, amountMinor: body.amountMinor, currency: body.currency },
    };
  });

  commandRoute<RecordPaymentBody>('post', '/v1/rentals/:rentalId/payments', 'rental.RecordPayment', RECORD_PAYMENT_BODY, { creates: true }, (ctx, body) => {
    const rentalId = rentalIdOf(ctx);
    const paymentId = body.paymentId ?? randomUUID();
    return {
      aggregateId: rentalId,
      payload: {
        paymentId,
        rentalId,
        kind: body.kind ?? 'payment',
        provider: body.provider,
        amountMinor: body.amountMinor,
        currency: body.currency,
        providerReference: body.providerReference ?? null,
      },
    };
  });

  commandRoute<EmptyBody>('post', '/v1/rentals/:rentalId/payments/:paymentId/capture', 'rental.CapturePayment', {}, { creates: false }, (ctx) => {
    const rentalId = rentalIdOf(ctx);
    return { aggregateId: rentalId, payload: { paymentId: uuidPathParameter(ctx, 'paymentId'), rentalId } };
  });

  commandRoute<ReasonBody>('post', '/v1/rentals/:rentalId/payments/:paymentId/fail', 'rental.FailPayment', REASON_BODY, { creates: false }, (ctx, body) => {
    const rentalId = rentalIdOf(ctx);
    return { aggregateId: rentalId, payload: { paymentId: uuidPathParameter(ctx, 'paymentId'), rentalId, reason: body.reason } };
  });

  commandRoute<RefundPaymentBody>(
    'post',
    '/v1/rentals/:rentalId/payments/:paymentId/refunds',
    'rental.RefundPayment',
    REFUND_PAYMENT_BODY,
    { creates: true },
    (ctx, body) => {
      const rentalId = rentalIdOf(ctx);
      const paymentId = uuidPathParameter(ctx, 'paymentId');
      const refundId = body.refundId ?? randomUUID();
      return { aggregateId: rentalId, payload: { refundId, paymentId, rentalId, amountMinor: body.amountMinor, currency: body.currency, reason: body.reason } };
    },
  );

  return router;
}

interface CompleteRentalBody {
  odometerInKm: number;
  returnedAt: string;
  damages?: { description: string; amountMinor: number }[];
  /** The currency of the damage amounts; the rental's own is checked against it. */
  currency?: string | null;
}

const DAMAGE: Record<'description' | 'amountMinor', FieldSpec> = {
  description: DESCRIPTION,
  amountMinor: { type: 'integer', min: 1, max: AMOUNT_MINOR_MAX },
};

const COMPLETE_RENTAL_BODY: Record<keyof CompleteRentalBody, FieldSpec> = {
  odometerInKm: COUNT(KILOMETRES_MAX),
  returnedAt: { type: 'timestamp' },
  damages: { type: 'array', items: DAMAGE, lengthMax: DAMAGES_MAX, optional: true },
  currency: { ...CURRENCY, optional: true, nullable: true },
};

/** Fifty damage lines of 500 characters fit with room to spare. */
const COMPLETE_RENTAL_BODY_BYTES_MAX = 64 * 1024;
