/**
 * Fleet utilisation for a period, as a pure function of the reporting context's copies of the
 * fleet, the rentals and the workshop: per vehicle, the hours it was rented divided by the hours
 * it was available, where available means in service (registered, not yet decommissioned) and not
 * in a maintenance window. Times are instants in milliseconds; the ratio is given in basis points
 * (rounded down), so that the report holds integers only and is the same text every time.
 */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface FleetVehicle {
  readonly vehicleId: string;
  readonly vehicleClass: string;
  readonly inServiceFrom: number;
  /** Null while the vehicle is in service. */
  readonly inServiceUntil: number | null;
}

export interface VehicleUse {
  readonly vehicleId: string;
  readonly vehicleClass: string;
  readonly availableMs: number;
  readonly rentedMs: number;
  /** rented ÷ available in basis points (10,000 = 100%), null when the vehicle was never available. */
  readonly utilisationBp: number | null;
}

export interface Utilisation {
  readonly period: Interval;
  readonly vehicles: readonly VehicleUse[];
  readonly overall: { readonly availableMs: number; readonly rentedMs: number; readonly utilisationBp: number | null };
}

/** The intervals merged where they overlap or touch, in start order, empty ones left out. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((interval) => interval.end > interval.start).sort((left, right) => left.start - right.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && interval.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, interval.end) };
    else merged.push(interval);
  }
  return merged;
}

/** The parts of `from` that none of `holes` covers. */
export function subtract(from: readonly Interval[], holes: readonly Interval[]): Interval[] {
  const cut = union(holes);
  const left: Interval[] = [];
  for (const interval of union(from)) {
    let start = interval.start;
    for (const hole of cut) {
      if (hole.end <= start || hole.start >= interval.end) continue;
      if (hole.start > start) left.push({ start, end: hole.start });
      start = Math.max(start, hole.end);
    }
    if (start < interval.end) left.push({ start, end: interval.end });
  }
  return left;
}

/** The parts common to both sets of intervals. */
export function intersect(left: readonly Interval[], right: readonly Interval[]): Interval[] {
  const common: Interval[] = [];
  for (const a of union(left)) for (const b of union(right)) if (Math.min(a.end, b.end) > Math.max(a.start, b.start)) common.push({ start: Math.max(a.start, b.start), end: Math.min(a.end, b.end) });
  return union(common);
}

const lengthOf = (intervals: readonly Interval[]) => intervals.reduce((sum, interval) => sum + interval.end - interval.start, 0);
const basisPoints = (part: number, whole: number) => (whole === 0 ? null : Math.floor((part * 10_000) / whole));

/**
 * Utilisation per vehicle and overall in `period`. Rentals and maintenance windows are given per
 * vehicle id; a rented hour counts only while the vehicle was available (a rental overlapping a
 * workshop window or running past decommissioning counts for its available part).
 */
export function utilisation(
  period: Interval,
  vehicles: readonly FleetVehicle[],
  rentals: ReadonlyMap<string, readonly Interval[]>,
  maintenance: ReadonlyMap<string, readonly Interval[]>,
): Utilisation {
  const uses = [...vehicles]
    .sort((left, right) => (left.vehicleId < right.vehicleId ? -1 : left.vehicleId > right.vehicleId ? 1 : 0))
    .map((vehicle): VehicleUse => {
      const inService = intersect([period], [{ start: vehicle.inServiceFrom, end: vehicle.inServiceUntil ?? Number.MAX_SAFE_INTEGER }]);
      const available = subtract(inService, maintenance.get(vehicle.vehicleId) ?? []);
      const rented = intersect(available, rentals.get(vehicle.vehicleId) ?? []);
      const availableMs = lengthOf(available);
      const rentedMs = lengthOf(rented);
      return { vehicleId: vehicle.vehicleId, vehicleClass: vehicle.vehicleClass, availableMs, rentedMs, utilisationBp: basisPoints(rentedMs, availableMs) };
    });
  const availableMs = uses.reduce((sum, use) => sum + use.availableMs, 0);
  const rentedMs = uses.reduce((sum, use) => sum + use.rentedMs, 0);
  return { period, vehicles: uses, overall: { availableMs, rentedMs, utilisationBp: basisPoints(rentedMs, availableMs) } };
}
