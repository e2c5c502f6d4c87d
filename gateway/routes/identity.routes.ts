import Router from '@koa/router';
import type { Context } from 'koa';
import { randomUUID } from 'node:crypto';
import { roleIdOf } from '../../platform/access';
import { hashPassword, PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN } from '../../platform/passwords';
import { ProblemError } from '../middleware/problem';
import type { FieldSpec } from '../validation';
import { commandRoutesOn, uuidPathParameter, type CommandRouteDependencies } from './command-route';

const ROLE_NAME = /^[a-z][a-z0-9_]{0,49}$/;
const PERMISSION_NAME = /^[a-z][a-z_]*(\.[a-z][a-z_]*)+$/;
const ROLE: FieldSpec = { type: 'string', lengthMax: 50, pattern: ROLE_NAME };

interface CreateUserBody {
  email: string;
  displayName?: string | null;
  password?: string | null;
  externalSubject?: string | null;
}

const CREATE_USER_BODY: Record<keyof CreateUserBody, FieldSpec> = {
  email: { type: 'string', lengthMax: 254, pattern: /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/ },
  displayName: { type: 'string', lengthMin: 1, lengthMax: 200, optional: true, nullable: true },
  password: { type: 'string', lengthMin: PASSWORD_LENGTH_MIN, lengthMax: PASSWORD_LENGTH_MAX, optional: true, nullable: true },
  externalSubject: { type: 'string', lengthMin: 1, lengthMax: 255, optional: true, nullable: true },
};

interface DisableUserBody {
  reason: string;
}

const DISABLE_USER_BODY: Record<keyof DisableUserBody, FieldSpec> = { reason: { type: 'string', lengthMin: 1, lengthMax: 500 } };

interface StaffProfileBody {
  staffType: string;
  dailyRateMinor?: number | null;
  currency?: string | null;
}

const STAFF_PROFILE_BODY: Record<keyof StaffProfileBody, FieldSpec> = {
  staffType: { type: 'string', lengthMax: 20, pattern: /^(driver|conductor|mechanic|admin|system)$/ },
  dailyRateMinor: { type: 'integer', min: 0, max: 100_000_000, optional: true, nullable: true },
  currency: { type: 'string', lengthMax: 3, pattern: /^[A-Z]{3}$/, optional: true, nullable: true },
};

interface AssignRoleBody {
  role: string;
}

const ASSIGN_ROLE_BODY: Record<keyof AssignRoleBody, FieldSpec> = { role: ROLE };

interface CreateRoleBody {
  role: string;
  description?: string | null;
}

const CREATE_ROLE_BODY: Record<keyof CreateRoleBody, FieldSpec> = { role: ROLE, description: { type: 'string', lengthMin: 1, lengthMax: 500, optional: true, nullable: true } };

interface GrantPermissionBody {
  permission: string;
}

const GRANT_PERMISSION_BODY: Record<keyof GrantPermissionBody, FieldSpec> = { permission: { type: 'string', lengthMax: 100, pattern: PERMISSION_NAME } };

type EmptyBody = Record<string, never>;

export interface IdentityRoutesDependencies extends CommandRouteDependencies {
  readonly topics: { readonly identityCommands: string };
}

function invalidBody(field: string, message: string): ProblemError {
  return new ProblemError(400, 'validation-failed', 'Invalid request body', '1 field(s) are invalid.', { errors: [{ field, message }] });
}

function pathParameter(ctx: Context, name: string, pattern: RegExp, what: string): string {
  const value = (ctx.params as Record<string, string | undefined>)[name];
  if (value === undefined || value.length > 100 || !pattern.test(value)) {
    throw new ProblemError(400, 'validation-failed', 'Invalid path parameter', `${name} must be ${what}.`, { errors: [{ field: name, message: `must be ${what}` }] });
  }
  return value;
}

const roleOf = (ctx: Context) => pathParameter(ctx, 'role', ROLE_NAME, 'a role name such as rental_agent');

/**
 * The identity context's command routes (see command-route.ts for what every command route does).
 * User commands are keyed by the user, role commands by the role's name-derived id. CreateUser's
 * password is hashed here: only the scrypt hash travels on Kafka, and the Idempotency-Key
 * fingerprint of the body leaves the password's value out.
 */
export function identityRoutes(dependencies: IdentityRoutesDependencies): Router {
  const router = new Router();
  const topic = dependencies.topics.identityCommands;
  const commandRoute = commandRoutesOn(router, dependencies, topic);
  const userIdOf = (ctx: Context) => uuidPathParameter(ctx, 'userId');

  commandRoute<CreateUserBody>(
    'post',
    '/v1/users',
    'identity.CreateUser',
    CREATE_USER_BODY,
    { creates: true, fingerprint: (body: CreateUserBody) => ({ ...body, password: (body.password ?? null) === null ? null : 'given' }) },
    (_ctx, body) => {
      const password = body.password ?? null;
      const externalSubject = body.externalSubject ?? null;
      if ((password === null) === (externalSubject === null)) throw invalidBody('password', 'give exactly one of password and externalSubject');
      const userId = randomUUID();
      // Only the scrypt hash travels on Kafka; the password itself goes no further than here.
      return (async () => ({
        aggregateId: userId,
        payload: { userId, email: body.email, displayName: body.displayName ?? null, passwordHash: password === null ? null : await hashPassword(password), externalSubject },
      }))();
    },
  );

  commandRoute<DisableUserBody>('post', '/v1/users/:userId/disable', 'identity.DisableUser', DISABLE_USER_BODY, { creates: false }, (ctx, body) => {
    const userId = userIdOf(ctx);
    return { aggregateId: userId, payload: { userId, reason: body.reason } };
  });

  commandRoute<EmptyBody>('post', '/v1/users/:userId/enable', 'identity.EnableUser', {}, { creates: false }, (ctx) => {
    const userId = userIdOf(ctx);
    return { aggregateId: userId, payload: { userId } };
  });

  commandRoute<StaffProfileBody>('put', '/v1/users/:userId/staff-profile', 'identity.UpsertStaffProfile', STAFF_PROFILE_BODY, { creates: false }, (ctx, body) => {
    const userId = userIdOf(ctx);
    const dailyRateMinor = body.dailyRateMinor ?? null;
    const currency = body.currency ?? null;
    if ((dailyRateMinor === null) !== (currency === null)) throw invalidBody('currency', 'give dailyRateMinor and currency together');
    return { aggregateId: userId, payload: { userId, staffType: body.staffType, dailyRateMinor, currency } };
  });

  commandRoute<AssignRoleBody>('post', '/v1/users/:userId/roles', 'identity.AssignRole', ASSIGN_ROLE_BODY, { creates: false }, (ctx, body) => {
    const userId = userIdOf(ctx);
    return { aggregateId: userId, payload: { userId, role: body.role } };
  });

  commandRoute<EmptyBody>('post', '/v1/users/:userId/roles/:role/revoke', 'identity.RevokeRole', {}, { creates: false }, (ctx) => {
    const userId = userIdOf(ctx);
    return { aggregateId: userId, payload: { userId, role: roleOf(ctx) } };
  });

  commandRoute<CreateRoleBody>('post', '/v1/roles', 'identity.CreateRole', CREATE_ROLE_BODY, { creates: true }, (_ctx, body) => ({
    aggregateId: roleIdOf(body.role),
    payload: { role: body.role, description: body.description ?? null },
  }));

  commandRoute<GrantPermissionBody>('post', '/v1/roles/:role/permissions', 'identity.GrantPermission', GRANT_PERMISSION_BODY, { creates: false }, (ctx, body) => {
    const role = roleOf(ctx);
    return { aggregateId: roleIdOf(role), payload: { role, permission: body.permission } };
  });

  commandRoute<EmptyBody>('post', '/v1/roles/:role/permissions/:permission/revoke', 'identity.RevokePermission', {}, { creates: false }, (ctx) => {
    const role = roleOf(ctx);
    return { aggregateId: roleIdOf(role), payload: { role, permission: pathParameter(ctx, 'permission', PERMISSION_NAME, 'a permission such as rentals.read') } };
  });

  return router;
}
