import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isNullableInteger, isNullableString, isString, nullableDateOf, recordOf } from '../../platform/decoded';
import { checkTerms, type PricingTerms } from './pricing';
import { AMOUNT_MINOR_MAX, checkCurrency, checkText, checkVehicleClass, NAME_LENGTH_MAX } from './rental-rules';
import type { PricingPlan } from './rental-state';

/** rental.DefinePricingPlan, as decoded from Avro. */
export interface DefinePricingPlan {
  readonly planId: string;
  readonly name: string;
  readonly vehicleClass: string | null;
  readonly vehicleId: string | null;
  readonly terms: PricingTerms;
  readonly validFrom: Date | null;
  readonly validTo: Date | null;
}

/** rental.RetirePricingPlan, as decoded from Avro. */
export interface RetirePricingPlan {
  readonly planId: string;
}

export interface PricingPlanState {
  readonly plan: PricingPlan | undefined;
}

/** The plan an accepted DefinePricingPlan stores. */
export function definedPlan(command: DefinePricingPlan, now: Date): PricingPlan {
  return {
    id: command.planId,
    name: command.name.trim(),
    vehicleClass: command.vehicleClass,
    vehicleId: command.vehicleId,
    terms: command.terms,
    validFrom: command.validFrom ?? now,
    validTo: command.validTo,
    status: 'active',
  };
}

/**
 * Defines the price of a vehicle or of a class from a date on. A plan's terms never change: a new
 * price is a new plan (and the old one retired), so what a quote or rental was priced on stays
 * true. For one vehicle, its own plan wins over its class's.
 */
export function decideDefinePricingPlan(state: PricingPlanState, command: DefinePricingPlan, context: CommandContext): Decision {
  if (state.plan !== undefined) return reject('RENTAL.PRICING_PLAN_ALREADY_DEFINED', `Pricing plan ${command.planId} is already defined; define a new plan to change a price.`);
  const invalid =
    checkText('name', command.name, NAME_LENGTH_MAX, 'RENTAL.INVALID_PRICING_PLAN') ??
    (command.vehicleClass === null ? undefined : checkVehicleClass(command.vehicleClass)) ??
    checkCurrency(command.terms.currency);
  if (invalid !== undefined) return invalid;
  if (command.vehicleClass === null && command.vehicleId === null) return reject('RENTAL.INVALID_PRICING_PLAN', 'A pricing plan is for a vehicleClass, a vehicleId, or both.');
  const termsProblem = checkTerms(command.terms);
  if (termsProblem !== undefined) return reject('RENTAL.INVALID_PRICING_PLAN', termsProblem);
  const tooLarge = (['dailyRateMinor', 'hourlyRateMinor', 'extraKmPriceMinor', 'lateFeePerHourMinor', 'cancellationFeeMinor', 'depositMinor'] as const).find(
    (name) => command.terms[name] > AMOUNT_MINOR_MAX,
  );
  if (tooLarge !== undefined) return reject('RENTAL.INVALID_PRICING_PLAN', `${tooLarge} must be at most ${AMOUNT_MINOR_MAX}.`);
  const plan = definedPlan(command, context.now);
  if (plan.validTo !== null && plan.validTo.getTime() <= plan.validFrom.getTime()) return reject('RENTAL.INVALID_PRICING_PLAN', 'validTo must be after validFrom.');
  return {
    kind: 'accepted',
    aggregateId: plan.id,
    resourcePath: '/v1/pricing-plans',
    events: [
      {
        type: 'rental.PricingPlanDefined',
        aggregateType: 'pricing_plan',
        aggregateId: plan.id,
        payload: {
          planId: plan.id,
          name: plan.name,
          vehicleClass: plan.vehicleClass,
          vehicleId: plan.vehicleId,
          ...plan.terms,
          validFrom: plan.validFrom.getTime(),
          validTo: plan.validTo?.getTime() ?? null,
          definedAt: context.now.getTime(),
        },
      },
    ],
  };
}

/** Retires a plan: later quotes and reservations no longer use it; those made keep their terms. */
export function decideRetirePricingPlan(state: PricingPlanState, command: RetirePricingPlan, context: CommandContext): Decision {
  if (state.plan === undefined) return reject('RENTAL.PRICING_PLAN_NOT_FOUND', `There is no pricing plan ${command.planId}.`);
  if (state.plan.status === 'retired') return reject('RENTAL.PRICING_PLAN_ALREADY_RETIRED', `Pricing plan ${command.planId} is already retired.`);
  return {
    kind: 'accepted',
    aggregateId: command.planId,
    resourcePath: '/v1/pricing-plans',
    events: [{ type: 'rental.PricingPlanRetired', aggregateType: 'pricing_plan', aggregateId: command.planId, payload: { planId: command.planId, retiredAt: context.now.getTime() } }],
  };
}

export function parseDefinePricingPlan(value: unknown): DefinePricingPlan {
  const field = recordOf('DefinePricingPlan', value);
  return {
    planId: field('planId', isString),
    name: field('name', isString),
    vehicleClass: field('vehicleClass', isNullableString),
    vehicleId: field('vehicleId', isNullableString),
    terms: {
      currency: field('currency', isString),
      dailyRateMinor: field('dailyRateMinor', isInteger),
      hourlyRateMinor: field('hourlyRateMinor', isInteger),
      includedKmPerDay: field('includedKmPerDay', isInteger),
      extraKmPriceMinor: field('extraKmPriceMinor', isInteger),
      lateFeePerHourMinor: field('lateFeePerHourMinor', isInteger),
      lateGraceMinutes: field('lateGraceMinutes', isInteger),
      cancellationFeeMinor: field('cancellationFeeMinor', isInteger),
      cancellationWindowHours: field('cancellationWindowHours', isInteger),
      depositMinor: field('depositMinor', isInteger),
    },
    validFrom: nullableDateOf(field('validFrom', isNullableInteger)),
    validTo: nullableDateOf(field('validTo', isNullableInteger)),
  };
}

export function parseRetirePricingPlan(value: unknown): RetirePricingPlan {
  return { planId: recordOf('RetirePricingPlan', value)('planId', isString) };
}
