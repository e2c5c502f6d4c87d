import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with scrypt (node:crypto): a random 16-byte salt per password, stored with its
 * parameters as `scrypt$N$r$p$salt$hash` (salt and hash in base64), so that the cost can rise
 * later without making stored hashes unreadable. The plain password is only ever held in memory.
 */
const COST = 2 ** 15;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/**
 * The most memory one derivation may use: N = 2^15, r = 8 needs 32 MiB (128·N·r bytes). A stored
 * hash asking for more is refused rather than computed, so a forged hash cannot exhaust memory.
 */
const MEMORY_MAX = 64 * 1024 * 1024;

export const PASSWORD_LENGTH_MIN = 12;
export const PASSWORD_LENGTH_MAX = 200;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, { ...options, maxmem: MEMORY_MAX }, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N: COST, r: BLOCK_SIZE, p: PARALLELISM });
  return ['scrypt', COST, BLOCK_SIZE, PARALLELISM, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether `password` matches `stored`; false (never an exception) for a hash in another format. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [cost, blockSize, parallelism] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![cost, blockSize, parallelism].every(Number.isSafeInteger) || 128 * cost * blockSize > MEMORY_MAX || parallelism < 1 || parallelism > 4) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || expected.length < 16 || expected.length > 64) return false;
  try {
    const actual = await derive(password, salt, expected.length, { N: cost, r: blockSize, p: parallelism });
    return timingSafeEqual(actual, expected);
  } catch {
    // Parameters scrypt refuses (N not a power of two, too little memory): not a hash of ours.
    return false;
  }
}
