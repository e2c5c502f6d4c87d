import { decideOdometerRecorded, type OdometerState } from '../../processors/maintenance/fleet-projection';
import { applicablePlan, assessServiceDue, DAY_MS, thresholdIdOf, type ServiceBasis, type ServicePlan } from '../../processors/maintenance/service-due';
import type { CommandContext } from '../../processors/runtime/command-handler';

/**
 * When a service falls due: counted from the basis (last completed job or registration), at
 * basis km + everyKm or basis date + everyDays, whichever comes first; due soon within the plan's
 * margins, overdue from the point on. And the distance reminder an odometer reading triggers.
 */
const now = new Date('2026-11-23T12:00:00.000Z');
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
const plan: ServicePlan = { id: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', vehicleId: null, vehicleClass: 'suv', everyKm: 15_000, everyDays: 365, dueSoonKm: 1_000, dueSoonDays: 30 };
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);

describe('assessing when a service is due', () => {
  it.each<[string, ServicePlan, ServiceBasis, number | null, object]>([
    ['ok: far from both thresholds', plan, { name: 'registration', at: daysAgo(100), km: 0 }, 5_000,
      { status: 'ok', reason: null, byKm: 'ok', byDays: 'ok', dueAtKm: 15_000, kmRemaining: 10_000, daysRemaining: 265 }],
    ['km first: due soon by distance while time is fine', plan, { name: 'registration', at: daysAgo(100), km: 0 }, 14_200,
      { status: 'due_soon', reason: 'km', byKm: 'due_soon', byDays: 'ok', dueAtKm: 15_000, kmRemaining: 800, daysRemaining: 265 }],
    ['days first: due soon by time while distance is fine', plan, { name: 'job:x', at: daysAgo(350), km: 20_000 }, 21_000,
      { status: 'due_soon', reason: 'days', byKm: 'ok', byDays: 'due_soon', dueAtKm: 35_000, kmRemaining: 14_000, daysRemaining: 15 }],
    ['overdue by distance beats due soon by time', plan, { name: 'registration', at: daysAgo(350), km: 0 }, 15_500,
      { status: 'overdue', reason: 'km', byKm: 'overdue', byDays: 'due_soon', dueAtKm: 15_000, kmRemaining: -500, daysRemaining: 15 }],
    ['overdue by time', plan, { name: 'registration', at: daysAgo(400), km: 0 }, 1_000,
      { status: 'overdue', reason: 'days', byKm: 'ok', byDays: 'overdue', dueAtKm: 15_000, kmRemaining: 14_000, daysRemaining: -35 }],
    ['both due soon: the smaller share of its interval left wins', plan, { name: 'registration', at: daysAgo(360), km: 0 }, 14_500,
      { status: 'due_soon', reason: 'days', byKm: 'due_soon', byDays: 'due_soon', dueAtKm: 15_000, kmRemaining: 500, daysRemaining: 5 }],
    ['exactly at the km point is overdue', { ...plan, everyDays: null }, { name: 'registration', at: daysAgo(10), km: 0 }, 15_000,
      { status: 'overdue', reason: 'km', byKm: 'overdue', byDays: null, dueAtKm: 15_000, kmRemaining: 0, daysRemaining: null }],
    ['a time-only plan ignores distance', { ...plan, everyKm: null }, { name: 'registration', at: daysAgo(10), km: 0 }, 900_000,
      { status: 'ok', reason: null, byKm: null, byDays: 'ok', dueAtKm: null, kmRemaining: null, daysRemaining: 355 }],
    ['no reading yet counts the basis km', plan, { name: 'registration', at: daysAgo(10), km: 14_500 }, null,
      { status: 'ok', reason: null, byKm: 'ok', byDays: 'ok', dueAtKm: 29_500, kmRemaining: 15_000, daysRemaining: 355 }],
  ])('%s', (_case, which, basis, currentKm, expected) => {
    const assessment = assessServiceDue(which, basis, currentKm, now);
    expect({ ...assessment, dueAt: undefined }).toEqual({ ...expected, dueAt: undefined });
    expect(assessment.dueAt).toEqual(which.everyDays === null ? null : new Date(basis.at.getTime() + which.everyDays * DAY_MS));
  });
});

describe('which plan applies', () => {
  const vehiclePlan: ServicePlan = { ...plan, id: 'a1a1a1a1-0000-4000-8000-000000000001', vehicleId, vehicleClass: null, everyKm: 10_000 };
  it.each<[string, ServicePlan | undefined, ServicePlan | undefined, ServicePlan | undefined]>([
    ["the vehicle's own plan beats its class's", vehiclePlan, plan, vehiclePlan],
    ["the class's plan without one of its own", undefined, plan, plan],
    ['the vehicle plan alone', vehiclePlan, undefined, vehiclePlan],
    ['no plan at all', undefined, undefined, undefined],
  ])('%s', (_case, own, ofClass, expected) => {
    expect(applicablePlan(own, ofClass)).toBe(expected);
  });
});

describe('the distance reminder of an odometer reading', () => {
  const context: CommandContext = {
    now,
    metadata: { messageId: 'm', messageType: 'fleet.OdometerRecorded', correlationId: 'c', causationId: null, actor: null, actorPermissions: null, traceparent: null, occurredAt: now.toISOString() },
  };
  const basis: ServiceBasis = { name: 'registration', at: daysAgo(100), km: 0 };
  const state: OdometerState = { vehicleKnown: true, readingSettled: false, vehiclePlan: undefined, classPlan: plan, basis, currentKm: 13_000, kmNoticed: () => false };
  const reading = { readingId: 'r1r1r1r1-0000-4000-8000-000000000001', vehicleId, readingKm: 14_100, recordedAt: now };

  it('announces ServiceDue when the reading crosses into the due-soon margin', () => {
    const decision = decideOdometerRecorded(state, reading, context);
    expect(decision.kind === 'accepted' && decision.events).toEqual([
      {
        type: 'maintenance.ServiceDue',
        aggregateType: 'vehicle',
        aggregateId: vehicleId,
        key: vehicleId,
        payload: {
          vehicleId,
          planId: plan.id,
          reason: 'km',
          status: 'due_soon',
          dueAtKm: 15_000,
          dueAt: basis.at.getTime() + 365 * DAY_MS,
          kmRemaining: 900,
          daysRemaining: 265,
          basis: 'registration',
          thresholdId: thresholdIdOf(vehicleId, plan.id, 'registration', 'km'),
          noticedAt: now.getTime(),
        },
      },
    ]);
  });

  it.each<[string, Partial<OdometerState>, number]>([
    ['still short of the margin', {}, 13_500],
    ['already announced for this plan and basis', { kmNoticed: () => true }, 14_100],
    ['a reading seen before (a duplicate) or voided before it came', { readingSettled: true }, 14_100],
    ['a vehicle without a plan', { classPlan: undefined }, 14_100],
    ['a vehicle the workshop does not know', { vehicleKnown: false }, 14_100],
  ])('announces nothing for %s', (_case, change, readingKm) => {
    const decision = decideOdometerRecorded({ ...state, ...change }, { ...reading, readingKm }, context);
    expect(decision).toEqual({ kind: 'accepted', aggregateId: vehicleId, resourcePath: null, events: [] });
  });

  it('gives the same threshold id for the same key and another for another basis', () => {
    expect(thresholdIdOf(vehicleId, plan.id, 'registration', 'km')).toBe(thresholdIdOf(vehicleId, plan.id, 'registration', 'km'));
    expect(thresholdIdOf(vehicleId, plan.id, 'registration', 'km')).not.toBe(thresholdIdOf(vehicleId, plan.id, 'job:x', 'km'));
    expect(thresholdIdOf(vehicleId, plan.id, 'registration', 'km')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
