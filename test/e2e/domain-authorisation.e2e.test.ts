import { eventually } from '../support/eventually';
import { SystemHarness } from '../support/system';

/**
 * The domain rules about who acts, through HTTP and back out of Kafka: a mechanic starts the job
 * assigned to them and is refused (403, nothing published, the job still scheduled) on another
 * mechanic's, which an administrator may start; a mechanic reads only their own jobs and finds
 * them on /v1/me/assignments; a decommission produced straight to Kafka without the actor's
 * permissions is refused by the fleet processor, whatever the gateway would have said.
 */
const MANAGER = '6d8e2f3a-9a4b-4b7c-8e1f-2a3b4c5d6e7f';
const MECHANIC = '7e9f3a4b-0b5c-4c8d-9f2a-3b4c5d6e7f80';
const OTHER_MECHANIC = '8f0a4b5c-1c6d-4d9e-8a3b-4c5d6e7f8091';
const ADMIN = '9a1b5c6d-2d7e-4e0f-9b4c-5d6e7f809102';
const DRIVER = 'a0b1c2d3-3e8f-4f1a-8c5d-6e7f80910213';
const DAY_MS = 24 * 60 * 60 * 1000;

describe('domain-level authorisation through the gateway', () => {
  const harness = new SystemHarness();
  const as = (subject: string, roles: string[]) => ({ subject, roles });
  const manager = as(MANAGER, ['fleet_manager']);
  const mechanic = as(MECHANIC, ['mechanic']);
  let ownJob = '';
  let othersJob = '';

  /** A vehicle the fleet registered, once the workshop has heard of it. */
  async function workshopVehicle(plateNumber: string): Promise<string> {
    const vehicleId = await harness.registerVehicle(plateNumber, 'suv');
    await eventually(
      async () => (await harness.maintenance('maintenance.vehicle_projection').where('vehicle_id', vehicleId).first('vehicle_id')) ?? undefined,
      30_000,
      `the workshop to follow the registration of ${plateNumber}`,
    );
    return vehicleId;
  }

  async function booked(vehicleId: string, mechanicId: string): Promise<string> {
    const windowStart = new Date(Date.now() + DAY_MS);
    const answer = await harness.send(
      'POST',
      '/v1/maintenance/jobs',
      { vehicleId, kind: 'repair', title: 'Brakes', windowStart: windowStart.toISOString(), windowEnd: new Date(windowStart.getTime() + 4 * 3_600_000).toISOString(), mechanicId },
      manager,
    );
    expect(answer.status).toBe(201);
    return answer.body.aggregateId as string;
  }

  const startedEvents = (jobId: string) => (harness.events.get(harness.topics.maintenanceEvents) ?? []).filter((event) => event.type === 'maintenance.MaintenanceStarted' && event.value.jobId === jobId);

  beforeAll(async () => {
    await harness.start();
    ownJob = await booked(await workshopVehicle('AUTHZ 1'), MECHANIC);
    othersJob = await booked(await workshopVehicle('AUTHZ 2'), OTHER_MECHANIC);
  }, 180_000);

  afterAll(() => harness.stop(), 60_000);

  it("lets a mechanic start their own job, refuses them another mechanic's (403, no event, still scheduled), and lets an administrator start it", async () => {
    const refused = await harness.send('POST', `/v1/maintenance/jobs/${othersJob}/start`, {}, mechanic);
    expect(refused).toMatchObject({
      status: 403,
      body: {
        commandType: 'maintenance.StartMaintenance',
        status: 'rejected',
        reasonCode: 'MAINTENANCE.NOT_ASSIGNED_TO_ACTOR',
        message: `Job ${othersJob} is not assigned to the command's actor; only its mechanic or a holder of maintenance.perform_any may work on it.`,
      },
    });
    expect((await harness.get(`/v1/maintenance/jobs/${othersJob}`, manager)).body).toMatchObject({ id: othersJob, status: 'scheduled', startedAt: null });

    expect(await harness.send('POST', `/v1/maintenance/jobs/${ownJob}/start`, {}, mechanic)).toMatchObject({ status: 200, body: { status: 'accepted' } });
    expect(await harness.send('POST', `/v1/maintenance/jobs/${othersJob}/start`, {}, as(ADMIN, ['admin']))).toMatchObject({ status: 200, body: { status: 'accepted' } });

    // The administrator's start is the only one of that job the workshop ever announced.
    const announced = await eventually(() => (startedEvents(othersJob).length > 0 && startedEvents(ownJob).length > 0 ? startedEvents(othersJob) : undefined), 30_000, 'both MaintenanceStarted');
    expect(announced.map((event) => event.value.actor)).toEqual([ADMIN]);
    expect(startedEvents(ownJob).map((event) => event.value.actor)).toEqual([MECHANIC]);
  });

  it('shows a mechanic only the jobs assigned to them, answers another mechanic\'s job with 404, and lists their own on /v1/me/assignments', async () => {
    const listed = await harness.get('/v1/maintenance/jobs', mechanic);
    expect(listed.status).toBe(200);
    expect((listed.body.items as { id: string }[]).map((job) => job.id)).toEqual([ownJob]);
    expect((await harness.get('/v1/maintenance/jobs', manager)).body.items).toHaveLength(2);

    expect((await harness.get(`/v1/maintenance/jobs/${ownJob}`, mechanic)).body).toMatchObject({ id: ownJob, mechanicId: MECHANIC });
    expect(await harness.get(`/v1/maintenance/jobs/${othersJob}`, mechanic)).toMatchObject({ status: 404, body: { type: 'https://fleet.example/problems/maintenance-job-not-found' } });
    expect((await harness.get('/v1/maintenance/due', mechanic)).status).toBe(403);

    const assignments = await harness.get('/v1/me/assignments', mechanic);
    expect(assignments.status).toBe(200);
    expect(assignments.body).toMatchObject({ items: [{ type: 'maintenance_job', job: { id: ownJob, status: 'in_progress' }, links: { job: `/v1/maintenance/jobs/${ownJob}` } }], links: { next: null } });
    expect((assignments.body.items as unknown[]).length).toBe(1);
    expect((await harness.get('/v1/me/assignments', as(OTHER_MECHANIC, ['mechanic']))).body.items).toMatchObject([{ job: { id: othersJob } }]);
    expect(await harness.get('/v1/me/assignments', as(DRIVER, []))).toMatchObject({ status: 200, body: { items: [], links: { next: null } } });
  });

  it('has the fleet processor refuse a decommission produced straight to Kafka without the permissions header, and accept one through the gateway', async () => {
    const vehicleId = await harness.registerVehicle('AUTHZ 3', 'suv');
    const messageId = await harness.produceCommand(harness.topics.fleetCommands, vehicleId, 'fleet.DecommissionVehicle', { vehicleId, reason: 'Sold.' }, MANAGER, null);
    const processed = await eventually<{ outcome: string; reason_code: string }>(
      async () => harness.fleet('fleet.inbox_processed_messages').where('message_id', messageId).first('outcome', 'reason_code'),
      30_000,
      'the fleet to process the decommission',
    );
    expect(processed).toEqual({ outcome: 'rejected', reason_code: 'FLEET.NOT_PERMITTED' });
    expect((await harness.get(`/v1/vehicles/${vehicleId}`, manager)).body).toMatchObject({ status: 'active' });

    expect(await harness.send('POST', `/v1/vehicles/${vehicleId}/decommission`, { reason: 'Sold.' }, manager)).toMatchObject({ status: 200, body: { status: 'accepted' } });
  });
});
