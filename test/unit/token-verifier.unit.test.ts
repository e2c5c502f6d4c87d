import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JWK } from 'jose';
import { CLOCK_TOLERANCE_SECONDS, InvalidTokenError, TokenVerifier } from '../../gateway/auth/token-verifier';
import { devKeyPaths, ensureDevKeys, signDevToken } from '../../tools/dev-token-keys';

/** The verified-token cache: it saves signature checks, and never stretches what a token allows. */
describe('TokenVerifier cache', () => {
  const issuer = 'fleet-test';
  const audience = 'fleet-api';
  let keysDir: string;
  let signingKey: JWK;

  beforeAll(async () => {
    keysDir = mkdtempSync(path.join(tmpdir(), 'fleet-verifier-'));
    signingKey = await ensureDevKeys(keysDir);
  });
  afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

  function verifierAt(clock: { now: Date }, cacheSeconds: number, expectedAudience = audience): TokenVerifier {
    return new TokenVerifier({
      issuer,
      audience: expectedAudience,
      algorithms: ['EdDSA'],
      jwksUrl: null,
      jwksFile: devKeyPaths(keysDir).jwks,
      cacheSeconds,
      clock: () => clock.now,
    });
  }

  const token = (expiresInSeconds: number, subject = 'user-1') =>
    signDevToken(signingKey, { subject, roles: ['fleet_manager'], permissions: [], issuer, audience, expiresInSeconds });

  it('answers a token it verified before with the same principal', async () => {
    const clock = { now: new Date() };
    const verifier = verifierAt(clock, 60);
    const jwt = await token(600);
    const first = await verifier.verify(jwt);
    clock.now = new Date(clock.now.getTime() + 30_000);
    const second = await verifier.verify(jwt);
    expect(second).toBe(first);
    expect(second.subject).toBe('user-1');
    expect(second.permissions.has('vehicles.register')).toBe(true);
  });

  it('never trusts a cached token past its expiry', async () => {
    const clock = { now: new Date() };
    const verifier = verifierAt(clock, 3_600);
    const jwt = await token(120);
    await expect(verifier.verify(jwt)).resolves.toMatchObject({ subject: 'user-1' });
    clock.now = new Date(clock.now.getTime() + (120 + CLOCK_TOLERANCE_SECONDS + 5) * 1000);
    await expect(verifier.verify(jwt)).rejects.toThrow(InvalidTokenError);
  });

  it('checks the signature again once the cache time has passed', async () => {
    const clock = { now: new Date() };
    const verifier = verifierAt(clock, 10);
    const jwt = await token(600);
    const first = await verifier.verify(jwt);
    clock.now = new Date(clock.now.getTime() + 11_000);
    const again = await verifier.verify(jwt);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('does not cache a refusal, nor share an entry between tokens', async () => {
    const clock = { now: new Date() };
    const verifier = verifierAt(clock, 60, 'another-api');
    const jwt = await token(600);
    await expect(verifier.verify(jwt)).rejects.toThrow(InvalidTokenError);
    await expect(verifier.verify(jwt)).rejects.toThrow(InvalidTokenError);
    const accepting = verifierAt(clock, 60);
    const one = await accepting.verify(await token(600, 'user-1'));
    const two = await accepting.verify(await token(600, 'user-2'));
    expect([one.subject, two.subject]).toEqual(['user-1', 'user-2']);
  });

  it('with caching off, verifies every time', async () => {
    const clock = { now: new Date() };
    const verifier = verifierAt(clock, 0);
    const jwt = await token(600);
    expect(await verifier.verify(jwt)).not.toBe(await verifier.verify(jwt));
  });
});

describe('TokenVerifier permissions', () => {
  const issuer = 'fleet-test';
  const audience = 'fleet-api';
  let keysDir: string;
  let signingKey: JWK;
  let verifier: TokenVerifier;

  beforeAll(async () => {
    keysDir = mkdtempSync(path.join(tmpdir(), 'fleet-verifier-'));
    signingKey = await ensureDevKeys(keysDir);
    verifier = new TokenVerifier({ issuer, audience, algorithms: ['EdDSA'], jwksUrl: null, jwksFile: devKeyPaths(keysDir).jwks });
  });
  afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

  const verified = (roles: string[], permissions: string[]) =>
    signDevToken(signingKey, { subject: 'user-1', roles, permissions, issuer, audience, expiresInSeconds: 60 }).then((jwt) => verifier.verify(jwt));

  it("takes a token's permissions claim as the whole grant, whatever roles it names", async () => {
    const principal = await verified(['fleet_manager'], ['vehicles.read']);
    expect([...principal.permissions]).toEqual(['vehicles.read']);
    expect(principal.roles).toEqual(['fleet_manager']);
  });

  it('gives a token that names roles only (an external provider) the built-in roles’ permissions', async () => {
    const principal = await verified(['mechanic'], []);
    expect(principal.permissions.has('maintenance.perform')).toBe(true);
    expect(principal.permissions.has('vehicles.register')).toBe(false);
  });
});
