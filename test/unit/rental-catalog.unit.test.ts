import { decideAssignVehicleLocation } from '../../processors/rental/assign-vehicle-location';
import { decideDefineLocation, type DefineLocation } from '../../processors/rental/define-location';
import { decideDefinePricingPlan, decideRetirePricingPlan, type DefinePricingPlan } from '../../processors/rental/pricing-plans';
import type { PricingPlan, ProjectedVehicle } from '../../processors/rental/rental-state';
import { decideSetVehicleClassPolicy } from '../../processors/rental/vehicle-class-policy';
import { vehicleClassAggregateId } from '../../schemas/rental/vehicle-class-id';
import type { CommandContext } from '../../processors/runtime/command-handler';

/** The rental catalog's rules: locations, class buffers, vehicle locations and pricing plans, each accepted and each rejection. */
describe('the rental catalog rules', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  const context: CommandContext = {
    now,
    metadata: { messageId: 'm-1', messageType: 'x', correlationId: 'c', causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: now.toISOString() },
  };
  const locationId = '5d3c1a2b-0000-4000-8000-000000000001';
  const vehicleId = '5d3c1a2b-0000-4000-8000-000000000002';
  const planId = '5d3c1a2b-0000-4000-8000-000000000003';
  const reasonOf = (decision: { kind: string; reasonCode?: string }) => (decision.kind === 'rejected' ? decision.reasonCode : decision.kind);

  describe('DefineLocation', () => {
    const command: DefineLocation = { locationId, name: ' Main depot ', type: 'depot', address: null, timeZone: 'Europe/Berlin' };

    it('defines a location with a trimmed name and announces it', () => {
      expect(decideDefineLocation({ existing: undefined }, command, context)).toEqual({
        kind: 'accepted',
        aggregateId: locationId,
        resourcePath: '/v1/locations',
        events: [
          {
            type: 'rental.LocationDefined',
            aggregateType: 'location',
            aggregateId: locationId,
            payload: { locationId, name: 'Main depot', type: 'depot', address: null, timeZone: 'Europe/Berlin', definedAt: now.getTime() },
          },
        ],
      });
    });

    it('accepts the same definition again and announces nothing', () => {
      const existing = { id: locationId, name: 'Main depot', type: 'depot' as const, address: null, timeZone: 'Europe/Berlin' };
      expect(decideDefineLocation({ existing }, command, context)).toMatchObject({ kind: 'accepted', events: [] });
    });

    it.each([
      [{ name: ' ' }, 'RENTAL.INVALID_LOCATION'],
      [{ name: 'x'.repeat(101) }, 'RENTAL.INVALID_LOCATION'],
      [{ address: 'x'.repeat(501) }, 'RENTAL.INVALID_LOCATION'],
      [{ type: 'harbour' }, 'RENTAL.INVALID_LOCATION'],
      [{ timeZone: 'Europe/Atlantis' }, 'RENTAL.INVALID_TIME_ZONE'],
    ])('refuses %j with %s', (change, reasonCode) => {
      expect(reasonOf(decideDefineLocation({ existing: undefined }, { ...command, ...change }, context))).toBe(reasonCode);
    });
  });

  describe('SetVehicleClassPolicy', () => {
    it('sets a buffer, keyed by the class, under a stable id of the class', () => {
      const decision = decideSetVehicleClassPolicy(undefined, { vehicleClass: 'van', bufferMinutes: 45 }, context);

      expect(decision).toMatchObject({ kind: 'accepted', events: [{ type: 'rental.VehicleClassPolicySet', key: 'van', payload: { vehicleClass: 'van', bufferMinutes: 45, setAt: now.getTime() } }] });
      expect(vehicleClassAggregateId('van')).toBe(vehicleClassAggregateId('van'));
      expect(vehicleClassAggregateId('van')).not.toBe(vehicleClassAggregateId('suv'));
      expect(vehicleClassAggregateId('van')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it.each([
      [{ vehicleClass: 'van', bufferMinutes: -1 }, 'RENTAL.INVALID_BUFFER'],
      [{ vehicleClass: 'van', bufferMinutes: 10_081 }, 'RENTAL.INVALID_BUFFER'],
      [{ vehicleClass: 'Van', bufferMinutes: 10 }, 'RENTAL.INVALID_VEHICLE_CLASS'],
    ])('refuses %j with %s', (command, reasonCode) => {
      expect(reasonOf(decideSetVehicleClassPolicy(undefined, command, context))).toBe(reasonCode);
    });
  });

  describe('AssignVehicleLocation', () => {
    const vehicle: ProjectedVehicle = { vehicleId, plateNumber: 'B 1', vehicleClass: 'van', status: 'active', locationId: null, lastEventId: 'e', lastEventAt: now };
    const command = { vehicleId, locationId };

    it('places the vehicle and names where it was', () => {
      expect(decideAssignVehicleLocation({ vehicle, locationExists: true }, command, context)).toMatchObject({
        kind: 'accepted',
        events: [{ type: 'rental.VehicleLocationAssigned', payload: { vehicleId, locationId, previousLocationId: null } }],
      });
      expect(decideAssignVehicleLocation({ vehicle: { ...vehicle, locationId }, locationExists: true }, command, context)).toMatchObject({ kind: 'accepted', events: [] });
    });

    it.each([
      [{ vehicle: undefined, locationExists: true }, 'RENTAL.VEHICLE_NOT_FOUND'],
      [{ vehicle: { ...vehicle, status: 'decommissioned' as const }, locationExists: true }, 'RENTAL.VEHICLE_DECOMMISSIONED'],
      [{ vehicle, locationExists: false }, 'RENTAL.LOCATION_NOT_FOUND'],
    ])('refuses %#: %s', (state, reasonCode) => {
      expect(reasonOf(decideAssignVehicleLocation(state, command, context))).toBe(reasonCode);
    });
  });

  describe('pricing plans', () => {
    const terms = {
      currency: 'EUR',
      dailyRateMinor: 5_000,
      hourlyRateMinor: 1_000,
      includedKmPerDay: 200,
      extraKmPriceMinor: 30,
      lateFeePerHourMinor: 1_500,
      lateGraceMinutes: 30,
      cancellationFeeMinor: 2_500,
      cancellationWindowHours: 24,
      depositMinor: 30_000,
    };
    const command: DefinePricingPlan = { planId, name: 'Compact 2027', vehicleClass: 'compact', vehicleId: null, terms, validFrom: null, validTo: null };
    const stored: PricingPlan = { id: planId, name: 'Compact 2027', vehicleClass: 'compact', vehicleId: null, terms, validFrom: now, validTo: null, status: 'active' };

    it('defines a plan valid from now and announces its terms', () => {
      expect(decideDefinePricingPlan({ plan: undefined }, command, context)).toMatchObject({
        kind: 'accepted',
        events: [{ type: 'rental.PricingPlanDefined', payload: { planId, vehicleClass: 'compact', vehicleId: null, ...terms, validFrom: now.getTime(), validTo: null } }],
      });
    });

    it.each([
      ['an existing id', { plan: stored }, {}, 'RENTAL.PRICING_PLAN_ALREADY_DEFINED'],
      ['no name', { plan: undefined }, { name: '' }, 'RENTAL.INVALID_PRICING_PLAN'],
      ['no target', { plan: undefined }, { vehicleClass: null }, 'RENTAL.INVALID_PRICING_PLAN'],
      ['a bad class', { plan: undefined }, { vehicleClass: 'Compact' }, 'RENTAL.INVALID_VEHICLE_CLASS'],
      ['a bad currency', { plan: undefined }, { terms: { ...terms, currency: 'euro' } }, 'RENTAL.INVALID_CURRENCY'],
      ['a negative rate', { plan: undefined }, { terms: { ...terms, hourlyRateMinor: -1 } }, 'RENTAL.INVALID_PRICING_PLAN'],
      ['a huge deposit', { plan: undefined }, { terms: { ...terms, depositMinor: 10_000_000_001 } }, 'RENTAL.INVALID_PRICING_PLAN'],
      ['an end before the start', { plan: undefined }, { validFrom: now, validTo: now }, 'RENTAL.INVALID_PRICING_PLAN'],
    ])('refuses %s', (_name, state, change, reasonCode) => {
      expect(reasonOf(decideDefinePricingPlan(state, { ...command, ...change }, context))).toBe(reasonCode);
    });

    it('retires an active plan once', () => {
      expect(decideRetirePricingPlan({ plan: stored }, { planId }, context)).toMatchObject({ kind: 'accepted', events: [{ type: 'rental.PricingPlanRetired', payload: { planId, retiredAt: now.getTime() } }] });
      expect(reasonOf(decideRetirePricingPlan({ plan: { ...stored, status: 'retired' } }, { planId }, context))).toBe('RENTAL.PRICING_PLAN_ALREADY_RETIRED');
      expect(reasonOf(decideRetirePricingPlan({ plan: undefined }, { planId }, context))).toBe('RENTAL.PRICING_PLAN_NOT_FOUND');
    });
  });
});
