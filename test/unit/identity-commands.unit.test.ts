import { roleIdOf } from '../../platform/access';
import type { Role, User } from '../../processors/identity/identity';
import { decideAssignRole, decideCreateRole, decideGrantPermission, decideRevokePermission, decideRevokeRole } from '../../processors/identity/role-commands';
import { decideCreateUser, decideDisableUser, decideEnableUser, decideUpsertStaffProfile, type CreateUser } from '../../processors/identity/user-commands';
import type { CommandContext, Decision } from '../../processors/runtime/command-handler';

/** The identity rules as pure functions: given a state and a command, the events or the reason code. */
const now = new Date('2026-11-23T12:00:00.000Z');
const actor = '7d7c8b7e-1f1e-4c3a-9a55-0e4f3b2a1c11';
const context: CommandContext = {
  now,
  metadata: { messageId: 'c0a80101-0000-4000-8000-000000000009', messageType: 'identity.X', correlationId: 'corr', causationId: null, actor, actorPermissions: null, traceparent: null, occurredAt: now.toISOString() },
};
const userId = '5b0d9c1e-2a3f-4b5c-8d6e-7f8091a2b3c4';
const HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g=';
const reasonOf = (decision: Decision) => (decision.kind === 'rejected' ? decision.reasonCode : 'accepted');

function user(change: Partial<User> = {}): User {
  return { id: userId, email: 'ada@fleet.example', status: 'active', roles: [], ...change };
}

function role(name: string, permissions: string[] = []): Role {
  return { id: roleIdOf(name), name, permissions };
}

describe('creating a user', () => {
  const command: CreateUser = { userId, email: ' ada@fleet.example ', displayName: ' Ada ', passwordHash: HASH, externalSubject: null };
  const fresh = { existing: undefined, emailTaken: false };

  it('accepts a new email with a password hash: UserCreated without the hash', () => {
    const decision = decideCreateUser(fresh, command, context);
    expect(decision).toEqual({
      kind: 'accepted',
      aggregateId: userId,
      resourcePath: `/v1/users/${userId}`,
      events: [
        {
          type: 'identity.UserCreated',
          aggregateType: 'user',
          aggregateId: userId,
          key: userId,
          payload: { userId, email: 'ada@fleet.example', displayName: 'Ada', signIn: 'password', externalSubject: null, createdAt: now.getTime(), actor },
        },
      ],
    });
    expect(JSON.stringify(decision)).not.toContain(HASH);
  });

  it('accepts an external subject instead of a password', () => {
    expect(reasonOf(decideCreateUser(fresh, { ...command, passwordHash: null, externalSubject: 'auth0|42' }, context))).toBe('accepted');
  });

  it.each([
    ['no way to sign in', { passwordHash: null }, 'IDENTITY.INVALID_CREDENTIAL'],
    ['two ways to sign in', { externalSubject: 'auth0|42' }, 'IDENTITY.INVALID_CREDENTIAL'],
    ['a hash in another format', { passwordHash: 'plain-text-password' }, 'IDENTITY.INVALID_CREDENTIAL'],
    ['a malformed email', { email: 'ada at fleet' }, 'IDENTITY.INVALID_EMAIL'],
    ['an overlong email', { email: `${'a'.repeat(60)}@${'b'.repeat(200)}.example` }, 'IDENTITY.INVALID_EMAIL'],
    ['a blank display name', { displayName: '  ' }, 'IDENTITY.INVALID_DISPLAY_NAME'],
  ])('refuses %s', (_name, change, reasonCode) => {
    expect(reasonOf(decideCreateUser(fresh, { ...command, ...change }, context))).toBe(reasonCode);
  });

  it('refuses an email another user has, and a user id already in use', () => {
    expect(reasonOf(decideCreateUser({ existing: undefined, emailTaken: true }, command, context))).toBe('IDENTITY.EMAIL_TAKEN');
    expect(reasonOf(decideCreateUser({ existing: user(), emailTaken: false }, command, context))).toBe('IDENTITY.USER_ID_TAKEN');
  });
});

describe('disabling and enabling a user', () => {
  it('disables an active user with a reason', () => {
    const decision = decideDisableUser({ user: user() }, { userId, reason: ' left the company ' }, context);
    expect(decision.kind === 'accepted' && decision.events[0]!.payload).toEqual({ userId, reason: 'left the company', disabledAt: now.getTime(), actor });
  });

  it('refuses an unknown user, a missing reason and a disabled user', () => {
    expect(reasonOf(decideDisableUser({ user: undefined }, { userId, reason: 'x' }, context))).toBe('IDENTITY.USER_NOT_FOUND');
    expect(reasonOf(decideDisableUser({ user: user() }, { userId, reason: ' ' }, context))).toBe('IDENTITY.INVALID_REASON');
    expect(reasonOf(decideDisableUser({ user: user({ status: 'disabled' }) }, { userId, reason: 'x' }, context))).toBe('IDENTITY.USER_ALREADY_DISABLED');
  });

  it('enables only a disabled user', () => {
    expect(reasonOf(decideEnableUser({ user: user({ status: 'disabled' }) }, { userId }, context))).toBe('accepted');
    expect(reasonOf(decideEnableUser({ user: user() }, { userId }, context))).toBe('IDENTITY.USER_ALREADY_ENABLED');
    expect(reasonOf(decideEnableUser({ user: undefined }, { userId }, context))).toBe('IDENTITY.USER_NOT_FOUND');
  });
});

describe('staff profiles', () => {
  const command = { userId, staffType: 'driver', dailyRateMinor: 12_000, currency: 'EUR' };

  it('accepts a staff type with a daily rate in minor units of its currency', () => {
    const decision = decideUpsertStaffProfile({ user: user() }, command, context);
    expect(decision.kind === 'accepted' && decision.events[0]!.payload).toEqual({ userId, staffType: 'driver', dailyRateMinor: 12_000, currency: 'EUR', actor });
    expect(reasonOf(decideUpsertStaffProfile({ user: user() }, { ...command, dailyRateMinor: null, currency: null }, context))).toBe('accepted');
  });

  it.each([
    ['an unknown staff type', { staffType: 'pilot' }, 'IDENTITY.INVALID_STAFF_TYPE'],
    ['a rate without currency', { currency: null }, 'IDENTITY.INVALID_RATE'],
    ['a currency without rate', { dailyRateMinor: null }, 'IDENTITY.INVALID_RATE'],
    ['a negative rate', { dailyRateMinor: -1 }, 'IDENTITY.INVALID_RATE'],
    ['a lower-case currency', { currency: 'eur' }, 'IDENTITY.INVALID_RATE'],
  ])('refuses %s', (_name, change, reasonCode) => {
    expect(reasonOf(decideUpsertStaffProfile({ user: user() }, { ...command, ...change }, context))).toBe(reasonCode);
  });

  it('refuses an unknown user', () => {
    expect(reasonOf(decideUpsertStaffProfile({ user: undefined }, command, context))).toBe('IDENTITY.USER_NOT_FOUND');
  });
});

describe('roles of a user', () => {
  it('assigns a role the user does not have yet, once', () => {
    const decision = decideAssignRole({ user: user(), role: role('auditor') }, { userId, role: 'auditor' }, context);
    expect(decision.kind === 'accepted' && decision.events[0]).toEqual({
      type: 'identity.RoleAssigned',
      aggregateType: 'user',
      aggregateId: userId,
      key: userId,
      payload: { userId, role: 'auditor', at: now.getTime(), actor },
    });
    expect(reasonOf(decideAssignRole({ user: user({ roles: ['auditor'] }), role: role('auditor') }, { userId, role: 'auditor' }, context))).toBe('IDENTITY.ROLE_ALREADY_ASSIGNED');
  });

  it('refuses an unknown user or role', () => {
    expect(reasonOf(decideAssignRole({ user: undefined, role: role('auditor') }, { userId, role: 'auditor' }, context))).toBe('IDENTITY.USER_NOT_FOUND');
    expect(reasonOf(decideAssignRole({ user: user(), role: undefined }, { userId, role: 'pilot' }, context))).toBe('IDENTITY.ROLE_NOT_FOUND');
  });

  it('revokes only a role the user has', () => {
    expect(reasonOf(decideRevokeRole({ user: user({ roles: ['auditor'] }), role: role('auditor') }, { userId, role: 'auditor' }, context))).toBe('accepted');
    expect(reasonOf(decideRevokeRole({ user: user(), role: role('auditor') }, { userId, role: 'auditor' }, context))).toBe('IDENTITY.ROLE_NOT_ASSIGNED');
    expect(reasonOf(decideRevokeRole({ user: user(), role: undefined }, { userId, role: 'pilot' }, context))).toBe('IDENTITY.ROLE_NOT_FOUND');
  });
});

describe('roles and their permissions', () => {
  it('creates a role under its name-derived id', () => {
    const decision = decideCreateRole({ role: undefined }, { role: 'night_desk', description: ' Night shift ' }, context);
    expect(decision).toEqual({
      kind: 'accepted',
      aggregateId: roleIdOf('night_desk'),
      resourcePath: '/v1/roles',
      events: [
        {
          type: 'identity.RoleCreated',
          aggregateType: 'role',
          aggregateId: roleIdOf('night_desk'),
          key: 'night_desk',
          payload: { roleId: roleIdOf('night_desk'), role: 'night_desk', description: 'Night shift', actor },
        },
      ],
    });
    expect(roleIdOf('night_desk')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(roleIdOf('night_desk')).not.toBe(roleIdOf('night_desks'));
  });

  it('refuses a bad name, a blank description and an existing role', () => {
    expect(reasonOf(decideCreateRole({ role: undefined }, { role: 'Night Desk', description: null }, context))).toBe('IDENTITY.INVALID_ROLE_NAME');
    expect(reasonOf(decideCreateRole({ role: undefined }, { role: 'night_desk', description: ' ' }, context))).toBe('IDENTITY.INVALID_DESCRIPTION');
    expect(reasonOf(decideCreateRole({ role: role('night_desk') }, { role: 'night_desk', description: null }, context))).toBe('IDENTITY.ROLE_ALREADY_EXISTS');
  });

  it('grants only a declared permission, once', () => {
    const decision = decideGrantPermission({ role: role('night_desk') }, { role: 'night_desk', permission: 'rentals.read' }, context);
    expect(decision.kind === 'accepted' && decision.events[0]!.payload).toEqual({ roleId: roleIdOf('night_desk'), role: 'night_desk', permission: 'rentals.read', actor });
    expect(reasonOf(decideGrantPermission({ role: role('night_desk') }, { role: 'night_desk', permission: 'rentals.fly' }, context))).toBe('IDENTITY.PERMISSION_NOT_FOUND');
    expect(reasonOf(decideGrantPermission({ role: role('night_desk', ['rentals.read']) }, { role: 'night_desk', permission: 'rentals.read' }, context))).toBe(
      'IDENTITY.PERMISSION_ALREADY_GRANTED',
    );
    expect(reasonOf(decideGrantPermission({ role: undefined }, { role: 'night_desk', permission: 'rentals.read' }, context))).toBe('IDENTITY.ROLE_NOT_FOUND');
  });

  it('revokes only a granted permission', () => {
    expect(reasonOf(decideRevokePermission({ role: role('night_desk', ['rentals.read']) }, { role: 'night_desk', permission: 'rentals.read' }, context))).toBe('accepted');
    expect(reasonOf(decideRevokePermission({ role: role('night_desk') }, { role: 'night_desk', permission: 'rentals.read' }, context))).toBe('IDENTITY.PERMISSION_NOT_GRANTED');
    expect(reasonOf(decideRevokePermission({ role: role('night_desk') }, { role: 'night_desk', permission: 'nope.nope' }, context))).toBe('IDENTITY.PERMISSION_NOT_FOUND');
  });
});
