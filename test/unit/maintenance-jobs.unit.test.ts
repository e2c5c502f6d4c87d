import { decideCancelMaintenance } from '../../processors/maintenance/cancel-maintenance';
import { decideCompleteMaintenance, type CompleteMaintenance } from '../../processors/maintenance/complete-maintenance';
import { decideDefineServicePlan, type DefineServicePlan } from '../../processors/maintenance/define-service-plan';
import type { Job, JobStatus, VehicleStatus } from '../../processors/maintenance/maintenance-job';
import type { PartLine } from '../../processors/maintenance/parts';
import { decideRecordPartsUsed } from '../../processors/maintenance/record-parts-used';
import { decideScheduleMaintenance, type ScheduleMaintenance } from '../../processors/maintenance/schedule-maintenance';
import { decideStartMaintenance, type StartMaintenanceState } from '../../processors/maintenance/start-maintenance';
import type { CommandContext, Decision } from '../../processors/runtime/command-handler';
import { ROLE_PERMISSIONS } from '../../platform/access';

/**
 * The maintenance job rules as pure functions: given a state and a command, the events or the
 * reason code. The actor is a mechanic, and the jobs are assigned to them unless a test says not.
 */
const now = new Date('2026-11-23T12:00:00.000Z');
const actor = '7d7c8b7e-1f1e-4c3a-9a55-0e4f3b2a1c11';
const otherMechanic = '0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b';
function contextOf(actorPermissions: ReadonlySet<string> | null): CommandContext {
  return {
    now,
    metadata: { messageId: 'c0a80101-0000-4000-8000-000000000009', messageType: 'maintenance.X', correlationId: 'corr', causationId: null, actor, actorPermissions, traceparent: null, occurredAt: now.toISOString() },
  };
}
const context = contextOf(new Set(ROLE_PERMISSIONS.mechanic));
const jobId = '5b0d9c1e-2a3f-4b5c-8d6e-7f8091a2b3c4';
const vehicleId = '3f2b8a51-96c4-4c1e-a7b2-2f0f3f9d1c01';
const HOUR_MS = 60 * 60 * 1000;
const windowStart = new Date(now.getTime() + 24 * HOUR_MS);
const windowEnd = new Date(windowStart.getTime() + 8 * HOUR_MS);

function job(status: JobStatus, change: Partial<Job> = {}): Job {
  return { id: jobId, vehicleId, kind: 'repair', title: 'brakes', status, windowStart, windowEnd, startedAt: status === 'scheduled' ? null : new Date(now.getTime() - HOUR_MS), mechanicId: actor, currency: null, parts: [], ...change };
}

const pad: PartLine = { partName: 'brake pad', partNumber: 'BP-4', quantity: 4, unitCostMinor: 2_500, currency: 'EUR' };
const reasonOf = (decision: Decision) => (decision.kind === 'rejected' ? decision.reasonCode : 'accepted');

describe('scheduling a job', () => {
  const command: ScheduleMaintenance = { jobId, vehicleId, kind: 'repair', title: ' brakes ', description: null, windowStart, windowEnd, mechanicId: null };

  it('accepts a window for a known vehicle: MaintenanceScheduled keyed by the vehicle', () => {
    expect(decideScheduleMaintenance({ existing: undefined, vehicleStatus: 'rented' }, command, context)).toEqual({
      kind: 'accepted',
      aggregateId: jobId,
      resourcePath: `/v1/maintenance/jobs/${jobId}`,
      events: [
        {
          type: 'maintenance.MaintenanceScheduled',
          aggregateType: 'maintenance_job',
          aggregateId: jobId,
          key: vehicleId,
          payload: { jobId, vehicleId, kind: 'repair', windowStart: windowStart.getTime(), windowEnd: windowEnd.getTime(), title: 'brakes', description: null, mechanicId: null, actor },
        },
      ],
    });
  });

  it.each<[string, Partial<ScheduleMaintenance>, VehicleStatus | undefined, string]>([
    ['an unknown vehicle', {}, undefined, 'MAINTENANCE.VEHICLE_NOT_FOUND'],
    ['a decommissioned vehicle', {}, 'decommissioned', 'MAINTENANCE.VEHICLE_DECOMMISSIONED'],
    ['an unknown kind', { kind: 'paint' }, 'active', 'MAINTENANCE.INVALID_KIND'],
    ['a blank title', { title: '  ' }, 'active', 'MAINTENANCE.INVALID_TITLE'],
    ['a window ending before it starts', { windowEnd: windowStart }, 'active', 'MAINTENANCE.INVALID_WINDOW'],
    ['a window of a hundred days', { windowEnd: new Date(windowStart.getTime() + 100 * 24 * HOUR_MS) }, 'active', 'MAINTENANCE.INVALID_WINDOW'],
  ])('refuses %s', (_case, change, vehicleStatus, reasonCode) => {
    expect(reasonOf(decideScheduleMaintenance({ existing: undefined, vehicleStatus }, { ...command, ...change }, context))).toBe(reasonCode);
  });

  it('accepts the same booking again without events, and refuses another booking under the same id', () => {
    expect(decideScheduleMaintenance({ existing: job('scheduled'), vehicleStatus: 'active' }, command, context)).toEqual({ kind: 'accepted', aggregateId: jobId, resourcePath: `/v1/maintenance/jobs/${jobId}`, events: [] });
    expect(reasonOf(decideScheduleMaintenance({ existing: job('scheduled'), vehicleStatus: 'active' }, { ...command, kind: 'tyres' }, context))).toBe('MAINTENANCE.JOB_ID_TAKEN');
  });
});

describe('starting a job', () => {
  const state: StartMaintenanceState = { job: job('scheduled'), vehicleStatus: 'active', otherJobInProgress: undefined };

  it('starts a scheduled job now when no time is given: MaintenanceStarted', () => {
    const decision = decideStartMaintenance(state, { jobId, startedAt: null }, context);
    expect(decision.kind === 'accepted' && decision.events).toEqual([
      { type: 'maintenance.MaintenanceStarted', aggregateType: 'maintenance_job', aggregateId: jobId, key: vehicleId, payload: { jobId, vehicleId, startedAt: now.getTime(), actor } },
    ]);
  });

  it.each<[string, Partial<StartMaintenanceState>, Date | null, string]>([
    ['a job that does not exist', { job: undefined }, null, 'MAINTENANCE.JOB_NOT_FOUND'],
    ['a job already in progress', { job: job('in_progress') }, null, 'MAINTENANCE.JOB_NOT_SCHEDULED'],
    ['a cancelled job', { job: job('cancelled') }, null, 'MAINTENANCE.JOB_NOT_SCHEDULED'],
    ['while the vehicle is rented', { vehicleStatus: 'rented' }, null, 'MAINTENANCE.VEHICLE_RENTED'],
    ['a decommissioned vehicle', { vehicleStatus: 'decommissioned' }, null, 'MAINTENANCE.VEHICLE_DECOMMISSIONED'],
    ['while another job of the vehicle runs', { otherJobInProgress: 'b1b1b1b1-0000-4000-8000-000000000001' }, null, 'MAINTENANCE.VEHICLE_IN_WORKSHOP'],
    ['a start an hour ahead', {}, new Date(now.getTime() + HOUR_MS), 'MAINTENANCE.INVALID_TIME'],
  ])('refuses %s', (_case, change, startedAt, reasonCode) => {
    expect(reasonOf(decideStartMaintenance({ ...state, ...change }, { jobId, startedAt }, context))).toBe(reasonCode);
  });
});

describe('recording parts', () => {
  it('adds parts to a running job: PartsRecorded with their cost', () => {
    const decision = decideRecordPartsUsed({ job: job('in_progress') }, { jobId, parts: [pad, { ...pad, partName: 'disc', partNumber: null, quantity: 2, unitCostMinor: 8_000 }] }, context);
    expect(decision.kind === 'accepted' && decision.events[0]!.payload).toEqual({
      jobId,
      vehicleId,
      parts: [
        { partName: 'brake pad', partNumber: 'BP-4', quantity: 4, unitCostMinor: 2_500, currency: 'EUR' },
        { partName: 'disc', partNumber: null, quantity: 2, unitCostMinor: 8_000, currency: 'EUR' },
      ],
      partsCostMinor: 26_000,
      currency: 'EUR',
      recordedAt: now.getTime(),
      actor,
    });
  });

  it.each<[string, Job | undefined, PartLine[], string]>([
    ['a missing job', undefined, [pad], 'MAINTENANCE.JOB_NOT_FOUND'],
    ['a completed job', job('completed'), [pad], 'MAINTENANCE.JOB_CLOSED'],
    ['a cancelled job', job('cancelled'), [pad], 'MAINTENANCE.JOB_CLOSED'],
    ['no parts', job('scheduled'), [], 'MAINTENANCE.INVALID_PARTS'],
    ['a quantity of 0', job('scheduled'), [{ ...pad, quantity: 0 }], 'MAINTENANCE.INVALID_PARTS'],
    ['a negative cost', job('scheduled'), [{ ...pad, unitCostMinor: -1 }], 'MAINTENANCE.INVALID_COST'],
    ['a currency that is no code', job('scheduled'), [{ ...pad, currency: 'euro' }], 'MAINTENANCE.INVALID_CURRENCY'],
    ['two currencies in one command', job('scheduled'), [pad, { ...pad, currency: 'USD' }], 'MAINTENANCE.CURRENCY_MISMATCH'],
    ['a currency other than the job\'s', job('scheduled', { currency: 'GBP' }), [pad], 'MAINTENANCE.CURRENCY_MISMATCH'],
  ])('refuses %s', (_case, state, parts, reasonCode) => {
    expect(reasonOf(decideRecordPartsUsed({ job: state }, { jobId, parts }, context))).toBe(reasonCode);
  });
});

describe('completing a job', () => {
  const command: CompleteMaintenance = { jobId, completedAt: null, laborCostMinor: 12_000, currency: 'EUR', odometerKm: 42_000, parts: [{ ...pad, quantity: 1 }] };

  it('totals labour and every part, earlier and new: MaintenanceCompleted', () => {
    const decision = decideCompleteMaintenance({ job: job('in_progress', { currency: 'EUR', parts: [pad] }) }, command, context);
    expect(decision.kind === 'accepted' && decision.events[0]!.payload).toEqual({
      jobId,
      vehicleId,
      completedAt: now.getTime(),
      laborCostMinor: 12_000,
      partsCostMinor: 12_500,
      totalCostMinor: 24_500,
      currency: 'EUR',
      odometerKm: 42_000,
      parts: [
        { partName: 'brake pad', partNumber: 'BP-4', quantity: 4, unitCostMinor: 2_500, currency: 'EUR' },
        { partName: 'brake pad', partNumber: 'BP-4', quantity: 1, unitCostMinor: 2_500, currency: 'EUR' },
      ],
      actor,
    });
  });

  it.each<[string, Job | undefined, Partial<CompleteMaintenance>, string]>([
    ['a missing job', undefined, {}, 'MAINTENANCE.JOB_NOT_FOUND'],
    ['a scheduled job', job('scheduled'), {}, 'MAINTENANCE.JOB_NOT_IN_PROGRESS'],
    ['a completed job', job('completed'), {}, 'MAINTENANCE.JOB_NOT_IN_PROGRESS'],
    ['labour in another currency than the parts', job('in_progress', { currency: 'USD' }), {}, 'MAINTENANCE.CURRENCY_MISMATCH'],
    ['a new part in another currency than the labour', job('in_progress'), { parts: [{ ...pad, currency: 'USD' }] }, 'MAINTENANCE.CURRENCY_MISMATCH'],
    ['a negative labour cost', job('in_progress'), { laborCostMinor: -5 }, 'MAINTENANCE.INVALID_COST'],
    ['an end before the start', job('in_progress'), { completedAt: new Date(now.getTime() - 2 * HOUR_MS) }, 'MAINTENANCE.INVALID_TIME'],
    ['a negative odometer', job('in_progress'), { odometerKm: -1 }, 'MAINTENANCE.INVALID_ODOMETER'],
  ])('refuses %s', (_case, state, change, reasonCode) => {
    expect(reasonOf(decideCompleteMaintenance({ job: state }, { ...command, ...change }, context))).toBe(reasonCode);
  });
});

describe('who may work on a job', () => {
  const completion: CompleteMaintenance = { jobId, completedAt: null, laborCostMinor: 0, currency: 'EUR', odometerKm: null, parts: [] };
  const attempts: [string, (state: Job, context: CommandContext) => Decision][] = [
    ['start', (state, given) => decideStartMaintenance({ job: { ...state, status: 'scheduled', startedAt: null }, vehicleStatus: 'active', otherJobInProgress: undefined }, { jobId, startedAt: null }, given)],
    ['record parts of', (state, given) => decideRecordPartsUsed({ job: state }, { jobId, parts: [pad] }, given)],
    ['complete', (state, given) => decideCompleteMaintenance({ job: state }, completion, given)],
  ];

  it.each(attempts)('lets a mechanic %s a job assigned to them', (_command, decide) => {
    expect(reasonOf(decide(job('in_progress'), context))).toBe('accepted');
  });

  it.each(attempts)("refuses a mechanic who would %s another mechanic's job or an unassigned one, before its state is looked at", (_command, decide) => {
    expect(reasonOf(decide(job('in_progress', { mechanicId: otherMechanic }), context))).toBe('MAINTENANCE.NOT_ASSIGNED_TO_ACTOR');
    expect(reasonOf(decide(job('in_progress', { mechanicId: null }), context))).toBe('MAINTENANCE.NOT_ASSIGNED_TO_ACTOR');
    expect(reasonOf(decideRecordPartsUsed({ job: job('completed', { mechanicId: otherMechanic }) }, { jobId, parts: [pad] }, context))).toBe('MAINTENANCE.NOT_ASSIGNED_TO_ACTOR');
  });

  it.each(attempts)("lets a holder of maintenance.perform_any %s anyone's job, and an unassigned one", (_command, decide) => {
    const admin = contextOf(new Set(ROLE_PERMISSIONS.admin));
    expect(reasonOf(decide(job('in_progress', { mechanicId: otherMechanic }), admin))).toBe('accepted');
    expect(reasonOf(decide(job('in_progress', { mechanicId: null }), admin))).toBe('accepted');
  });

  it.each(attempts)('refuses to %s even their own job for an actor without maintenance.perform, or a command that does not say what its actor holds', (_command, decide) => {
    expect(decide(job('in_progress'), contextOf(new Set(ROLE_PERMISSIONS.auditor)))).toEqual({
      kind: 'rejected',
      reasonCode: 'MAINTENANCE.NOT_PERMITTED',
      message: "This needs the permission maintenance.perform, which the command's actor does not hold.",
    });
    expect(reasonOf(decide(job('in_progress'), contextOf(null)))).toBe('MAINTENANCE.NOT_PERMITTED');
  });
});

describe('cancelling a job', () => {
  it('cancels a scheduled job with its reason: MaintenanceCancelled', () => {
    const decision = decideCancelMaintenance({ job: job('scheduled') }, { jobId, reason: ' parts late ' }, context);
    expect(decision.kind === 'accepted' && decision.events[0]!.payload).toEqual({ jobId, vehicleId, cancelledAt: now.getTime(), reason: 'parts late', actor });
  });

  it.each<[string, Job | undefined, string, string]>([
    ['a missing job', undefined, 'x', 'MAINTENANCE.JOB_NOT_FOUND'],
    ['a job in progress', job('in_progress'), 'x', 'MAINTENANCE.JOB_NOT_SCHEDULED'],
    ['a blank reason', job('scheduled'), ' ', 'MAINTENANCE.INVALID_REASON'],
  ])('refuses %s', (_case, state, reason, reasonCode) => {
    expect(reasonOf(decideCancelMaintenance({ job: state }, { jobId, reason }, context))).toBe(reasonCode);
  });
});

describe('defining a service plan', () => {
  const planId = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
  const command: DefineServicePlan = { planId, vehicleId: null, vehicleClass: 'suv', everyKm: 15_000, everyDays: 365, dueSoonKm: 1_000, dueSoonDays: 30 };

  it('accepts a class plan superseding the one in force: ServicePlanDefined keyed by the plan', () => {
    const current = { ...command, id: 'c1c1c1c1-0000-4000-8000-000000000001' };
    const decision = decideDefineServicePlan({ existing: undefined, current }, command, context);
    expect(decision.kind === 'accepted' && decision.events).toEqual([
      {
        type: 'maintenance.ServicePlanDefined',
        aggregateType: 'service_plan',
        aggregateId: planId,
        key: planId,
        payload: { planId, vehicleId: null, vehicleClass: 'suv', everyKm: 15_000, everyDays: 365, dueSoonKm: 1_000, dueSoonDays: 30, supersedesPlanId: current.id, definedAt: now.getTime(), actor },
      },
    ]);
  });

  it.each<[string, Partial<DefineServicePlan>]>([
    ['neither a vehicle nor a class', { vehicleClass: null }],
    ['both a vehicle and a class', { vehicleId }],
    ['neither km nor days', { everyKm: null, everyDays: null }],
    ['an interval of 0 km', { everyKm: 0 }],
    ['a negative due-soon margin', { dueSoonDays: -1 }],
  ])('refuses %s: MAINTENANCE.INVALID_PLAN', (_case, change) => {
    expect(reasonOf(decideDefineServicePlan({ existing: undefined, current: undefined }, { ...command, ...change }, context))).toBe('MAINTENANCE.INVALID_PLAN');
  });

  it('accepts the same plan again without events, and refuses another plan under the same id', () => {
    const existing = { ...command, id: planId };
    expect(decideDefineServicePlan({ existing, current: existing }, command, context)).toEqual({ kind: 'accepted', aggregateId: planId, resourcePath: '/v1/maintenance/service-plans', events: [] });
    expect(reasonOf(decideDefineServicePlan({ existing, current: existing }, { ...command, everyKm: 20_000 }, context))).toBe('MAINTENANCE.PLAN_ID_TAKEN');
  });
});
