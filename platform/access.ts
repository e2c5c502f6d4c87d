import { createHash } from 'node:crypto';

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
  'rentals.configure',
  'rentals.quote',
  'rentals.reserve',
  'rentals.handover',
  'rentals.cancel',
  'rentals.charge',
  'rentals.read',
  'payments.record',
  'payments.refund',
  'maintenance.schedule',
  'maintenance.perform',
  'maintenance.perform_any',
  'maintenance.read',
  'maintenance.read_own',
  'identity.users.manage',
  'identity.roles.manage',
  'identity.read',
  'commands.read_any',
  'accounting.read',
  'accounting.journal.post',
  'accounting.accounts.manage',
  'reports.generate',
  'reports.read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The one permission each command needs, by the command's full record name. */
export const COMMAND_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'fleet.RegisterVehicle': 'vehicles.register',
  'fleet.UpdateVehicle': 'vehicles.update',
  'fleet.RecordOdometerReading': 'vehicles.record_odometer',
  'fleet.VoidOdometerReading': 'vehicles.record_odometer',
  'fleet.DecommissionVehicle': 'vehicles.decommission',
  'rental.DefineLocation': 'rentals.configure',
  'rental.SetVehicleClassPolicy': 'rentals.configure',
  'rental.AssignVehicleLocation': 'rentals.configure',
  'rental.DefinePricingPlan': 'rentals.configure',
  'rental.RetirePricingPlan': 'rentals.configure',
  'rental.QuoteRental': 'rentals.quote',
  'rental.ReserveRental': 'rentals.reserve',
  'rental.ActivateRental': 'rentals.handover',
  'rental.CompleteRental': 'rentals.handover',
  'rental.CancelRental': 'rentals.cancel',
  'rental.AddCharge': 'rentals.charge',
  'rental.RecordPayment': 'payments.record',
  'rental.CapturePayment': 'payments.record',
  'rental.FailPayment': 'payments.record',
  'rental.RefundPayment': 'payments.refund',
  'maintenance.ScheduleMaintenance': 'maintenance.schedule',
  'maintenance.CancelMaintenance': 'maintenance.schedule',
  'maintenance.DefineServicePlan': 'maintenance.schedule',
  'maintenance.StartMaintenance': 'maintenance.perform',
  'maintenance.RecordPartsUsed': 'maintenance.perform',
  'maintenance.CompleteMaintenance': 'maintenance.perform',
  'identity.CreateUser': 'identity.users.manage',
  'identity.DisableUser': 'identity.users.manage',
  'identity.EnableUser': 'identity.users.manage',
  'identity.UpsertStaffProfile': 'identity.users.manage',
  'identity.AssignRole': 'identity.roles.manage',
  'identity.RevokeRole': 'identity.roles.manage',
  'identity.CreateRole': 'identity.roles.manage',
  'identity.GrantPermission': 'identity.roles.manage',
  'identity.RevokePermission': 'identity.roles.manage',
  'ledger.PostManualJournalEntry': 'accounting.journal.post',
  'ledger.ReverseJournalEntry': 'accounting.journal.post',
  'ledger.DefineAccount': 'accounting.accounts.manage',
  'reporting.GenerateReport': 'reports.generate',
};

export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  admin: PERMISSIONS,
  fleet_manager: [
    'vehicles.register',
    'vehicles.update',
    'vehicles.record_odometer',
    'vehicles.decommission',
    'vehicles.read',
    'rentals.configure',
    'rentals.read',
    'maintenance.schedule',
    'maintenance.read',
    'reports.generate',
    'reports.read',
  ],
  rental_agent: [
    'vehicles.read',
    'rentals.quote',
    'rentals.reserve',
    'rentals.handover',
    'rentals.cancel',
    'rentals.charge',
    'rentals.read',
    'payments.record',
    'maintenance.read',
  ],
  // A mechanic works on and reads the jobs assigned to them; the workshop's planning is the fleet manager's.
  mechanic: ['vehicles.read', 'vehicles.record_odometer', 'maintenance.perform', 'maintenance.read_own'],
  accountant: [
    'vehicles.read',
    'rentals.read',
    'payments.record',
    'payments.refund',
    'maintenance.read',
    'accounting.read',
    'accounting.journal.post',
    'accounting.accounts.manage',
    'reports.generate',
    'reports.read',
  ],
  auditor: ['vehicles.read', 'rentals.read', 'maintenance.read', 'identity.read', 'commands.read_any', 'accounting.read', 'reports.read'],
  system: PERMISSIONS,
};

/** The permissions a token grants: those it names directly plus those of the roles it names. */
export function effectivePermissions(roles: readonly string[], permissions: readonly string[]): Set<string> {
  const granted = new Set<string>(permissions);
  for (const role of roles) for (const permission of ROLE_PERMISSIONS[role] ?? []) granted.add(permission);
  return granted;
}

/** A UUID (version 5 layout) derived from a name within a scope: the same name always gives the same id. */
export function nameBasedId(scope: string, name: string): string {
  const hex = createHash('sha1').update(`${scope}:${name}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The id a new role gets: derived from its name, so that deciding on CreateRole stays pure, a
 * replay names the same role, and the gateway can key a role's commands by it before the role
 * exists. The built-in roles are seeded with these ids too.
 */
export function roleIdOf(name: string): string {
  return nameBasedId('identity.role', name);
}

/**
 * The id an account added by DefineAccount gets, derived from its code the same way: the command
 * is keyed by it, and the same definition sent twice names the same account.
 */
export function accountIdOf(code: string): string {
  return nameBasedId('accounting.account', code);
}
