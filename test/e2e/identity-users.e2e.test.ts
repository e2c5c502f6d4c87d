import { randomUUID } from 'node:crypto';
import { verifyPassword } from '../../platform/passwords';
import { eventually } from '../support/eventually';
import { SystemHarness } from '../support/system';

/**
 * Users and roles through HTTP, with the real identity processor: an admin creates a user with a
 * password (the database holds a scrypt hash that verifies it; the password itself is nowhere on
 * the commands topic nor in the events), assigns a role, disables the user; reads show roles and
 * never a hash; a rental agent may neither manage nor read users; an auditor may read but not write.
 */
const ADMIN = '6d8e2f3a-9a4b-4b7c-8e1f-2a3b4c5d6e7f';
const AGENT = '8f0a4b5c-1c6d-4d9e-8a3b-4c5d6e7f8091';
const AUDITOR = '9a1b5c6d-2d7e-4e0f-9b4c-5d6e7f809102';

describe('users and roles through the gateway', () => {
  const harness = new SystemHarness();
  const asAdmin = { subject: ADMIN, roles: ['admin'] };
  const asAgent = { subject: AGENT, roles: ['rental_agent'] };
  const asAuditor = { subject: AUDITOR, roles: ['auditor'] };
  const identityEvents = () => harness.events.get(harness.topics.identityEvents) ?? [];

  beforeAll(() => harness.start(), 180_000);
  afterAll(() => harness.stop(), 60_000);

  it('creates a user with a password that only travels and rests as its hash, assigns a role and disables them', async () => {
    const password = `pw-${randomUUID()}`;
    const created = await harness.send('POST', '/v1/users', { email: 'ada@fleet.example', displayName: 'Ada Lovelace', password }, asAdmin);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'accepted', links: { resource: `/v1/users/${created.body.aggregateId as string}` } });
    const userId = created.body.aggregateId as string;

    const stored: { password_hash: string } = await harness.identity('identity.users').where('id', userId).first('password_hash');
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(password, stored.password_hash)).toBe(true);
    expect(await verifyPassword(`${password}x`, stored.password_hash)).toBe(false);

    const assigned = await harness.send('POST', `/v1/users/${userId}/roles`, { role: 'mechanic' }, asAdmin);
    expect(assigned.status).toBe(200);
    expect((await harness.send('POST', `/v1/users/${userId}/roles`, { role: 'mechanic' }, asAdmin)).body).toMatchObject({ status: 'rejected', reasonCode: 'IDENTITY.ROLE_ALREADY_ASSIGNED' });
    expect((await harness.send('POST', `/v1/users/${userId}/roles`, { role: 'astronaut' }, asAdmin)).status).toBe(422);
    expect((await harness.send('PUT', `/v1/users/${userId}/staff-profile`, { staffType: 'mechanic', dailyRateMinor: 18_000, currency: 'EUR' }, asAdmin)).status).toBe(200);

    const disabled = await harness.send('POST', `/v1/users/${userId}/disable`, { reason: 'Left the company' }, asAdmin);
    expect(disabled.status).toBe(200);
    expect((await harness.send('POST', `/v1/users/${userId}/disable`, { reason: 'Again' }, asAdmin)).status).toBe(409);

    const read = await harness.get(`/v1/users/${userId}`, asAuditor);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({
      id: userId,
      email: 'ada@fleet.example',
      displayName: 'Ada Lovelace',
      status: 'disabled',
      roles: ['mechanic'],
      staffProfile: { staffType: 'mechanic', dailyRateMinor: 18_000, currency: 'EUR', updatedAt: expect.any(String) },
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      links: { self: `/v1/users/${userId}` },
    });
    const listed = await harness.get('/v1/users?role=mechanic', asAuditor);
    expect(listed.status).toBe(200);
    expect((listed.body.items as { id: string }[]).map((user) => user.id)).toEqual([userId]);
    expect(JSON.stringify(listed.body)).not.toContain('scrypt');

    await eventually(async () => (identityEvents().length >= 4 ? true : undefined), 30_000, 'the identity events');
    expect(identityEvents().map((event) => event.type)).toEqual(['identity.UserCreated', 'identity.RoleAssigned', 'identity.StaffProfileUpserted', 'identity.UserDisabled']);
    const secrets = [password, stored.password_hash, stored.password_hash.split('$')[5]!];
    const commandBytes = await harness.rawRecords(harness.topics.identityCommands);
    const eventBytes = await harness.rawRecords(harness.topics.identityEvents);
    expect(commandBytes.length).toBeGreaterThanOrEqual(5);
    for (const record of commandBytes) expect(record.includes(password)).toBe(false);
    for (const record of eventBytes) for (const secret of secrets) expect(record.includes(secret)).toBe(false);
    expect(JSON.stringify(identityEvents())).not.toContain(password);
  }, 120_000);

  it('asks for exactly one of password and externalSubject, and a password of 12 to 200 characters', async () => {
    const before = await harness.commandsProduced('identity');
    const both = await harness.send('POST', '/v1/users', { email: 'both@fleet.example', password: 'long enough password', externalSubject: 'idp|1' }, asAdmin);
    expect(both.status).toBe(400);
    expect((await harness.send('POST', '/v1/users', { email: 'none@fleet.example' }, asAdmin)).status).toBe(400);
    const short = await harness.send('POST', '/v1/users', { email: 'short@fleet.example', password: 'short' }, asAdmin);
    expect(short.status).toBe(400);
    expect(JSON.stringify(short.body)).not.toContain('short"');
    expect(await harness.commandsProduced('identity')).toBe(before);
  }, 60_000);

  it('lets a rental agent neither manage nor read users, and an auditor read but not write', async () => {
    const created = await harness.send('POST', '/v1/users', { email: 'grace@fleet.example', externalSubject: 'idp|grace' }, asAdmin);
    expect(created.status).toBe(201);
    const userId = created.body.aggregateId as string;
    const before = await harness.commandsProduced('identity');

    expect((await harness.send('POST', `/v1/users/${userId}/roles`, { role: 'admin' }, asAgent)).status).toBe(403);
    expect((await harness.get('/v1/users', asAgent)).status).toBe(403);
    expect((await harness.get(`/v1/users/${userId}`, asAgent)).status).toBe(403);
    expect((await harness.get('/v1/roles', asAgent)).status).toBe(403);

    expect((await harness.get('/v1/users', asAuditor)).status).toBe(200);
    const roles = await harness.get('/v1/roles', asAuditor);
    expect(roles.status).toBe(200);
    expect(roles.body.items).toContainEqual({ name: 'auditor', description: 'built-in role', permissions: expect.arrayContaining(['identity.read']), createdAt: expect.any(String) });
    expect((await harness.send('POST', `/v1/users/${userId}/roles`, { role: 'auditor' }, asAuditor)).status).toBe(403);
    expect((await harness.send('POST', `/v1/users/${userId}/disable`, { reason: 'no' }, asAuditor)).status).toBe(403);
    expect((await harness.send('POST', '/v1/roles', { role: 'night_desk' }, asAuditor)).status).toBe(403);
    expect(await harness.commandsProduced('identity')).toBe(before);
  }, 60_000);

  it('answers a repeated CreateUser with the same Idempotency-Key once, and pages users by keyset', async () => {
    const before = await harness.commandsProduced('identity');
    const body = { email: 'linus@fleet.example', password: `pw-${randomUUID()}` };
    const headers = { 'Idempotency-Key': randomUUID() };
    const first = await harness.send('POST', '/v1/users', body, { ...asAdmin, headers });
    const again = await harness.send('POST', '/v1/users', body, { ...asAdmin, headers });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, body: first.body });
    expect(await harness.commandsProduced('identity')).toBe(before + 1);

    const everyone = await harness.get('/v1/users?limit=100', asAuditor);
    const ids = (everyone.body.items as { id: string }[]).map((user) => user.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids).toEqual([...ids].sort());
    const paged: string[] = [];
    let next: string | null = '/v1/users?limit=2';
    while (next !== null) {
      const page = await harness.get(next, asAuditor);
      expect(page.status).toBe(200);
      paged.push(...(page.body.items as { id: string }[]).map((user) => user.id));
      next = (page.body.links as { next: string | null }).next;
    }
    expect(paged).toEqual(ids);
    expect((await harness.get('/v1/users?limit=0', asAuditor)).status).toBe(400);
    expect((await harness.get('/v1/users?after=nope', asAuditor)).status).toBe(400);
    expect((await harness.get(`/v1/users/${randomUUID()}`, asAuditor)).status).toBe(404);
  }, 60_000);

  it('creates a role and grants it a declared permission only', async () => {
    expect((await harness.send('POST', '/v1/roles', { role: 'night_desk', description: 'Night shift' }, asAdmin)).status).toBe(201);
    expect((await harness.send('POST', '/v1/roles/night_desk/permissions', { permission: 'rentals.read' }, asAdmin)).status).toBe(200);
    expect((await harness.send('POST', '/v1/roles/night_desk/permissions', { permission: 'rentals.launch' }, asAdmin)).body).toMatchObject({ reasonCode: 'IDENTITY.PERMISSION_NOT_FOUND' });
    const roles = await harness.get('/v1/roles', asAuditor);
    expect(roles.body.items).toContainEqual({ name: 'night_desk', description: 'Night shift', permissions: ['rentals.read'], createdAt: expect.any(String) });
    expect((await harness.send('POST', '/v1/roles/night_desk/permissions/rentals.read/revoke', {}, asAdmin)).status).toBe(200);
  }, 60_000);
});
