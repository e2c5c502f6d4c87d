/**
 * The states of a vehicle's life cycle. The fleet context owns them; the database's check
 * constraints (the fleet's own tables and the other contexts' vehicle projections) and the HTTP
 * API use this one list.
 */
export const VEHICLE_STATUSES = ['active', 'rented', 'under_maintenance', 'decommissioned'] as const;
export type VehicleStatus = (typeof VEHICLE_STATUSES)[number];
