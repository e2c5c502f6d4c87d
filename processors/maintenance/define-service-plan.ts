import { reject, type Acceptance, type CommandContext, type Decision } from '../runtime/command-handler';
import { isInteger, isNullableInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import type { ServicePlan } from './service-due';

/** maintenance.DefineServicePlan, as decoded from Avro: for one vehicle or for a vehicle class. */
export interface DefineServicePlan {
  readonly planId: string;
  readonly vehicleId: string | null;
  readonly vehicleClass: string | null;
  readonly everyKm: number | null;
  readonly everyDays: number | null;
  readonly dueSoonKm: number;
  readonly dueSoonDays: number;
}

export interface DefineServicePlanState {
  /** A plan that already has this id. */
  readonly existing: ServicePlan | undefined;
  /** The plan in force for the same vehicle or class, which the new one supersedes. */
  readonly current: ServicePlan | undefined;
}

export const SERVICE_PLAN_DEFINED = 'maintenance.ServicePlanDefined';
const EVERY_KM_MAX = 1_000_000;
const EVERY_DAYS_MAX = 3_650;
const VEHICLE_CLASS = /^[a-z][a-z0-9_]{0,49}$/;

export function parseDefineServicePlan(value: unknown): DefineServicePlan {
  const field = recordOf('maintenance.DefineServicePlan', value);
  return {
    planId: field('planId', isString),
    vehicleId: field('vehicleId', isNullableString),
    vehicleClass: field('vehicleClass', isNullableString),
    everyKm: field('everyKm', isNullableInteger),
    everyDays: field('everyDays', isNullableInteger),
    dueSoonKm: field('dueSoonKm', isInteger),
    dueSoonDays: field('dueSoonDays', isInteger),
  };
}

function samePlan(plan: ServicePlan, command: DefineServicePlan): boolean {
  return plan.vehicleId === command.vehicleId && plan.vehicleClass === command.vehicleClass && plan.everyKm === command.everyKm
    && plan.everyDays === command.everyDays && plan.dueSoonKm === command.dueSoonKm && plan.dueSoonDays === command.dueSoonDays;
}

/**
 * The rule for a service plan: for exactly one vehicle or one class, every so many kilometres,
 * days, or both (whichever comes first), with how early a service counts as due soon. A plan
 * replaces the one in force for the same vehicle or class; a vehicle's own plan beats its class's.
 */
export function decideDefineServicePlan(state: DefineServicePlanState, command: DefineServicePlan, context: CommandContext): Decision {
  const accepted = (events: Acceptance['events']): Decision => ({ kind: 'accepted', aggregateId: command.planId, resourcePath: '/v1/maintenance/service-plans', events });
  if (state.existing !== undefined) {
    if (samePlan(state.existing, command)) return accepted([]);
    return reject('MAINTENANCE.PLAN_ID_TAKEN', `Plan id ${command.planId} belongs to another plan.`);
  }
  if ((command.vehicleId === null) === (command.vehicleClass === null)) return reject('MAINTENANCE.INVALID_PLAN', 'A plan is for one vehicle or for one vehicle class, not both or neither.');
  if (command.vehicleClass !== null && !VEHICLE_CLASS.test(command.vehicleClass)) return reject('MAINTENANCE.INVALID_PLAN', `${command.vehicleClass} is not a vehicle class.`);
  if (command.everyKm === null && command.everyDays === null) return reject('MAINTENANCE.INVALID_PLAN', 'A plan says every how many kilometres or days (or both).');
  if (command.everyKm !== null && (command.everyKm < 1 || command.everyKm > EVERY_KM_MAX)) return reject('MAINTENANCE.INVALID_PLAN', `everyKm is from 1 to ${EVERY_KM_MAX}.`);
  if (command.everyDays !== null && (command.everyDays < 1 || command.everyDays > EVERY_DAYS_MAX)) return reject('MAINTENANCE.INVALID_PLAN', `everyDays is from 1 to ${EVERY_DAYS_MAX}.`);
  if (command.dueSoonKm < 0 || command.dueSoonKm > EVERY_KM_MAX || command.dueSoonDays < 0 || command.dueSoonDays > EVERY_DAYS_MAX) {
    return reject('MAINTENANCE.INVALID_PLAN', 'dueSoonKm and dueSoonDays are at least 0.');
  }
  return accepted([
    {
      type: SERVICE_PLAN_DEFINED,
      aggregateType: 'service_plan',
      aggregateId: command.planId,
      // A vehicle's plan is ordered with the vehicle's other events; a class plan stands alone.
      key: command.vehicleId ?? command.planId,
      payload: {
        planId: command.planId,
        vehicleId: command.vehicleId,
        vehicleClass: command.vehicleClass,
        everyKm: command.everyKm,
        everyDays: command.everyDays,
        dueSoonKm: command.dueSoonKm,
        dueSoonDays: command.dueSoonDays,
        supersedesPlanId: state.current?.id ?? null,
        definedAt: context.now.getTime(),
        actor: context.metadata.actor,
      },
    },
  ]);
}
