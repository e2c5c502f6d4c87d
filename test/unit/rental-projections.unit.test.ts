import { overdueRentals } from '../../processors/rental/overdue';
import { decideMaintenanceFact, decideVehicleFact, IN_PROGRESS_BLOCK_MS, parseVehicleStateChanged, projectMaintenance, projectVehicle, type MaintenanceFact, type MaintenanceWindow, type VehicleFact } from '../../processors/rental/projections';
import type { ProjectedVehicle, Rental } from '../../processors/rental/rental-state';

/** The copies of other contexts' facts (newest wins, terminal jobs stay terminal) and the overdue rule. */
describe('rental projections and the overdue rule', () => {
  const vehicleId = '3e000000-0000-4000-8000-000000000001';
  const jobId = '3e000000-0000-4000-8000-000000000002';
  const t0 = new Date('2026-11-23T10:00:00Z');
  const later = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);

  describe('the vehicle copy', () => {
    const registered: VehicleFact = { type: 'registered', vehicleId, at: t0, plateNumber: 'B 1', vehicleClass: 'van', status: 'active' };
    const copy: ProjectedVehicle = { vehicleId, plateNumber: 'B 1', vehicleClass: 'van', status: 'active', locationId: 'loc', lastEventId: 'e-1', lastEventAt: t0 };

    it('is created by a registration only; any other fact about an unknown vehicle is a conflict', () => {
      expect(projectVehicle(undefined, registered, 'e-1')).toEqual({ ...copy, locationId: null });
      expect(decideVehicleFact({ vehicle: undefined }, registered)).toMatchObject({ kind: 'accepted' });
      expect(decideVehicleFact({ vehicle: undefined }, { type: 'state_changed', vehicleId, at: t0, status: 'rented' })).toMatchObject({ kind: 'rejected', reasonCode: 'RENTAL.VEHICLE_NOT_FOUND' });
    });

    it('takes a newer fact, keeps the location, and ignores an older or repeated one', () => {
      const rented: VehicleFact = { type: 'state_changed', vehicleId, at: later(1), status: 'rented' };
      expect(projectVehicle(copy, rented, 'e-2')).toEqual({ ...copy, status: 'rented', lastEventId: 'e-2', lastEventAt: later(1) });
      expect(projectVehicle({ ...copy, lastEventAt: later(2) }, rented, 'e-2')).toBeUndefined();
      expect(projectVehicle(copy, registered, 'e-1')).toBeUndefined();
    });

    it('reads a status change and refuses an unknown status as unreadable', () => {
      expect(parseVehicleStateChanged({ vehicleId, from: 'active', to: 'under_maintenance', cause: 'x', reason: null, at: t0.getTime(), actor: null })).toEqual({ type: 'state_changed', vehicleId, at: t0, status: 'under_maintenance' });
      expect(() => parseVehicleStateChanged({ vehicleId, from: 'active', to: 'flying', cause: 'x', reason: null, at: t0.getTime(), actor: null })).toThrow(TypeError);
    });
  });

  describe('the maintenance windows', () => {
    const scheduled: MaintenanceFact = { type: 'scheduled', jobId, vehicleId, kind: 'service', windowStart: later(24), windowEnd: later(28) };
    const window = projectMaintenance(undefined, scheduled, 'e-1', t0)!;

    it('blocks the planned window while scheduled', () => {
      expect(window).toMatchObject({ status: 'scheduled', from: later(24), until: later(28), plannedEnd: later(28), lastEventAt: t0 });
      expect(decideMaintenanceFact({ ...scheduled, windowEnd: later(24) })).toMatchObject({ kind: 'rejected', reasonCode: 'RENTAL.INVALID_MAINTENANCE_WINDOW' });
    });

    it('blocks from the start of work until the later of the planned end and a day after the start', () => {
      expect(projectMaintenance(window, { type: 'started', jobId, vehicleId, at: later(25) }, 'e-2', later(25))).toMatchObject({ status: 'in_progress', from: later(25), until: new Date(later(25).getTime() + IN_PROGRESS_BLOCK_MS) });
      const long: MaintenanceWindow = { ...window, plannedEnd: later(24 * 5) };
      expect(projectMaintenance(long, { type: 'started', jobId, vehicleId, at: later(25) }, 'e-2', later(25))).toMatchObject({ until: later(24 * 5) });
      // Work starting without a known plan blocks a day.
      expect(projectMaintenance(undefined, { type: 'started', jobId, vehicleId, at: t0 }, 'e-2', t0)).toMatchObject({ from: t0, until: new Date(t0.getTime() + IN_PROGRESS_BLOCK_MS) });
    });

    it('stops blocking when completed or cancelled, and stays so whatever arrives later', () => {
      const completed = projectMaintenance(window, { type: 'completed', jobId, vehicleId, at: later(30) }, 'e-3', later(30))!;
      expect(completed.status).toBe('completed');
      expect(projectMaintenance(completed, scheduled, 'e-4', later(40))).toBeUndefined();
      const cancelled = projectMaintenance(undefined, { type: 'cancelled', jobId, vehicleId, at: t0 }, 'e-1', t0)!;
      expect(cancelled.status).toBe('cancelled');
      expect(projectMaintenance(cancelled, scheduled, 'e-2', later(-1))).toBeUndefined();
    });

    it('ignores a repeat and a fact older than the one kept', () => {
      expect(projectMaintenance(window, scheduled, 'e-1', t0)).toBeUndefined();
      expect(projectMaintenance(window, { ...scheduled, windowEnd: later(30) }, 'e-9', later(-1))).toBeUndefined();
    });
  });

  describe('overdue rentals', () => {
    const active: Rental = {
      id: '3e000000-0000-4000-8000-000000000003',
      vehicleId,
      customerId: null,
      originLocationId: 'o',
      destinationLocationId: 'o',
      timeZone: 'UTC',
      startAt: t0,
      endAt: later(24),
      blockedUntil: later(24),
      status: 'active',
      currency: 'EUR',
      terms: { currency: 'EUR', dailyRateMinor: 5_000, hourlyRateMinor: 0, includedKmPerDay: 0, extraKmPriceMinor: 0, lateFeePerHourMinor: 0, lateGraceMinutes: 30, cancellationFeeMinor: 0, cancellationWindowHours: 0, depositMinor: 0 },
      depositRequiredMinor: 0,
      odometerOutKm: 1,
      pickedUpAt: t0,
    };
    const overdueAt = new Date(later(24).getTime() + 30 * 60_000);

    it('is overdue from its end plus the grace, announced keyed by the vehicle', () => {
      expect(overdueRentals([active], new Date(overdueAt.getTime() - 1))).toEqual([]);
      expect(overdueRentals([active, { ...active, status: 'completed' }], overdueAt)).toEqual([
        {
          rental: active,
          overdueAt,
          event: { type: 'rental.RentalOverdue', aggregateType: 'rental', aggregateId: active.id, key: vehicleId, payload: { rentalId: active.id, vehicleId, endAt: later(24).getTime(), overdueAt: overdueAt.getTime() } },
        },
      ]);
    });
  });
});
