import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { base64url, decodeJwt, exportSPKI, importJWK, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { generateSigningKey } from '../../gateway/auth/signing-keys';
import { readSigningKeys } from '../../tools/dev-token-keys';
import { AUDIENCE, ISSUER, SystemHarness } from '../support/system';

/**
 * Forged, stale and misdirected tokens against the running gateway: each is answered 401 and
 * produces nothing. Then role escalation with tokens the token service itself issued: what a
 * rental agent and an auditor may and may not do.
 */
const ADMIN = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const ATTACKER = '2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f60';

describe('token attacks and role escalation', () => {
  const harness = new SystemHarness();
  let signingJwk: JWK;

  beforeAll(async () => {
    await harness.start();
    signingJwk = readSigningKeys(harness.keyFiles.signingKeys)[0]!;
  }, 180_000);
  afterAll(() => harness.stop(), 60_000);

  /** A token with the harness's real key, with claims and header as an attacker chooses. */
  async function signed(claims: Record<string, unknown>, options: { exp?: number; nbf?: number; iss?: string; aud?: string; key?: JWK } = {}): Promise<string> {
    const key = options.key ?? signingJwk;
    const now = Math.floor(Date.now() / 1000);
    let jwt = new SignJWT({ roles: ['admin'], ...claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid!, typ: 'at+jwt' })
      .setSubject(ATTACKER)
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(options.exp ?? now + 300);
    if (options.nbf !== undefined) jwt = jwt.setNotBefore(options.nbf);
    return jwt.sign(await importJWK(key, 'EdDSA'));
  }

  const vehicle = () => ({ vin: `1HGCM82633A${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`, plateNumber: `AT-${randomUUID().slice(0, 6)}`, make: 'Skoda', model: 'Octavia', year: 2024, vehicleClass: 'compact' });

  it('answers 401 to every forged, stale or misdirected token and produces nothing', async () => {
    const now = Math.floor(Date.now() / 1000);
    const valid = await signed({});
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const escalated = base64url.encode(JSON.stringify({ ...decodeJwt(valid), sub: ADMIN, permissions: ['vehicles.register'] }));
    const publicPem = await exportSPKI((await importJWK({ ...signingJwk, d: undefined }, 'EdDSA')) as Parameters<typeof exportSPKI>[0]);
    const attacks: Record<string, string> = {
      'alg none': new UnsecuredJWT({ roles: ['admin'] }).setSubject(ATTACKER).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode(),
      'HS256 with the public key as secret': await new SignJWT({ roles: ['admin'] })
        .setProtectedHeader({ alg: 'HS256', kid: signingJwk.kid! })
        .setSubject(ATTACKER)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(publicPem)),
      expired: await signed({}, { exp: now - 120 }),
      'not yet valid': await signed({}, { nbf: now + 600 }),
      'wrong issuer': await signed({}, { iss: 'https://idp.attacker.example' }),
      'wrong audience': await signed({}, { aud: 'another-api' }),
      'tampered claims': `${header}.${escalated}.${signature}`,
      'unknown kid': await signed({}, { key: await generateSigningKey('EdDSA', 'attacker-key') }),
      'known kid, other key': await signed({}, { key: { ...(await generateSigningKey('EdDSA', 'x')), kid: signingJwk.kid! } }),
      'signature cut off': `${header}.${payload}.`,
      'not a JWT': 'hello.world',
    };
    expect((JSON.parse(readFileSync(harness.keyFiles.jwks, 'utf8')) as { keys: JWK[] }).keys[0]).not.toHaveProperty('d');
    const produced = await harness.commandsProduced('fleet');
    for (const [attack, token] of Object.entries(attacks)) {
      const answer = await harness.sendWithToken('POST', '/v1/vehicles', token, vehicle());
      expect({ attack, status: answer.status, type: answer.body.type }).toEqual({ attack, status: 401, type: 'https://fleet.example/problems/invalid-token' });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
    expect((await harness.sendWithToken('POST', '/v1/vehicles', null, vehicle())).status).toBe(401);
    expect(await harness.commandsProduced('fleet')).toBe(produced);
    // The same route with a sound token does produce: the attacks were refused for their tokens.
    expect((await harness.sendWithToken('POST', '/v1/vehicles', valid, vehicle())).status).toBe(201);
    expect(await harness.commandsProduced('fleet')).toBe(produced + 1);
  }, 60_000);

  async function issuedToken(roles: string[]): Promise<string> {
    const email = `staff-${randomUUID()}@fleet.example`;
    const password = `pw-${randomUUID()}`;
    const asAdmin = { subject: ADMIN, roles: ['admin'] };
    const created = await harness.decided(await harness.send('POST', '/v1/users', { email, password }, asAdmin), asAdmin);
    expect({ status: created.status, body: created.body }).toMatchObject({ body: { status: 'accepted', aggregateId: expect.any(String) as string } });
    const id = created.body.aggregateId as string;
    for (const role of roles) expect((await harness.decided(await harness.send('POST', `/v1/users/${id}/roles`, { role }, asAdmin), asAdmin)).status).toBe(200);
    const answer = await harness.tokenRequest('/oauth/token', { grant_type: 'password', client_id: 'fleet-cli', username: email, password });
    expect(answer.status).toBe(200);
    return answer.body.access_token as string;
  }

  it('keeps a rental agent from managing roles, decommissioning and reading identity data, and an auditor to reading', async () => {
    const agent = await issuedToken(['rental_agent']);
    const auditor = await issuedToken(['auditor']);
    const asAdmin = { subject: ADMIN, roles: ['admin'] };
    const someone = (await harness.decided(await harness.send('POST', '/v1/users', { email: `x-${randomUUID()}@fleet.example`, password: `pw-${randomUUID()}` }, asAdmin), asAdmin)).body.aggregateId as string;
    const registered = await harness.decided(await harness.send('POST', '/v1/vehicles', vehicle(), asAdmin), asAdmin);
    const vehicleId = registered.body.aggregateId as string;
    const identityBefore = await harness.commandsProduced('identity');
    const fleetBefore = await harness.commandsProduced('fleet');

    const forbidden: [string, string, string, unknown][] = [
      ['agent assigns itself admin', 'POST', `/v1/users/${someone}/roles`, { role: 'admin' }],
      ['agent creates a role', 'POST', '/v1/roles', { name: 'shadow_admin', description: 'x' }],
      ['agent grants a permission', 'POST', '/v1/roles/rental_agent/permissions', { permission: 'vehicles.decommission' }],
      ['agent decommissions', 'POST', `/v1/vehicles/${vehicleId}/decommission`, { reason: 'Sold' }],
      ['agent lists users', 'GET', '/v1/users', undefined],
      ['agent reads roles', 'GET', '/v1/roles', undefined],
    ];
    for (const [what, method, route, body] of forbidden) {
      const answer = await harness.sendWithToken(method, route, agent, body);
      expect({ what, status: answer.status }).toEqual({ what, status: 403 });
    }
    expect((await harness.sendWithToken('GET', '/v1/users', auditor)).status).toBe(200);
    expect((await harness.sendWithToken('GET', `/v1/users/${someone}`, auditor)).status).toBe(200);
    for (const [method, route, body] of [
      ['POST', `/v1/users/${someone}/disable`, { reason: 'Curious' }],
      ['POST', `/v1/users/${someone}/roles`, { role: 'auditor' }],
      ['POST', `/v1/vehicles/${vehicleId}/decommission`, { reason: 'Sold' }],
    ] as const) {
      expect((await harness.sendWithToken(method, route, auditor, body)).status).toBe(403);
    }
    expect(await harness.commandsProduced('identity')).toBe(identityBefore);
    expect(await harness.commandsProduced('fleet')).toBe(fleetBefore);
  }, 90_000);
});
