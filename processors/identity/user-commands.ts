import { isNullableInteger, isNullableString, isString, recordOf } from '../../platform/decoded';
import { reject, type CommandContext, type Decision } from '../runtime/command-handler';
import {
  DAILY_RATE_MINOR_MAX,
  DISPLAY_NAME_LENGTH_MAX,
  EMAIL,
  EMAIL_LENGTH_MAX,
  EXTERNAL_SUBJECT_LENGTH_MAX,
  PASSWORD_HASH,
  REASON_LENGTH_MAX,
  STAFF_PROFILE_UPSERTED,
  STAFF_TYPES,
  USER_CREATED,
  USER_DISABLED,
  USER_ENABLED,
  userEvent,
  userNotFound,
  userPath,
  type User,
} from './identity';

/** identity.CreateUser, as decoded from Avro: the gateway hashed the password; the plain one never travels. */
export interface CreateUser {
  readonly userId: string;
  readonly email: string;
  readonly displayName: string | null;
  readonly passwordHash: string | null;
  readonly externalSubject: string | null;
}

export interface CreateUserState {
  readonly existing: User | undefined;
  readonly emailTaken: boolean;
}

export function parseCreateUser(value: unknown): CreateUser {
  const field = recordOf('identity.CreateUser', value);
  return {
    userId: field('userId', isString),
    email: field('email', isString),
    displayName: field('displayName', isNullableString),
    passwordHash: field('passwordHash', isNullableString),
    externalSubject: field('externalSubject', isNullableString),
  };
}

/** The email as stored and compared: trimmed; the database compares it case-insensitively. */
export function normalEmail(email: string): string {
  return email.trim();
}

/**
 * The rule for a new user: a valid email nobody else has, and exactly one way to sign in (a
 * password hash or an external provider's subject). UserCreated never carries the hash.
 */
export function decideCreateUser(state: CreateUserState, command: CreateUser, context: CommandContext): Decision {
  const email = normalEmail(command.email);
  if (email.length > EMAIL_LENGTH_MAX || !EMAIL.test(email)) return reject('IDENTITY.INVALID_EMAIL', 'An email is name@domain, at most 254 characters.');
  const displayName = command.displayName?.trim() ?? null;
  if (displayName !== null && (displayName === '' || displayName.length > DISPLAY_NAME_LENGTH_MAX)) {
    return reject('IDENTITY.INVALID_DISPLAY_NAME', `A display name has 1 to ${DISPLAY_NAME_LENGTH_MAX} characters.`);
  }
  if ((command.passwordHash === null) === (command.externalSubject === null)) {
    return reject('IDENTITY.INVALID_CREDENTIAL', 'A user signs in with exactly one of a password and an external subject.');
  }
  if (command.passwordHash !== null && !PASSWORD_HASH.test(command.passwordHash)) return reject('IDENTITY.INVALID_CREDENTIAL', 'The password hash is not in the stored format.');
  if (command.externalSubject !== null && (command.externalSubject.trim() === '' || command.externalSubject.length > EXTERNAL_SUBJECT_LENGTH_MAX)) {
    return reject('IDENTITY.INVALID_CREDENTIAL', `An external subject has 1 to ${EXTERNAL_SUBJECT_LENGTH_MAX} characters.`);
  }
  if (state.existing !== undefined) return reject('IDENTITY.USER_ID_TAKEN', `User id ${command.userId} belongs to another user.`);
  if (state.emailTaken) return reject('IDENTITY.EMAIL_TAKEN', `Another user already has the email ${email}.`);
  return {
    kind: 'accepted',
    aggregateId: command.userId,
    resourcePath: userPath(command.userId),
    events: [
      userEvent(USER_CREATED, command.userId, {
        email,
        displayName,
        signIn: command.passwordHash === null ? 'external' : 'password',
        externalSubject: command.externalSubject,
        createdAt: context.now.getTime(),
        actor: context.metadata.actor,
      }),
    ],
  };
}

/** identity.DisableUser, as decoded from Avro. */
export interface DisableUser {
  readonly userId: string;
  readonly reason: string;
}

export interface UserState {
  readonly user: User | undefined;
}

export function parseDisableUser(value: unknown): DisableUser {
  const field = recordOf('identity.DisableUser', value);
  return { userId: field('userId', isString), reason: field('reason', isString) };
}

/** The rule for disabling a user: an active user, with a reason. A disabled user keeps their roles. */
export function decideDisableUser(state: UserState, command: DisableUser, context: CommandContext): Decision {
  const user = state.user;
  if (user === undefined) return userNotFound(command.userId);
  const reason = command.reason.trim();
  if (reason === '' || reason.length > REASON_LENGTH_MAX) return reject('IDENTITY.INVALID_REASON', `A reason has 1 to ${REASON_LENGTH_MAX} characters.`);
  if (user.status === 'disabled') return reject('IDENTITY.USER_ALREADY_DISABLED', `User ${user.id} is already disabled.`);
  return {
    kind: 'accepted',
    aggregateId: user.id,
    resourcePath: userPath(user.id),
    events: [userEvent(USER_DISABLED, user.id, { reason, disabledAt: context.now.getTime(), actor: context.metadata.actor })],
  };
}

/** identity.EnableUser, as decoded from Avro. */
export interface EnableUser {
  readonly userId: string;
}

export function parseEnableUser(value: unknown): EnableUser {
  const field = recordOf('identity.EnableUser', value);
  return { userId: field('userId', isString) };
}

/** The rule for enabling a user again: only a disabled one. */
export function decideEnableUser(state: UserState, command: EnableUser, context: CommandContext): Decision {
  const user = state.user;
  if (user === undefined) return userNotFound(command.userId);
  if (user.status === 'active') return reject('IDENTITY.USER_ALREADY_ENABLED', `User ${user.id} is already active.`);
  return {
    kind: 'accepted',
    aggregateId: user.id,
    resourcePath: userPath(user.id),
    events: [userEvent(USER_ENABLED, user.id, { enabledAt: context.now.getTime(), actor: context.metadata.actor })],
  };
}

/** identity.UpsertStaffProfile, as decoded from Avro. */
export interface UpsertStaffProfile {
  readonly userId: string;
  readonly staffType: string;
  readonly dailyRateMinor: number | null;
  readonly currency: string | null;
}

export function parseUpsertStaffProfile(value: unknown): UpsertStaffProfile {
  const field = recordOf('identity.UpsertStaffProfile', value);
  return {
    userId: field('userId', isString),
    staffType: field('staffType', isString),
    dailyRateMinor: field('dailyRateMinor', isNullableInteger),
    currency: field('currency', isNullableString),
  };
}

/** The rule for a staff profile: a known user, a known staff type, and a daily rate only with its currency. */
export function decideUpsertStaffProfile(state: UserState, command: UpsertStaffProfile, context: CommandContext): Decision {
  const user = state.user;
  if (user === undefined) return userNotFound(command.userId);
  if (!(STAFF_TYPES as readonly string[]).includes(command.staffType)) return reject('IDENTITY.INVALID_STAFF_TYPE', `A staff type is one of ${STAFF_TYPES.join(', ')}.`);
  if ((command.dailyRateMinor === null) !== (command.currency === null)) return reject('IDENTITY.INVALID_RATE', 'A daily rate comes with its currency, and a currency with its rate.');
  if (command.dailyRateMinor !== null && (command.dailyRateMinor < 0 || command.dailyRateMinor > DAILY_RATE_MINOR_MAX)) {
    return reject('IDENTITY.INVALID_RATE', `A daily rate is 0 to ${DAILY_RATE_MINOR_MAX} minor units.`);
  }
  if (command.currency !== null && !/^[A-Z]{3}$/.test(command.currency)) return reject('IDENTITY.INVALID_RATE', 'A currency is an ISO 4217 code such as EUR.');
  return {
    kind: 'accepted',
    aggregateId: user.id,
    resourcePath: userPath(user.id),
    events: [
      userEvent(STAFF_PROFILE_UPSERTED, user.id, {
        staffType: command.staffType,
        dailyRateMinor: command.dailyRateMinor,
        currency: command.currency,
        actor: context.metadata.actor,
      }),
    ],
  };
}
