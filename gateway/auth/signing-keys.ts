import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { keysOf, publicJwk, ReloadingJsonFile, SIGNING_ALGORITHMS } from './key-files';

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: Awaited<ReturnType<typeof importJWK>>;
}

/** Keys a key file may hold: the signing key and one earlier key still verifying its tokens. */
export const LIVE_KEYS_MAX = 2;

function signingAlgorithmOf(key: JWK, what: string): SigningAlgorithm {
  const alg = SIGNING_ALGORITHMS.find((candidate) => candidate === key.alg);
  if (alg === undefined) throw new Error(`${what}: key ${key.kid} has alg ${String(key.alg)}; one of ${SIGNING_ALGORITHMS.join(', ')} is needed`);
  return alg;
}

/** Checks a private key file: private keys with kid and a signing alg, at most LIVE_KEYS_MAX. */
export function parseSigningKeys(json: unknown, what: string): JWK[] {
  const keys = keysOf(json, what);
  if (keys.length > LIVE_KEYS_MAX) throw new Error(`${what}: ${keys.length} keys; at most ${LIVE_KEYS_MAX} are live at once (retire the oldest)`);
  for (const key of keys) {
    signingAlgorithmOf(key, what);
    if (typeof key.d !== 'string') throw new Error(`${what}: key ${key.kid} has no private part`);
  }
  return keys;
}

/**
 * The token service's signing keys, from a JWK set file of private keys (AUTH_SIGNING_KEYS_FILE).
 * The first key signs; every key in the file is published in the JWKS, so during a rotation the
 * previous key (second) still verifies the tokens it signed until it is retired (removed). The
 * file is followed as it changes, so rotating needs no restart.
 */
export class SigningKeys {
  private readonly file: ReloadingJsonFile<JWK[]>;
  private readonly imported = new Map<string, Promise<SigningKey>>();

  constructor(file: string, onReloadError?: (error: unknown) => void) {
    this.file = new ReloadingJsonFile(file, parseSigningKeys, onReloadError);
  }

  /** The key new tokens are signed with. */
  current(): Promise<SigningKey> {
    const jwk = this.file.current()[0]!;
    const cacheKey = `${jwk.kid}:${jwk.x ?? jwk.n ?? ''}`;
    let key = this.imported.get(cacheKey);
    if (key === undefined) {
      const alg = signingAlgorithmOf(jwk, this.file.file);
      key = importJWK(jwk, alg).then((imported) => ({ kid: jwk.kid!, alg, key: imported }));
      this.imported.set(cacheKey, key);
    }
    return key;
  }

  /** The public JWK set: what /.well-known/jwks.json answers. */
  jwks(): { keys: JWK[] } {
    return { keys: this.file.current().map(publicJwk) };
  }
}

/** A new private signing key as a JWK, with its kid and alg. */
export async function generateSigningKey(alg: SigningAlgorithm, kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 3072 } : {}) });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

/**
 * The key file after a rotation in one step: the new key first (it signs from now on), the
 * current one second (its tokens keep verifying), anything older retired. A verifier that caches
 * the JWKS may refuse the new key's tokens until it fetches again; `stagedKeys` then
 * `promotedKeys` avoid that.
 */
export function rotatedKeys(keys: readonly JWK[], next: JWK): JWK[] {
  if (keys.some((key) => key.kid === next.kid)) throw new Error(`kid ${next.kid} is already in the key file`);
  return [next, ...keys].slice(0, LIVE_KEYS_MAX);
}

/** Step one of a rotation: the next key is published beside the signing one, and signs nothing yet. */
export function stagedKeys(keys: readonly JWK[], next: JWK): JWK[] {
  if (keys.length >= LIVE_KEYS_MAX) throw new Error(`the key file already holds ${keys.length} keys: retire one before adding another`);
  if (keys.some((key) => key.kid === next.kid)) throw new Error(`kid ${next.kid} is already in the key file`);
  return [...keys, next];
}

/** Step two: the staged key signs; the one it replaces keeps verifying until it is retired. */
export function promotedKeys(keys: readonly JWK[]): JWK[] {
  if (keys.length < 2) throw new Error('there is no staged key to promote: add one first');
  return [keys[1]!, keys[0]!];
}
