/**
 * Who may do what: every permission the product checks, the command → permission table the
 * gateway enforces, and the default permissions of the built-in roles (which the identity context
 * seeds from this same declaration). docs/access.md renders it for people.
 */

export const PERMISSIONS = [
  'vehicles.register',
  'vehicles.update',
  'vehicles.record_odometer',
  'vehicles.decommission',
  'vehicles.read',
  'rentals.reserve',
  'rentals.read',
  'commands.read_any',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The one permission each command needs, by the command's full record name. */
export const COMMAND_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'fleet.RegisterVehicle': 'vehicles.register',
  'fleet.UpdateVehicle': 'vehicles.update',
  'fleet.RecordOdometerReading': 'vehicles.record_odometer',
  'fleet.VoidOdometerReading': 'vehicles.record_odometer',
  'fleet.DecommissionVehicle': 'vehicles.decommission',
};

export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  admin: PERMISSIONS,
  fleet_manager: ['vehicles.register', 'vehicles.update', 'vehicles.record_odometer', 'vehicles.decommission', 'vehicles.read', 'rentals.read'],
  rental_agent: ['vehicles.read', 'rentals.reserve', 'rentals.read'],
  mechanic: ['vehicles.read', 'vehicles.record_odometer'],
  accountant: ['vehicles.read', 'rentals.read'],
  auditor: ['vehicles.read', 'rentals.read', 'commands.read_any'],
  system: PERMISSIONS,
};

/** The permissions a token grants: those it names directly plus those of the roles it names. */
export function effectivePermissions(roles: readonly string[], permissions: readonly string[]): Set<string> {
  const granted = new Set<string>(permissions);
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role] ?? []) granted.add(permission);
  return granted;
}
