import { userIdOrNull } from '../../platform/identifiers';
import { reject, type CommandHandler } from '../runtime/command-handler';
import { roleIdOf, type StaffType } from './identity';
import type { IdentityRepository } from './identity.repository';
import {
  decideAssignRole,
  decideCreateRole,
  decideGrantPermission,
  decideRevokePermission,
  decideRevokeRole,
  parseAssignRole,
  parseCreateRole,
  parseGrantPermission,
  parseRevokePermission,
  parseRevokeRole,
  type CreateRole,
  type RolePermissionCommand,
  type RoleState,
  type UserRoleCommand,
  type UserRoleState,
} from './role-commands';
import {
  decideCreateUser,
  decideDisableUser,
  decideEnableUser,
  decideUpsertStaffProfile,
  normalEmail,
  parseCreateUser,
  parseDisableUser,
  parseEnableUser,
  parseUpsertStaffProfile,
  type CreateUser,
  type CreateUserState,
  type DisableUser,
  type EnableUser,
  type UpsertStaffProfile,
  type UserState,
} from './user-commands';

/** Wires the identity context's rules to its repository: one handler per command. */
export function identityHandlers(repository: IdentityRepository): CommandHandler[] {
  const createUser: CommandHandler<CreateUser, CreateUserState> = {
    commandType: 'identity.CreateUser',
    parse: parseCreateUser,
    load: async (transaction, command) => ({
      existing: await repository.findUser(transaction, command.userId),
      emailTaken: await repository.emailTaken(transaction, normalEmail(command.email)),
    }),
    decide: decideCreateUser,
    apply: async (transaction, _decision, command, context) => {
      const created = await repository.createUser(transaction, {
        id: command.userId,
        email: normalEmail(command.email),
        displayName: command.displayName?.trim() ?? null,
        passwordHash: command.passwordHash,
        externalSubject: command.externalSubject,
        createdBy: userIdOrNull(context.metadata.actor),
      });
      switch (created) {
        case 'created':
          return undefined;
        case 'email_taken':
          return reject('IDENTITY.EMAIL_TAKEN', `Another user already has the email ${normalEmail(command.email)}.`);
        case 'external_subject_taken':
          return reject('IDENTITY.EXTERNAL_SUBJECT_TAKEN', 'Another user already signs in with that external subject.');
        case 'id_taken':
          return reject('IDENTITY.USER_ID_TAKEN', `User id ${command.userId} belongs to another user.`);
        default: {
          const unexpected: never = created;
          throw new Error(`unexpected outcome ${String(unexpected)}`);
        }
      }
    },
  };

  const disableUser: CommandHandler<DisableUser, UserState> = {
    commandType: 'identity.DisableUser',
    parse: parseDisableUser,
    load: async (transaction, command) => ({ user: await repository.findUser(transaction, command.userId, true) }),
    decide: decideDisableUser,
    apply: async (transaction, _decision, command, context) => {
      await repository.disableUser(transaction, command.userId, command.reason.trim(), context.now, userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  const enableUser: CommandHandler<EnableUser, UserState> = {
    commandType: 'identity.EnableUser',
    parse: parseEnableUser,
    load: async (transaction, command) => ({ user: await repository.findUser(transaction, command.userId, true) }),
    decide: decideEnableUser,
    apply: async (transaction, _decision, command, context) => {
      await repository.enableUser(transaction, command.userId, userIdOrNull(context.metadata.actor));
      return undefined;
    },
  };

  const upsertStaffProfile: CommandHandler<UpsertStaffProfile, UserState> = {
    commandType: 'identity.UpsertStaffProfile',
    parse: parseUpsertStaffProfile,
    load: async (transaction, command) => ({ user: await repository.findUser(transaction, command.userId, true) }),
    decide: decideUpsertStaffProfile,
    apply: async (transaction, _decision, command, context) => {
      await repository.upsertStaffProfile(transaction, {
        userId: command.userId,
        staffType: command.staffType as StaffType,
        dailyRateCents: command.dailyRateMinor,
        currency: command.currency,
        by: userIdOrNull(context.metadata.actor),
      });
      return undefined;
    },
  };

  const loadUserRole = async (transaction: Parameters<CommandHandler['load']>[0], command: UserRoleCommand): Promise<UserRoleState> => ({
    user: await repository.findUser(transaction, command.userId, true),
    role: await repository.findRole(transaction, command.role),
  });

  const assignRole: CommandHandler<UserRoleCommand, UserRoleState> = {
    commandType: 'identity.AssignRole',
    parse: parseAssignRole,
    load: loadUserRole,
    decide: decideAssignRole,
    apply: async (transaction, _decision, command, context) => {
      const assigned = await repository.assignRole(transaction, command.userId, command.role, userIdOrNull(context.metadata.actor));
      return assigned === 'assigned' ? undefined : reject('IDENTITY.ROLE_ALREADY_ASSIGNED', `User ${command.userId} already has the role ${command.role}.`);
    },
  };

  const revokeRole: CommandHandler<UserRoleCommand, UserRoleState> = {
    commandType: 'identity.RevokeRole',
    parse: parseRevokeRole,
    load: loadUserRole,
    decide: decideRevokeRole,
    apply: async (transaction, _decision, command) => {
      await repository.revokeRole(transaction, command.userId, command.role);
      return undefined;
    },
  };

  const createRole: CommandHandler<CreateRole, RoleState> = {
    commandType: 'identity.CreateRole',
    parse: parseCreateRole,
    load: async (transaction, command) => ({ role: await repository.findRole(transaction, command.role) }),
    decide: decideCreateRole,
    apply: async (transaction, _decision, command, context) => {
      const created = await repository.createRole(transaction, {
        id: roleIdOf(command.role),
        name: command.role,
        description: command.description?.trim() ?? null,
        createdBy: userIdOrNull(context.metadata.actor),
      });
      return created === 'created' ? undefined : reject('IDENTITY.ROLE_ALREADY_EXISTS', `The role ${command.role} already exists.`);
    },
  };

  const loadRole = async (transaction: Parameters<CommandHandler['load']>[0], command: RolePermissionCommand): Promise<RoleState> => ({
    role: await repository.findRole(transaction, command.role, true),
  });

  const grantPermission: CommandHandler<RolePermissionCommand, RoleState> = {
    commandType: 'identity.GrantPermission',
    parse: parseGrantPermission,
    load: loadRole,
    decide: decideGrantPermission,
    apply: async (transaction, _decision, command, context) => {
      const granted = await repository.grantPermission(transaction, command.role, command.permission, userIdOrNull(context.metadata.actor));
      if (granted === 'unknown_permission') return reject('IDENTITY.PERMISSION_NOT_FOUND', `There is no permission ${command.permission}.`);
      return granted === 'granted' ? undefined : reject('IDENTITY.PERMISSION_ALREADY_GRANTED', `The role ${command.role} already has ${command.permission}.`);
    },
  };

  const revokePermission: CommandHandler<RolePermissionCommand, RoleState> = {
    commandType: 'identity.RevokePermission',
    parse: parseRevokePermission,
    load: loadRole,
    decide: decideRevokePermission,
    apply: async (transaction, _decision, command) => {
      await repository.revokePermission(transaction, command.role, command.permission);
      return undefined;
    },
  };

  return [createUser, disableUser, enableUser, upsertStaffProfile, assignRole, revokeRole, createRole, grantPermission, revokePermission];
}
