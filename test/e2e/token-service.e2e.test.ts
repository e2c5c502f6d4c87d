import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import knex from 'knex';
import { TokenVerifier } from '../../gateway/auth/token-verifier';
import { generateSigningKey, rotatedKeys } from '../../gateway/auth/signing-keys';
import { LOCAL_REUSE_MS } from '../../gateway/auth/subject-status';
import { hashPassword } from '../../platform/passwords';
import { readSigningKeys, writeKeyFiles } from '../../tools/dev-token-keys';
import { eventually } from '../support/eventually';
import { AUDIENCE, ISSUER, SystemHarness, type Answer } from '../support/system';

/**
 * The token service on the real stack, through the gateway's HTTP API: users created by the
 * identity processor sign in with the password grant and use their tokens; failures look alike;
 * sign-ins are rate-limited and recover; refresh tokens rotate and a reused one ends its family;
 * services use client_credentials; a disabled user is refused within the documented bound; keys
 * rotate with an overlap and a retired key's tokens fail.
 */
const ADMIN = '0b7e3c2a-4d5f-4a6b-8c7d-9e0f1a2b3c4d';
const CLI = 'fleet-cli';
const STATUS_CACHE_SECONDS = 2;
const WINDOW_SECONDS = 3;
const ACCOUNT_FAILURES_MAX = 3;
const ADDRESS_ATTEMPTS_MAX = 6;

describe('the token service', () => {
  const harness = new SystemHarness({
    subjectStatusCacheSeconds: STATUS_CACHE_SECONDS,
    loginLimits: { accountFailuresMax: ACCOUNT_FAILURES_MAX, addressAttemptsMax: ADDRESS_ATTEMPTS_MAX, windowSeconds: WINDOW_SECONDS },
  });
  const asAdmin = { subject: ADMIN, roles: ['admin'] };
  let addressCounter = 0;
  /** A client address of its own per sign-in, unless a test is about addresses. */
  const freshAddress = () => `198.51.100.${++addressCounter % 250}`;

  async function createUser(roles: string[], password = `pw-${randomUUID()}`): Promise<{ id: string; email: string; password: string }> {
    const email = `user-${randomUUID()}@fleet.example`;
    const created = await harness.send('POST', '/v1/users', { email, password }, asAdmin);
    expect(created.status).toBe(201);
    const id = created.body.aggregateId as string;
    for (const role of roles) expect((await harness.send('POST', `/v1/users/${id}/roles`, { role }, asAdmin)).status).toBe(200);
    return { id, email, password };
  }

  const signIn = (username: string, password: string, address = freshAddress()) =>
    harness.tokenRequest('/oauth/token', { grant_type: 'password', client_id: CLI, username, password }, { address });
  const withToken = (token: string, route = '/v1/vehicles') => harness.sendWithToken('GET', route, token);

  beforeAll(() => harness.start(), 180_000);
  afterAll(() => harness.stop(), 60_000);

  it('signs a user in with the password grant: a short-lived token carrying the roles and permissions the identity context holds', async () => {
    const user = await createUser(['fleet_manager']);
    const answer = await signIn(user.email.toUpperCase(), user.password);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 300, refresh_token: expect.stringMatching(/^frt_/) });
    const token = answer.body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: 'fleet-dev-1', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: user.id, client_id: CLI, roles: ['fleet_manager'] });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims.permissions).toContain('vehicles.decommission');
    expect(claims.permissions).not.toContain('identity.users.manage');

    expect((await withToken(token)).status).toBe(200);
    expect((await withToken(token, '/v1/users')).status).toBe(403);
  }, 60_000);

  it('answers a wrong password, a disabled account and an unknown user alike, in similar time', async () => {
    const user = await createUser([]);
    const disabled = await createUser([]);
    expect((await harness.send('POST', `/v1/users/${disabled.id}/disable`, { reason: 'Left' }, asAdmin)).status).toBe(200);

    const wrong = await signIn(user.email, `${user.password}x`);
    const disabledAnswer = await signIn(disabled.email, disabled.password);
    const unknown = await signIn(`nobody-${randomUUID()}@fleet.example`, user.password);
    for (const answer of [wrong, disabledAnswer, unknown]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_grant', error_description: 'The username or password is wrong, or the account cannot sign in.' });
    }

    // Each kind alternately, so that machine noise falls on both alike; a success after each
    // failure clears the account's failures so that the rate limit stays out of the way.
    expect((await signIn(user.email, user.password)).status).toBe(200);
    const wrongMs: number[] = [];
    const unknownMs: number[] = [];
    const timed = async (attempt: () => Promise<Answer>, into: number[]) => {
      const started = performance.now();
      expect((await attempt()).status).toBe(400);
      into.push(performance.now() - started);
    };
    for (let round = 0; round < 8; round += 1) {
      await timed(() => signIn(user.email, `${user.password}-${round}`), wrongMs);
      await timed(() => signIn(`nobody-${round}-${randomUUID()}@fleet.example`, user.password), unknownMs);
      expect((await signIn(user.email, user.password)).status).toBe(200);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    // Without the decoy hash an unknown user is answered in about a millisecond, a wrong password
    // after a 32 MiB scrypt (tens of milliseconds): a ratio far outside this band.
    const ratio = median(unknownMs) / median(wrongMs);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  }, 120_000);

  it('refuses an account after too many failures with a clear 429, and lets it in again once the window has passed', async () => {
    const user = await createUser([]);
    for (let attempt = 0; attempt < ACCOUNT_FAILURES_MAX; attempt += 1) expect((await signIn(user.email, 'wrong password!')).status).toBe(400);
    const limited = await signIn(user.email, user.password);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: 'too_many_requests', error_description: expect.stringMatching(/^Too many failed sign-ins for this account; try again in \d+ s\.$/) });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    expect((await signIn(user.email, user.password)).status).toBe(200);
  }, 60_000);

  it('limits attempts per client address whatever the account, and not other addresses', async () => {
    const user = await createUser([]);
    const address = '203.0.113.77';
    for (let attempt = 0; attempt < ADDRESS_ATTEMPTS_MAX; attempt += 1) {
      expect((await signIn(`someone-${attempt}@fleet.example`, 'wrong password!', address)).status).toBe(400);
    }
    const limited = await signIn(user.email, user.password, address);
    expect(limited.status).toBe(429);
    expect(limited.body.error_description).toMatch(/^Too many sign-in attempts from this address/);
    expect((await signIn(user.email, user.password, '203.0.113.78')).status).toBe(200);
    // The address the client claims first is not the one counted: only the proxy's last entry is.
    const spoofed = await harness.tokenRequest('/oauth/token', { grant_type: 'password', client_id: CLI, username: user.email, password: user.password }, { address: `192.0.2.1, ${address}` });
    expect(spoofed.status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000 + 200));
    expect((await signIn(user.email, user.password, address)).status).toBe(200);
  }, 60_000);

  it('rotates refresh tokens, ends the whole family when one is used twice, and revokes on request', async () => {
    const user = await createUser(['rental_agent']);
    const first = (await signIn(user.email, user.password)).body.refresh_token as string;
    const refresh = (token: string) => harness.tokenRequest('/oauth/token', { grant_type: 'refresh_token', client_id: CLI, refresh_token: token });

    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    const second = rotated.body.refresh_token as string;
    expect(second).not.toBe(first);
    expect(decodeJwt(rotated.body.access_token as string).sub).toBe(user.id);

    const reused = await refresh(first);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('already been used') });
    // The copy's holder and the legitimate one cannot tell which is which: both must sign in again.
    expect((await refresh(second)).body).toMatchObject({ error: 'invalid_grant', error_description: 'The refresh token has been revoked.' });

    const third = (await signIn(user.email, user.password)).body.refresh_token as string;
    expect((await harness.tokenRequest('/oauth/revoke', { client_id: CLI, token: third })).status).toBe(200);
    expect((await refresh(third)).status).toBe(400);
    // Revoking something that is not a token is answered the same (RFC 7009 §2.2).
    expect((await harness.tokenRequest('/oauth/revoke', { client_id: CLI, token: 'frt_nothing' })).status).toBe(200);
  }, 60_000);

  it('puts grants changed through the identity API into the next token', async () => {
    const user = await createUser(['rental_agent']);
    const signedIn = await signIn(user.email, user.password);
    expect(decodeJwt(signedIn.body.access_token as string).permissions).toContain('rentals.reserve');
    expect((await harness.send('POST', `/v1/users/${user.id}/roles/rental_agent/revoke`, {}, asAdmin)).status).toBe(200);
    const refreshed = await harness.tokenRequest('/oauth/token', { grant_type: 'refresh_token', client_id: CLI, refresh_token: signedIn.body.refresh_token as string });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(refreshed.body.access_token as string)).toMatchObject({ roles: [], permissions: [] });
    expect((await withToken(refreshed.body.access_token as string)).status).toBe(403);
  }, 60_000);

  it('refuses a disabled user within the status cache bound, and their refresh token at once', async () => {
    const user = await createUser(['fleet_manager']);
    const signedIn = await signIn(user.email, user.password);
    const token = signedIn.body.access_token as string;
    expect((await withToken(token)).status).toBe(200);

    expect((await harness.send('POST', `/v1/users/${user.id}/disable`, { reason: 'Contract ended' }, asAdmin)).status).toBe(200);
    const disabledAt = performance.now();
    const refused = await eventually(async () => {
      const answer = await withToken(token);
      return answer.status === 401 ? answer : undefined;
    }, 15_000, 'the disabled user to be refused');
    const elapsedSeconds = (performance.now() - disabledAt) / 1000;
    expect(refused.body).toMatchObject({ detail: 'The account this token was issued to is disabled.' });
    // The bound is the Redis cache's lifetime plus the in-process reuse; the slack covers the
    // polling requests on a busy machine.
    expect(elapsedSeconds).toBeLessThanOrEqual(STATUS_CACHE_SECONDS + LOCAL_REUSE_MS / 1000 + 2);
    const refreshed = await harness.tokenRequest('/oauth/token', { grant_type: 'refresh_token', client_id: CLI, refresh_token: signedIn.body.refresh_token as string });
    expect(refreshed.body).toMatchObject({ error: 'invalid_grant' });
  }, 60_000);

  it('issues client_credentials tokens to a confidential service client with its roles, and refuses bad client authentication', async () => {
    const admin = knex({ client: 'pg', connection: harness.database.adminUrl.toString(), pool: { min: 0, max: 1 } });
    const secret = `secret-${randomUUID()}`;
    try {
      await admin('auth.clients').insert({ client_id: 'billing-sync', display_name: 'Billing sync', secret_hash: await hashPassword(secret), grant_types: ['client_credentials'], roles: ['auditor'] });
    } finally {
      await admin.destroy();
    }
    const basic = await harness.tokenRequest('/oauth/token', { grant_type: 'client_credentials' }, { basic: ['billing-sync', secret], address: freshAddress() });
    expect(basic.status).toBe(200);
    expect(basic.body.refresh_token).toBeUndefined();
    const claims = decodeJwt(basic.body.access_token as string);
    expect(claims).toMatchObject({ sub: 'billing-sync', client_id: 'billing-sync', roles: ['auditor'] });
    expect(claims.permissions).toContain('identity.read');
    expect((await withToken(basic.body.access_token as string, '/v1/users')).status).toBe(200);

    const posted = await harness.tokenRequest('/oauth/token', { grant_type: 'client_credentials', client_id: 'billing-sync', client_secret: secret }, { address: freshAddress() });
    expect(posted.status).toBe(200);
    const wrongSecret = await harness.tokenRequest('/oauth/token', { grant_type: 'client_credentials' }, { basic: ['billing-sync', 'nope'], address: freshAddress() });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ error: 'invalid_client' });
    expect(wrongSecret.headers.get('www-authenticate')).toContain('Basic');
    const publicClient = await harness.tokenRequest('/oauth/token', { grant_type: 'client_credentials', client_id: CLI });
    expect(publicClient.body).toMatchObject({ error: 'unauthorized_client' });
    const notAllowed = await harness.tokenRequest('/oauth/token', { grant_type: 'password', username: 'a@b.c', password: 'x' }, { basic: ['billing-sync', secret], address: freshAddress() });
    expect(notAllowed.body).toMatchObject({ error: 'unauthorized_client' });
  }, 60_000);

  it('answers malformed token requests with RFC 6749 errors and never a 500', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ client_id: CLI }, 'invalid_request'],
      [{ grant_type: 'authorization_code', client_id: CLI }, 'unsupported_grant_type'],
      [{ grant_type: 'password', client_id: CLI, username: 'a@b.c' }, 'invalid_request'],
      [{ grant_type: 'password', client_id: CLI, username: 'a@b.c', password: 'x', scope: 'admin' }, 'invalid_scope'],
      [{ grant_type: 'password', client_id: 'no-such-client', username: 'a@b.c', password: 'x' }, 'invalid_client'],
    ];
    for (const [form, error] of cases) expect((await harness.tokenRequest('/oauth/token', form)).body).toMatchObject({ error });
    const json = await fetch(`${harness.baseUrl}/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"grant_type":"password"}' });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
    const repeated = await fetch(`${harness.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&grant_type=client_credentials&client_id=fleet-cli',
    });
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request', error_description: 'Parameter grant_type appears more than once.' });
  }, 60_000);

  it('publishes its keys and discovery documents', async () => {
    const jwks = await fetch(`${harness.baseUrl}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    const keys = ((await jwks.json()) as { keys: Record<string, unknown>[] }).keys;
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: 'fleet-dev-1', alg: 'EdDSA', kty: 'OKP', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = (await (await fetch(`${harness.baseUrl}${path}`)).json()) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        issuer: ISSUER,
        token_endpoint: `${ISSUER}/oauth/token`,
        jwks_uri: `${ISSUER}/.well-known/jwks.json`,
        grant_types_supported: ['password', 'client_credentials', 'refresh_token'],
      });
    }
  });

  it('rotates keys with an overlap in which both verify, and refuses the old key once it is retired', async () => {
    const user = await createUser(['fleet_manager']);
    const files = harness.keyFiles;
    const before = (await signIn(user.email, user.password)).body.access_token as string;
    const original = readSigningKeys(files.signingKeys);
    writeKeyFiles(files.signingKeys, files.jwks, rotatedKeys(original, await generateSigningKey('EdDSA', 'fleet-rotated-2')));

    // The token service and the gateway follow the files within a second.
    const after = await eventually(async () => {
      const token = (await signIn(user.email, user.password)).body.access_token as string;
      return decodeProtectedHeader(token).kid === 'fleet-rotated-2' ? token : undefined;
    }, 10_000, 'tokens signed by the new key');
    // The two files are followed each on its own: the gateway's key set may trail the signer by a moment.
    await eventually(async () => ((await withToken(after)).status === 200 ? true : undefined), 5_000, 'the gateway to trust the new key');
    expect((await withToken(before)).status).toBe(200);
    const published = ((await (await fetch(`${harness.baseUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    expect(published).toEqual(['fleet-rotated-2', 'fleet-dev-1']);

    // A resource server configured with the JWKS URL alone verifies both during the overlap.
    const byUrl = () => new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['EdDSA'], jwksUrl: new URL(`${harness.baseUrl}/.well-known/jwks.json`), jwksFile: null });
    const overlap = byUrl();
    await expect(overlap.verify(before)).resolves.toMatchObject({ subject: user.id });
    await expect(overlap.verify(after)).resolves.toMatchObject({ subject: user.id });

    writeKeyFiles(files.signingKeys, files.jwks, readSigningKeys(files.signingKeys).slice(0, 1));
    const refused = await eventually(async () => {
      const answer = await withToken(before);
      return answer.status === 401 ? answer : undefined;
    }, 10_000, 'the retired key to stop verifying');
    expect(refused.body.detail).toMatch(/no applicable key found/i);
    expect((await withToken(after)).status).toBe(200);
    await expect(byUrl().verify(before)).rejects.toThrow(/no applicable key/i);
    await expect(byUrl().verify(after)).resolves.toMatchObject({ subject: user.id });
  }, 60_000);
});
