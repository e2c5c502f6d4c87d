import { PERMISSIONS } from '../../platform/access';
export { roleIdOf } from '../../platform/access';
import { reject, type DomainEvent, type Rejection } from '../runtime/command-handler';

/** What the identity context decides on: users, roles and the declared permissions. */
export const STAFF_TYPES = ['driver', 'conductor', 'mechanic', 'admin', 'system'] as const;
export type StaffType = (typeof STAFF_TYPES)[number];

export type UserStatus = 'active' | 'disabled';

/** A user with what its commands decide on; never its password hash. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly status: UserStatus;
  readonly roles: readonly string[];
}

export const USER_CREATED = 'identity.UserCreated';
export const USER_DISABLED = 'identity.UserDisabled';
export const USER_ENABLED = 'identity.UserEnabled';
export const ROLE_ASSIGNED = 'identity.RoleAssigned';
export const ROLE_REVOKED = 'identity.RoleRevoked';
export const ROLE_CREATED = 'identity.RoleCreated';
export const PERMISSION_GRANTED = 'identity.PermissionGranted';
export const PERMISSION_REVOKED = 'identity.PermissionRevoked';
export const STAFF_PROFILE_UPSERTED = 'identity.StaffProfileUpserted';

export const ROLE_NAME = /^[a-z][a-z0-9_]{0,49}$/;
export const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
export const EMAIL_LENGTH_MAX = 254;
export const DISPLAY_NAME_LENGTH_MAX = 200;
export const REASON_LENGTH_MAX = 500;
export const DESCRIPTION_LENGTH_MAX = 500;
export const EXTERNAL_SUBJECT_LENGTH_MAX = 255;
/** A stored password hash: `scrypt$N$r$p$salt$hash` (platform/passwords.ts). */
export const PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;
export const DAILY_RATE_MINOR_MAX = 100_000_000;

export function isDeclaredPermission(permission: string): boolean {
  return (PERMISSIONS as readonly string[]).includes(permission);
}

export function userNotFound(userId: string): Rejection {
  return reject('IDENTITY.USER_NOT_FOUND', `There is no user ${userId}.`);
}

export function roleNotFound(role: string): Rejection {
  return reject('IDENTITY.ROLE_NOT_FOUND', `There is no role ${role}.`);
}

export function userPath(userId: string): string {
  return `/v1/users/${userId}`;
}

export function rolePath(): string {
  return '/v1/roles';
}

/** An event about a user, keyed by the user so that everything about one user stays in order. */
export function userEvent(type: string, userId: string, payload: Record<string, unknown>): DomainEvent {
  return { type, aggregateType: 'user', aggregateId: userId, key: userId, payload: { userId, ...payload } };
}

/** A role as commands see it: its id and the permissions granted to it. */
export interface Role {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly string[];
}

/** An event about a role, keyed by the role's name so that everything about one role stays in order. */
export function roleEvent(type: string, role: { id: string; name: string }, payload: Record<string, unknown>): DomainEvent {
  return { type, aggregateType: 'role', aggregateId: role.id, key: role.name, payload: { roleId: role.id, role: role.name, ...payload } };
}
