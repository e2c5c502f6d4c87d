import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { PERMISSIONS, ROLE_PERMISSIONS, roleIdOf } from '../../../platform/access';
import { AvroCodec } from '../../../platform/avro-codec';
import { createDatabase } from '../../../platform/database';
import { hashPassword } from '../../../platform/passwords';
import { createSchemaRegistry } from '../../../platform/schema-registry';
import { identityHandlers } from '../../../processors/identity/identity.handlers';
import { IdentityRepository } from '../../../processors/identity/identity.repository';
import { CommandProcessor, type MessageResult } from '../../../processors/runtime/command-processor';
import { IntegrationRepository } from '../../../processors/runtime/integration.repository';
import { ScratchDatabase } from '../../support/database';
import { encodedMessage, type Sent } from '../../support/messages';
import { uniqueName } from '../../support/names';
import { silentLogger } from '../../support/silent-logger';
import { stackEnv } from '../../support/stack-env';

/**
 * The identity context through CommandProcessor on the real PostgreSQL (as the identity login)
 * and registry: the seeded roles and permissions, every command's acceptance and refusals with
 * their reason codes, and what each wrote. Event payloads must encode with their Avro schemas.
 */
const env = stackEnv();


describe('the identity commands on the real stack', () => {
  const database = new ScratchDatabase();
  const commandsTopic = uniqueName('test.identity.commands');
  const eventsTopic = uniqueName('test.identity.events');
  const codec = new AvroCodec(createSchemaRegistry(env.schemaRegistryUrl));
  const processor = new CommandProcessor(new IntegrationRepository('identity'), codec, { events: 'identity.events', results: 'command.results' }, identityHandlers(new IdentityRepository()), silentLogger);
  const actor = randomUUID();
  let identity: Knex;

  beforeAll(async () => {
    await database.create({ migrate: true });
    identity = createDatabase({ url: database.urlFor('identity_svc'), poolSizeMax: 4, statementTimeoutMs: 10_000, applicationName: 'identity-commands-test' });
  }, 60_000);

  afterAll(async () => {
    await identity.destroy();
    await database.drop();
  });

  const command = (type: string, value: Record<string, unknown>): Promise<Sent> => encodedMessage(codec, commandsTopic, `identity.${type}`, value, { actor });


  const run = async (...messages: Sent[]): Promise<MessageResult['outcome'][]> => (await processor.processBatch(identity, messages)).map((result) => result.outcome);

  async function outcomeOf(sent: Sent): Promise<{ status: string; reasonCode: string | null }> {
    const row: { payload: { status: string; reasonCode: string | null } } | undefined = await identity
      .withSchema('identity')
      .table('outbox_events')
      .where({ event_type: 'platform.CommandResult', aggregate_id: sent.id })
      .first('payload');
    if (row === undefined) throw new Error(`command ${sent.id} has no result`);
    return { status: row.payload.status, reasonCode: row.payload.reasonCode };
  }

  async function eventsOf(sent: Sent): Promise<{ type: string; key: string; payload: Record<string, unknown> }[]> {
    const rows: { event_type: string; payload: Record<string, unknown>; message_key: string }[] = await identity
      .withSchema('identity')
      .table('outbox_events')
      .whereRaw(`headers->>'causation-id' = ?`, [sent.id])
      .whereNot('event_type', 'platform.CommandResult')
      .orderBy('sequence')
      .select('event_type', 'payload', 'message_key');
    for (const row of rows) await codec.encode(eventsTopic, row.event_type, row.payload);
    return rows.map((row) => ({ type: row.event_type, key: row.message_key, payload: row.payload }));
  }

  async function expectRejected(sent: Sent, reasonCode: string): Promise<void> {
    await run(sent);
    expect(await outcomeOf(sent)).toEqual({ status: 'rejected', reasonCode });
    expect(await eventsOf(sent)).toEqual([]);
  }

  async function createUser(email: string): Promise<string> {
    const userId = randomUUID();
    const created = await command('CreateUser', { userId, email, displayName: null, passwordHash: null, externalSubject: `idp|${userId}` });
    expect(await run(created)).toEqual(['accepted']);
    return userId;
  }

  it('is seeded with every declared permission and every built-in role with its grants', async () => {
    const permissions: { name: string }[] = await identity('identity.permissions').select('name');
    expect(permissions.map((row) => row.name).sort()).toEqual([...PERMISSIONS].sort());
    const roles: { id: string; name: string; permissions: string[] }[] = await identity('identity.roles_view').select('id', 'name', 'permissions');
    expect(roles.map((row) => row.name).sort()).toEqual(Object.keys(ROLE_PERMISSIONS).sort());
    for (const row of roles) {
      expect(row.id).toBe(roleIdOf(row.name));
      expect(row.permissions).toEqual([...ROLE_PERMISSIONS[row.name]!].sort());
    }
  });

  it('creates a user with a password hash; UserCreated carries no hash; a second user with that email is refused', async () => {
    const userId = randomUUID();
    const passwordHash = await hashPassword('a long enough password');
    const created = await command('CreateUser', { userId, email: 'Ada@Fleet.example', displayName: 'Ada', passwordHash, externalSubject: null });
    expect(await run(created)).toEqual(['accepted']);
    const events = await eventsOf(created);
    expect(events).toEqual([
      {
        type: 'identity.UserCreated',
        key: userId,
        payload: { userId, email: 'Ada@Fleet.example', displayName: 'Ada', signIn: 'password', externalSubject: null, createdAt: expect.any(Number), actor },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(passwordHash);
    expect(await identity('identity.users').where('id', userId).first('password_hash', 'status', 'created_by')).toEqual({ password_hash: passwordHash, status: 'active', created_by: actor });

    await expectRejected(await command('CreateUser', { userId: randomUUID(), email: 'ada@FLEET.example', displayName: null, passwordHash, externalSubject: null }), 'IDENTITY.EMAIL_TAKEN');
    await expectRejected(await command('CreateUser', { userId, email: 'other@fleet.example', displayName: null, passwordHash, externalSubject: null }), 'IDENTITY.USER_ID_TAKEN');
    await expectRejected(await command('CreateUser', { userId: randomUUID(), email: 'b@fleet.example', displayName: null, passwordHash: null, externalSubject: null }), 'IDENTITY.INVALID_CREDENTIAL');
  }, 30_000);

  it('disables a user with a reason and enables them again', async () => {
    const userId = await createUser('grace@fleet.example');
    const disabled = await command('DisableUser', { userId, reason: 'left the company' });
    expect(await run(disabled)).toEqual(['accepted']);
    expect((await eventsOf(disabled)).map((event) => event.type)).toEqual(['identity.UserDisabled']);
    expect(await identity('identity.users').where('id', userId).first('status', 'disabled_reason')).toEqual({ status: 'disabled', disabled_reason: 'left the company' });
    await expectRejected(await command('DisableUser', { userId, reason: 'again' }), 'IDENTITY.USER_ALREADY_DISABLED');

    const enabled = await command('EnableUser', { userId });
    expect(await run(enabled)).toEqual(['accepted']);
    expect((await eventsOf(enabled)).map((event) => event.type)).toEqual(['identity.UserEnabled']);
    expect(await identity('identity.users').where('id', userId).first('status', 'disabled_at', 'disabled_reason')).toEqual({ status: 'active', disabled_at: null, disabled_reason: null });
    await expectRejected(await command('EnableUser', { userId }), 'IDENTITY.USER_ALREADY_ENABLED');
    await expectRejected(await command('DisableUser', { userId: randomUUID(), reason: 'x' }), 'IDENTITY.USER_NOT_FOUND');
  }, 30_000);

  it('assigns and revokes roles', async () => {
    const userId = await createUser('linus@fleet.example');
    const assigned = await command('AssignRole', { userId, role: 'rental_agent' });
    expect(await run(assigned)).toEqual(['accepted']);
    expect(await eventsOf(assigned)).toEqual([{ type: 'identity.RoleAssigned', key: userId, payload: { userId, role: 'rental_agent', at: expect.any(Number), actor } }]);
    const rows: { roles: string[] } = await identity('identity.users_view').where('id', userId).first('roles');
    expect(rows.roles).toEqual(['rental_agent']);
    await expectRejected(await command('AssignRole', { userId, role: 'rental_agent' }), 'IDENTITY.ROLE_ALREADY_ASSIGNED');
    await expectRejected(await command('AssignRole', { userId, role: 'pilot' }), 'IDENTITY.ROLE_NOT_FOUND');
    await expectRejected(await command('AssignRole', { userId: randomUUID(), role: 'auditor' }), 'IDENTITY.USER_NOT_FOUND');

    const revoked = await command('RevokeRole', { userId, role: 'rental_agent' });
    expect(await run(revoked)).toEqual(['accepted']);
    expect(await identity('identity.user_roles').where('user_id', userId).select('role_id')).toEqual([]);
    await expectRejected(await command('RevokeRole', { userId, role: 'rental_agent' }), 'IDENTITY.ROLE_NOT_ASSIGNED');
  }, 30_000);

  it('creates a role, grants declared permissions only and revokes them', async () => {
    const created = await command('CreateRole', { role: 'night_desk', description: 'Night shift desk' });
    expect(await run(created)).toEqual(['accepted']);
    expect(await eventsOf(created)).toEqual([
      { type: 'identity.RoleCreated', key: 'night_desk', payload: { roleId: roleIdOf('night_desk'), role: 'night_desk', description: 'Night shift desk', actor } },
    ]);
    await expectRejected(await command('CreateRole', { role: 'night_desk', description: null }), 'IDENTITY.ROLE_ALREADY_EXISTS');
    await expectRejected(await command('CreateRole', { role: 'Night-Desk', description: null }), 'IDENTITY.INVALID_ROLE_NAME');

    const granted = await command('GrantPermission', { role: 'night_desk', permission: 'rentals.read' });
    expect(await run(granted)).toEqual(['accepted']);
    expect((await eventsOf(granted)).map((event) => event.type)).toEqual(['identity.PermissionGranted']);
    expect(await identity('identity.roles_view').where('name', 'night_desk').first('permissions')).toEqual({ permissions: ['rentals.read'] });
    await expectRejected(await command('GrantPermission', { role: 'night_desk', permission: 'rentals.read' }), 'IDENTITY.PERMISSION_ALREADY_GRANTED');
    await expectRejected(await command('GrantPermission', { role: 'night_desk', permission: 'rentals.steal' }), 'IDENTITY.PERMISSION_NOT_FOUND');
    await expectRejected(await command('GrantPermission', { role: 'day_desk', permission: 'rentals.read' }), 'IDENTITY.ROLE_NOT_FOUND');

    const revoked = await command('RevokePermission', { role: 'night_desk', permission: 'rentals.read' });
    expect(await run(revoked)).toEqual(['accepted']);
    expect(await identity('identity.roles_view').where('name', 'night_desk').first('permissions')).toEqual({ permissions: [] });
    await expectRejected(await command('RevokePermission', { role: 'night_desk', permission: 'rentals.read' }), 'IDENTITY.PERMISSION_NOT_GRANTED');
  }, 30_000);

  it('creates and replaces a staff profile', async () => {
    const userId = await createUser('margaret@fleet.example');
    const first = await command('UpsertStaffProfile', { userId, staffType: 'driver', dailyRateMinor: 15_000, currency: 'EUR' });
    expect(await run(first)).toEqual(['accepted']);
    expect(await eventsOf(first)).toEqual([
      { type: 'identity.StaffProfileUpserted', key: userId, payload: { userId, staffType: 'driver', dailyRateMinor: 15_000, currency: 'EUR', actor } },
    ]);
    const second = await command('UpsertStaffProfile', { userId, staffType: 'mechanic', dailyRateMinor: null, currency: null });
    expect(await run(second)).toEqual(['accepted']);
    expect(await identity('identity.staff_profiles').where('user_id', userId).select('staff_type', 'daily_rate_cents', 'currency')).toEqual([
      { staff_type: 'mechanic', daily_rate_cents: null, currency: null },
    ]);
    await expectRejected(await command('UpsertStaffProfile', { userId, staffType: 'pilot', dailyRateMinor: null, currency: null }), 'IDENTITY.INVALID_STAFF_TYPE');
    await expectRejected(await command('UpsertStaffProfile', { userId, staffType: 'driver', dailyRateMinor: 100, currency: null }), 'IDENTITY.INVALID_RATE');
    await expectRejected(await command('UpsertStaffProfile', { userId: randomUUID(), staffType: 'driver', dailyRateMinor: null, currency: null }), 'IDENTITY.USER_NOT_FOUND');
  }, 30_000);
});
