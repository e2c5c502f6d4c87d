import { readFileSync, statSync } from 'node:fs';
import { createLocalJWKSet, type JWK, type JWTVerifyGetKey } from 'jose';

/** How often a key file's modification time is looked at; a rotation is seen within this. */
const RELOAD_CHECK_INTERVAL_MS = 1_000;

/** The algorithms the token service signs with; each key says its own in `alg`. */
export const SIGNING_ALGORITHMS = ['EdDSA', 'RS256'] as const;

const ASYMMETRIC_KEY_TYPES = new Set(['OKP', 'EC', 'RSA']);

/**
 * A JSON file that is read again when it changes on disk (a rotated Kubernetes Secret, or
 * `npm run auth -- keys rotate`), checked at most once a second so a request never pays for more
 * than a stat. A file that has become unreadable keeps the last good content and reports why.
 */
export class ReloadingJsonFile<T> {
  private value: T;
  private modifiedMs: number;
  private checkedAtMs = 0;

  constructor(
    readonly file: string,
    private readonly parse: (json: unknown, file: string) => T,
    private readonly onReloadError: (error: unknown) => void = () => undefined,
  ) {
    this.modifiedMs = statSync(file).mtimeMs;
    this.value = parse(JSON.parse(readFileSync(file, 'utf8')), file);
  }

  current(nowMs = Date.now()): T {
    if (nowMs - this.checkedAtMs < RELOAD_CHECK_INTERVAL_MS) return this.value;
    this.checkedAtMs = nowMs;
    try {
      const modifiedMs = statSync(this.file).mtimeMs;
      if (modifiedMs !== this.modifiedMs) {
        this.value = this.parse(JSON.parse(readFileSync(this.file, 'utf8')), this.file);
        this.modifiedMs = modifiedMs;
      }
    } catch (error) {
      this.onReloadError(error);
    }
    return this.value;
  }
}

/** The `keys` array of a JWK set, each with a kid; `what` names the file in errors. */
export function keysOf(json: unknown, what: string): JWK[] {
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${what}: expected a JWK set with at least one key ({"keys": [...]})`);
  const kids = new Set<string>();
  for (const key of keys as JWK[]) {
    if (typeof key !== 'object' || key === null || typeof key.kid !== 'string' || key.kid === '') throw new Error(`${what}: every key needs a kid`);
    if (kids.has(key.kid)) throw new Error(`${what}: kid ${key.kid} appears twice`);
    // A shared secret could sign as well as verify: only public-key algorithms are trusted.
    if (!ASYMMETRIC_KEY_TYPES.has(String(key.kty))) throw new Error(`${what}: key ${key.kid} has kty ${String(key.kty)}; only OKP, EC and RSA keys are accepted`);
    kids.add(key.kid);
  }
  return keys as JWK[];
}

/** The members of a JWK that are secret (RFC 7518 §6): never published. */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** The public half of a JWK: what a JWKS publishes. */
export function publicJwk(key: JWK): JWK {
  return { ...(Object.fromEntries(Object.entries(key).filter(([member]) => !PRIVATE_MEMBERS.has(member))) as JWK), use: 'sig' };
}

/**
 * A key lookup for jwtVerify over a JWKS file that follows the file as it changes: a key removed
 * from the file (retired) stops verifying within a second, a key added starts.
 */
export function reloadingLocalJwks(file: string, onReloadError?: (error: unknown) => void): JWTVerifyGetKey {
  const keySets = new ReloadingJsonFile(file, (json, path) => createLocalJWKSet({ keys: keysOf(json, path).map(publicJwk) }), onReloadError);
  return (header, token) => keySets.current()(header, token);
}
