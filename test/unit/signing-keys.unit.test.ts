import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keysOf, publicJwk, ReloadingJsonFile } from '../../gateway/auth/key-files';
import { generateSigningKey, LIVE_KEYS_MAX, parseSigningKeys, promotedKeys, rotatedKeys, stagedKeys } from '../../gateway/auth/signing-keys';

/** The key file rules: what a key set may hold, what is published of it, and how rotation moves it. */
describe('signing key files', () => {
  it('refuses a set without keys, keys without kid, a kid twice and symmetric keys', () => {
    expect(() => keysOf({}, 'f')).toThrow('f: expected a JWK set with at least one key');
    expect(() => keysOf({ keys: [{ kty: 'OKP' }] }, 'f')).toThrow('every key needs a kid');
    expect(() => keysOf({ keys: [{ kty: 'OKP', kid: 'a' }, { kty: 'OKP', kid: 'a' }] }, 'f')).toThrow('kid a appears twice');
    expect(() => keysOf({ keys: [{ kty: 'oct', kid: 'h', k: 'c2VjcmV0' }] }, 'f')).toThrow('only OKP, EC and RSA keys are accepted');
  });

  it('publishes only the public half of a key', async () => {
    const key = await generateSigningKey('EdDSA', 'k1');
    expect(key.d).toEqual(expect.any(String));
    const published = publicJwk(key);
    expect(published).toEqual({ kty: 'OKP', crv: 'Ed25519', x: key.x, kid: 'k1', alg: 'EdDSA', use: 'sig' });
    const rsa = publicJwk(await generateSigningKey('RS256', 'r1'));
    expect(Object.keys(rsa).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  }, 30_000);

  it('asks a signing key file for private keys with a signing algorithm, at most two', async () => {
    const key = await generateSigningKey('EdDSA', 'k1');
    expect(parseSigningKeys({ keys: [key] }, 'f')).toEqual([key]);
    expect(() => parseSigningKeys({ keys: [publicJwk(key)] }, 'f')).toThrow('key k1 has no private part');
    expect(() => parseSigningKeys({ keys: [{ ...key, alg: 'HS256' }] }, 'f')).toThrow('key k1 has alg HS256');
    const three = [key, { ...key, kid: 'k2' }, { ...key, kid: 'k3' }];
    expect(() => parseSigningKeys({ keys: three }, 'f')).toThrow(`at most ${LIVE_KEYS_MAX} are live`);
  });

  it('rotates by putting the new key first and retiring all but the previous one', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((kid) => generateSigningKey('EdDSA', kid)));
    expect(rotatedKeys([a!], b!).map((key) => key.kid)).toEqual(['b', 'a']);
    expect(rotatedKeys([b!, a!], c!).map((key) => key.kid)).toEqual(['c', 'b']);
    expect(() => rotatedKeys([a!], a!)).toThrow('kid a is already in the key file');
  });

  it('stages a key beside the signing one, then promotes it, so that verifiers know it before it signs', async () => {
    const [a, b] = await Promise.all(['a', 'b'].map((kid) => generateSigningKey('EdDSA', kid)));
    const staged = stagedKeys([a!], b!);
    expect(staged.map((key) => key.kid)).toEqual(['a', 'b']);
    expect(() => stagedKeys(staged, b!)).toThrow('retire one before adding another');
    expect(promotedKeys(staged).map((key) => key.kid)).toEqual(['b', 'a']);
    expect(() => promotedKeys([a!])).toThrow('there is no staged key to promote');
  });

  it('follows a file as it changes and keeps the last good content when it breaks', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fleet-keyfile-'));
    const file = path.join(dir, 'set.json');
    try {
      writeFileSync(file, JSON.stringify({ keys: [{ kty: 'OKP', kid: 'one' }] }));
      const errors: unknown[] = [];
      const followed = new ReloadingJsonFile(file, (json, what) => keysOf(json, what).map((key) => key.kid), (error) => errors.push(error));
      expect(followed.current(0)).toEqual(['one']);
      const later = (seconds: number) => {
        const at = new Date(Date.now() + seconds * 1000);
        utimesSync(file, at, at);
      };
      writeFileSync(file, JSON.stringify({ keys: [{ kty: 'OKP', kid: 'two' }] }));
      later(5);
      // Looked at no more than once a second.
      expect(followed.current(500)).toEqual(['one']);
      expect(followed.current(1_500)).toEqual(['two']);
      writeFileSync(file, '{ not json');
      later(10);
      expect(followed.current(3_000)).toEqual(['two']);
      expect(errors).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
