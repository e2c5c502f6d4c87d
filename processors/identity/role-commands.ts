import { isNullableString, isString, recordOf } from '../../platform/decoded';
import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import {
  DESCRIPTION_LENGTH_MAX,
  isDeclaredPermission,
  PERMISSION_GRANTED,
  PERMISSION_REVOKED,
  ROLE_ASSIGNED,
  ROLE_CREATED,
  ROLE_NAME,
  ROLE_REVOKED,
  roleEvent,
  roleIdOf,
  roleNotFound,
  rolePath,
  userEvent,
  userNotFound,
  userPath,
  type Role,
  type User,
} from './identity';

/** identity.AssignRole and identity.RevokeRole, as decoded from Avro. */
export interface UserRoleCommand {
  readonly userId: string;
  readonly role: string;
}

export interface UserRoleState {
  readonly user: User | undefined;
  readonly role: Role | undefined;
}

export const parseAssignRole = (value: unknown): UserRoleCommand => parseUserRole('identity.AssignRole', value);
export const parseRevokeRole = (value: unknown): UserRoleCommand => parseUserRole('identity.RevokeRole', value);

function parseUserRole(recordName: string, value: unknown): UserRoleCommand {
  const field = recordOf(recordName, value);
  return { userId: field('userId', isString), role: field('role', isString) };
}

/** The rule for giving a user a role: both exist and the user does not have it yet. */
export function decideAssignRole(state: UserRoleState, command: UserRoleCommand, context: CommandContext): Decision {
  if (state.user === undefined) return userNotFound(command.userId);
  if (state.role === undefined) return roleNotFound(command.role);
  if (state.user.roles.includes(state.role.name)) return reject('IDENTITY.ROLE_ALREADY_ASSIGNED', `User ${state.user.id} already has the role ${state.role.name}.`);
  return {
    kind: 'accepted',
    aggregateId: state.user.id,
    resourcePath: userPath(state.user.id),
    events: [userEvent(ROLE_ASSIGNED, state.user.id, { role: state.role.name, at: context.now.getTime(), actor: context.metadata.actor })],
  };
}

/** The rule for taking a role away: the user has it. */
export function decideRevokeRole(state: UserRoleState, command: UserRoleCommand, context: CommandContext): Decision {
  if (state.user === undefined) return userNotFound(command.userId);
  if (state.role === undefined) return roleNotFound(command.role);
  if (!state.user.roles.includes(state.role.name)) return reject('IDENTITY.ROLE_NOT_ASSIGNED', `User ${state.user.id} does not have the role ${state.role.name}.`);
  return {
    kind: 'accepted',
    aggregateId: state.user.id,
    resourcePath: userPath(state.user.id),
    events: [userEvent(ROLE_REVOKED, state.user.id, { role: state.role.name, at: context.now.getTime(), actor: context.metadata.actor })],
  };
}

/** identity.CreateRole, as decoded from Avro. */
export interface CreateRole {
  readonly role: string;
  readonly description: string | null;
}

export interface RoleState {
  readonly role: Role | undefined;
}

export function parseCreateRole(value: unknown): CreateRole {
  const field = recordOf('identity.CreateRole', value);
  return { role: field('role', isString), description: field('description', isNullableString) };
}

/** The rule for a new role: a lower-case name nobody has taken; it starts without permissions. */
export function decideCreateRole(state: RoleState, command: CreateRole, context: CommandContext): Decision {
  if (!ROLE_NAME.test(command.role)) return reject('IDENTITY.INVALID_ROLE_NAME', 'A role name is 1 to 50 lower-case letters, digits and underscores, starting with a letter.');
  const description = command.description?.trim() ?? null;
  if (description !== null && (description === '' || description.length > DESCRIPTION_LENGTH_MAX)) {
    return reject('IDENTITY.INVALID_DESCRIPTION', `A description has 1 to ${DESCRIPTION_LENGTH_MAX} characters.`);
  }
  if (state.role !== undefined) return reject('IDENTITY.ROLE_ALREADY_EXISTS', `The role ${command.role} already exists.`);
  const role = { id: roleIdOf(command.role), name: command.role };
  return { kind: 'accepted', aggregateId: role.id, resourcePath: rolePath(), events: [roleEvent(ROLE_CREATED, role, { description, actor: context.metadata.actor })] };
}

/** identity.GrantPermission and identity.RevokePermission, as decoded from Avro. */
export interface RolePermissionCommand {
  readonly role: string;
  readonly permission: string;
}

export const parseGrantPermission = (value: unknown): RolePermissionCommand => parseRolePermission('identity.GrantPermission', value);
export const parseRevokePermission = (value: unknown): RolePermissionCommand => parseRolePermission('identity.RevokePermission', value);

function parseRolePermission(recordName: string, value: unknown): RolePermissionCommand {
  const field = recordOf(recordName, value);
  return { role: field('role', isString), permission: field('permission', isString) };
}

/** The rule for granting a permission: only one the product declares (platform/access.ts), once. */
export function decideGrantPermission(state: RoleState, command: RolePermissionCommand, context: CommandContext): Decision {
  const role = state.role;
  if (role === undefined) return roleNotFound(command.role);
  if (!isDeclaredPermission(command.permission)) return reject('IDENTITY.PERMISSION_NOT_FOUND', `There is no permission ${command.permission}.`);
  if (role.permissions.includes(command.permission)) return reject('IDENTITY.PERMISSION_ALREADY_GRANTED', `The role ${role.name} already has ${command.permission}.`);
  return { kind: 'accepted', aggregateId: role.id, resourcePath: rolePath(), events: [roleEvent(PERMISSION_GRANTED, role, { permission: command.permission, actor: context.metadata.actor })] };
}

/** The rule for revoking a permission: the role has it. */
export function decideRevokePermission(state: RoleState, command: RolePermissionCommand, context: CommandContext): Decision {
  const role = state.role;
  if (role === undefined) return roleNotFound(command.role);
  if (!isDeclaredPermission(command.permission)) return reject('IDENTITY.PERMISSION_NOT_FOUND', `There is no permission ${command.permission}.`);
  if (!role.permissions.includes(command.permission)) return reject('IDENTITY.PERMISSION_NOT_GRANTED', `The role ${role.name} does not have ${command.permission}.`);
  return { kind: 'accepted', aggregateId: role.id, resourcePath: rolePath(), events: [roleEvent(PERMISSION_REVOKED, role, { permission: command.permission, actor: context.metadata.actor })] };
}
