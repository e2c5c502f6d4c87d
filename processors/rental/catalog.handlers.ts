import { userIdOrNull } from '../../platform/identifiers';
import { reject, type CommandHandler } from '../runtime/command-handler';
import { decideAssignVehicleLocation, parseAssignVehicleLocation, type AssignVehicleLocation, type AssignVehicleLocationState } from './assign-vehicle-location';
import type { CatalogRepository } from './catalog.repository';
import { decideDefineLocation, definedLocation, parseDefineLocation, type DefineLocation, type DefineLocationState } from './define-location';
import {
  decideDefinePricingPlan,
  decideRetirePricingPlan,
  definedPlan,
  parseDefinePricingPlan,
  parseRetirePricingPlan,
  type DefinePricingPlan,
  type PricingPlanState,
  type RetirePricingPlan,
} from './pricing-plans';
import { decideSetVehicleClassPolicy, parseSetVehicleClassPolicy, type SetVehicleClassPolicy } from './vehicle-class-policy';

/** Locations, class policies, vehicle locations and pricing plans: what rentals are placed and priced with. */
export function catalogHandlers(catalog: CatalogRepository): CommandHandler[] {
  const defineLocation: CommandHandler<DefineLocation, DefineLocationState> = {
    commandType: 'rental.DefineLocation',
    parse: parseDefineLocation,
    load: async (transaction, command) => ({ existing: await catalog.findLocation(transaction, command.locationId) }),
    decide: decideDefineLocation,
    apply: async (transaction, _decision, command, context) => {
      const location = definedLocation(command);
      const saved = await catalog.saveLocation(transaction, location, userIdOrNull(context.metadata.actor));
      return saved === 'name_taken' ? reject('RENTAL.LOCATION_NAME_TAKEN', `Another location is named ${location.name}.`) : undefined;
    },
  };

  const setVehicleClassPolicy: CommandHandler<SetVehicleClassPolicy, undefined> = {
    commandType: 'rental.SetVehicleClassPolicy',
    parse: parseSetVehicleClassPolicy,
    load: () => Promise.resolve(undefined),
    decide: decideSetVehicleClassPolicy,
    apply: async (transaction, _decision, command, context) => {
      await catalog.setClassPolicy(transaction, { vehicleClass: command.vehicleClass, bufferMinutes: command.bufferMinutes, actorId: userIdOrNull(context.metadata.actor) });
      return undefined;
    },
  };

  const assignVehicleLocation: CommandHandler<AssignVehicleLocation, AssignVehicleLocationState> = {
    commandType: 'rental.AssignVehicleLocation',
    parse: parseAssignVehicleLocation,
    load: async (transaction, command) => ({
      vehicle: await catalog.findVehicle(transaction, command.vehicleId, true),
      locationExists: (await catalog.findLocation(transaction, command.locationId)) !== undefined,
    }),
    decide: decideAssignVehicleLocation,
    apply: async (transaction, _decision, command) => {
      await catalog.assignLocation(transaction, command.vehicleId, command.locationId);
      return undefined;
    },
  };

  const definePricingPlan: CommandHandler<DefinePricingPlan, PricingPlanState> = {
    commandType: 'rental.DefinePricingPlan',
    parse: parseDefinePricingPlan,
    load: async (transaction, command) => ({ plan: await catalog.findPlan(transaction, command.planId) }),
    decide: decideDefinePricingPlan,
    apply: async (transaction, _decision, command, context) => {
      await catalog.definePlan(transaction, definedPlan(command, context.now), userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  const retirePricingPlan: CommandHandler<RetirePricingPlan, PricingPlanState> = {
    commandType: 'rental.RetirePricingPlan',
    parse: parseRetirePricingPlan,
    load: async (transaction, command) => ({ plan: await catalog.findPlan(transaction, command.planId, true) }),
    decide: decideRetirePricingPlan,
    apply: async (transaction, _decision, command, context) => {
      await catalog.retirePlan(transaction, command.planId, userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  return [defineLocation, setVehicleClassPolicy, assignVehicleLocation, definePricingPlan, retirePricingPlan];
}
