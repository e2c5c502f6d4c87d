/**
 * The reports that join the books to the fleet, as pure functions of the reporting read models:
 * revenue per vehicle and per vehicle class, and the workshop's cost per vehicle, also per 1,000
 * km driven. Money stays in integer minor units per currency; order is fixed (currency, then
 * vehicle id or class), so that the same input is always the same report.
 */
import { DISCOUNTS_ACCOUNT, type Period } from './ledger-reports';

const byText = (left: string, right: string) => (left < right ? -1 : left > right ? 1 : 0);
const sumOf = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0);

/** Revenue-account amounts of the period booked for one rental's vehicle (null: none can be named). */
export interface VehicleRevenueLine {
  readonly vehicleId: string | null;
  readonly accountCode: string;
  readonly currency: string;
  /** Credits minus debits on the account. */
  readonly creditMinor: number;
}

export interface RevenueFigures {
  /** Credits minus debits on the revenue accounts, discounts left out. */
  readonly grossRevenueMinor: number;
  /** Debits minus credits on DISCOUNTS. */
  readonly discountsMinor: number;
  readonly netRevenueMinor: number;
}

export interface RevenueByVehicle {
  readonly period: Period;
  readonly currencies: readonly {
    readonly currency: string;
    readonly vehicles: readonly ({ readonly vehicleId: string; readonly vehicleClass: string | null } & RevenueFigures)[];
    /** Revenue no rental ties to a vehicle (a manual entry, say). */
    readonly unattributed: RevenueFigures;
    readonly total: RevenueFigures;
  }[];
}

export interface RevenueByVehicleClass {
  readonly period: Period;
  readonly currencies: readonly {
    readonly currency: string;
    /** A vehicle whose class is not known at the watermark is under class null, listed last. */
    readonly classes: readonly ({ readonly vehicleClass: string | null; readonly vehicles: number } & RevenueFigures)[];
    readonly unattributed: RevenueFigures;
    readonly total: RevenueFigures;
  }[];
}

function figures(lines: readonly VehicleRevenueLine[]): RevenueFigures {
  const grossRevenueMinor = sumOf(lines.filter((line) => line.accountCode !== DISCOUNTS_ACCOUNT).map((line) => line.creditMinor));
  const discountsMinor = -sumOf(lines.filter((line) => line.accountCode === DISCOUNTS_ACCOUNT).map((line) => line.creditMinor));
  return { grossRevenueMinor, discountsMinor, netRevenueMinor: grossRevenueMinor - discountsMinor };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return [...groups].sort(([left], [right]) => byText(left, right));
}

const UNKNOWN = '\uffff';

/** Revenue earned per vehicle in the period, per currency, with what no vehicle can be named for. */
export function revenueByVehicle(lines: readonly VehicleRevenueLine[], classOf: ReadonlyMap<string, string>, period: Period): RevenueByVehicle {
  return {
    period,
    currencies: groupBy(lines, (line) => line.currency).map(([currency, inCurrency]) => ({
      currency,
      vehicles: groupBy(
        inCurrency.filter((line) => line.vehicleId !== null),
        (line) => line.vehicleId!,
      ).map(([vehicleId, ofVehicle]) => ({ vehicleId, vehicleClass: classOf.get(vehicleId) ?? null, ...figures(ofVehicle) })),
      unattributed: figures(inCurrency.filter((line) => line.vehicleId === null)),
      total: figures(inCurrency),
    })),
  };
}

/** The same revenue summed per vehicle class (the class each vehicle has at the watermark). */
export function revenueByVehicleClass(lines: readonly VehicleRevenueLine[], classOf: ReadonlyMap<string, string>, period: Period): RevenueByVehicleClass {
  return {
    period,
    currencies: groupBy(lines, (line) => line.currency).map(([currency, inCurrency]) => {
      const attributed = inCurrency.filter((line) => line.vehicleId !== null);
      return {
        currency,
        classes: groupBy(attributed, (line) => classOf.get(line.vehicleId!) ?? UNKNOWN).map(([vehicleClass, ofClass]) => ({
          vehicleClass: vehicleClass === UNKNOWN ? null : vehicleClass,
          vehicles: new Set(ofClass.map((line) => line.vehicleId)).size,
          ...figures(ofClass),
        })),
        unattributed: figures(inCurrency.filter((line) => line.vehicleId === null)),
        total: figures(inCurrency),
      };
    }),
  };
}

/** An odometer reading that stands (neither voided nor replaced by a correction). */
export interface OdometerReading {
  readonly vehicleId: string;
  readonly readingKm: number;
  readonly recordedAt: number;
}

/**
 * Kilometres a vehicle was driven between two instants: the last reading at or before the end
 * minus the last one at or before the start (or, with none that early, the first one after it).
 * Zero with fewer than two readings to compare.
 */
export function kilometresDriven(readings: readonly OdometerReading[], start: number, end: number): number {
  const sorted = [...readings].sort((left, right) => left.recordedAt - right.recordedAt || left.readingKm - right.readingKm);
  const atOrBefore = (instant: number) => sorted.filter((reading) => reading.recordedAt <= instant).at(-1);
  const first = atOrBefore(start) ?? sorted.find((reading) => reading.recordedAt > start && reading.recordedAt <= end);
  const last = atOrBefore(end);
  if (first === undefined || last === undefined) return 0;
  return Math.max(0, last.readingKm - first.readingKm);
}

/** A completed workshop job's cost, on the day it was completed. */
export interface JobCost {
  readonly vehicleId: string;
  readonly completedOn: string;
  readonly costMinor: number;
  readonly currency: string;
}

export interface MaintenanceCost {
  readonly period: Period;
  readonly currencies: readonly {
    readonly currency: string;
    readonly vehicles: readonly {
      readonly vehicleId: string;
      readonly vehicleClass: string | null;
      readonly jobs: number;
      readonly costMinor: number;
      readonly kilometres: number;
      /** cost × 1,000 ÷ km, rounded down; null when the vehicle was not seen driving in the period. */
      readonly costPer1000KmMinor: number | null;
    }[];
    readonly jobs: number;
    readonly costMinor: number;
    readonly kilometres: number;
    readonly costPer1000KmMinor: number | null;
  }[];
}

const per1000Km = (costMinor: number, kilometres: number) => (kilometres === 0 ? null : Math.floor((costMinor * 1000) / kilometres));

/**
 * The cost of the jobs completed in the period per vehicle, and per 1,000 km driven in it (the
 * period's days as UTC instants, the last day included). A currency's total per 1,000 km divides
 * its cost by the kilometres of the vehicles that cost something in it.
 */
export function maintenanceCost(jobs: readonly JobCost[], readings: readonly OdometerReading[], classOf: ReadonlyMap<string, string>, period: Period): MaintenanceCost {
  const start = Date.parse(`${period.from}T00:00:00Z`);
  const end = Date.parse(`${period.to}T00:00:00Z`) + 86_400_000;
  const inPeriod = jobs.filter((job) => job.completedOn >= period.from && job.completedOn <= period.to);
  const readingsOf = new Map(groupBy(readings, (reading) => reading.vehicleId));
  return {
    period,
    currencies: groupBy(inPeriod, (job) => job.currency).map(([currency, inCurrency]) => {
      const vehicles = groupBy(inCurrency, (job) => job.vehicleId).map(([vehicleId, ofVehicle]) => {
        const costMinor = sumOf(ofVehicle.map((job) => job.costMinor));
        const kilometres = kilometresDriven(readingsOf.get(vehicleId) ?? [], start, end);
        return { vehicleId, vehicleClass: classOf.get(vehicleId) ?? null, jobs: ofVehicle.length, costMinor, kilometres, costPer1000KmMinor: per1000Km(costMinor, kilometres) };
      });
      const costMinor = sumOf(vehicles.map((vehicle) => vehicle.costMinor));
      const kilometres = sumOf(vehicles.map((vehicle) => vehicle.kilometres));
      return { currency, vehicles, jobs: inCurrency.length, costMinor, kilometres, costPer1000KmMinor: per1000Km(costMinor, kilometres) };
    }),
  };
}
